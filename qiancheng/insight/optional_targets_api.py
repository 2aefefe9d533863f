"""`/api/v1/insight/optional-targets` (1a): the province's optional targets per training type or programme, their
history and the year's progress against them; routes added to insight's router (imported at the end of
insight/api.py). The province sets; the province and city officials read; every other role 403. Bad input is a 422
in the API's problem shape naming the field (`details`: `{"field": ...}`), in Chinese and English."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Schema, Status

from qiancheng.accounts.api_errors import ApiError, split_message
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.clock import today
from qiancheng.insight import optional_targets
from qiancheng.insight.api import ERRORS, router
from qiancheng.insight.optional_target_models import OptionalTarget
from qiancheng.policy.params import plan_figures

YEAR_MIN, YEAR_MAX = 2000, 2100


def _reader(request: HttpRequest) -> Any:
    if getattr(request.auth, "role", None) not in optional_targets.READERS:
        raise ApiError(403, "forbidden", "只有自治区人社厅和市人社局工作人员可以查看分类培训目标",
                       "Only the province's and the cities' officials read optional targets")
    return request.auth


def _field_error(refusal: optional_targets.Refused) -> ApiError:
    zh, en = split_message(refusal.messages[0])
    return ApiError(422, refusal.code or "invalid", zh, en, details=[{"field": refusal.field}])


def _year(year: int | None) -> int:
    years = plan_figures().target_years()
    if year is None:
        return min(max(today().year, years[0]), years[-1])
    if year not in years:
        raise ApiError(422, "year_outside_plan", f"年度（year）须为行动计划的目标年度（{years[0]}—{years[-1]}年）",
                       f"year: a year the plan sets a target for ({years[0]}-{years[-1]})", details=[{"field": "year"}])
    return year


class OptionalTargetOut(Schema):
    id: int
    year: int
    training_type: str | None  # one of the two is set
    programme_tag: str | None
    count: int
    document: str
    valid_from: dt.date
    set_by: str
    set_at: dt.datetime

    @staticmethod
    def of(entry: OptionalTarget) -> OptionalTargetOut:
        return OptionalTargetOut(id=entry.pk, year=entry.year, training_type=entry.training_type or None,
                                 programme_tag=entry.programme_tag_id, count=entry.count, document=entry.document,
                                 valid_from=entry.valid_from, set_by=entry.set_by.username, set_at=entry.set_at)


class OptionalTargetIn(Schema):
    # Any value is taken (the document states the intended types), so that every bad value is the service's 422
    # naming its field in both languages rather than a bare schema error.
    year: Any = Field(None, description="a year of the plan (2025-2027)", json_schema_extra={"type": "integer"})
    training_type: Any = Field(None, description="the training type; or give programme_tag",
                               json_schema_extra={"type": "string", "enum": list(TrainingType.values)})
    programme_tag: Any = Field(None, description="a programme tag's code (GET /api/v1/catalog/programme-tags); or "
                                                 "give training_type", json_schema_extra={"type": "string"})
    count: Any = Field(None, description="subsidised trainings (人次), 1 to 10,000,000",
                       json_schema_extra={"type": "integer"})
    document: Any = Field("", description="文号 of the document that sets it", json_schema_extra={"type": "string"})
    valid_from: Any = Field(None, description="the day it takes effect, within the year",
                            json_schema_extra={"type": "string", "format": "date"})


class OptionalProgressOut(Schema):
    training_type: str | None
    programme_tag: str | None
    label: str
    target_id: int
    target: int
    document: str
    valid_from: dt.date
    achieved: int
    expected_by_today: int
    projected_year_end: int | None
    behind: bool


class OptionalReportOut(Schema):
    year: int
    as_of: dt.date
    rows: list[OptionalProgressOut]
    behind: list[str]  # the training types' values and programme tags' codes behind the calendar


def _date(value: Any) -> Any:
    """An ISO date text as a date; anything else is left for the service to refuse, naming the field."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return value
    return value


@router.get("/optional-targets", response={200: list[OptionalTargetOut], **ERRORS},
            summary="分类培训目标记录（按培训类型或专项培训，含历史）/ optional targets, every entry kept")
def optional_target_entries(request: HttpRequest, year: int | None = Query(None, ge=YEAR_MIN, le=YEAR_MAX),
                            limit: int = Query(200, ge=1, le=1000),
                            offset: int = Query(0, ge=0, le=1_000_000_000)) -> Any:
    rows = optional_targets.entries(_reader(request), year).order_by(
        "year", "training_type", "programme_tag_id", "-valid_from", "-pk")
    return [OptionalTargetOut.of(entry) for entry in rows[offset:offset + limit]]


@router.get("/optional-targets/progress", response={200: OptionalReportOut, **ERRORS},
            summary="分类培训目标进度 / the year's progress against the optional targets")
def optional_target_progress(request: HttpRequest,
                             year: int | None = Query(None, ge=YEAR_MIN, le=YEAR_MAX)) -> Any:
    report = optional_targets.progress(_reader(request), _year(year))
    rows = [OptionalProgressOut(
        training_type=row.subject.code if row.subject.kind == optional_targets.TRAINING_TYPE else None,
        programme_tag=row.subject.code if row.subject.kind == optional_targets.PROGRAMME_TAG else None,
        label=row.label, target_id=row.target.pk, target=row.target.count, document=row.target.document,
        valid_from=row.target.valid_from, achieved=row.achieved, expected_by_today=row.expected,
        projected_year_end=row.projected, behind=row.behind) for row in report.rows]
    return OptionalReportOut(year=report.year, as_of=report.as_of, rows=rows,
                             behind=[row.subject.code for row in report.behind])


@router.post("/optional-targets", response={201: OptionalTargetOut, **ERRORS},
             summary="设定分类培训目标（自治区人社厅）/ record an optional target (province)")
def post_optional_target(request: HttpRequest, payload: OptionalTargetIn) -> Any:
    user = _reader(request)
    try:
        entry = optional_targets.set_optional_target(
            user, payload.year, training_type=payload.training_type, programme_tag=payload.programme_tag,
            count=payload.count, document=payload.document, valid_from=_date(payload.valid_from))
    except PermissionDenied as refusal:
        raise ApiError(403, "forbidden", "只有自治区人社厅可以设定分类培训目标",
                       "Only the province sets optional targets") from refusal
    except optional_targets.Refused as refusal:
        raise _field_error(refusal) from refusal
    return Status(201, OptionalTargetOut.of(OptionalTarget.objects.select_related("set_by").get(pk=entry.pk)))
