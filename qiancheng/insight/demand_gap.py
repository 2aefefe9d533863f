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
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import scoped
from qiancheng.catalog.models import City, Occupation, SpecialAbilityItem
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
    """One occupation × level × city, or one special-ability item × city (`item_code` set, `level` None and
    `occupation_name` the item's name: an item has no levels, 3.2)."""

    occupation_code: str
    occupation_name: str
    level: int | None
    city_code: str
    city_name: str
    demand: int
    reports: int
    certified: int
    placed: int
    item_code: str = ""

    @property
    def gap(self) -> int:
        return self.demand - self.certified - self.placed

    @property
    def trade_code(self) -> str:
        return self.item_code or self.occupation_code


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


# (occupation code, level, item code, city code): an occupation-level has no item, an item no occupation or level.
Key = tuple[str | None, int | None, str | None, str]
CLASS = "evaluation__enrolment__training_class__"


def _class_filter(prefix: str, city: City | None, park_code: str | None, occupation_code: str | None,
                  level: int | None, item_code: str | None) -> Q:
    """The classes whose trainees' certificates and placements are supply, seen through `prefix` (the path from
    a certificate or a claim to its class): of an occupation and level, or of a special-ability item."""
    condition = Q(**{f"{prefix}occupation__isnull": False, f"{prefix}level__isnull": False}) | Q(
        **{f"{prefix}item__isnull": False})
    if city is not None:
        condition &= Q(**{f"{prefix}city": city})
    if park_code:
        condition &= Q(**{f"{prefix}park_id": park_code})
    if occupation_code:
        condition &= Q(**{f"{prefix}occupation_id": occupation_code})
    if level is not None:
        condition &= Q(**{f"{prefix}level": level})
    if item_code:
        condition &= Q(**{f"{prefix}item_id": item_code})
    return condition


def gap_table(user: Any, date_from: dt.date | None = None, date_to: dt.date | None = None, *,
              city_code: str | None = None, park_code: str | None = None, occupation_code: str | None = None,
              level: int | None = None, item_code: str | None = None) -> GapTable:
    """The gap per occupation × level × city and per special-ability item × city that `user` may see, largest
    first. A city official sees the own city; another city's code raises LookupError (404), a role that is no
    official PermissionError.

    Each side is one grouped SQL query (bench/README.md "Demand gap": 1,000,000 people), so the work done in
    Python is per row of the table, not per certificate or claim."""
    date_from, date_to = check_window(date_from, date_to)
    city = _city_for(user, city_code)
    as_of = min(date_to, today())
    table = GapTable(date_from, date_to, as_of, city, park_code or None)

    reports = scoped(DemandReport.objects.all(), user).filter(
        Q(occupation__isnull=False) | Q(item__isnull=False),
        census_round__period_from__lte=date_to, census_round__period_to__gte=date_from)
    if city is not None:
        reports = reports.filter(enterprise__city=city)
    if park_code:
        reports = reports.filter(enterprise__park_id=park_code)
    if occupation_code:
        reports = reports.filter(occupation_id=occupation_code)
    if level is not None:
        reports = reports.filter(level=level)
    if item_code:
        reports = reports.filter(item_id=item_code)

    # Each report as it stood at the end of the day asked: its latest version recorded by then (none: not yet filed).
    latest = DemandReportVersion.objects.filter(report=OuterRef("pk"), recorded_at__lt=_end_of(as_of)).order_by(
        "-recorded_at", "-pk").values("headcount")[:1]
    demand: dict[Key, tuple[int, int]] = {
        (occupation, report_level, item, report_city): (int(total), count)
        for occupation, report_level, item, report_city, total, count in reports.annotate(
            standing=Subquery(latest)).filter(standing__isnull=False).values_list(
            "occupation_id", "level", "item_id", "enterprise__city_id").annotate(
            total=Sum("standing"), count=Count("pk")).order_by()}

    # The certificate of the class's own occupation and level, or of its item (not another one taken beside it, 4.6).
    own_certificate = Q(kind=CertificateKind.VOCATIONAL_SKILL_LEVEL, occupation_id=F(f"{CLASS}occupation_id"),
                        level=F(f"{CLASS}level")) | Q(kind=CertificateKind.SPECIAL_ABILITY,
                                                      item_id=F(f"{CLASS}item_id"))
    certified: dict[Key, int] = {
        (occupation, cert_level, item, class_city): count
        for occupation, cert_level, item, class_city, count in Certificate.objects.filter(
            own_certificate, _class_filter(CLASS, city, park_code, occupation_code, level, item_code),
            Q(status=CertificateStatus.VALID) | Q(revoked_on__gt=as_of),
            issued_on__gte=date_from, issued_on__lte=date_to,
        ).values_list(f"{CLASS}occupation_id", f"{CLASS}level", f"{CLASS}item_id", f"{CLASS}city_id").annotate(
            count=Count("pk")).order_by()}

    claim_class = "enrolment__training_class__"
    placed: dict[Key, int] = {
        (occupation, class_level, item, class_city): count
        for occupation, class_level, item, class_city, count in SubsidyClaim.objects.filter(
            _class_filter(claim_class, city, park_code, occupation_code, level, item_code),
            status__in=COUNTING_STATUSES, employment_proof_date__gte=date_from, employment_proof_date__lte=date_to,
        ).values_list(f"{claim_class}occupation_id", f"{claim_class}level", f"{claim_class}item_id",
                      f"{claim_class}city_id").annotate(count=Count("pk")).order_by()}

    keys = set(demand) | set(certified) | set(placed)
    names = dict(Occupation.objects.filter(code__in={key[0] for key in keys if key[0]}).values_list("code", "name"))
    item_names = dict(SpecialAbilityItem.objects.filter(code__in={key[2] for key in keys if key[2]}).values_list(
        "code", "name"))
    cities = dict(City.objects.values_list("code", "name"))
    rows = []
    for key in keys:
        occupation, row_level, item, row_city = key
        reported, count = demand.get(key, (0, 0))
        rows.append(GapRow(occupation or "", item_names.get(item, item) if item else names.get(occupation, occupation),
                           None if item else row_level, row_city, cities.get(row_city, row_city), reported, count,
                           certified.get(key, 0), placed.get(key, 0), item_code=item or ""))
    table.rows = sorted(rows, key=lambda row: (-row.gap, row.occupation_code, row.item_code, row.level or 0,
                                               row.city_code))
    return table


# ---- The gap's history (1c: trends by month; each dated change shown on its day) ----

@dataclass(frozen=True)
class GapPoint:
    """The gap of one row as the table computes it over [the history's first day, `day`]; `events` say what
    happened that day (a report filed or changed, certificates issued, employment proofs dated), or that it
    is a month's end."""

    day: dt.date
    demand: int
    certified: int
    placed: int
    events: tuple[str, ...]

    @property
    def gap(self) -> int:
        return self.demand - self.certified - self.placed


@dataclass
class GapHistory:
    occupation_code: str
    item_code: str
    name: str
    level: int | None
    city: City
    date_from: dt.date
    date_to: dt.date
    points: list[GapPoint] = field(default_factory=list)


EVENT_REPORTED, EVENT_CERTIFIED, EVENT_PLACED, EVENT_MONTH_END = "reported", "certified", "placed", "month_end"


def _month_ends(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    ends, cursor = [], date_from
    while cursor <= date_to:
        following = (cursor.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        end = following - dt.timedelta(days=1)
        if end <= date_to:
            ends.append(end)
        cursor = following
    return ends


def gap_history(user: Any, *, city_code: str | None, date_from: dt.date | None = None,
                date_to: dt.date | None = None, occupation_code: str | None = None, level: int | None = None,
                item_code: str | None = None) -> GapHistory:
    """One row of the gap table through time: at each month's end and on each day its demand, certificates or
    placements changed, the gap over [date_from, that day], read by `gap_table` itself, so the history and the
    table never disagree. A city official reads the own city; the province names one."""
    date_from, date_to = check_window(date_from, date_to)
    city = _city_for(user, city_code)
    if city is None:
        raise GapRefused("city_required", "请选择城市", "choose a city")
    if item_code:
        item = SpecialAbilityItem.objects.filter(code=item_code).first()
        if item is None:
            raise LookupError(item_code)
        occupation_code, level, name = None, None, item.name
    else:
        occupation = Occupation.objects.filter(code=occupation_code or "").first()
        if occupation is None or level is None:
            raise GapRefused("trade_required", "请指定职业和等级或专项职业能力项目",
                             "name an occupation and level or a special-ability item")
        name = occupation.name
    as_of = min(date_to, today())
    trade = {"occupation_id": occupation_code, "level": level} if occupation_code else {"item_id": item_code}
    reports = scoped(DemandReport.objects.all(), user).filter(
        enterprise__city=city, census_round__period_to__gte=date_from, **trade)
    events: dict[dt.date, set[str]] = defaultdict(set)
    for recorded_at in DemandReportVersion.objects.filter(
            report__in=reports, recorded_at__gte=timezone.make_aware(dt.datetime.combine(date_from, dt.time.min)),
            recorded_at__lt=_end_of(as_of)).values_list("recorded_at", flat=True):
        events[timezone.localdate(recorded_at)].add(EVENT_REPORTED)
    for period_from in reports.filter(census_round__period_from__gt=date_from,
                                      census_round__period_from__lte=as_of).values_list(
            "census_round__period_from", flat=True):
        events[period_from].add(EVENT_REPORTED)
    certificate_kind = CertificateKind.VOCATIONAL_SKILL_LEVEL if occupation_code else CertificateKind.SPECIAL_ABILITY
    for issued_on in Certificate.objects.filter(
            kind=certificate_kind, issued_on__gte=date_from, issued_on__lte=as_of,
            **{f"{CLASS}city": city, **{f"{CLASS}{name_}": value for name_, value in trade.items()}},
    ).values_list("issued_on", flat=True).distinct():
        events[issued_on].add(EVENT_CERTIFIED)
    for proof_on in SubsidyClaim.objects.filter(
            status__in=COUNTING_STATUSES, employment_proof_date__gte=date_from, employment_proof_date__lte=as_of,
            **{"enrolment__training_class__city": city,
               **{f"enrolment__training_class__{name_}": value for name_, value in trade.items()}},
    ).values_list("employment_proof_date", flat=True).distinct():
        events[proof_on].add(EVENT_PLACED)
    for end in _month_ends(date_from, as_of):
        events[end].add(EVENT_MONTH_END)
    history = GapHistory(occupation_code or "", item_code or "", name, level, city, date_from, date_to)
    for day in sorted(events):
        table = gap_table(user, date_from, day, city_code=city.code, occupation_code=occupation_code, level=level,
                          item_code=item_code)
        row = next(iter(table.rows), None)
        history.points.append(GapPoint(day, row.demand if row else 0, row.certified if row else 0,
                                       row.placed if row else 0, tuple(sorted(events[day]))))
    return history


def answering_classes() -> QuerySet[TrainingClass]:
    """Approved classes (or later) of a report's occupation and level, or of its special-ability item, in its
    enterprise's city, not ended before the report was filed (`filed_on`, see `with_filing_day`): what answers a
    reported need. (A report names one or the other; SQL's NULL = NULL is never true, so the other never matches.)"""
    return TrainingClass.objects.filter(
        Q(occupation_id=OuterRef("occupation_id"), level=OuterRef("level")) | Q(item_id=OuterRef("item_id")),
        status__in=APPROVED_STATES, city_id=OuterRef("enterprise__city_id"), end_date__gte=OuterRef("filed_on"),
    )


def with_filing_day(reports: QuerySet[DemandReport]) -> QuerySet[DemandReport]:
    """Reports with `filed_at` (their first version, dated by the programme's clock like the rest of their
    history) and its day, `filed_on`."""
    first = DemandReportVersion.objects.filter(report=OuterRef("pk")).order_by("recorded_at", "pk")
    return reports.annotate(filed_at=Subquery(first.values("recorded_at")[:1])).annotate(
        filed_on=TruncDate("filed_at"))


def unanswered_reports(user: Any) -> QuerySet[DemandReport]:
    """The city's queue (1c): reports of an occupation and level, or of a special-ability item, filed more than
    the days in force ago that no class answers, oldest first."""
    if getattr(user, "role", None) not in READERS:
        return DemandReport.objects.none()
    days = answer_days_on(today()).days
    cutoff = _end_of(today() - dt.timedelta(days=days + 1))
    return with_filing_day(scoped(DemandReport.objects.all(), user)).filter(
        Q(occupation__isnull=False) | Q(item__isnull=False), filed_at__lt=cutoff,
    ).exclude(Exists(answering_classes())).order_by("filed_at", "pk")
