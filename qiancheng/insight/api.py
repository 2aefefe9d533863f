"""`/api/v1/insight`: targets (1a) and progress with the key-group share (2.1b), under city scope.

The province reads everything and records targets; a city official reads the own city's targets and
progress; every other role is refused (403). Figures come from `insight.figures`, the same functions the
progress page reads; shares are decimal fractions as text (exact to four places, "0.7000").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from qiancheng.accounts.api_errors import ApiError, ErrorOut, refusal_error
from qiancheng.accounts.scope import get_scoped_or_404, scoped
from qiancheng.clock import today
from qiancheng.insight import demand_gap, figures
from qiancheng.insight.models import RatingAppeal, RatingSnapshot, Target
from qiancheng.insight.rating import month_start
from qiancheng.insight.services import (
    APPEAL_TEXT_MAX,
    COUNT_MAX,
    DOCUMENT_MAX,
    decide_rating_appeal,
    explain,
    file_rating_appeal,
    set_target,
    stars_in_force,
)
from qiancheng.policy.params import plan_figures

router = Router(tags=["insight 目标与进度"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
YEAR_MIN, YEAR_MAX = 2000, 2100


def _reader(request: HttpRequest) -> Any:
    user = request.auth
    if getattr(user, "role", None) not in figures.READERS:
        raise ApiError(403, "forbidden", "只有人社部门工作人员可以查看培训目标与进度",
                       "Only officials read targets and progress")
    return user


class TargetOut(Schema):
    id: int
    year: int
    city_code: str | None  # None: the province's own target
    count: int
    document: str
    valid_from: dt.date
    set_by: str
    set_at: dt.datetime

    @staticmethod
    def of(entry: Target) -> TargetOut:
        return TargetOut(id=entry.pk, year=entry.year, city_code=entry.city_id, count=entry.count,
                         document=entry.document, valid_from=entry.valid_from, set_by=entry.set_by.username,
                         set_at=entry.set_at)


class TargetIn(Schema):
    # Defaults everywhere so a missing field is the service's 422 in the problem shape, with its reason.
    year: int | None = Field(None, ge=YEAR_MIN, le=YEAR_MAX)
    city_code: str | None = Field(None, max_length=6, description="omit or null for the province's own target")
    count: int | None = Field(None, ge=1, le=COUNT_MAX, description="subsidised trainings (人次)")
    document: str = Field("", max_length=DOCUMENT_MAX, description="文号 of the document that sets it")
    valid_from: dt.date | None = None


class ShareOut(Schema):
    trainings: int
    key_group: int
    share: str | None  # key-group trainings / all, four decimal places; None without trainings
    below_minimum: bool

    @staticmethod
    def of(cell: figures.Cell, below: bool) -> ShareOut:
        share = cell.share_decimal
        return ShareOut(trainings=cell.trainings, key_group=cell.key_group,
                        share=None if share is None else str(share), below_minimum=below)


class MonthOut(ShareOut):
    month: int


class ProgressRowOut(Schema):
    city_code: str | None  # None: the province
    target: int | None
    target_document: str | None
    expected_by_today: int | None
    projected_year_end: int | None
    behind: bool
    achieved: ShareOut
    months: list[MonthOut]

    @staticmethod
    def of(row: figures.Progress) -> ProgressRowOut:
        return ProgressRowOut(
            city_code=row.code, target=row.target.count if row.target else None,
            target_document=row.target.document if row.target else None, expected_by_today=row.expected,
            projected_year_end=row.projected, behind=row.behind, achieved=ShareOut.of(row.achieved, row.below_share),
            months=[MonthOut(month=each.month, **ShareOut.of(each.cell, each.below).dict()) for each in row.months])


class ProgressOut(Schema):
    year: int
    as_of: dt.date
    elapsed: str  # the share of the year passed on as_of, four decimal places
    key_group_min_share: str
    province: ProgressRowOut | None  # the province's officials only
    cities: list[ProgressRowOut]
    cities_behind: list[str]
    cities_below_share: list[str]


def _year(year: int | None) -> int:
    years = plan_figures().target_years()
    if year is None:
        return min(max(today().year, years[0]), years[-1])
    if year not in years:
        raise ApiError(422, "year_outside_plan", f"{year}年不在行动计划的目标年度内",
                       f"{year} is not a year the plan sets a target for ({years[0]}-{years[-1]})")
    return year


@router.get("/targets", response={200: list[TargetOut], **ERRORS},
            summary="培训目标记录（含历史）/ targets, every entry kept")
def targets(request: HttpRequest, year: int | None = Query(None, ge=YEAR_MIN, le=YEAR_MAX),
            city_code: str | None = Query(None, max_length=6),
            limit: int = Query(200, ge=1, le=1000), offset: int = Query(0, ge=0, le=1_000_000_000)) -> Any:
    rows = scoped(Target.objects.select_related("set_by"), _reader(request)).order_by(
        "year", "city_id", "-valid_from", "-pk")
    if year is not None:
        rows = rows.filter(year=year)
    if city_code is not None:
        rows = rows.filter(city_id=city_code)
    return [TargetOut.of(entry) for entry in rows[offset:offset + limit]]


@router.get("/targets/{int:target_id}", response={200: TargetOut, **ERRORS}, summary="一条目标记录 / one target entry")
def target(request: HttpRequest, target_id: int) -> Any:
    return TargetOut.of(get_scoped_or_404(Target.objects.select_related("set_by"), _reader(request), pk=target_id))


@router.post("/targets", response={201: TargetOut, **ERRORS},
             summary="设定年度培训目标（自治区人社厅）/ record a year's target (province)")
def post_target(request: HttpRequest, payload: TargetIn) -> Any:
    _reader(request)
    if payload.year is None or payload.count is None:
        raise ApiError(422, "missing_field", "须填写年度和目标人次", "year and count are required")
    try:
        entry = set_target(request.auth, payload.year, payload.city_code or None, payload.count, payload.document,
                           payload.valid_from)
    except PermissionDenied as refusal:
        raise ApiError(403, "forbidden", "只有自治区人社厅可以设定培训目标", "Only the province sets targets") from refusal
    except ValidationError as refusal:
        raise refusal_error(refusal) from refusal
    return Status(201, TargetOut.of(Target.objects.select_related("set_by").get(pk=entry.pk)))


@router.get("/progress", response={200: ProgressOut, **ERRORS},
            summary="年度进度与重点群体占比 / the year's progress and key-group share")
def progress(request: HttpRequest, year: int | None = Query(None, ge=YEAR_MIN, le=YEAR_MAX)) -> Any:
    user = _reader(request)
    report = figures.report(user, _year(year))
    return ProgressOut(
        year=report.year, as_of=report.as_of,
        elapsed=str(figures.decimal_of(report.elapsed)),
        key_group_min_share=str(report.min_share),
        province=ProgressRowOut.of(report.province) if report.province else None,
        cities=[ProgressRowOut.of(row) for row in report.cities],
        cities_behind=[row.code for row in report.behind if row.code],
        cities_below_share=[row.code for row in report.below_share if row.code],
    )


# ---------------------------------------------------------------- star ratings (1c)

RATING_READERS = frozenset({*figures.READERS, "institution"})
MONTH_PATTERN = r"^20\d\d-(0[1-9]|1[0-2])$"


def _rating_reader(request: HttpRequest) -> Any:
    user = request.auth
    if getattr(user, "role", None) not in RATING_READERS:
        raise ApiError(403, "forbidden", "只有人社部门工作人员和培训机构可以查看星级评定",
                       "Only officials and institutions read star ratings")
    return user


class RatingOut(Schema):
    id: int
    institution_id: int
    institution_uscc: str
    city_code: str
    period: str  # YYYY-MM
    rating_day: dt.date
    stars: int  # what the formula gave
    stars_in_force: int  # the same, or what a decided appeal revised them to
    score: str  # 0-100, two places
    inputs: dict[str, Any]  # every count, the city's rates, the window, the listings
    components: dict[str, dict[str, str | None]]  # per rate: own, city, shrunk, weight (decimal fractions)
    parameter_version: str
    parameters: dict[str, Any]
    computed_at: dt.datetime

    @staticmethod
    def of(snapshot: RatingSnapshot) -> RatingOut:
        return RatingOut(id=snapshot.pk, institution_id=snapshot.institution_id,
                         institution_uscc=snapshot.institution.uscc, city_code=snapshot.city_id,
                         period=f"{snapshot.period:%Y-%m}", rating_day=snapshot.rating_day, stars=snapshot.stars,
                         stars_in_force=stars_in_force(snapshot),
                         score=str(snapshot.score), inputs=snapshot.inputs,
                         components=explain(snapshot).components, parameter_version=snapshot.parameter_version,
                         parameters=snapshot.parameters, computed_at=snapshot.computed_at)


@router.get("/ratings", response={200: list[RatingOut], **ERRORS},
            summary="机构星级评定（含输入）/ star ratings with their inputs (1c)")
def ratings(request: HttpRequest, month: str | None = Query(None, pattern=MONTH_PATTERN),
            city_code: str | None = Query(None, max_length=6),
            institution_id: int | None = Query(None, ge=1, le=2_147_483_647),
            stars: int | None = Query(None, ge=1, le=5),
            limit: int = Query(200, ge=1, le=1000), offset: int = Query(0, ge=0, le=1_000_000_000)) -> Any:
    rows = scoped(RatingSnapshot.objects.select_related("institution"), _rating_reader(request))
    if month is not None:
        rows = rows.filter(period=month_start(month))
    if city_code is not None:
        rows = rows.filter(city_id=city_code)
    if institution_id is not None:
        rows = rows.filter(institution_id=institution_id)
    if stars is not None:
        rows = rows.filter(stars=stars)
    return [RatingOut.of(each) for each in rows.order_by("-period", "city_id", "institution_id")[offset:offset + limit]]


@router.get("/ratings/{int:snapshot_id}", response={200: RatingOut, **ERRORS},
            summary="一次星级评定及其依据 / one star rating, explained")
def rating_one(request: HttpRequest, snapshot_id: int) -> Any:
    return RatingOut.of(get_scoped_or_404(RatingSnapshot.objects.select_related("institution"),
                                          _rating_reader(request), pk=snapshot_id))


class RatingAppealOut(Schema):
    id: int
    snapshot_id: int
    institution_id: int
    city_code: str
    reason: str
    filed_at: dt.datetime
    status: str  # pending, upheld, revised
    stars: int  # what the formula gave
    revised_stars: int | None
    decision_note: str
    decided_at: dt.datetime | None

    @staticmethod
    def of(appeal: RatingAppeal) -> RatingAppealOut:
        return RatingAppealOut(id=appeal.pk, snapshot_id=appeal.snapshot_id, institution_id=appeal.institution_id,
                               city_code=appeal.city_id, reason=appeal.reason, filed_at=appeal.filed_at,
                               status=appeal.status, stars=appeal.snapshot.stars, revised_stars=appeal.revised_stars,
                               decision_note=appeal.decision_note, decided_at=appeal.decided_at)


class RatingAppealIn(Schema):
    reason: str = Field("", max_length=APPEAL_TEXT_MAX)


class RatingDecisionIn(Schema):
    revised_stars: int | None = Field(None, ge=1, le=5, description="omit or null to keep the stars")
    note: str = Field("", max_length=APPEAL_TEXT_MAX)


def _refused(refusal: PermissionDenied | ValidationError) -> ApiError:
    if isinstance(refusal, PermissionDenied):
        zh, _sep, en = str(refusal).partition(" / ")
        return ApiError(403, "forbidden", zh, en or zh)
    return refusal_error(refusal)


@router.post("/ratings/{int:snapshot_id}/appeal", response={201: RatingAppealOut, **ERRORS},
             summary="机构对某月星级申诉（每期一次）/ appeal a month's rating (once per period)")
def post_rating_appeal(request: HttpRequest, snapshot_id: int, payload: RatingAppealIn) -> Any:
    snapshot = get_scoped_or_404(RatingSnapshot, _rating_reader(request), pk=snapshot_id)
    try:
        appeal = file_rating_appeal(request.auth, snapshot, payload.reason)
    except (PermissionDenied, ValidationError) as refusal:
        raise _refused(refusal) from refusal
    return Status(201, RatingAppealOut.of(RatingAppeal.objects.select_related("snapshot").get(pk=appeal.pk)))


@router.get("/rating-appeals", response={200: list[RatingAppealOut], **ERRORS},
            summary="星级申诉 / rating appeals")
def rating_appeals(request: HttpRequest, status: str | None = Query(None, pattern=r"^(pending|upheld|revised)$"),
                   limit: int = Query(200, ge=1, le=1000), offset: int = Query(0, ge=0, le=1_000_000_000)) -> Any:
    rows = scoped(RatingAppeal.objects.select_related("snapshot"), _rating_reader(request))
    if status is not None:
        rows = rows.filter(status=status)
    return [RatingAppealOut.of(each) for each in rows.order_by("filed_at", "pk")[offset:offset + limit]]


@router.post("/rating-appeals/{int:appeal_id}/decision", response={200: RatingAppealOut, **ERRORS},
             summary="复核星级申诉（另一名工作人员）/ decide a rating appeal (another official)")
def post_rating_decision(request: HttpRequest, appeal_id: int, payload: RatingDecisionIn) -> Any:
    appeal = get_scoped_or_404(RatingAppeal, _rating_reader(request), pk=appeal_id)
    try:
        decided = decide_rating_appeal(request.auth, appeal, payload.revised_stars, payload.note)
    except (PermissionDenied, ValidationError) as refusal:
        raise _refused(refusal) from refusal
    return RatingAppealOut.of(RatingAppeal.objects.select_related("snapshot").get(pk=decided.pk))


# ---------------------------------------------------------------- the demand gap (1c 动态需求数据库)

class GapRowOut(Schema):
    occupation_code: str
    occupation_name: str  # the occupation's name, or the special-ability item's on an item's row
    level: int | None  # none on an item's row (3.2: items have no levels)
    item_code: str
    city_code: str
    reports: int
    demand: int
    certified: int
    placed: int
    gap: int


class GapOut(Schema):
    date_from: dt.date
    date_to: dt.date
    demand_as_of: dt.date
    city_code: str | None
    rows: list[GapRowOut]
    totals: dict[str, int]


@router.get("/demand-gap", response={200: GapOut, **ERRORS},
            summary="技能需求缺口（需求 − 取证 − 就业）/ the demand gap (demand − certified − placed)")
def demand_gap_table(request: HttpRequest, date_from: dt.date | None = None, date_to: dt.date | None = None,
                     city_code: str | None = Query(None, pattern=r"^\d{6}$"),
                     park_code: str | None = Query(None, max_length=32),
                     occupation_code: str | None = Query(None, max_length=16),
                     level: int | None = Query(None, ge=1, le=5),
                     item_code: str | None = Query(None, max_length=32)) -> Any:
    user = _reader(request)
    try:
        table = demand_gap.gap_table(user, date_from, date_to, city_code=city_code, park_code=park_code,
                                     occupation_code=occupation_code, level=level, item_code=item_code)
    except LookupError as elsewhere:
        raise Http404 from elsewhere  # the same 404 as any record out of scope
    except demand_gap.GapRefused as refusal:
        raise ApiError(422, refusal.code, refusal.zh, refusal.en) from refusal
    return GapOut(date_from=table.date_from, date_to=table.date_to, demand_as_of=table.as_of,
                  city_code=table.city.code if table.city else None, totals=table.totals,
                  rows=[GapRowOut(occupation_code=row.occupation_code, occupation_name=row.occupation_name,
                                  level=row.level, item_code=row.item_code, city_code=row.city_code,
                                  reports=row.reports, demand=row.demand, certified=row.certified, placed=row.placed,
                                  gap=row.gap) for row in table.rows])


class GapPointOut(Schema):
    day: dt.date
    events: list[str]  # reported, certified, placed, month_end
    demand: int
    certified: int
    placed: int
    gap: int


class GapHistoryOut(Schema):
    occupation_code: str
    item_code: str
    name: str
    level: int | None
    city_code: str
    date_from: dt.date
    date_to: dt.date
    points: list[GapPointOut]


@router.get("/demand-gap/history", response={200: GapHistoryOut, **ERRORS},
            summary="缺口变化：每月末及需求、发证、就业证明之日 / one row of the gap through time: month ends and "
                    "the days of reports, certificates and employment proofs")
def demand_gap_history(request: HttpRequest, date_from: dt.date | None = None, date_to: dt.date | None = None,
                       city_code: str | None = Query(None, pattern=r"^\d{6}$"),
                       occupation_code: str | None = Query(None, max_length=16),
                       level: int | None = Query(None, ge=1, le=5),
                       item_code: str | None = Query(None, max_length=32)) -> Any:
    user = _reader(request)
    try:
        history = demand_gap.gap_history(user, city_code=city_code, date_from=date_from, date_to=date_to,
                                         occupation_code=occupation_code, level=level, item_code=item_code)
    except LookupError as elsewhere:
        raise Http404 from elsewhere  # the same 404 as any record out of scope
    except demand_gap.GapRefused as refusal:
        raise ApiError(422, refusal.code, refusal.zh, refusal.en) from refusal
    return GapHistoryOut(occupation_code=history.occupation_code, item_code=history.item_code, name=history.name,
                         level=history.level, city_code=history.city.code, date_from=history.date_from,
                         date_to=history.date_to,
                         points=[GapPointOut(day=point.day, events=list(point.events), demand=point.demand,
                                             certified=point.certified, placed=point.placed, gap=point.gap)
                                 for point in history.points])


# The statistics (6a), the industry plans (6) and the optional targets per training type or programme (1a) add their
# routes to this router.
from qiancheng.insight import optional_targets_api, statistics_api  # noqa: E402, F401
