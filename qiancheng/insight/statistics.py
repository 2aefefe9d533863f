"""The statistics of the programme (6a 统计分析): trainings (人次), people, key groups and money, filtered and broken
down, for each reader's scope (docs/statistics.md "The statistics page").

Every figure counts `insight.figures.counted_claims` (one 人次 = one counting claim with an eligible decision, in the
year and month of its training's end date, in the city on the claim), read from the pre-aggregate of those claims
(`insight.statistics_models`, written only by `insight.statistics_refresh`, docs/statistics.md "The pre-aggregate"):
trainings, key groups and money are sums over the daily rows, whatever the filters; distinct people come from the
people table where it holds the selection (the year or a month, for the province, one city or one industry), else
they are counted from the counted-training rows of the same refresh. So every figure of a page is as of one refresh,
stated on the page (`refreshed_at`). This module only filters those rows and groups them. One function computes
each figure:

- `summary(scope, filters)`: the figures of the whole selection (trainings, key group, share, people, amount);
- `breakdown(scope, filters, by)`: the same figures per city, month, training type, form, fund, category,
  occupation, industry or institution, with the totals (and subtotals where the dimension has groups).

Who reads what (`scope_of`): the province every city; a city official its own city; an industry department
(行业主管部门, 6) the classes of its own industry in every city, read-only. Small-cell suppression for anything
public is `suppress_small` / `suppress_column` (the statistics page itself is for officials and shows exact counts).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import models
from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qiancheng.accounts.models import Role
from qiancheng.catalog.models import City, County, Industry, Occupation, ProgrammeTag
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.funding.models import FundSource, SubsidyClaim
from qiancheng.insight.figures import Cell, counted_claims, refreshed_at
from qiancheng.insight.statistics_models import CountedTraining, DailyTrainings, PeopleCount
from qiancheng.people.models import PersonCategory
from qiancheng.policy.vocabulary import KEY_GROUPS
from qiancheng.providers.models import Institution
from qiancheng.training.models import TrainingForm

READERS = frozenset({Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL, Role.INDUSTRY_DEPARTMENT})
PARAMETERS_FILE = Path(__file__).with_name("statistics.yaml")
TEN_THOUSAND = Decimal(10000)
WAN_PLACES = Decimal("0.01")
NOT_RECORDED = ""  # the key of claims whose dimension is not recorded (older classes, imported history)
TOP_ROWS = 50  # occupation and institution tables: the largest first, the rest in one row


# ---------------------------------------------------------------- small-cell suppression (public pages)


@dataclass(frozen=True)
class SmallCellRule:
    version: str
    valid_from: dt.date
    minimum: int
    source: str


@functools.cache
def _small_cell_rules() -> tuple[SmallCellRule, ...]:
    document = yaml.safe_load(PARAMETERS_FILE.read_text(encoding="utf-8"))
    return tuple(sorted((SmallCellRule(str(entry["version"]), entry["valid_from"],
                                       int(entry["small_cell_min"]["value"]), entry["small_cell_min"]["source"])
                         for entry in document["versions"]), key=lambda rule: rule.valid_from))


def small_cell_min(on: dt.date | None = None) -> int:
    """The fewest people a public cell may show (10 from 2025-01-01, local practice): statistics.yaml."""
    from qiancheng.clock import today

    day = on or today()
    started = [rule for rule in _small_cell_rules() if rule.valid_from <= day]
    return (started[-1] if started else _small_cell_rules()[0]).minimum



def suppress_small(count: int | None, minimum: int | None = None) -> int | str | None:
    """A count of people as a public page may show it: 1 to 9 (under `minimum`) becomes "<10"; 0 stays 0 (an
    empty cell says nothing about anyone), None stays None. Officials' pages show exact counts."""
    minimum = small_cell_min() if minimum is None else minimum
    if count is None or count == 0 or count >= minimum:
        return count
    return f"<{minimum}"


def suppress_column(counts: Sequence[int], minimum: int | None = None) -> list[int | str]:
    """A column of counts whose total is published: each small cell suppressed, and when exactly one cell is
    (its value would follow from the total minus the others), the next-smallest non-zero cell too."""
    minimum = small_cell_min() if minimum is None else minimum
    shown: list[int | str] = [suppress_small(count, minimum) for count in counts]  # type: ignore[misc]
    hidden = [index for index, value in enumerate(shown) if isinstance(value, str)]
    if len(hidden) == 1:
        others = sorted((count, index) for index, count in enumerate(counts) if count > 0 and index not in hidden)
        if others:
            shown[others[0][1]] = f"<{minimum}" if others[0][0] < minimum else "*"
    return shown


# ---------------------------------------------------------------- scope and filters


@dataclass(frozen=True)
class Scope:
    """What a reader may count: one city, one industry, or everything (the province)."""

    role: str
    city: str | None = None
    industry: str | None = None

    @property
    def province(self) -> bool:
        return self.role == Role.PROVINCE_OFFICIAL


class NotAReader(PermissionError):
    """The user reads no statistics (403)."""


class OutOfScope(LookupError):
    """A filter names a city or industry outside the reader's scope (404, like any record out of scope)."""


def scope_of(user: Any) -> Scope:
    role = getattr(user, "role", None)
    if role == Role.PROVINCE_OFFICIAL:
        return Scope(role)
    if role == Role.CITY_OFFICIAL and getattr(user, "city_id", None):
        return Scope(role, city=user.city_id)
    if role == Role.INDUSTRY_DEPARTMENT and getattr(user, "industry_id", None):
        return Scope(role, industry=user.industry_id)
    raise NotAReader(role)


@dataclass(frozen=True)
class Filters:
    """The page's and the API's filters; every one optional but the year."""

    year: int
    month: int | None = None
    city: str | None = None
    county: str | None = None  # the county of the trainee's ID number (户籍): a class records only its city
    training_type: str | None = None
    training_form: str | None = None
    fund: str | None = None
    occupation: str | None = None
    industry: str | None = None
    key_group: bool | None = None
    programme_tag: str | None = None
    institution: int | None = None

    def within(self, scope: Scope) -> Filters:
        """The filters narrowed to the reader's scope; naming another city or industry is out of scope."""
        narrowed = self
        if scope.city is not None:
            if self.city not in (None, scope.city):
                raise OutOfScope(self.city)
            narrowed = replace(narrowed, city=scope.city)
        if scope.industry is not None:
            if self.industry not in (None, scope.industry):
                raise OutOfScope(self.industry)
            narrowed = replace(narrowed, industry=scope.industry)
        if narrowed.county and scope.city is not None and not County.objects.filter(
                code=narrowed.county, city_id=scope.city).exists():
            raise OutOfScope(narrowed.county)
        return narrowed

    def period(self) -> tuple[dt.date, dt.date]:
        if self.month is None:
            return dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)
        last = (dt.date(self.year + self.month // 12, self.month % 12 + 1, 1) - dt.timedelta(days=1))
        return dt.date(self.year, self.month, 1), last


CLASS = "enrolment__training_class__"


def selected_claims(filters: Filters) -> models.QuerySet[SubsidyClaim]:
    """The counted claims (人次) the filters select; `filters` must already be within the reader's scope."""
    first, last = filters.period()
    claims = counted_claims().filter(end_date__gte=first, end_date__lte=last)
    if filters.city:
        claims = claims.filter(city_id=filters.city)
    if filters.county:
        claims = claims.filter(person__county_code=filters.county)
    if filters.training_type:
        claims = claims.filter(training_type=filters.training_type)
    if filters.training_form:
        claims = claims.filter(**{f"{CLASS}training_form": filters.training_form})
    if filters.fund:
        claims = claims.filter(fund=filters.fund)
    if filters.occupation:
        claims = claims.filter(occupation_id=filters.occupation)
    if filters.industry:
        claims = claims.filter(**{f"{CLASS}industry_id": filters.industry})
    if filters.key_group is True:
        claims = claims.filter(person_category__in=KEY_GROUPS)
    elif filters.key_group is False:
        claims = claims.exclude(person_category__in=KEY_GROUPS)
    if filters.programme_tag:
        tagged = SubsidyClaim.objects.filter(**{f"{CLASS}programme_tags": filters.programme_tag}).values("pk")
        claims = claims.filter(pk__in=tagged)
    if filters.institution:
        claims = claims.filter(institution_id=filters.institution)
    return claims


# ---------------------------------------------------------------- the figures


def in_wan(amount: Decimal | None) -> Decimal:
    """Yuan as 万元 to two places, rounded half up (the unit of a provincial report)."""
    return ((amount or Decimal(0)) / TEN_THOUSAND).quantize(WAN_PLACES, ROUND_HALF_UP)


@dataclass(frozen=True)
class Figures:
    """One row of a statistics table: trainings (人次), of key groups, people (distinct persons) and the
    subsidy decided on them (yuan; `amount_wan` in 万元)."""

    trainings: int = 0
    key_group: int = 0
    people: int = 0
    amount: Decimal = Decimal("0.00")

    @property
    def cell(self) -> Cell:
        return Cell(self.trainings, self.key_group)

    @property
    def share_percent(self) -> str:
        return self.cell.percent

    @property
    def amount_wan(self) -> Decimal:
        return in_wan(self.amount)


def _narrowed(rows: models.QuerySet, filters: Filters) -> models.QuerySet:
    """Pre-aggregate rows (daily sums or counted trainings: the same columns) of the selection; `filters` must
    already be within the reader's scope. The same filters as `selected_claims`, column by column."""
    rows = rows.filter(year=filters.year)
    if filters.month is not None:
        rows = rows.filter(month=filters.month)
    for name in ("city", "county", "training_type", "training_form", "fund", "occupation", "industry", "institution"):
        value = getattr(filters, name)
        if value:
            rows = rows.filter(**{name: value})
    if filters.key_group is not None:
        rows = rows.filter(key_group=filters.key_group)
    if filters.programme_tag:
        rows = rows.filter(programme_tags__contains=f",{filters.programme_tag},")
    return rows


SUMS = {"trainings": Sum("trainings"), "key_group": Sum("key_group_trainings"), "amount": Sum("amount")}
# Each breakdown's column on the pre-aggregate (and the key of its people).
COLUMNS = {"city": "city", "month": "month", "training_type": "training_type", "training_form": "training_form",
           "fund": "fund", "category": "category", "occupation": "occupation", "industry": "industry",
           "institution": "institution"}


def people_scope(filters: Filters) -> str | None:
    """The scope of the people table that holds this selection's people ('' the province, 'city:<code>',
    'industry:<code>'), or None when the filters ask for more than a period and one city or industry."""
    if any((filters.county, filters.training_type, filters.training_form, filters.fund, filters.occupation,
            filters.key_group is not None, filters.programme_tag, filters.institution)):
        return None
    if filters.city and filters.industry:
        return None
    if filters.city:
        return f"city:{filters.city}"
    if filters.industry:
        return f"industry:{filters.industry}"
    return ""


def _typed(dimension: str, key: str) -> Any:
    """A people-table key as the breakdown keys it: months and institutions are numbers."""
    if dimension == "month":
        return int(key)
    if dimension == "institution":
        return int(key) if key else None
    return key


def _people(filters: Filters, dimension: str = "") -> dict[Any, int]:
    """Distinct people of the selection, per value of `dimension` ('' the whole selection, key '')."""
    scope = people_scope(filters)
    if dimension == "month" and filters.month is not None:
        # One month of the trend: the people of the selection itself.
        return {filters.month: _people(filters).get("", 0)}
    if scope is not None:
        stored = PeopleCount.objects.filter(year=filters.year, month=filters.month or 0, scope=scope,
                                            dimension=dimension).values_list("key", "people")
        return {_typed(dimension, key): people for key, people in stored}
    rows = _narrowed(CountedTraining.objects.order_by(), filters)
    distinct = Count("person_key", distinct=True)
    if not dimension:
        return {"": rows.aggregate(people=distinct)["people"]}
    column = COLUMNS[dimension]
    return {row[column]: row["people"] for row in rows.values(column).annotate(people=distinct)}


def _sums(filters: Filters, dimension: str = "") -> dict[Any, dict[str, Any]]:
    rows = _narrowed(DailyTrainings.objects.order_by(), filters)
    if not dimension:
        return {"": rows.aggregate(**SUMS)}
    column = COLUMNS[dimension]
    return {row[column]: row for row in rows.values(column).annotate(**SUMS)}


def _grouped(filters: Filters, dimension: str = "") -> dict[Any, Figures]:
    """The figures of the selection per value of `dimension` ('' the whole selection, key '')."""
    people = _people(filters, dimension)
    return {key: Figures(row["trainings"] or 0, row["key_group"] or 0, people.get(key, 0),
                         row["amount"] if row["amount"] is not None else Decimal("0.00"))
            for key, row in _sums(filters, dimension).items()}


def summary(scope: Scope, filters: Filters) -> Figures:
    """The figures of the whole selection within the reader's scope."""
    return _grouped(filters.within(scope)).get("", Figures())


def trainings(scope: Scope, filters: Filters) -> int:
    """The selection's trainings (人次) alone, equal to `summary(...).trainings`, without counting its people: under
    filters the people table does not hold (a programme tag, a fund, …) people are a distinct count over the counted
    trainings, the page's slow path (bench/README.md). For a reader that needs only the number (a target's progress)."""
    return _sums(filters.within(scope))[""]["trainings"] or 0


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    figures: Figures
    subtotal: bool = False  # a subtotal row (its figures add up the rows of its group above it)


@dataclass(frozen=True)
class Breakdown:
    name: str
    title: str
    rows: tuple[Row, ...]
    total: Figures
    filters: Filters

    @property
    def detail_rows(self) -> tuple[Row, ...]:
        return tuple(row for row in self.rows if not row.subtotal)


DIMENSIONS: dict[str, tuple[str, str]] = {
    # name: (grouping path on the claim, the table's title)
    "city": ("city_id", gettext_noop("分城市")),
    "month": ("month", gettext_noop("分月份")),
    "training_type": ("training_type", gettext_noop("分培训类型")),
    "training_form": (f"{CLASS}training_form", gettext_noop("分培训形式")),
    "fund": ("fund", gettext_noop("分资金来源")),
    "category": ("person_category", gettext_noop("分人员类别")),
    "occupation": ("occupation_id", gettext_noop("分职业")),
    "industry": (f"{CLASS}industry_id", gettext_noop("分产业")),
    "institution": ("institution_id", gettext_noop("分培训机构")),
}


def month_label(month: int) -> str:
    return _("%(month)s月") % {"month": month}


def _labels(name: str, keys: list[Any]) -> dict[Any, str]:
    if name == "city":
        return dict(City.objects.filter(code__in=keys).values_list("code", "name"))
    if name == "month":
        return {key: month_label(key) for key in keys}
    if name == "training_type":
        return {key: str(TrainingType(key).label) for key in keys if key in TrainingType.values}
    if name == "training_form":
        return {key: str(TrainingForm(key).label) for key in keys if key in TrainingForm.values}
    if name == "fund":
        return {key: str(FundSource(key).label) for key in keys if key in FundSource.values}
    if name == "category":
        return {key: str(PersonCategory(key).label) for key in keys if key in PersonCategory.values}
    if name == "occupation":
        return {code: f"{code} {label}" for code, label in Occupation.objects.filter(code__in=keys)
                .values_list("code", "name")}
    if name == "industry":
        return dict(Industry.objects.filter(code__in=keys).values_list("code", "name"))
    if name == "institution":
        return {pk: label for pk, label in Institution.objects.filter(pk__in=keys).values_list("pk", "name")}
    raise KeyError(name)


def _add(one: Figures, other: Figures) -> Figures:
    return Figures(one.trainings + other.trainings, one.key_group + other.key_group, one.people + other.people,
                   one.amount + other.amount)


def breakdown(scope: Scope, filters: Filters, by: str, top: int | None = TOP_ROWS, *,
              total: Figures | None = None) -> Breakdown:
    """The selection per value of one dimension, with its total (people counted once in the total, so the
    total's people may be fewer than the rows' sum: a person trained twice in two cities is one person).
    `total`: the selection's summary when the caller has it already (the page's nine tables share one)."""
    if by not in DIMENSIONS:
        raise KeyError(by)
    filters = filters.within(scope)
    _path, title = DIMENSIONS[by]
    grouped = _grouped(filters, by)
    if total is None:
        total = _grouped(filters).get("", Figures())
    keys = [key for key in grouped if key not in (None, NOT_RECORDED)]
    labels = _labels(by, keys)
    rows: list[Row] = []
    if by == "month":
        rows = [Row(str(month), month_label(month), grouped.get(month, Figures()))
                for month in (range(1, 13) if filters.month is None else [filters.month])]
    elif by == "city":
        cities = City.objects.order_by("code")
        if filters.city:
            cities = cities.filter(code=filters.city)
        # The ranking of cities: most trainings first, every city in scope listed (a city with none is 0).
        rows = sorted((Row(city.code, city.name, grouped.get(city.code, Figures())) for city in cities),
                      key=lambda row: (-row.figures.trainings, row.key))
    elif by == "category":
        for group, members, subtotal_label in (
                ("key", [value for value in PersonCategory.values if value in KEY_GROUPS], _("重点群体小计")),
                ("other", [value for value in PersonCategory.values if value not in KEY_GROUPS], _("其他人员小计"))):
            part = [Row(key, str(PersonCategory(key).label), grouped.get(key, Figures())) for key in members]
            rows += part
            rows.append(Row(group, subtotal_label, functools.reduce(_add, (row.figures for row in part), Figures()),
                            subtotal=True))
        if grouped.get(NOT_RECORDED):
            rows.append(Row(NOT_RECORDED, _("未记录"), grouped[NOT_RECORDED]))
    else:
        rows = sorted((Row(str(key), labels.get(key, str(key)), figures) for key, figures in grouped.items()
                       if key not in (None, NOT_RECORDED)), key=lambda row: (-row.figures.trainings, row.key))
        if top is not None and by in ("occupation", "institution") and len(rows) > top:
            rest = functools.reduce(_add, (row.figures for row in rows[top:]), Figures())
            rows = [*rows[:top], Row("rest", _("其余%(count)s项") % {"count": len(rows) - top}, rest)]
        unrecorded = _add(grouped.get(None, Figures()), grouped.get(NOT_RECORDED, Figures()))
        if unrecorded.trainings:
            rows.append(Row(NOT_RECORDED, _("未记录"), unrecorded))
    return Breakdown(by, _(title), tuple(rows), total, filters)


def trend(scope: Scope, filters: Filters, *, total: Figures | None = None) -> Breakdown:
    """The trend by month (the chart's line): `breakdown(..., "month")` of the whole year."""
    return breakdown(scope, replace(filters, month=None), "month", total=total)


def ranking(scope: Scope, filters: Filters) -> Breakdown:
    """The ranking of cities (the chart's bars): `breakdown(..., "city")`."""
    return breakdown(scope, filters, "city")


# ---------------------------------------------------------------- choices for the filters


def filter_choices(scope: Scope) -> dict[str, list[tuple[str, str]]]:
    """The values each filter offers the reader (their own city or industry only, where scoped)."""
    cities = City.objects.order_by("code")
    counties = County.objects.order_by("code")
    industries = Industry.objects.order_by("sort_order", "code")
    if scope.city:
        cities, counties = cities.filter(code=scope.city), counties.filter(city_id=scope.city)
    if scope.industry:
        industries = industries.filter(code=scope.industry)
    return {
        "city": [(city.code, city.name) for city in cities],
        "county": [(county.code, county.name) for county in counties],
        "training_type": [(value, str(label)) for value, label in TrainingType.choices],
        "training_form": [(value, str(label)) for value, label in TrainingForm.choices],
        "fund": [(value, str(label)) for value, label in FundSource.choices],
        "industry": [(industry.code, industry.name) for industry in industries],
        "programme_tag": [(tag.code, tag.name) for tag in ProgrammeTag.objects.order_by("sort_order", "code")],
    }


@dataclass
class Page:
    """Everything the statistics page shows, each figure from the functions above."""

    scope: Scope
    filters: Filters
    total: Figures
    tables: list[Breakdown] = field(default_factory=list)
    refreshed_at: dt.datetime | None = None  # the figures are as of this refresh (None: the year never refreshed)

    def table(self, name: str) -> Breakdown:
        return next(table for table in self.tables if table.name == name)

    @property
    def refresh_minutes(self) -> int:
        from qiancheng.insight.statistics_refresh import stated_lag_minutes

        return stated_lag_minutes()


PAGE_TABLES = ("city", "month", "training_type", "training_form", "fund", "category", "industry", "occupation",
               "institution")


def page(scope: Scope, filters: Filters) -> Page:
    """The whole page: the summary counted once and shared as the total of every table of the same selection
    (the trend is of the whole year, so it shares it only when no month is chosen)."""
    narrowed = filters.within(scope)
    total = summary(scope, narrowed)
    tables = [trend(scope, narrowed, total=total if narrowed.month is None else None) if name == "month"
              else breakdown(scope, narrowed, name, total=total) for name in PAGE_TABLES]
    return Page(scope, narrowed, total, tables, refreshed_at(narrowed.year))
