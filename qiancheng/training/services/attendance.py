"""Attendance per session (考勤), the evidence behind a claim's class hours (6c), and each trainee's rate.

The rate below which a trainee is not eligible for the subsidy is not in the plan: it is local
practice. It is kept as dated data with its source, so a new value is a new entry, never a branch.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q, Sum

from qiancheng.accounts.audit import record_event
from qiancheng.accounts.models import Role
from qiancheng.clock import today
from qiancheng.training.models import (
    AttendanceRecord,
    AttendanceThreshold,
    ClassStatus,
    EnrolmentStatus,
    TrainingClass,
)
from qiancheng.training.services.enrolment import require_class_staff

if TYPE_CHECKING:
    from qiancheng.accounts.models import User
    from qiancheng.catalog.models import City


@dataclass(frozen=True)
class DatedThreshold:
    """A minimum attendance rate from a date on, with where it comes from and when it was last checked."""

    effective_from: date
    rate: Decimal
    source: str
    last_checked: date


# Source: local practice (各地通行的"出勤率不低于80%"), not a clause of the plan; cities may differ.
ATTENDANCE_THRESHOLDS = (
    DatedThreshold(date(2025, 1, 1), Decimal("0.80"), "各地通行做法 local practice (default)", date(2026, 11, 29)),
)
# Attendance is recorded while a class runs (and on its approved days, for the first session).
RECORDING_STATES = (ClassStatus.APPROVED, ClassStatus.IN_PROGRESS)


@dataclass(frozen=True)
class Mark:
    """One trainee's attendance at one session."""

    enrolment_id: int
    present: bool
    hours: Decimal = Decimal("0")


def threshold_on(day: date, city_id: str | None = None) -> DatedThreshold:
    """The threshold in force on `day` in the city: the city's own latest entry that has started, else the
    province-wide default's latest entry."""
    if city_id is not None:
        own = (AttendanceThreshold.objects.filter(city_id=city_id, effective_from__lte=day)
               .order_by("-effective_from").first())
        if own is not None:
            return DatedThreshold(own.effective_from, own.rate, own.source, own.set_at.date())
    started = [entry for entry in ATTENDANCE_THRESHOLDS if entry.effective_from <= day]
    if not started:
        raise ValueError(f"no attendance threshold in force on {day}")
    return max(started, key=lambda entry: entry.effective_from)


def class_threshold(training: TrainingClass) -> DatedThreshold:
    """The threshold a class is held to: its city's, in force on its last day."""
    return threshold_on(training.end_date, training.city_id)


MIN_THRESHOLD, MAX_THRESHOLD = Decimal("0.50"), Decimal("1.00")


def set_attendance_threshold(actor: User, city: City, effective_from: date, rate: Decimal,
                             source: str) -> AttendanceThreshold:
    """A city official sets the city's threshold from a date on (province officials may set any city's).

    Only from today on: a class's trainees must not find the rule changed under a class already ended."""
    if not (actor.role == Role.PROVINCE_OFFICIAL or (actor.role == Role.CITY_OFFICIAL and actor.city_id == city.pk)):
        raise PermissionDenied("只有本市人社局可以设定出勤率阈值 / only the city's bureau sets its attendance threshold")
    problems = {}
    if not MIN_THRESHOLD <= rate <= MAX_THRESHOLD:
        problems["rate"] = "阈值须在50%到100%之间 / the threshold is between 50% and 100%"
    if effective_from < today():
        problems["effective_from"] = "生效日期不能早于今天 / it takes effect today or later"
    if not source.strip():
        problems["source"] = "须注明依据文件 / name the document that sets it"
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        entry, created = AttendanceThreshold.objects.update_or_create(
            city=city, effective_from=effective_from,
            defaults={"rate": rate.quantize(Decimal("0.01")), "source": source.strip(), "set_by": actor})
        record_event(actor, "attendance.threshold_set", entry, after={
            "city": city.pk, "effective_from": effective_from, "rate": entry.rate, "source": entry.source,
            "replaced": not created})
    return entry


def _checked(training: TrainingClass, session_date: date, marks: list[Mark]) -> None:
    if training.status not in RECORDING_STATES:
        raise ValidationError("班级不在培训中，不能记录考勤 / attendance is recorded only for an approved or running class",
                              code="class_not_running")
    if not training.start_date <= session_date <= training.end_date:
        raise ValidationError(f"{session_date} 不在培训期内 / {session_date} is outside the class's dates",
                              code="session_date")
    enrolled = set(training.enrolments.filter(status=EnrolmentStatus.ENROLLED).values_list("pk", flat=True))
    errors = []
    for number, mark in enumerate(marks, start=1):
        if mark.enrolment_id not in enrolled:
            errors.append(f"第{number}条：学员不在本班名册 / entry {number}: not on this class's roster")
        elif not (Decimal("0") <= mark.hours <= Decimal("24")) or (not mark.present and mark.hours):
            errors.append(f"第{number}条：课时应为0-24，缺勤为0 / entry {number}: hours are 0-24, and 0 when absent")
    if errors:
        raise ValidationError(errors)


def record_attendance(actor: User, training: TrainingClass, session_date: date, marks: Iterable[Mark]) -> int:
    """Record (or correct) one session's attendance; a correction keeps the earlier value in the audit trail."""
    require_class_staff(actor, training)
    marks = list(marks)
    _checked(training, session_date, marks)
    with transaction.atomic():
        existing = {record.enrolment_id: record for record in AttendanceRecord.objects.select_for_update().filter(
            enrolment__training_class=training, session_date=session_date)}
        persons = dict(training.enrolments.values_list("pk", "person_id"))
        changed, before = [], {}
        for mark in marks:
            record = existing.get(mark.enrolment_id)
            if record is None:
                AttendanceRecord.objects.create(enrolment_id=mark.enrolment_id, person_id=persons[mark.enrolment_id],
                                                session_date=session_date, present=mark.present, hours=mark.hours)
                changed.append(mark.enrolment_id)
            elif (record.present, record.hours) != (mark.present, mark.hours):
                before[mark.enrolment_id] = {"present": record.present, "hours": record.hours}
                record.present, record.hours = mark.present, mark.hours
                record.save(update_fields=["present", "hours"])
                changed.append(mark.enrolment_id)
        if changed:
            record_event(actor, "attendance.recorded", training, before={"corrected": before} if before else None,
                         after={"session_date": session_date, "entries": len(changed)})
    return len(changed)


def attended_hours(training: TrainingClass) -> dict[int, Decimal]:
    """Each enrolment's hours present, as recorded session by session."""
    attended = dict(training.enrolments.annotate(
        attended=Sum("attendance__hours", filter=Q(attendance__present=True))).values_list("pk", "attended"))
    return {pk: Decimal(value or 0) for pk, value in attended.items()}


def _rate(hours: Decimal, training: TrainingClass) -> Decimal:
    return min(hours / Decimal(training.class_hours or 1), Decimal("1")).quantize(Decimal("0.01"), ROUND_HALF_UP)


def attendance_rates(training: TrainingClass) -> dict[int, Decimal]:
    """Each enrolment's attended hours over the class's hours, to two places (1.00 = every hour)."""
    return {pk: _rate(hours, training) for pk, hours in attended_hours(training).items()}


def hours_held(training: TrainingClass) -> Decimal:
    """Class hours held so far: for each session day recorded, the longest attendance anyone was given that
    day (a session is as long as its fullest attendance), summed."""
    by_day = (AttendanceRecord.objects.filter(enrolment__training_class=training, present=True)
              .values("session_date").annotate(longest=Max("hours")).values_list("longest", flat=True))
    return sum((Decimal(hours or 0) for hours in by_day), Decimal("0"))


@dataclass(frozen=True)
class RosterAttendance:
    """What the roster shows for one trainee: while the class runs, attendance is compared with the hours
    held so far (three days in, a trainee who came every day is at 100 %, not 6 %); from the last day on,
    with the whole course, as a claim is judged (6c)."""

    rate: Decimal | None  # None: no session held yet
    to_date: bool  # the rate is over the hours held so far, not the whole course
    below: bool


def roster_attendance(training: TrainingClass) -> dict[int, RosterAttendance]:
    """Each enrolment's attendance as the roster shows it (see RosterAttendance)."""
    threshold = class_threshold(training).rate
    attended = attended_hours(training)
    if today() >= training.end_date:
        return {pk: RosterAttendance(rate, False, rate < threshold)
                for pk, rate in ((pk, _rate(hours, training)) for pk, hours in attended.items())}
    held = hours_held(training)
    if held <= 0:
        return {pk: RosterAttendance(None, True, False) for pk in attended}
    rows = {}
    for pk, hours in attended.items():
        rate = min(hours / held, Decimal("1")).quantize(Decimal("0.01"), ROUND_HALF_UP)
        rows[pk] = RosterAttendance(rate, True, rate < threshold)
    return rows


@dataclass(frozen=True)
class TraineeAttendance:
    """One trainee's attendance against the threshold the class is held to (6c: a claim needs it met)."""

    hours: Decimal
    class_hours: int
    rate: Decimal
    threshold: DatedThreshold

    @property
    def below(self) -> bool:
        # The same comparison as `below_threshold`: the rate to two places; exactly the threshold passes.
        return self.rate < self.threshold.rate


def trainee_attendance(training: TrainingClass) -> dict[int, TraineeAttendance]:
    """Each enrolment's hours and rate with the threshold of the class's city on its last day."""
    threshold = class_threshold(training)
    return {pk: TraineeAttendance(hours, training.class_hours or 0, _rate(hours, training), threshold)
            for pk, hours in attended_hours(training).items()}


def below_threshold(training: TrainingClass) -> set[int]:
    """Enrolments whose rate is under the threshold of the class's city in force on its last day."""
    threshold = class_threshold(training).rate
    return {pk for pk, rate in attendance_rates(training).items() if rate < threshold}
