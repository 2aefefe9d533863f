"""The gap table of the dynamic demand database (clause 1c 动态需求数据库; docs/statistics.md "Demand gap").

Per occupation × level × city, over a window [date_from, date_to]:

    gap = reported demand − trained supply − placements

- **reported demand**: the headcount of every demand report (demand.DemandReport) naming an occupation and level,
  in a census round whose period overlaps the window, as the report stood at the end of the window (or today,
  if earlier): its latest dated version (demand.DemandReportVersion) recorded on or before that day; a report
  filed later does not count yet. The city is the reporting enterprise's.
- **trained supply**: certificates of that occupation and level (职业技能等级证书) issued in the window from an
  evaluation of a trainee of a class in the city, not revoked by the end of the window.
- **placements**: employment proofs (5.2c) dated in the window on counting claims (pending, approved, paid) of
  trainees of the city's classes of that occupation and level.

A park narrows both sides: the enterprises of the park, the classes held in it. Counties and industries are
recorded on the demand only (a class records its city and park), so they are not dimensions of the gap.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import scoped
from qiancheng.catalog.models import City, Occupation
from qiancheng.clock import today
from qiancheng.demand.models import DemandReport, DemandReportVersion
from qiancheng.evaluation.models import Certificate, CertificateKind, CertificateStatus
from qiancheng.funding.models import SubsidyClaim
from qiancheng.policy.vocabulary import COUNTING_STATUSES
from qiancheng.training.models import APPROVED_STATES, TrainingClass

PARAMETERS_FILE = Path(__file__).with_name("demand_gap.yaml")
READERS = frozenset({Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL})
# The longest window asked in one go (a sanity bound, not a rule of the plan).
WINDOW_DAYS_MAX = 3 * 366


@dataclass(frozen=True)
class AnswerDays:
    version: str
    valid_from: dt.date
    days: int
    source: str


@functools.cache
def _answer_days() -> tuple[AnswerDays, ...]:
    document = yaml.safe_load(PARAMETERS_FILE.read_text(encoding="utf-8"))
    return tuple(sorted((AnswerDays(str(entry["version"]), entry["valid_from"], int(entry["answer_days"]["value"]),
                                    entry["answer_days"]["source"]) for entry in document["versions"]),
                        key=lambda each: each.valid_from))


def answer_days_on(day: dt.date) -> AnswerDays:
    """The number of days within which a class should answer a reported need, in force on `day` (local practice)."""
    started = [each for each in _answer_days() if each.valid_from <= day]
    if not started:
        return _answer_days()[0]
    return started[-1]


class GapRefused(ValueError):
    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.code, self.zh, self.en = code, zh, en


@dataclass(frozen=True)
class GapRow:
    occupation_code: str
    occupation_name: str
    level: int
    city_code: str
    city_name: str
    demand: int
    reports: int
    certified: int
    placed: int

    @property
    def gap(self) -> int:
        return self.demand - self.certified - self.placed


@dataclass
class GapTable:
    date_from: dt.date
    date_to: dt.date
    as_of: dt.date
    city: City | None
    park_code: str | None
    rows: list[GapRow] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(row, name) for row in self.rows)

    @property
    def totals(self) -> dict[str, int]:
        return {name: self.total(name) for name in ("demand", "reports", "certified", "placed", "gap")}


def _end_of(day: dt.date) -> dt.datetime:
    """The first moment after `day`, in the project's time zone."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def headcounts_on(reports: QuerySet[DemandReport], day: dt.date) -> dict[int, int]:
    """Each report's headcount as it stood at the end of `day` (its latest version recorded by then); a report
    with no version by then is absent."""
    found: dict[int, int] = {}
    versions = DemandReportVersion.objects.filter(report__in=reports.values("pk"), recorded_at__lt=_end_of(day))
    for report_id, headcount in versions.order_by("report_id", "recorded_at", "pk").values_list(
            "report_id", "headcount").iterator():
        found[report_id] = headcount
    return found


def _city_for(user: Any, city_code: str | None) -> City | None:
    if getattr(user, "role", None) not in READERS:
        raise PermissionError("only officials read the demand gap")
    if user.role == Role.CITY_OFFICIAL:
        if city_code and city_code != user.city_id:
            raise LookupError(city_code)
        city_code = user.city_id
    if not city_code:
        return None
    city = City.objects.filter(code=city_code).first()
    if city is None:
        raise LookupError(city_code)
    return city


def check_window(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    """The window asked, or this year to date; reversed or longer than three years is refused."""
    date_to = date_to or today()
    date_from = date_from or date_to.replace(month=1, day=1)
    if date_to < date_from:
        raise GapRefused("window_reversed", "统计期间的结束日期早于开始日期", "the window ends before it starts")
    if (date_to - date_from).days > WINDOW_DAYS_MAX:
        raise GapRefused("window_too_long", "统计期间不得超过三年", "the window may not exceed three years")
    return date_from, date_to


def gap_table(user: Any, date_from: dt.date | None = None, date_to: dt.date | None = None, *,
              city_code: str | None = None, park_code: str | None = None, occupation_code: str | None = None,
              level: int | None = None) -> GapTable:
    """The gap per occupation × level × city that `user` may see, largest first. A city official sees the own
    city; another city's code raises LookupError (404), a role that is no official PermissionError."""
    date_from, date_to = check_window(date_from, date_to)
    city = _city_for(user, city_code)
    as_of = min(date_to, today())
    table = GapTable(date_from, date_to, as_of, city, park_code or None)

    reports = scoped(DemandReport.objects.all(), user).filter(
        occupation__isnull=False, census_round__period_from__lte=date_to, census_round__period_to__gte=date_from)
    classes = TrainingClass.objects.filter(occupation__isnull=False, level__isnull=False)
    if city is not None:
        reports = reports.filter(enterprise__city=city)
        classes = classes.filter(city=city)
    if park_code:
        reports = reports.filter(enterprise__park_id=park_code)
        classes = classes.filter(park_id=park_code)
    if occupation_code:
        reports = reports.filter(occupation_id=occupation_code)
        classes = classes.filter(occupation_id=occupation_code)
    if level is not None:
        reports = reports.filter(level=level)
        classes = classes.filter(level=level)

    Key = tuple[str, int, str]
    demand: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    standing = headcounts_on(reports, as_of)
    for pk, occupation, report_level, report_city in reports.values_list(
            "pk", "occupation_id", "level", "enterprise__city_id").iterator():
        if pk in standing:
            demand[(occupation, report_level, report_city)][0] += standing[pk]
            demand[(occupation, report_level, report_city)][1] += 1

    certified: dict[Key, int] = defaultdict(int)
    certificates = Certificate.objects.filter(
        kind=CertificateKind.VOCATIONAL_SKILL_LEVEL, issued_on__gte=date_from, issued_on__lte=date_to,
        evaluation__enrolment__training_class__in=classes,
    ).filter(Q(status=CertificateStatus.VALID) | Q(revoked_on__gt=as_of))
    for occupation, cert_level, class_occupation, class_level, class_city in certificates.values_list(
            "occupation_id", "level", "evaluation__enrolment__training_class__occupation_id",
            "evaluation__enrolment__training_class__level", "evaluation__enrolment__training_class__city_id"):
        # the certificate of the class's own occupation and level (not another one taken beside it, 4.6)
        if (occupation, cert_level) == (class_occupation, class_level):
            certified[(occupation, cert_level, class_city)] += 1

    placed: dict[Key, int] = defaultdict(int)
    proofs = SubsidyClaim.objects.filter(
        status__in=COUNTING_STATUSES, employment_proof_date__gte=date_from, employment_proof_date__lte=date_to,
        enrolment__training_class__in=classes,
    ).values_list("enrolment__training_class__occupation_id", "enrolment__training_class__level",
                  "enrolment__training_class__city_id")
    for key in proofs:
        placed[key] += 1

    keys = set(demand) | set(certified) | set(placed)
    names = dict(Occupation.objects.filter(code__in={key[0] for key in keys}).values_list("code", "name"))
    cities = dict(City.objects.values_list("code", "name"))
    table.rows = sorted(
        (GapRow(occupation, names.get(occupation, occupation), row_level, row_city, cities.get(row_city, row_city),
                demand[key][0] if key in demand else 0, demand[key][1] if key in demand else 0,
                certified.get(key, 0), placed.get(key, 0))
         for key in keys for occupation, row_level, row_city in [key]),
        key=lambda row: (-row.gap, row.occupation_code, row.level, row.city_code))
    return table


def answering_classes() -> QuerySet[TrainingClass]:
    """Approved classes (or later) of a report's occupation and level in its enterprise's city, not ended
    before the report was filed (`filed_on`, see `with_filing_day`): what answers a reported need."""
    return TrainingClass.objects.filter(
        status__in=APPROVED_STATES, occupation_id=OuterRef("occupation_id"), level=OuterRef("level"),
        city_id=OuterRef("enterprise__city_id"), end_date__gte=OuterRef("filed_on"),
    )


def with_filing_day(reports: QuerySet[DemandReport]) -> QuerySet[DemandReport]:
    """Reports with `filed_at` (their first version, dated by the programme's clock like the rest of their
    history) and its day, `filed_on`."""
    first = DemandReportVersion.objects.filter(report=OuterRef("pk")).order_by("recorded_at", "pk")
    return reports.annotate(filed_at=Subquery(first.values("recorded_at")[:1])).annotate(
        filed_on=TruncDate("filed_at"))


def unanswered_reports(user: Any) -> QuerySet[DemandReport]:
    """The city's queue (1c): reports of an occupation and level filed more than the days in force ago that no
    class answers, oldest first."""
    if getattr(user, "role", None) not in READERS:
        return DemandReport.objects.none()
    days = answer_days_on(today()).days
    cutoff = _end_of(today() - dt.timedelta(days=days + 1))
    return with_filing_day(scoped(DemandReport.objects.all(), user)).filter(
        occupation__isnull=False, filed_at__lt=cutoff,
    ).exclude(Exists(answering_classes())).order_by("filed_at", "pk")
