"""`/api/v1/insight/statistics` and `/api/v1/insight/industry-plans` (6a, 6): the statistics page's figures with
the same filters, as JSON, and an industry's plan. Routes added to insight's router (imported at the end of
insight/api.py). Scoped: the province reads every city, a city official its own (another city: 404), an industry
department its own industry in every city (another industry: 404); every other role 403. Money in yuan as
decimal text, and in 万元 to two places."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Schema, Status

from qiancheng.accounts.api_errors import ApiError, refusal_error
from qiancheng.clock import today
from qiancheng.insight import industry_plans, statistics
from qiancheng.insight.api import ERRORS, router

YEAR_MIN, YEAR_MAX = 2000, 2100
CODE = r"^[0-9A-Za-z_\-]{1,32}$"


class StatisticsFiguresOut(Schema):
    trainings: int
    key_group: int
    key_group_share: str | None  # four places, "0.7000"; None without trainings
    people: int
    amount: str  # yuan, two places
    amount_wan: str  # 万元, two places

    @staticmethod
    def of(figures: statistics.Figures) -> StatisticsFiguresOut:
        share = figures.cell.share_decimal
        return StatisticsFiguresOut(trainings=figures.trainings, key_group=figures.key_group,
                          key_group_share=None if share is None else str(share), people=figures.people,
                          amount=f"{figures.amount:.2f}", amount_wan=f"{figures.amount_wan:.2f}")


class StatisticsRowOut(StatisticsFiguresOut):
    key: str
    label: str
    subtotal: bool


class StatisticsTableOut(Schema):
    name: str
    title: str
    rows: list[StatisticsRowOut]
    total: StatisticsFiguresOut


class StatisticsOut(Schema):
    year: int
    month: int | None
    period_from: dt.date
    period_to: dt.date
    scope_city: str | None
    scope_industry: str | None
    refreshed_at: dt.datetime | None  # the figures are as of this refresh of the pre-aggregate (None: never)
    total: StatisticsFiguresOut
    tables: list[StatisticsTableOut]


def _scope(request: HttpRequest) -> statistics.Scope:
    try:
        return statistics.scope_of(request.auth)
    except statistics.NotAReader as refused:
        raise ApiError(403, "forbidden", "只有人社部门和行业主管部门可以查看培训统计",
                       "Only officials and industry departments read the statistics") from refused


@router.get("/statistics", response={200: StatisticsOut, **ERRORS},
            summary="培训统计（与统计页面同一口径和筛选）/ the statistics, as on the page (6a)")
def statistics_figures(
        request: HttpRequest, year: int | None = Query(None, ge=YEAR_MIN, le=YEAR_MAX),
        month: int | None = Query(None, ge=1, le=12), city_code: str | None = Query(None, pattern=r"^\d{6}$"),
        county_code: str | None = Query(None, pattern=r"^\d{6}$"),
        training_type: str | None = Query(None, pattern=r"^(occupational|special_ability|entrepreneurship|project)$"),
        training_form: str | None = Query(None, pattern=r"^(employment_skills|pre_job|job_transfer|skill_upgrade)$"),
        fund: str | None = Query(None, pattern=r"^(employment_subsidy|special_account|unemployment_insurance)$"),
        occupation_code: str | None = Query(None, pattern=r"^[0-9A-Za-z\-]{1,16}$"),
        industry_code: str | None = Query(None, pattern=CODE), key_group: bool | None = None,
        programme_tag: str | None = Query(None, pattern=CODE),
        institution_id: int | None = Query(None, ge=1, le=2_147_483_647),
        tables: str | None = Query(None, max_length=200, description="comma-separated; default every table")) -> Any:
    scope = _scope(request)
    wanted = statistics.PAGE_TABLES if not tables else tuple(name.strip() for name in tables.split(","))
    unknown = [name for name in wanted if name not in statistics.PAGE_TABLES]
    if unknown:
        raise ApiError(422, "unknown_table", f"没有该统计表：{', '.join(unknown)}", f"no such table: {', '.join(unknown)}")
    filters = statistics.Filters(
        year=year or today().year, month=month, city=city_code, county=county_code, training_type=training_type,
        training_form=training_form, fund=fund, occupation=occupation_code, industry=industry_code,
        key_group=key_group, programme_tag=programme_tag, institution=institution_id)
    try:
        narrowed = filters.within(scope)
        total = statistics.summary(scope, narrowed)
        # One summary, shared as every table's total (the same selection; the trend only for a whole year).
        breakdowns = [statistics.trend(scope, narrowed, total=total if narrowed.month is None else None)
                      if name == "month" else statistics.breakdown(scope, narrowed, name, total=total)
                      for name in wanted]
    except statistics.OutOfScope as elsewhere:
        raise ApiError(404, "not_found", "未找到该记录", "No such record") from elsewhere
    first, last = narrowed.period()
    return StatisticsOut(
        year=narrowed.year, month=narrowed.month, period_from=first, period_to=last, scope_city=scope.city,
        scope_industry=scope.industry, refreshed_at=statistics.refreshed_at(narrowed.year),
        total=StatisticsFiguresOut.of(total),
        tables=[StatisticsTableOut(name=table.name, title=table.title, total=StatisticsFiguresOut.of(table.total), rows=[
            StatisticsRowOut(key=row.key, label=row.label, subtotal=row.subtotal, **StatisticsFiguresOut.of(row.figures).dict())
            for row in table.rows]) for table in breakdowns])


# ---------------------------------------------------------------- an industry's plan (6)


class IndustryPlanLineIn(Schema):
    occupation_code: str = Field(..., max_length=16)
    count: int = Field(..., ge=1, le=industry_plans.COUNT_MAX)


class IndustryPlanIn(Schema):
    year: int | None = Field(None, ge=YEAR_MIN, le=YEAR_MAX)
    document: str = Field("", max_length=industry_plans.DOCUMENT_MAX)
    lines: list[IndustryPlanLineIn] = Field(default_factory=list, max_length=industry_plans.LINES_MAX)


class IndustryPlanLineOut(Schema):
    occupation_code: str
    occupation_name: str
    planned: int
    expected_by_today: int
    achieved: int
    behind: bool


class IndustryPlanOut(Schema):
    industry_code: str
    year: int
    as_of: dt.date
    plan_id: int | None
    document: str | None
    filed_at: dt.datetime | None
    lines: list[IndustryPlanLineOut]
    planned: int
    expected_by_today: int
    achieved: int
    outside_plan: int

    @staticmethod
    def of(progress: industry_plans.PlanProgress) -> IndustryPlanOut:
        plan = progress.plan
        return IndustryPlanOut(
            industry_code=progress.industry.code, year=progress.year, as_of=progress.as_of,
            plan_id=plan.pk if plan else None, document=plan.document if plan else None,
            filed_at=plan.filed_at if plan else None, planned=progress.planned, expected_by_today=progress.expected,
            achieved=progress.achieved, outside_plan=progress.outside_plan,
            lines=[IndustryPlanLineOut(occupation_code=line.occupation_code, occupation_name=line.occupation_name,
                               planned=line.planned, expected_by_today=line.expected, achieved=line.achieved,
                               behind=line.behind) for line in progress.lines])


def _plan_reader(request: HttpRequest) -> Any:
    if getattr(request.auth, "role", None) not in industry_plans.READERS:
        raise ApiError(403, "forbidden", "只有自治区人社厅和行业主管部门可以查看行业培训计划",
                       "Only the province and industry departments read industry plans")
    return request.auth


@router.get("/industry-plans/{industry_code}", response={200: IndustryPlanOut, **ERRORS},
            summary="行业培训计划与完成情况 / an industry's plan against its trainings (6)")
def industry_plan(request: HttpRequest, industry_code: str,
                  year: int | None = Query(None, ge=YEAR_MIN, le=YEAR_MAX)) -> Any:
    if getattr(request.auth, "role", None) not in industry_plans.READERS:
        # The path names a record: another role gets the same 404 as a missing plan (accounts.scope).
        raise ApiError(404, "not_found", "未找到该记录", "No such record")
    try:
        return IndustryPlanOut.of(industry_plans.progress(request.auth, industry_code, year or today().year))
    except statistics.OutOfScope as elsewhere:
        raise ApiError(404, "not_found", "未找到该记录", "No such record") from elsewhere


@router.post("/industry-plans", response={201: IndustryPlanOut, **ERRORS},
             summary="行业主管部门报送年度培训计划 / an industry department files its plan (6)")
def post_industry_plan(request: HttpRequest, payload: IndustryPlanIn) -> Any:
    user = _plan_reader(request)
    if payload.year is None:
        raise ApiError(422, "missing_field", "须填写年度", "year is required")
    try:
        plan = industry_plans.file_plan(user, payload.year, [(line.occupation_code, line.count)
                                                             for line in payload.lines], payload.document)
    except PermissionDenied as refusal:
        raise ApiError(403, "forbidden", "只有行业主管部门可以报送本行业培训计划",
                       "Only an industry department files its plan") from refusal
    except ValidationError as refusal:
        raise refusal_error(refusal) from refusal
    return Status(201, IndustryPlanOut.of(industry_plans.progress(user, plan.industry_id, plan.year)))
