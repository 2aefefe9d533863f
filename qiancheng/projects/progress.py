"""Where a project stands between publication and certificates, read from the classes that deliver it.

The project model records the decisions (3.4b review, 3.4c choice, 3.4d confirmations); whether the
training itself is over is read from the project's classes, which live in training, above projects:
training registers how to read them (`qiancheng.projects.delivery`, `qiancheng.training.project_delivery`):

- a class *delivers* the project once the city approved it (approved, in progress or finished);
- a delivering class is *over* when it is marked finished or its end date has passed on the programme
  clock (`qiancheng.clock.today`), since nothing else marks the end of a class today;
- the project's training is *done* when an institution was chosen, at least one class delivered it and
  every delivering class is over (a class still waiting for approval also keeps it open).

Only then do the pages ask the city and the applicant to confirm the effect (3.4d: 培训结束后共同确认).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, Min, OuterRef, Q, QuerySet, Subquery

from qiancheng.clock import today
from qiancheng.projects.delivery import delivery
from qiancheng.projects.models import DeliveryApplication, DeliveryApplicationStatus, Project, ProjectStatus


def training_done_q(on: dt.date | None = None) -> Q:
    """The condition on `Project` rows whose training is done on `on` (default: the programme's today)."""
    on = on or today()
    return (
        Q(status__in=(ProjectStatus.PUBLISHED, ProjectStatus.CLOSED), chosen_institution__isnull=False)
        & delivery().done_q(on)
    )


def training_done(project: Project, on: dt.date | None = None) -> bool:
    """Whether the project's training is over, so that both sides may confirm its effect (3.4d)."""
    return Project.objects.filter(training_done_q(on), pk=project.pk).exists()


def with_training_end(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Each project annotated with `training_ended`: the last end date of its delivering classes."""
    return projects.annotate(training_ended=delivery().last_end())


def awaiting_review(projects: QuerySet[Project]) -> QuerySet[Project]:
    """3.4b: submitted applications the city has not decided yet, oldest first."""
    return projects.filter(status=ProjectStatus.SUBMITTED).order_by("submitted_at", "pk")


def awaiting_choice(projects: QuerySet[Project]) -> QuerySet[Project]:
    """3.4c: published projects with delivery applications and no institution chosen yet, with
    `first_applied` (when the first still-open application came in), oldest first."""
    open_applications = DeliveryApplication.objects.filter(
        project=OuterRef("pk"), status=DeliveryApplicationStatus.APPLIED
    )
    first_applied = open_applications.values("project").annotate(first=Min("applied_at")).values("first")
    return (
        projects.filter(status=ProjectStatus.PUBLISHED, chosen_institution__isnull=True)
        .filter(Exists(open_applications))
        .annotate(first_applied=Subquery(first_applied))
        .order_by("first_applied", "pk")
    )


def awaiting_city_confirmation(projects: QuerySet[Project]) -> QuerySet[Project]:
    """3.4d: projects whose training is done and whose city has not confirmed the effect met, with
    `training_ended`, oldest first. A "not met" answer keeps the project here until it is corrected."""
    return (
        with_training_end(projects.filter(training_done_q(), city_confirmed_effect=False))
        .order_by("training_ended", "pk")
    )
