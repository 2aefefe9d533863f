"""Matching in the API (1b): `/api/v1/insight/recommendations` (a trainee), `/insight/demand-reports/{id}/candidates`
(the enterprise of the report), `/insight/matching` (officials). Routes added to insight's router (imported by
qiancheng/api.py). The answers are insight.matching's, the same as the pages'."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Schema

from qiancheng.accounts.api_errors import ApiError, refusal_error
from qiancheng.accounts.models import Role
from qiancheng.insight import matching
from qiancheng.insight.api import ERRORS, router


def _forbidden(refusal: PermissionDenied) -> ApiError:
    zh, _sep, en = str(refusal).partition(" / ")
    return ApiError(403, "forbidden", zh, en or zh)


class RefusalOut(Schema):
    clause: str
    message_zh: str
    message_en: str


class EntitlementOut(Schema):
    on: dt.date
    left_this_year: int
    left_in_programme: int
    used_levels: list[tuple[str, int]]
    closed_levels: list[tuple[str, int]]


class ClassMatchOut(Schema):
    class_id: int
    name: str
    institution: str
    city_code: str
    occupation_code: str
    level: int
    start_date: dt.date
    end_date: dt.date
    nearness: str  # county, city, province
    entitled: bool
    refusals: list[RefusalOut]


class ProjectMatchOut(Schema):
    project_id: int
    code: str
    title: str
    city_code: str
    for_occupation: str
    nearness: str
    entitled: bool
    refusals: list[RefusalOut]


class RecommendationsOut(Schema):
    entitlement: EntitlementOut
    classes: list[ClassMatchOut]
    projects: list[ProjectMatchOut]


CITY_CODE = Query(None, max_length=6)
NEARNESS = {matching.SAME_COUNTY: "county", matching.SAME_CITY: "city", matching.PROVINCE: "province"}


def _refusals(found: tuple[matching.Refusal, ...]) -> list[RefusalOut]:
    return [RefusalOut(clause=each.clause, message_zh=each.zh, message_en=each.en) for each in found]


@router.get("/recommendations", response={200: RecommendationsOut, **ERRORS},
            summary="为我推荐：符合本人技能需求和剩余补贴资格的培训班和项目 / classes and projects for the trainee's "
                    "reported gaps, with what they are still entitled to")
def recommendations(request: HttpRequest) -> Any:
    if request.auth.role != Role.TRAINEE:
        raise ApiError(403, "forbidden", "只有学员本人可以查看推荐", "only the trainee sees their recommendations")
    found = matching.recommendations(request.auth)
    entitlement = found.entitlement
    return RecommendationsOut(
        entitlement=EntitlementOut(on=entitlement.on, left_this_year=entitlement.left_this_year,
                                   left_in_programme=entitlement.left_in_programme,
                                   used_levels=list(entitlement.used_levels),
                                   closed_levels=list(entitlement.closed_levels)),
        classes=[ClassMatchOut(
            class_id=m.training_class.pk, name=m.training_class.name, institution=m.training_class.institution.name,
            city_code=m.training_class.city_id, occupation_code=m.training_class.occupation_id,
            level=m.training_class.level, start_date=m.training_class.start_date, end_date=m.training_class.end_date,
            nearness=NEARNESS[m.nearness], entitled=m.entitled, refusals=_refusals(m.refusals))
            for m in found.classes],
        projects=[ProjectMatchOut(
            project_id=m.project.pk, code=m.project.code, title=m.project.title, city_code=m.project.city_id,
            for_occupation=m.need.occupation_id, nearness=NEARNESS[m.nearness], entitled=m.entitled,
            refusals=_refusals(m.refusals)) for m in found.projects])


class MatchCandidateOut(Schema):
    candidate_id: int  # the consent's id: never the person's key or ID number
    masked_name: str
    occupation_code: str | None  # None for a special-ability certificate
    level: int | None
    item_code: str | None = None  # the special-ability item (专项职业能力) of the certificate
    issued_on: dt.date
    city: str
    phone_masked: str
    may_reveal_phone: bool


@router.get("/demand-reports/{int:report_id}/candidates", response={200: list[MatchCandidateOut], **ERRORS},
            summary="候选人：持有匹配证书并同意企业联系的人（本企业的需求）/ consenting holders of a matching "
                    "certificate, for the enterprise's own demand report")
def candidates(request: HttpRequest, report_id: int) -> Any:
    try:
        _report, rows = matching.candidates(request.auth, report_id)
    except PermissionDenied as refusal:
        raise _forbidden(refusal) from refusal
    return [MatchCandidateOut(candidate_id=c.consent_id, masked_name=c.masked_name, occupation_code=c.occupation_code,
                         level=c.level, item_code=c.item_code, issued_on=c.issued_on, city=c.city_name, phone_masked=c.phone_masked,
                         may_reveal_phone=c.may_reveal_phone) for c in rows]


class RevealIn(Schema):
    reason: str = Field("", max_length=200)


class PhoneOut(Schema):
    phone: str


@router.post("/demand-reports/{int:report_id}/candidates/{int:candidate_id}/phone",
             response={200: PhoneOut, **ERRORS},
             summary="查看候选人手机号（本人授权含手机号时；留痕）/ a candidate's phone, where their consent allows it "
                     "(audited)")
def candidate_phone(request: HttpRequest, report_id: int, candidate_id: int, payload: RevealIn) -> Any:
    try:
        return PhoneOut(phone=matching.reveal_candidate_phone(request.auth, report_id, candidate_id, payload.reason))
    except PermissionDenied as refusal:
        raise _forbidden(refusal) from refusal
    except LookupError as missing:
        raise ApiError(404, "not_found", "未找到该候选人", "no such candidate") from missing
    except ValidationError as refusal:
        raise refusal_error(refusal) from refusal


class MatchedShareOut(Schema):
    date_from: dt.date
    date_to: dt.date
    days: int
    demand: int
    matched: int
    share: Decimal | None


class GapReportOut(Schema):
    report_id: int
    enterprise: str
    occupation_code: str | None  # None where the report names a special-ability item
    level: int | None
    item_code: str | None = None
    city_code: str
    headcount: int


class GapNeedOut(Schema):
    occupation_code: str
    level: int
    city_code: str
    workers: int


class IdleClassOut(Schema):
    class_id: int
    name: str
    occupation_code: str | None  # None for a special-ability class
    level: int | None
    item_code: str | None = None
    city_code: str
    start_date: dt.date


class MatchingOut(Schema):
    share: MatchedShareOut
    demand_without_classes: list[GapReportOut]
    workers_without_classes: list[GapNeedOut]
    classes_without_demand: list[IdleClassOut]


def _share(found: matching.MatchedShare) -> MatchedShareOut:
    return MatchedShareOut(date_from=found.date_from, date_to=found.date_to, days=found.days, demand=found.demand,
                    matched=found.matched, share=found.share)


@router.get("/matching", response={200: MatchingOut, **ERRORS},
            summary="供需匹配：无培训班承接的需求、无需求的培训班和匹配率（本市/全区）/ demand without classes, classes "
                    "without demand, and the matched share")
def city_matching(request: HttpRequest) -> Any:
    try:
        found = matching.city_overview(request.auth)
    except PermissionDenied as refusal:
        raise _forbidden(refusal) from refusal
    return MatchingOut(
        share=_share(found.share),
        demand_without_classes=[GapReportOut(
            report_id=r.pk, enterprise=r.enterprise.name, occupation_code=r.occupation_id, level=r.level,
            item_code=r.item_id, city_code=r.enterprise.city_id, headcount=r.headcount) for r in found.unanswered_reports],
        workers_without_classes=[GapNeedOut(occupation_code=row["occupation"].code, level=row["level"],
                                            city_code=row["city"].code, workers=row["workers"])
                                 for row in found.unanswered_needs],
        classes_without_demand=[IdleClassOut(class_id=c.pk, name=c.name, occupation_code=c.occupation_id,
                                             level=c.level, item_code=c.item_id, city_code=c.city_id, start_date=c.start_date)
                                for c in found.idle_classes])


@router.get("/matched-share", response={200: MatchedShareOut, **ERRORS},
            summary="需求人数在天数内匹配到培训班的比例 / the share of demand headcount matched to a class in time")
def matched_share(request: HttpRequest, date_from: dt.date | None = None, date_to: dt.date | None = None,
                  city_code: str | None = CITY_CODE) -> Any:
    if request.auth.role == Role.CITY_OFFICIAL and city_code and city_code != request.auth.city_id:
        raise ApiError(404, "not_found", "未找到该记录", "No such record")
    try:
        return _share(matching.matched_share(request.auth, date_from, date_to, city_code=city_code))
    except PermissionDenied as refusal:
        raise _forbidden(refusal) from refusal
    except ValidationError as refusal:
        raise refusal_error(refusal) from refusal
