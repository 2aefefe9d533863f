"""Optional targets (1a) per training type or programme, and the year's progress against them.

The province may set, besides its own and the cities' targets, a target of a year for one training type (3.1–3.4,
`TrainingType`) or one programme of clause 4 (`catalog.ProgrammeTag`: the 4.x special programmes, the AI and
advanced-manufacturing pilots). An industry's target is its department's plan by occupation (`industry_plans`).

- **Set** (`set_optional_target`, audited `optional_target.set`): by a province official, for a year of the plan,
  with the document's number, from a day within the year; never edited: a change is a new entry from a later day.
  `check_optional_target` is the same check without writing (the page's check step shows what will be recorded).
- **In force** on a day: the entry of the year and subject with the latest `valid_from` on or before the day (the
  database keeps one per year, subject and day), as a city's or the province's target (`figures.target_in_force`).
- **Progress** (`progress`): the trainings of the year by the one definition of a training, counted by the
  statistics (`statistics.breakdown` by training type, `statistics.trainings` with the programme tag: the figures the
  statistics page shows for the same filters), against the target spread evenly over the calendar year
  (`figures.expected_by`), projected to 31 December (`figures.projected_year_end`), behind when achieved < expected.

The targets are the province's, for the whole province: the province and every city official read them and the
province's trainings against them; every other role is refused (docs/statistics.md "Optional targets").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qiancheng.accounts.audit import record_event
from qiancheng.accounts.models import Role
from qiancheng.catalog.models import ProgrammeTag
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.insight import figures, statistics
from qiancheng.insight.optional_target_models import OptionalTarget
from qiancheng.policy.params import plan_figures

READERS = frozenset({Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL})
TRAINING_TYPE, PROGRAMME_TAG = "training_type", "programme_tag"
DOCUMENT_MAX = 255
COUNT_MAX = 10_000_000  # as the province's targets: far above any year, keeps a typo out
# The figures are the province's whatever the reader: the statistics counted for the province's scope.
PROVINCE_SCOPE = statistics.Scope(Role.PROVINCE_OFFICIAL)


class Refused(ValidationError):
    """A refused entry: the reason ("中文 / English") and the input field it is about (for the API's 422)."""

    def __init__(self, field: str, code: str, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}", code=code)
        self.field = field


class NotAReader(PermissionError):
    """The user reads no targets (403)."""


@dataclass(frozen=True)
class Subject:
    """What an optional target is about: a training type (`kind` TRAINING_TYPE) or a programme tag."""

    kind: str
    code: str

    @property
    def label(self) -> str:
        """The type's label, or the programme's name (its English name on an English page)."""
        if self.kind == TRAINING_TYPE:
            return str(TrainingType(self.code).label)
        tag = ProgrammeTag.objects.filter(code=self.code).values_list("name", "name_en").first()
        if tag is None:
            return self.code
        return tag[1] if get_language() == "en" and tag[1] else tag[0]

    @staticmethod
    def of(entry: OptionalTarget) -> Subject:
        if entry.training_type:
            return Subject(TRAINING_TYPE, entry.training_type)
        return Subject(PROGRAMME_TAG, entry.programme_tag_id or "")


# ---------------------------------------------------------------- setting one


@dataclass(frozen=True)
class Proposed:
    """An entry as it would be recorded, and what it changes: the entry of its subject in force on its first day
    (None: the subject has no target yet), and the province's target in force that day."""

    year: int
    subject: Subject
    count: int
    document: str
    valid_from: dt.date
    replaces: OptionalTarget | None
    province_target: figures.TargetFigure | None


def _subject(training_type: str | None, programme_tag: str | None) -> Subject:
    training_type = (training_type or "").strip() if isinstance(training_type, str) else training_type
    programme_tag = (programme_tag or "").strip() if isinstance(programme_tag, str) else programme_tag
    if bool(training_type) == bool(programme_tag):
        raise Refused("training_type", "one_subject", "培训类型（training_type）与专项培训（programme_tag）须填且只填一项",
                      "training_type / programme_tag: give exactly one of the two")
    if training_type:
        if not isinstance(training_type, str) or training_type not in TrainingType.values:
            raise Refused("training_type", "training_type_unknown", f"培训类型（training_type）不存在：{training_type}",
                          f"training_type: no such training type: {training_type} "
                          f"(one of {', '.join(TrainingType.values)})")
        return Subject(TRAINING_TYPE, training_type)
    if not isinstance(programme_tag, str) or not ProgrammeTag.objects.filter(code=programme_tag).exists():
        raise Refused("programme_tag", "programme_tag_unknown", f"专项培训（programme_tag）不存在：{programme_tag}",
                      f"programme_tag: no such programme tag: {programme_tag}")
    return Subject(PROGRAMME_TAG, programme_tag)


def in_force(year: int, subject: Subject, day: dt.date) -> OptionalTarget | None:
    """The subject's entry of `year` in force on `day`: the latest `valid_from` on or before it."""
    entries = OptionalTarget.objects.filter(year=year, valid_from__lte=day)
    entries = (entries.filter(training_type=subject.code) if subject.kind == TRAINING_TYPE
               else entries.filter(programme_tag_id=subject.code))
    return entries.select_related("set_by", "programme_tag").order_by("-valid_from", "-pk").first()


def check_optional_target(actor: Any, year: Any, *, training_type: Any = None, programme_tag: Any = None,
                          count: Any = None, document: Any = "", valid_from: Any = None) -> Proposed:
    """What `set_optional_target` would record, or its refusal (PermissionDenied, Refused); writes nothing."""
    if getattr(actor, "role", None) != Role.PROVINCE_OFFICIAL:
        raise PermissionDenied("只有自治区人社厅可以设定分类培训目标 / only the province sets optional targets")
    years = plan_figures().target_years()
    if isinstance(year, bool) or not isinstance(year, int) or year not in years:
        raise Refused("year", "year_outside_plan", f"年度（year）须为行动计划的目标年度（{years[0]}—{years[-1]}年，第1a条）",
                      f"year: a year the plan sets a target for ({years[0]}-{years[-1]}, clause 1a)")
    subject = _subject(training_type, programme_tag)
    if isinstance(count, bool) or not isinstance(count, int) or not 0 < count <= COUNT_MAX:
        raise Refused("count", "bad_count", f"目标人次（count）须为1至{COUNT_MAX}之间的整数",
                      f"count: the target is a whole number from 1 to {COUNT_MAX}")
    document = document.strip() if isinstance(document, str) else ""
    if not document or len(document) > DOCUMENT_MAX:
        raise Refused("document", "document_missing", f"文件文号（document）须填写，不超过{DOCUMENT_MAX}字",
                      f"document: give the number of the document that sets the target (at most {DOCUMENT_MAX} "
                      "characters)")
    first = dt.date(years[0], 1, 1)
    if not isinstance(valid_from, dt.date) or isinstance(valid_from, dt.datetime) \
            or not first <= valid_from <= dt.date(year, 12, 31):
        raise Refused("valid_from", "bad_valid_from", f"生效日期（valid_from）须在{first}至{year}年12月31日之间",
                      f"valid_from: a day between {first} and 31 December {year}")
    province = figures.target_in_force(year, figures.PROVINCE, valid_from)
    # A part of the province's trainings cannot be aimed above the whole: a type's or a programme's target above
    # the province's target in force is a typo (an extra zero), not a plan.
    if province is not None and count > province.count:
        raise Refused("count", "above_province", f"目标人次（count）{count}超过全区{year}年目标{province.count}人次",
                      f"count: {count} is more than the province's target of {province.count} for {year}")
    return Proposed(year, subject, count, document, valid_from, in_force(year, subject, valid_from), province)


def _exists(proposed: Proposed) -> Refused:
    return Refused("valid_from", "target_exists",
                   f"该目标自{proposed.valid_from}起已有记录（生效日期 valid_from）；调整请从以后的日期起另记一条",
                   f"valid_from: a target from {proposed.valid_from} is already recorded; record a change from a "
                   "later day")


def set_optional_target(actor: Any, year: Any, *, training_type: Any = None, programme_tag: Any = None,
                        count: Any = None, document: Any = "", valid_from: Any = None) -> OptionalTarget:
    """Record the province's target of `year` for a training type or a programme tag, from `valid_from`, in one
    transaction with its audit entry (`optional_target.set`). Refusals: PermissionDenied (not the province),
    Refused (the field and why)."""
    proposed = check_optional_target(actor, year, training_type=training_type, programme_tag=programme_tag,
                                     count=count, document=document, valid_from=valid_from)
    subject = proposed.subject
    with transaction.atomic():
        same = OptionalTarget.objects.select_for_update().filter(year=proposed.year, valid_from=proposed.valid_from)
        same = (same.filter(training_type=subject.code) if subject.kind == TRAINING_TYPE
                else same.filter(programme_tag_id=subject.code))
        if same.exists():
            raise _exists(proposed)
        entry = OptionalTarget(year=proposed.year, count=proposed.count, document=proposed.document,
                               valid_from=proposed.valid_from, set_by=actor,
                               training_type=subject.code if subject.kind == TRAINING_TYPE else "",
                               programme_tag_id=subject.code if subject.kind == PROGRAMME_TAG else None)
        try:
            with transaction.atomic():
                entry.save()
        except IntegrityError as exc:  # the same subject and day recorded at the same moment by another official
            raise _exists(proposed) from exc
        record_event(actor, "optional_target.set", entry, after={
            "year": proposed.year, subject.kind: subject.code, "count": proposed.count,
            "document": proposed.document, "valid_from": proposed.valid_from.isoformat(),
            "replaces": proposed.replaces.pk if proposed.replaces else None}, reason="1a")
    return entry


# ---------------------------------------------------------------- reading them


def _reader(user: Any) -> Any:
    if getattr(user, "role", None) not in READERS:
        raise NotAReader(getattr(user, "role", None))
    return user


def entries(user: Any, year: int | None = None) -> models.QuerySet[OptionalTarget]:
    """Every entry (history included) a reader may read: the province's and every city official's alike."""
    _reader(user)
    rows = OptionalTarget.objects.select_related("programme_tag", "set_by")
    return rows.filter(year=year) if year is not None else rows


@dataclass(frozen=True)
class OptionalProgress:
    """One subject's year against its target in force."""

    subject: Subject
    label: str
    target: OptionalTarget
    achieved: int  # trainings of the year of that type, or in classes of that programme (statistics)
    expected: int  # the target spread evenly over the year, to the day read (figures.expected_by)
    projected: int | None  # figures.projected_year_end; None before the year begins

    @property
    def behind(self) -> bool:
        return self.achieved < self.expected

    @property
    def percent_of_target(self) -> Decimal:
        return (Decimal(self.achieved) * 100 / self.target.count).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class OptionalReport:
    year: int
    as_of: dt.date  # the day read: today, or 31 December of a year gone by
    rows: tuple[OptionalProgress, ...]  # the training types in their order, then the programmes in theirs

    @property
    def behind(self) -> tuple[OptionalProgress, ...]:
        return tuple(row for row in self.rows if row.behind)


def targets_in_force(year: int, day: dt.date) -> list[OptionalTarget]:
    """Each subject's entry of `year` in force on `day`: the training types in their order, then the programmes."""
    newest: dict[Subject, OptionalTarget] = {}
    for entry in (OptionalTarget.objects.filter(year=year, valid_from__lte=day).select_related("programme_tag")
                  .order_by("-valid_from", "-pk")):
        newest.setdefault(Subject.of(entry), entry)
    types = list(TrainingType.values)
    return sorted(newest.values(), key=lambda entry: (
        (0, types.index(entry.training_type), 0, "") if entry.training_type
        else (1, 0, entry.programme_tag.sort_order, entry.programme_tag_id)))


def progress(user: Any, year: int, on: dt.date | None = None) -> OptionalReport:
    """The optional targets of `year` in force on the day read, each against the province's trainings of its type
    or programme (raises NotAReader for a role that reads none)."""
    _reader(user)
    as_of = figures.reference_day(year, on)
    elapsed = figures.calendar_share(year, as_of)
    in_force_now = targets_in_force(year, as_of)
    by_type: dict[str, int] = {}
    if any(entry.training_type for entry in in_force_now):
        by_type = {row.key: row.figures.trainings for row in statistics.breakdown(
            PROVINCE_SCOPE, statistics.Filters(year=year), TRAINING_TYPE, top=None).detail_rows}
    rows = []
    for entry in in_force_now:
        subject = Subject.of(entry)
        if subject.kind == TRAINING_TYPE:
            achieved = by_type.get(subject.code, 0)
        else:
            achieved = statistics.trainings(PROVINCE_SCOPE, statistics.Filters(year=year, programme_tag=subject.code))
        rows.append(OptionalProgress(subject, subject.label, entry, achieved,
                                     figures.expected_by(entry.count, elapsed),
                                     figures.projected_year_end(achieved, elapsed)))
    return OptionalReport(year, as_of, tuple(rows))


def subject_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The subjects a target may be set for, grouped for a select: "training_type:<value>", "programme_tag:<code>"."""
    english = get_language() == "en"
    tags = ProgrammeTag.objects.order_by("sort_order", "code").values_list("code", "name", "name_en", "clause")
    return [
        (_("培训类型"), [(f"{TRAINING_TYPE}:{value}", str(label)) for value, label in TrainingType.choices]),
        (_("专项培训"), [(f"{PROGRAMME_TAG}:{code}", f"{name_en} ({clause})" if english and name_en
                        else f"{name}（{clause}）") for code, name, name_en, clause in tags]),
    ]
