"""The programme's figures: one definition of a training (人次), targets in force, progress and the key-group share.

Every page, API and queue reads these functions; nothing else counts trainings (docs/statistics.md).

- **One 人次** (`counted_claims`): a subsidy claim that counts under RULES.md "What counts" (status pending,
  approved or paid: `policy.vocabulary.COUNTING_STATUSES`) and whose engine decision is eligible. It is counted
  in the calendar year (and month) of its training's end date, in the city on the claim. A claim the engine
  denied, a rejected, withdrawn or recovered claim, a draft, and imported history with no decision of its own
  count for nothing.
- **Key group** (2.1b): the person's category at enrolment, copied on the claim, is one of
  `policy.vocabulary.KEY_GROUPS`.
- **Expected by today**: the year's target spread evenly over the calendar year (linear, day by day, today
  included); **projected year end**: what has been achieved so far, at the same daily rate, to 31 December.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db import models
from django.db.models import Count, Q, Sum, Value

from qiancheng.accounts.models import Role
from qiancheng.catalog.models import City
from qiancheng.clock import today
from qiancheng.funding.models import SubsidyClaim
from qiancheng.insight.models import Target
from qiancheng.policy.params import plan_figures
from qiancheng.policy.vocabulary import COUNTING_STATUSES, KEY_GROUPS

READERS = frozenset({Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL})
SHARE_PLACES = Decimal("0.0001")
PROVINCE = None  # the key of the whole province in a tally


# ---------------------------------------------------------------- one 人次


def counted_claims() -> models.QuerySet[SubsidyClaim]:
    """The claims that are trainings (人次): counting status and an eligible decision (docs/statistics.md)."""
    return SubsidyClaim.objects.filter(status__in=COUNTING_STATUSES, eligible=True)


def is_key_group(category: str) -> bool:
    """2.1b: graduates and youth, rural migrant workers, registered unemployed, people with employment difficulty."""
    return category in KEY_GROUPS


def decimal_of(value: Fraction) -> Decimal:
    """An exact fraction as a decimal to four places, rounded half up (2/3 -> 0.6667)."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(SHARE_PLACES, ROUND_HALF_UP)


@dataclass(frozen=True)
class Cell:
    """Trainings and those of key groups, in one city (or the province) and one period."""

    trainings: int = 0
    key_group: int = 0

    def __add__(self, other: Cell) -> Cell:
        return Cell(self.trainings + other.trainings, self.key_group + other.key_group)

    @property
    def share(self) -> Fraction | None:
        """Key-group trainings / all, exact; None when there are no trainings."""
        return Fraction(self.key_group, self.trainings) if self.trainings else None

    @property
    def share_decimal(self) -> Decimal | None:
        """The share as a decimal fraction to four places, half up (0.6667), for display and the API."""
        share = self.share
        return None if share is None else decimal_of(share)

    @property
    def percent(self) -> str:
        """The share in per cent to one place ("66.7"), "" without trainings: for pages only."""
        share = self.share_decimal
        return "" if share is None else f"{share * 100:.1f}"

    def below(self, minimum: Decimal) -> bool:
        """2.1b: trainings there are, and the exact share is under `minimum` (no trainings: nothing to flag)."""
        share = self.share
        return share is not None and share < Fraction(minimum)


@dataclass
class YearTally:
    """The year's trainings by city and month; every figure of the year is read from one of these."""

    year: int
    cells: dict[tuple[str | None, int], Cell] = field(default_factory=dict)

    def month(self, city: str | None, month: int) -> Cell:
        """One month of one city, or of the province (`city` None)."""
        if city is PROVINCE:
            return sum((cell for (_, each), cell in self.cells.items() if each == month), Cell())
        return self.cells.get((city, month), Cell())

    def city(self, city: str | None) -> Cell:
        """The whole year of one city, or of the province (`city` None)."""
        return sum((self.month(city, month) for month in range(1, 13)), Cell())

    def province(self) -> Cell:
        return self.city(PROVINCE)


def tally(year: int) -> YearTally:
    """The year's trainings by city and month of the end date, and those of key groups, as of the last refresh of
    the pre-aggregate (docs/statistics.md "The pre-aggregate": the daily sums of `counted_claims`; one query)."""
    from qiancheng.insight.statistics_models import DailyTrainings

    rows = (DailyTrainings.objects.filter(year=year).values("city", "month")
            .annotate(trainings=Sum("trainings"), key_group=Sum("key_group_trainings")).order_by())
    result = YearTally(year)
    for row in rows:
        key = (row["city"] or None, int(row["month"]))
        result.cells[key] = result.cells.get(key, Cell()) + Cell(row["trainings"], row["key_group"])
    return result


def refreshed_at(year: int) -> dt.datetime | None:
    """When the figures of `year` were last refreshed from the claims (None: never): the tally's and the statistics'
    (one pre-aggregate), as the pages state it."""
    from qiancheng.insight.statistics_models import AggregatedYear

    return AggregatedYear.objects.filter(year=year).values_list("refreshed_at", flat=True).first()


def counted_cell(city: str, year: int) -> Cell:
    """One city's trainings of one year counted from the claims now (not the pre-aggregate): what a class's
    roster would change is a decision about that class, so it reads the claims as they stand."""
    found = (counted_claims().filter(city_id=city, end_date__gte=dt.date(year, 1, 1),
                                     end_date__lte=dt.date(year, 12, 31))
             .aggregate(trainings=Count("pk"), key_group=Count("pk", filter=Q(person_category__in=KEY_GROUPS))))
    return Cell(found["trainings"], found["key_group"])


# ---------------------------------------------------------------- targets in force


@dataclass(frozen=True)
class TargetFigure:
    """The target of a year for the province or a city on a day, and where it comes from."""

    count: int
    document: str  # the document's number, or the plan's clause for the plan's own figure
    valid_from: dt.date | None
    from_plan: bool = False


def target_in_force(year: int, city: str | None, day: dt.date) -> TargetFigure | None:
    """The newest entry of `year` for `city` (None: the province) in force on `day`: the latest `valid_from` on
    or before `day`, the last recorded first on the same day. The province without an entry of its own has the
    plan's figure (1a); a city without one has no target."""
    entry = (Target.objects.filter(year=year, city_id=city, valid_from__lte=day)
             .order_by("-valid_from", "-pk").first())
    if entry is not None:
        return TargetFigure(entry.count, entry.document, entry.valid_from)
    if city is PROVINCE:
        planned = plan_figures().annual_target(year)
        if planned is not None:
            return TargetFigure(planned, "1a", None, from_plan=True)
    return None


def targets_in_force(year: int, day: dt.date) -> dict[str | None, TargetFigure]:
    """Every city's target of `year` in force on `day`, and the province's (key None)."""
    found: dict[str | None, TargetFigure] = {}
    for entry in Target.objects.filter(year=year, valid_from__lte=day).order_by("city_id", "-valid_from", "-pk"):
        found.setdefault(entry.city_id, TargetFigure(entry.count, entry.document, entry.valid_from))
    if PROVINCE not in found:
        province = target_in_force(year, PROVINCE, day)
        if province is not None:
            found[PROVINCE] = province
    return found


def reference_day(year: int, on: dt.date | None = None) -> dt.date:
    """The day a year is read on: today, or the year's last day once the year is over."""
    on = on or today()
    return min(on, dt.date(year, 12, 31))


# ---------------------------------------------------------------- progress against the calendar


def _whole(value: Fraction) -> int:
    """A count of trainings, rounded half up."""
    return int((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal(1), ROUND_HALF_UP))


def calendar_share(year: int, on: dt.date) -> Fraction:
    """How much of the year has passed on `on`, today included: 0 before 1 January, 1 from 31 December."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if on < first:
        return Fraction(0)
    days = (last - first).days + 1
    return Fraction(min((on - first).days + 1, days), days)


def expected_by(target: int, elapsed: Fraction) -> int:
    """Expected by the day read: the target spread evenly over the calendar year, rounded half up. Progress
    against a city's or the province's target and against an industry's plan both read this one function."""
    return _whole(target * elapsed)


def projected_year_end(achieved: int, elapsed: Fraction) -> int | None:
    """Projected year end: the trainings achieved so far at the same daily rate to 31 December, rounded half up
    (what was achieved, for a year that is over); None for a year not yet begun. Progress against a city's or the
    province's target and against an optional target (per training type or programme) read this one function."""
    return _whole(achieved / elapsed) if elapsed else None


@dataclass(frozen=True)
class MonthShare:
    """One month of a city (or the province): its trainings, key-group share and the 2.1b flag."""

    month: int
    cell: Cell
    below: bool


@dataclass(frozen=True)
class Progress:
    """One city's (or the province's) year against its target, and its key-group share."""

    code: str | None
    name: str
    target: TargetFigure | None
    achieved: Cell
    expected: int | None  # the target spread evenly over the year, up to the day read
    projected: int | None  # achieved so far at the same daily rate to 31 December; None before the year
    behind: bool  # achieved < expected
    below_share: bool  # 2.1b
    months: tuple[MonthShare, ...]  # January to December

    @property
    def percent_of_target(self) -> Decimal | None:
        if self.target is None:
            return None
        return (Decimal(self.achieved.trainings) * 100 / self.target.count).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _progress(code: str | None, name: str, target: TargetFigure | None, year_tally: YearTally,
              elapsed: Fraction, minimum: Decimal) -> Progress:
    achieved = year_tally.city(code)
    expected = expected_by(target.count, elapsed) if target is not None else None
    projected = projected_year_end(achieved.trainings, elapsed)
    return Progress(code=code, name=name, target=target, achieved=achieved, expected=expected,
                    projected=projected, behind=expected is not None and achieved.trainings < expected,
                    below_share=achieved.below(minimum),
                    months=tuple(MonthShare(month, cell, cell.below(minimum))
                                 for month in range(1, 13) for cell in [year_tally.month(code, month)]))


@dataclass(frozen=True)
class Report:
    """The year as a reader may see it: the province (officials of the province only) and each city."""

    year: int
    as_of: dt.date  # the day read: today, or 31 December of a year gone by
    elapsed: Fraction  # the share of the year passed on `as_of`
    min_share: Decimal  # 2.1b
    province: Progress | None
    cities: tuple[Progress, ...]
    programme_target: int
    refreshed_at: dt.datetime | None = None  # the trainings are as of this refresh of the pre-aggregate

    @property
    def behind(self) -> tuple[Progress, ...]:
        return tuple(row for row in self.cities if row.behind)

    @property
    def refresh_minutes(self) -> int:
        from qiancheng.insight.statistics_refresh import stated_lag_minutes

        return stated_lag_minutes()

    @property
    def below_share(self) -> tuple[Progress, ...]:
        return tuple(row for row in self.cities if row.below_share)


def visible_cities(user: Any) -> models.QuerySet[City]:
    """Province: every city; a city official: the own city; anyone else: none."""
    role = getattr(user, "role", None)
    if role == Role.PROVINCE_OFFICIAL:
        return City.objects.order_by("code")
    if role == Role.CITY_OFFICIAL and getattr(user, "city_id", None):
        return City.objects.filter(code=user.city_id)
    return City.objects.none()


def report(user: Any, year: int, on: dt.date | None = None) -> Report:
    """Targets in force, trainings, expected by the day, projected year end, cities behind and below 70 %."""
    as_of = reference_day(year, on)
    elapsed = calendar_share(year, as_of)
    plan = plan_figures()
    minimum = plan.key_group_min_share(dt.date(year, 1, 1))
    year_tally = tally(year)
    targets = targets_in_force(year, as_of)
    cities = tuple(_progress(city.code, city.name, targets.get(city.code), year_tally, elapsed, minimum)
                   for city in visible_cities(user))
    province = None
    if getattr(user, "role", None) == Role.PROVINCE_OFFICIAL:
        province = _progress(PROVINCE, "", targets.get(PROVINCE), year_tally, elapsed, minimum)
    years = plan.target_years()
    programme_day = dt.date(min(max(year, years[0]), years[-1]), 12, 31)
    return Report(year=year, as_of=as_of, elapsed=elapsed, min_share=minimum, province=province, cities=cities,
                  programme_target=plan.programme_target(programme_day), refreshed_at=refreshed_at(year))


def programme_achieved() -> int:
    """Trainings over every year of the plan (1a: 600,000 from 2025 to the end of 2027)."""
    years = plan_figures().target_years()
    return counted_claims().filter(end_date__gte=dt.date(years[0], 1, 1),
                                   end_date__lte=dt.date(years[-1], 12, 31)).count()


# ---------------------------------------------------------------- the key-group share (2.1b)


def cities_below_share(user: Any) -> models.QuerySet[City]:
    """The queue for the province: cities whose key-group share this year is under the minimum, each waiting
    since 1 January (the share is of the year to date). Other roles: none."""
    if getattr(user, "role", None) != Role.PROVINCE_OFFICIAL:
        return City.objects.none()
    year = today().year
    minimum = plan_figures().key_group_min_share(dt.date(year, 1, 1))
    year_tally = tally(year)
    codes = {code for (code, _) in year_tally.cells if code is not None and year_tally.city(code).below(minimum)}
    return City.objects.filter(code__in=codes).annotate(
        below_since=Value(dt.date(year, 1, 1), output_field=models.DateField())).order_by("code")


@dataclass(frozen=True)
class ShareChange:
    """A city's key-group share of a year, now and with some trainees added (what a roster would do)."""

    city: str
    year: int
    before: Cell
    after: Cell
    min_share: Decimal

    @property
    def below_before(self) -> bool:
        return self.before.below(self.min_share)

    @property
    def below_after(self) -> bool:
        return self.after.below(self.min_share)


def share_if_added(city: str, year: int, categories: Iterable[str]) -> ShareChange:
    """The city's share of `year` if trainees of these categories (one each) became trainings too."""
    added = list(categories)
    before = counted_cell(city, year)
    extra = Cell(len(added), sum(1 for category in added if is_key_group(category)))
    return ShareChange(city, year, before, before + extra,
                       plan_figures().key_group_min_share(dt.date(year, 1, 1)))


def share_if_class_added(training_class: Any) -> ShareChange:
    """What the class's roster would do to its city's share of the year it ends in: its trainees still on the
    roster (not withdrawn) who are not yet counted (no counting, eligible claim for this class)."""
    from qiancheng.training.models import EnrolmentStatus

    counted = counted_claims().filter(enrolment__training_class=training_class).values("enrolment_id")
    categories = (training_class.enrolments.exclude(status=EnrolmentStatus.WITHDRAWN)
                  .exclude(pk__in=counted).values_list("category", flat=True))
    return share_if_added(training_class.city_id, training_class.end_date.year, categories)


def home_report(user: Any) -> Report | None:
    """The year shown on an official's home page (today's year within the plan's years), or None for others."""
    if getattr(user, "role", None) not in READERS:
        return None
    years = plan_figures().target_years()
    return report(user, min(max(today().year, years[0]), years[-1]))
