"""How classes deliver a project (3.4c-d), registered with `qiancheng.projects.delivery` in TrainingConfig.ready.

- a class *delivers* the project once the city approved it (approved, in progress or finished);
- a delivering class is *over* when it is marked finished or its end date has passed on the programme
  clock (`qiancheng.clock.today`), since nothing else marks the end of a class today;
- the project's training is *done* when at least one class delivered it and every delivering class is
  over (a class still waiting for approval also keeps it open).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, Expression, Max, OuterRef, Q, Subquery

from qiancheng.projects.delivery import Delivery
from qiancheng.training.models import APPROVED_STATES, ClassStatus, Enrolment, EnrolmentStatus, TrainingClass

RUNNING = (ClassStatus.APPROVED, ClassStatus.IN_PROGRESS)


def _over(on: dt.date) -> Q:
    return Q(status=ClassStatus.FINISHED) | Q(status__in=APPROVED_STATES, end_date__lt=on)


def _still_running(on: dt.date) -> Q:
    return Q(status=ClassStatus.SUBMITTED) | Q(status__in=RUNNING, end_date__gte=on)


def classes_over_q(on: dt.date) -> Q:
    """On Project rows: at least one delivering class is over and none still runs or waits on `on`."""
    classes = TrainingClass.objects.filter(project=OuterRef("pk"))
    return Exists(classes.filter(_over(on))) & ~Exists(classes.filter(_still_running(on)))


def last_end() -> Expression:
    """On Project rows: the last end date of its delivering classes."""
    return Subquery(
        TrainingClass.objects.filter(project=OuterRef("pk"), status__in=APPROVED_STATES)
        .values("project").annotate(last=Max("end_date")).values("last")
    )


def institution_record(institution_ids: list[int]) -> dict[int, dict[str, int]]:
    """Each institution's load and record in classes and trainees (3.4c 择优)."""
    record: dict[int, dict[str, int]] = {}
    classes = (
        TrainingClass.objects.filter(institution__in=institution_ids).values("institution")
        .annotate(running=Count("pk", filter=Q(status__in=RUNNING)),
                  finished=Count("pk", filter=Q(status=ClassStatus.FINISHED)))
    )
    for row in classes:
        record.setdefault(row["institution"], {}).update(
            running_classes=row["running"], classes_delivered=row["finished"])
    trainees = (
        Enrolment.objects.filter(training_class__institution__in=institution_ids)
        .values("training_class__institution")
        .annotate(running=Count("pk", filter=Q(status=EnrolmentStatus.ENROLLED, training_class__status__in=RUNNING)),
                  completed=Count("pk", filter=Q(status=EnrolmentStatus.COMPLETED)))
    )
    for row in trainees:
        record.setdefault(row["training_class__institution"], {}).update(
            running_trainees=row["running"], trainees_completed=row["completed"])
    return record


DELIVERY = Delivery(done_q=classes_over_q, last_end=last_end)
