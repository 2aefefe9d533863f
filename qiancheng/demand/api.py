"""`/api/v1/demand`: enterprises and their city's review, census rounds, demand reports (1c, 4.1).

Scope is `accounts.scope`'s: an enterprise sees itself and its own reports, a city official its city, the
province all; another city's record answers 404. Every input is bounded by its schema, so bad input is 422
in the problem shape (accounts/api_errors.py); the rules are demand/services.py's, the same as the pages'.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from qiancheng.accounts.api_errors import ApiError, ErrorOut
from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import get_scoped_or_404, scoped
from qiancheng.catalog.models import City, IndustrialPark
from qiancheng.demand import report_file, services
from qiancheng.demand.models import (
    CONTENT_MAX,
    HEADCOUNT_MAX,
    WAGE_MAX,
    CensusRound,
    DemandReport,
    Enterprise,
)
from qiancheng.demand.parks import appoint_park_operator
from qiancheng.people.masking import mask_phone
from qiancheng.web.tabular import MAX_UPLOAD_BYTES

router = Router(tags=["demand 需求普查"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
OPTIONAL_FILE = File(None)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORTS_PER_CALL = 1000
LIMIT = Query(100, ge=1, le=500)
OFFSET = Query(0, ge=0, le=1_000_000_000)


def _answer(refusal: ValidationError) -> ApiError:
    if isinstance(refusal, services.ReportsRefused):
        return ApiError(422, "reports_invalid", f"需求填报有{len(refusal.problems)}处错误，均未保存",
                        f"{len(refusal.problems)} problems; nothing was saved",
                        details=[problem.as_json() for problem in refusal.problems])
    zh, _sep, en = refusal.messages[0].partition(" / ")
    return ApiError(422, refusal.error_list[0].code or "invalid", zh, en or zh)


class EnterpriseOut(Schema):
    id: int
    name: str
    uscc: str
    city_code: str
    park_code: str | None
    status: str
    status_reason: str
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    legal_representative: str
    phone_masked: str  # an organisation's phone is often its owner's mobile: masked, as a person's is
    address: str

    @staticmethod
    def of(enterprise: Enterprise) -> EnterpriseOut:
        return EnterpriseOut(id=enterprise.pk, name=enterprise.name, uscc=enterprise.uscc, city_code=enterprise.city_id,
                             park_code=enterprise.park.code if enterprise.park_id else None, status=enterprise.status,
                             status_reason=enterprise.status_reason, submitted_at=enterprise.submitted_at,
                             reviewed_at=enterprise.reviewed_at, legal_representative=enterprise.legal_representative,
                             phone_masked=mask_phone(enterprise.phone) if enterprise.phone else "",
                             address=enterprise.address)


class EnterpriseFactsIn(Schema):
    # Omitted (None): kept as stored.
    legal_representative: str | None = Field(None, max_length=64)
    phone: str | None = Field(None, max_length=32)
    address: str | None = Field(None, max_length=256)


class ReviewIn(Schema):
    # Defaults everywhere, so another city's enterprise answers 404 before the body is judged.
    decision: str = Field("", max_length=16)
    reason: str = Field("", max_length=services.REASON_MAX)


class RoundIn(Schema):
    title: str = Field(..., min_length=1, max_length=services.TITLE_MAX)
    period_from: dt.date
    period_to: dt.date
    scope: str = Field(..., max_length=16)
    city_code: str | None = Field(None, max_length=6)
    park_code: str | None = Field(None, max_length=32)


class RoundOut(Schema):
    id: int
    title: str
    period_from: dt.date
    period_to: dt.date
    scope: str
    city_code: str | None
    park_code: str | None

    @staticmethod
    def of(census: CensusRound) -> RoundOut:
        return RoundOut(id=census.pk, title=census.title, period_from=census.period_from, period_to=census.period_to,
                        scope=census.scope, city_code=census.city_id,
                        park_code=census.park.code if census.park_id else None)


class ReportIn(Schema):
    occupation_code: str | None = Field(None, max_length=16)
    level: int | None = Field(None, ge=1, le=5)
    item_code: str | None = Field(None, max_length=32, description="专项职业能力项目编码（无国家标准时，不填等级）")
    content: str = Field("", max_length=CONTENT_MAX)
    headcount: int = Field(..., ge=1, le=HEADCOUNT_MAX)
    wage_offered: Decimal = Field(..., ge=0, le=WAGE_MAX, max_digits=9, decimal_places=2)
    county_code: str = Field(..., min_length=1, max_length=6)
    industry_code: str = Field(..., min_length=1, max_length=32)
    deadline: dt.date
    will_hire: bool


class ReportsIn(Schema):
    reports: list[ReportIn] = Field(default_factory=list, max_length=REPORTS_PER_CALL)


class ReportOut(Schema):
    id: int
    round_id: int
    enterprise_id: int
    occupation_code: str | None
    level: int | None
    item_code: str | None
    content: str
    headcount: int
    wage_offered: Decimal
    county_code: str
    industry_code: str
    deadline: dt.date
    will_hire: bool

    @staticmethod
    def of(report: DemandReport) -> ReportOut:
        return ReportOut(id=report.pk, round_id=report.census_round_id, enterprise_id=report.enterprise_id,
                         occupation_code=report.occupation_id, level=report.level, item_code=report.item_id,
                         content=report.content,
                         headcount=report.headcount, wage_offered=report.wage_offered, county_code=report.county_id,
                         industry_code=report.industry_id, deadline=report.deadline, will_hire=report.will_hire)


class SubmitOut(Schema):
    created: int
    updated: int
    unchanged: int


# ---- enterprises ----

@router.get("/enterprises", response={200: list[EnterpriseOut], **ERRORS}, summary="企业 / enterprises in scope")
def enterprises(request: HttpRequest, status: str | None = Query(None, max_length=16),
                limit: int = LIMIT, offset: int = OFFSET) -> Any:
    rows = scoped(Enterprise, request.auth).select_related("park").order_by("pk")
    if status:
        rows = rows.filter(status=status)
    return [EnterpriseOut.of(each) for each in rows[offset:offset + limit]]


@router.get("/enterprises/{int:enterprise_id}", response={200: EnterpriseOut, **ERRORS}, summary="企业 / an enterprise")
def enterprise(request: HttpRequest, enterprise_id: int) -> Any:
    return EnterpriseOut.of(get_scoped_or_404(Enterprise.objects.select_related("park"), request.auth, pk=enterprise_id))


@router.post("/enterprises/{int:enterprise_id}/review", response={200: EnterpriseOut, **ERRORS},
             summary="所在市审核企业注册（通过，或说明理由不予通过）/ the city approves or rejects (with a reason)")
def review(request: HttpRequest, enterprise_id: int, payload: ReviewIn) -> Any:
    found = get_scoped_or_404(Enterprise, request.auth, pk=enterprise_id)
    try:
        reviewed = services.review_enterprise(request.auth, found, payload.decision, payload.reason)
    except ValidationError as refusal:
        raise _answer(refusal) from refusal
    return EnterpriseOut.of(Enterprise.objects.select_related("park").get(pk=reviewed.pk))


@router.post("/enterprises/{int:enterprise_id}/registry-facts", response={200: EnterpriseOut, **ERRORS},
             summary="更新登记信息（法定代表人、单位联系电话、地址）/ the enterprise updates its registry facts")
def registry_facts(request: HttpRequest, enterprise_id: int, payload: EnterpriseFactsIn) -> Any:
    found = get_scoped_or_404(Enterprise, request.auth, pk=enterprise_id)
    try:
        updated = services.update_enterprise_facts(request.auth, found, legal_representative=payload.legal_representative,
                                                   phone=payload.phone, address=payload.address)
    except ValidationError as refusal:
        if not hasattr(refusal, "error_dict"):
            raise _answer(refusal) from refusal
        details = [{"field": field, "zh": zh, "en": en or zh} for field, messages in refusal.message_dict.items()
                   for zh, _sep, en in (message.partition(" / ") for message in messages)]
        raise ApiError(422, "invalid_fields", f"{details[0]['field']}：{details[0]['zh']}", details[0]["en"],
                       details=details) from refusal
    return EnterpriseOut.of(Enterprise.objects.select_related("park").get(pk=updated.pk))


class OperatorIn(Schema):
    # A default, so another city's park answers 404 before the body is judged.
    enterprise_id: int = Field(0, ge=0, le=2**31 - 1)


@router.post("/parks/{code}/operator", response={200: EnterpriseOut, **ERRORS},
             summary="指定园区运营主体（园区所在市或自治区）/ the park's city or the province appoints its operator (4.1)")
def appoint_operator(request: HttpRequest, code: str, payload: OperatorIn) -> Any:
    park = get_scoped_or_404(IndustrialPark, request.auth, code=code)
    chosen = get_scoped_or_404(Enterprise, request.auth, pk=payload.enterprise_id)
    try:
        appointed = appoint_park_operator(request.auth, park, chosen)
    except ValidationError as refusal:
        raise _answer(refusal) from refusal
    return EnterpriseOut.of(Enterprise.objects.select_related("park").get(pk=appointed.pk))


# ---- census rounds ----

@router.get("/rounds", response={200: list[RoundOut], **ERRORS}, summary="需求普查轮次 / census rounds in scope")
def rounds(request: HttpRequest, limit: int = LIMIT, offset: int = OFFSET) -> Any:
    rows = scoped(CensusRound, request.auth).select_related("park")
    return [RoundOut.of(each) for each in rows[offset:offset + limit]]


@router.post("/rounds", response={201: RoundOut, **ERRORS},
             summary="发起需求普查（全区、一个市或一个园区）/ open a census round (province, a city or a park)")
def open_round(request: HttpRequest, payload: RoundIn) -> Any:
    city = City.objects.filter(pk=payload.city_code).first() if payload.city_code else None
    park = IndustrialPark.objects.filter(code=payload.park_code).first() if payload.park_code else None
    if payload.city_code and city is None:
        raise ApiError(422, "city_unknown", "市代码无效", "unknown city code")
    if payload.park_code and park is None:
        raise ApiError(422, "park_unknown", "园区代码无效", "unknown park code")
    try:
        census = services.open_round(request.auth, title=payload.title, period_from=payload.period_from,
                                     period_to=payload.period_to, scope=payload.scope, city=city, park=park)
    except ValidationError as refusal:
        raise _answer(refusal) from refusal
    return Status(201, RoundOut.of(census))


@router.get("/rounds/{int:round_id}", response={200: RoundOut, **ERRORS}, summary="需求普查轮次 / a census round")
def round_detail(request: HttpRequest, round_id: int) -> Any:
    return RoundOut.of(get_scoped_or_404(CensusRound.objects.select_related("park"), request.auth, pk=round_id))


# ---- demand reports ----

@router.get("/reports", response={200: list[ReportOut], **ERRORS},
            summary="需求填报（企业看本企业，市看本市，自治区看全部）/ demand reports in scope")
def reports(request: HttpRequest, round_id: int | None = Query(None, ge=1, le=2**31 - 1),
            limit: int = LIMIT, offset: int = OFFSET) -> Any:
    rows = scoped(DemandReport, request.auth).order_by("pk")
    if round_id is not None:
        rows = rows.filter(census_round_id=round_id)
    return [ReportOut.of(each) for each in rows[offset:offset + limit]]


def _own_enterprise(request: HttpRequest) -> Enterprise:
    if request.auth.role != Role.ENTERPRISE:
        raise ApiError(403, "forbidden", "只有企业本身可以填报需求", "only the enterprise itself reports its demand")
    return request.auth.enterprise


@router.post("/rounds/{int:round_id}/reports", response={200: SubmitOut, **ERRORS},
             summary="填报需求（全部保存或全部不保存；同一需求再次提交即更新）/ report demand: all or nothing, "
                     "the same need again updates it")
def submit(request: HttpRequest, round_id: int, payload: ReportsIn) -> Any:
    census = get_scoped_or_404(CensusRound, request.auth, pk=round_id)
    rows = [services.ReportInput(occupation=each.occupation_code, level=each.level, item=each.item_code,
                                 content=each.content,
                                 headcount=each.headcount, wage_offered=each.wage_offered, county=each.county_code,
                                 industry=each.industry_code, deadline=each.deadline, will_hire=each.will_hire)
            for each in payload.reports]
    try:
        result = services.submit_reports(request.auth, census, _own_enterprise(request), rows)
    except ValidationError as refusal:
        raise _answer(refusal) from refusal
    return SubmitOut(created=len(result.created), updated=len(result.updated), unchanged=result.unchanged)


@router.post("/rounds/{int:round_id}/reports/upload", response={200: SubmitOut, **ERRORS},
             summary="上传需求填报表 .xlsx（有错行则整表不保存，每处错误注明行、列和原因）/ upload the demand sheet: "
                     "all rows or none, each problem with its row, column and reason")
def upload(request: HttpRequest, round_id: int, file: UploadedFile | None = OPTIONAL_FILE) -> Any:
    # The file is optional in the signature so that the scope check answers (404) before a missing file (422).
    census = get_scoped_or_404(CensusRound, request.auth, pk=round_id)
    enterprise = _own_enterprise(request)
    if file is None:
        raise ApiError(422, "file", "缺少需求填报表文件", "the file is missing")
    try:
        rows = report_file.read_reports(file.name or "demand.xlsx", file.read(MAX_UPLOAD_BYTES + 1))
        result = services.submit_reports(request.auth, census, enterprise, rows)
    except services.ReportsRefused as refused:
        raise ApiError(422, "reports_invalid", f"需求填报表有{len(refused.problems)}处错误，整表未保存",
                       f"{len(refused.problems)} problems in the sheet; nothing was saved",
                       details=[{**problem.as_json(), "column": report_file.column_of(problem.field)}
                                for problem in refused.problems]) from refused
    except ValidationError as refusal:
        raise _answer(refusal) from refusal
    return SubmitOut(created=len(result.created), updated=len(result.updated), unchanged=result.unchanged)


@router.get("/template", summary="下载需求填报模板 / download the demand sheet template (.xlsx)")
def template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(report_file.demand_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="demand-template.xlsx"'
    return response
