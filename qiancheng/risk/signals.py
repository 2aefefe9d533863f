"""Fraud signals (6d): a registry of rules, each a function over the database that returns what it found.

A rule is registered with `@rule(code, clause, label)` and returns `Found` items: the city whose officials
decide it, a one-line summary in Chinese, the records it rests on (model label and primary key), and the
institution or person it points at. `risk.services.run_signals` writes them as Signal rows; a Signal's
fingerprint (rule, city, sorted records) makes a re-run add nothing. Thresholds are risk.parameters.

What the rules can see is what the system keeps: classes have days, not hours, so "at the same time"
means overlapping days; attendance has no device or minute, so copied attendance is read from identical
patterns (docs/risk.md says what each rule cannot tell apart).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from qiancheng.funding.models import ClaimStatus, SubsidyClaim
from qiancheng.providers.models import Teacher
from qiancheng.risk.features import phone_hashes
from qiancheng.risk.parameters import Parameter, parameter
from qiancheng.sanctions.models import BlacklistEntry
from qiancheng.training.models import AttendanceRecord, Enrolment, EnrolmentStatus, TrainingClass


@dataclass(frozen=True)
class Found:
    city_id: str
    summary: str
    records: list[tuple[str, Any]]  # (model label, pk)
    institution_id: int | None = None
    person_id: str | None = None


@dataclass(frozen=True)
class SignalRule:
    code: str
    clause: str
    label: Any  # a lazy translation
    find: Callable[[Any], list[Found]]
    parameters: tuple[str, ...] = field(default_factory=tuple)

    def parameters_in_force(self, day: dt.date) -> dict[str, dict[str, str]]:
        return {name: parameter(name, day).as_record() for name in self.parameters}


RULES: dict[str, SignalRule] = {}


def rule(code: str, clause: str, label: str, parameters: tuple[str, ...] = ()) -> Callable:
    def register(find: Callable[[Any], list[Found]]) -> Callable[[Any], list[Found]]:
        RULES[code] = SignalRule(code, clause, label, find, parameters)
        return find

    return register


def fingerprint(code: str, found: Found) -> str:
    records = sorted([model, str(pk)] for model, pk in found.records)
    return hashlib.sha256(json.dumps([code, found.city_id, records]).encode("utf-8")).hexdigest()


def _value(name: str) -> Any:
    entry: Parameter = parameter(name)
    return entry.value


def _overlap_days(a_start: dt.date, a_end: dt.date, b_start: dt.date, b_end: dt.date) -> int:
    return max(0, (min(a_end, b_end) - max(a_start, b_start)).days + 1)


def _live_enrolments() -> Any:
    return Enrolment.objects.exclude(status=EnrolmentStatus.WITHDRAWN)


@rule("shared_phone", "6d", _("一个手机号对应多名不同姓名学员（跨机构）"),
      ("shared_phone_min_names", "shared_phone_min_institutions"))
def shared_phone(actor: Any) -> list[Found]:
    rows = list(_live_enrolments().values_list(
        "pk", "person_id", "person__name", "training_class__institution_id", "training_class__city_id"))
    phones = phone_hashes(actor, {row[1] for row in rows}, "风险信号：共用手机号 / risk signal: shared phone")
    groups: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        if row[1] in phones:
            groups[phones[row[1]]].append(row)
    min_names, min_institutions = _value("shared_phone_min_names"), _value("shared_phone_min_institutions")
    found = []
    for group in groups.values():
        names = {row[2] for row in group}
        institutions = {row[3] for row in group}
        if len(names) < min_names or len(institutions) < min_institutions:
            continue
        for city_id in sorted({row[4] for row in group}):
            mine = [row for row in group if row[4] == city_id]
            found.append(Found(
                city_id,
                f"同一手机号登记了{len(names)}名不同姓名的学员，分布在{len(institutions)}家机构（本市{len(mine)}人次）",
                [("people.person", row[1]) for row in mine] + [("training.enrolment", row[0]) for row in mine],
            ))
    return found


@rule("trainee_overlap", "6d", _("同一学员参加时间重叠的两个班"), ("trainee_overlap_min_days",))
def trainee_overlap(actor: Any) -> list[Found]:
    by_person: dict[str, list[tuple]] = defaultdict(list)
    for row in _live_enrolments().values_list(
        "pk", "person_id", "training_class_id", "training_class__start_date", "training_class__end_date",
        "training_class__city_id", "training_class__institution_id",
    ):
        by_person[row[1]].append(row)
    least = _value("trainee_overlap_min_days")
    found = []
    for person_id, rows in by_person.items():
        rows.sort(key=lambda row: (row[3], row[0]))
        for i, first in enumerate(rows):
            for second in rows[i + 1:]:
                if second[3] > first[4]:
                    break
                days = _overlap_days(first[3], first[4], second[3], second[4])
                if first[2] == second[2] or days < least:
                    continue
                records = [("people.person", person_id), ("training.enrolment", first[0]),
                           ("training.enrolment", second[0])]
                for city_id, institution_id in dict.fromkeys([(first[5], first[6]), (second[5], second[6])]):
                    found.append(Found(city_id, f"同一学员同时在两个班（重叠{days}天）", records,
                                       institution_id=institution_id, person_id=person_id))
    return found


@rule("teacher_overlap", "6d", _("同一教师同时在两个班授课（另一机构或另一场地）"), ("teacher_overlap_min_days",))
def teacher_overlap(actor: Any) -> list[Found]:
    through = TrainingClass.teachers.through
    teacher_key = dict(Teacher.objects.values_list("pk", "person_key"))
    by_teacher: dict[str, list[tuple]] = defaultdict(list)
    for teacher_id, class_id, start, end, city_id, institution_id, venue in through.objects.values_list(
        "teacher_id", "trainingclass_id", "trainingclass__start_date", "trainingclass__end_date",
        "trainingclass__city_id", "trainingclass__institution_id", "trainingclass__venue",
    ):
        by_teacher[teacher_key[teacher_id]].append((class_id, start, end, city_id, institution_id, venue, teacher_id))
    least = _value("teacher_overlap_min_days")
    found = []
    for rows in by_teacher.values():
        rows.sort(key=lambda row: (row[1], row[0]))
        for i, first in enumerate(rows):
            for second in rows[i + 1:]:
                if second[1] > first[2]:
                    break
                days = _overlap_days(first[1], first[2], second[1], second[2])
                elsewhere = first[4] != second[4] or first[5].strip() != second[5].strip()
                if first[0] == second[0] or days < least or not elsewhere:
                    continue
                records = [("providers.teacher", first[6]), ("training.trainingclass", first[0]),
                           ("providers.teacher", second[6]), ("training.trainingclass", second[0])]
                records = list(dict.fromkeys(records))
                for city_id, institution_id in dict.fromkeys([(first[3], first[4]), (second[3], second[4])]):
                    found.append(Found(city_id, f"同一教师同时在两处授课（重叠{days}天）", records,
                                       institution_id=institution_id))
    return found


@rule("copied_attendance", "6c", _("全班考勤完全相同（疑似复制）"),
      ("copied_attendance_min_trainees", "copied_attendance_min_sessions"))
def copied_attendance(actor: Any) -> list[Found]:
    """A whole class with the very same attendance, and a pattern that is not simply "present every day for
    the same hours": the same absences or the same odd hours for everyone are what copying leaves."""
    patterns: dict[int, dict[int, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for class_id, enrolment_id, day, present, hours in AttendanceRecord.objects.filter(
        enrolment__status__in=[EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED]
    ).values_list("enrolment__training_class_id", "enrolment_id", "session_date", "present", "hours").order_by(
        "enrolment__training_class_id", "enrolment_id", "session_date"
    ):
        patterns[class_id][enrolment_id].append((day, present, hours))
    least_trainees, least_sessions = _value("copied_attendance_min_trainees"), _value("copied_attendance_min_sessions")
    classes = dict(TrainingClass.objects.filter(pk__in=list(patterns)).values_list("pk", "city_id"))
    institutions = dict(TrainingClass.objects.filter(pk__in=list(patterns)).values_list("pk", "institution_id"))
    found = []
    for class_id, by_enrolment in patterns.items():
        distinct = {tuple(sessions) for sessions in by_enrolment.values()}
        if len(by_enrolment) < least_trainees or len(distinct) != 1:
            continue
        (pattern,) = distinct
        uniform = all(present for _day, present, _hours in pattern) and len({hours for *_, hours in pattern}) == 1
        if len(pattern) < least_sessions or uniform:
            continue
        found.append(Found(classes[class_id], f"全班{len(by_enrolment)}名学员{len(pattern)}天考勤完全相同",
                           [("training.trainingclass", class_id)], institution_id=institutions[class_id]))
    return found


@rule("claim_for_listed", "6d", _("为黑名单在列的个人或机构支付的补贴"))
def claim_for_listed(actor: Any) -> list[Found]:
    """A paid claim whose person (or institution) was listed on any day of the class."""
    found = []
    listings = BlacklistEntry.objects.all()
    person_listings = listings.filter(person__isnull=False)
    institution_listings = listings.filter(institution__isnull=False)
    paid = SubsidyClaim.objects.filter(status=ClaimStatus.PAID, city__isnull=False)
    for kind, entries, field_name in (("person", person_listings, "person_id"),
                                      ("institution", institution_listings, "institution_id")):
        parties = {getattr(entry, field_name) for entry in entries}
        if not parties:
            continue
        by_party: dict[Any, list[BlacklistEntry]] = defaultdict(list)
        for entry in entries:
            by_party[getattr(entry, field_name)].append(entry)
        for claim in paid.filter(**{f"{field_name}__in": parties}).only(
            "pk", "number", "person_id", "institution_id", "city_id", "start_date", "end_date"
        ):
            start = claim.start_date or claim.end_date
            for entry in by_party[getattr(claim, field_name)]:
                last = entry.listed_until or dt.date.max
                if entry.listed_from <= claim.end_date and last >= start:
                    who = "学员" if kind == "person" else "机构"
                    found.append(Found(
                        claim.city_id, f"申领{claim.number}已支付，而{who}在培训期间在黑名单上（{entry.listed_from}起）",
                        [("funding.subsidyclaim", claim.pk), ("sanctions.blacklistentry", entry.pk)],
                        institution_id=claim.institution_id, person_id=claim.person_id,
                    ))
                    break
    return found


def run_rules(actor: Any, codes: list[str] | None = None) -> Iterator[tuple[SignalRule, list[Found]]]:
    for code in codes or list(RULES):
        each = RULES[code]
        yield each, each.find(actor)

