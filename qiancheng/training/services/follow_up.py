"""Follow-up after a class (跟踪服务, 1e: "培训—就业—跟踪服务"长效机制): employment status at 3, 6 and 12 months after
the class ends, for every trainee who did not withdraw, and the share employed per class, institution, occupation
and city.

Who records: the class's institution and an official of its city, for any trainee of the class (the bulk page);
the trainee, for their own place. A checkpoint can be recorded from its due day (the class's last day plus the
months) on; recorded again, it is replaced and the audit entry keeps what it said before.

The share employed (`employment_shares`) is the number employed (受雇就业 or 自主创业/灵活就业) over every follow-up
recorded at that checkpoint, "无法联系" included: a trainee nobody can reach is not counted as placed, so marking
the hard cases unreachable cannot raise a class's share. Other readers (the star rating, report cards) call it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet

from qiancheng.accounts.audit import record_event, snapshot
from qiancheng.accounts.models import Role, User
from qiancheng.clock import now as programme_now
from qiancheng.clock import today
from qiancheng.training.follow_up_models import (
    EMPLOYED_STATUSES,
    FOLLOW_UP_MONTHS,
    EmploymentFollowUp,
    EmploymentStatus,
    RecorderRole,
)
from qiancheng.training.models import Enrolment, EnrolmentStatus, TrainingClass

EMPLOYER_MAX = 128
FOLLOW_UP_FIELDS = ("status", "employer", "observed_on", "recorder_role")
Grouping = Literal["class", "institution", "occupation", "city"]
GROUP_PATHS: dict[str, tuple[str, str]] = {
    "class": ("enrolment__training_class_id", "enrolment__training_class__name"),
    "institution": ("enrolment__training_class__institution_id", "enrolment__training_class__institution__name"),
    "occupation": ("enrolment__training_class__occupation_id", "enrolment__training_class__occupation__name"),
    "city": ("enrolment__training_class__city_id", "enrolment__training_class__city__name"),
}


def checkpoint_due(end_date: dt.date, months: int) -> dt.date:
    """The class's last day plus `months` calendar months (the 31st becomes the month's last day)."""
    month_index = end_date.month - 1 + months
    year, month = end_date.year + month_index // 12, month_index % 12 + 1
    return end_date.replace(year=year, month=month, day=min(end_date.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class FollowUpInput:
    enrolment_id: int
    months: int
    status: str
    employer: str = ""
    observed_on: dt.date | None = None  # default: today


@dataclass(frozen=True)
class FollowUpProblem:
    row: int
    enrolment_id: int
    code: str
    zh: str
    en: str

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "enrolment_id": self.enrolment_id, "code": self.code, "message_zh": self.zh,
                "message_en": self.en}


class FollowUpsRefused(ValidationError):
    """Every problem of a bulk record; nothing was written."""

    def __init__(self, problems: list[FollowUpProblem]) -> None:
        super().__init__("; ".join(f"{p.zh} / {p.en}" for p in problems), code="follow_ups_invalid")
        self.problems = problems


def recorder_role(actor: User, training: TrainingClass) -> str:
    """Which side records for this class; anyone else is refused."""
    if actor.role == Role.INSTITUTION and actor.institution_id == training.institution_id:
        return RecorderRole.INSTITUTION
    if actor.role == Role.CITY_OFFICIAL and actor.city_id == training.city_id:
        return RecorderRole.CITY
    if actor.role == Role.TRAINEE and training.enrolments.filter(person_id=actor.person_id).exists():
        return RecorderRole.TRAINEE
    raise PermissionDenied("无权登记该班的就业跟踪 / not allowed to record this class's follow-up")


def followed_enrolments(training: TrainingClass) -> QuerySet[Enrolment]:
    """Every trainee of the class who did not withdraw: all of them are followed up."""
    return training.enrolments.exclude(status=EnrolmentStatus.WITHDRAWN).select_related("person")


def _row_problem(number: int, row: FollowUpInput, enrolment: Enrolment | None, training: TrainingClass,
                 actor: User, on: dt.date) -> FollowUpProblem | None:
    def problem(code: str, zh: str, en: str) -> FollowUpProblem:
        return FollowUpProblem(number, row.enrolment_id, code, zh, en)

    if enrolment is None:
        return problem("not_a_trainee", "不是本班学员", "not a trainee of this class")
    if actor.role == Role.TRAINEE and enrolment.person_id != actor.person_id:
        return problem("not_yours", "学员只能登记本人的就业情况", "a trainee records their own status only")
    if row.months not in FOLLOW_UP_MONTHS:
        return problem("months_invalid", "跟踪时点须为结业后3、6或12个月", "the checkpoint must be 3, 6 or 12 months")
    if row.status not in EmploymentStatus.values:
        return problem("status_invalid", "就业状态无效", "unknown employment status")
    if len(row.employer.strip()) > EMPLOYER_MAX:
        return problem("employer_too_long", f"用人单位不得超过{EMPLOYER_MAX}字",
                       f"the employer may not exceed {EMPLOYER_MAX} characters")
    due = checkpoint_due(training.end_date, row.months)
    observed = row.observed_on or on
    if on < due:
        return problem("not_due", f"结业后{row.months}个月的跟踪自{due}起登记",
                       f"the {row.months}-month follow-up can be recorded from {due}")
    if not due <= observed <= on:
        return problem("observed_on_invalid", f"了解情况的日期须在{due}至{on}之间",
                       f"the date observed must be from {due} to {on}")
    return None


def record_follow_ups(actor: User, training: TrainingClass, rows: Iterable[FollowUpInput]) -> int:
    """Record (or replace) follow-ups of the class's trainees: all or nothing; returns how many changed."""
    role = recorder_role(actor, training)
    rows = list(rows)
    on = today()
    enrolments = {each.pk: each for each in followed_enrolments(training)}
    problems = [found for number, row in enumerate(rows, start=1)
                if (found := _row_problem(number, row, enrolments.get(row.enrolment_id), training, actor, on))]
    seen: set[tuple[int, int]] = set()
    for number, row in enumerate(rows, start=1):
        if (row.enrolment_id, row.months) in seen:
            problems.append(FollowUpProblem(number, row.enrolment_id, "duplicate", "同一学员同一时点重复登记",
                                            "the same trainee and checkpoint twice"))
        seen.add((row.enrolment_id, row.months))
    if problems:
        raise FollowUpsRefused(problems)
    changed = 0
    with transaction.atomic():
        for row in rows:
            changed += _write(actor, role, enrolments[row.enrolment_id], row, on)
    return changed


def _write(actor: User, role: str, enrolment: Enrolment, row: FollowUpInput, on: dt.date) -> int:
    found = EmploymentFollowUp.objects.select_for_update().filter(enrolment=enrolment, months=row.months).first()
    before = snapshot(found, FOLLOW_UP_FIELDS) if found else None
    follow_up = found or EmploymentFollowUp(enrolment=enrolment, person_id=enrolment.person_id, months=row.months)
    follow_up.status, follow_up.employer = row.status, " ".join(row.employer.split())
    follow_up.observed_on, follow_up.recorder_role = row.observed_on or on, role
    if before is not None and snapshot(follow_up, FOLLOW_UP_FIELDS) == before:
        return 0
    follow_up.recorded_by, follow_up.recorded_at = actor, programme_now()
    follow_up.save()
    record_event(actor, "follow_up.recorded" if before is None else "follow_up.updated", follow_up, before=before,
                 after={**snapshot(follow_up, FOLLOW_UP_FIELDS), "months": row.months})
    return 1


@dataclass(frozen=True)
class EmploymentShare:
    key: Any
    name: str
    recorded: int
    employed: int

    @property
    def share(self) -> Decimal | None:
        """Employed over recorded, as a fraction to 4 places; None when nothing is recorded."""
        if not self.recorded:
            return None
        return (Decimal(self.employed) / Decimal(self.recorded)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def employment_shares(by: Grouping, months: int = 6, follow_ups: QuerySet[EmploymentFollowUp] | None = None
                      ) -> list[EmploymentShare]:
    """The share employed at `months` after the class, per class, institution, occupation or city (1e), over
    `follow_ups` (default all: pass `scoped(EmploymentFollowUp, user)` for what a user may see)."""
    if by not in GROUP_PATHS:
        raise ValueError(f"unknown grouping {by!r}")
    if months not in FOLLOW_UP_MONTHS:
        raise ValueError(f"unknown checkpoint {months!r}")
    key_path, name_path = GROUP_PATHS[by]
    rows = ((EmploymentFollowUp.objects.all() if follow_ups is None else follow_ups)
            .filter(months=months).order_by().values(key_path, name_path)
            .annotate(recorded=Count("pk"), employed=Count("pk", filter=Q(status__in=EMPLOYED_STATUSES))))
    return sorted((EmploymentShare(row[key_path], row[name_path] or "—", row["recorded"], row["employed"])
                   for row in rows), key=lambda each: (str(each.name), str(each.key)))
