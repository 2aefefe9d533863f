"""`/api/v1/brands`: the training-brand registry (1d) and the published brands with their figures (1e).

Scope is `accounts.scope`'s (a city its own brands, the province all; another city's brand answers 404);
the published list is public (`auth=None`). The rules are brands/services.py's, the same as the pages'.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from qiancheng.accounts.api_errors import ApiError, ErrorOut
from qiancheng.accounts.scope import get_scoped_or_404, public, scoped
from qiancheng.brands import services
from qiancheng.brands.figures import brand_figures
from qiancheng.brands.models import NAME_MAX, REASON_MAX, BrandStatus, TrainingBrand
from qiancheng.training.models import TrainingClass

router = Router(tags=["brands 培训品牌"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
LIMIT = Query(100, ge=1, le=500)
OFFSET = Query(0, ge=0, le=1_000_000_000)
CLASSES_PER_CALL = 200
RELATED = ("city", "county", "enterprise", "occupation", "item")


def _answer(refusal: ValidationError) -> ApiError:
    if isinstance(refusal, services.NameRefused):
        return ApiError(422, "name_invalid", "品牌名称不符合“地方名（企业名）+职业（工种）名称+培训”",
                        "the name does not fit “place or enterprise + occupation or trade + 培训”",
                        details=[{"part": p.part, "code": p.code, "message_zh": p.zh, "message_en": p.en}
                                 for p in refusal.problems])
    zh, _sep, en = refusal.messages[0].partition(" / ")
    return ApiError(422, refusal.error_list[0].code or "invalid", zh, en or zh)


class FiguresOut(Schema):
    classes: int
    trainees: int
    completed: int
    certified: int
    employed: int
    pass_rate: str | None = Field(None, description="percent, one decimal; certified ÷ completed")
    employment_rate: str | None = Field(None, description="percent, one decimal; employed ÷ completed")


class BrandOut(Schema):
    id: int
    name: str
    city_code: str
    place: str
    county_code: str | None
    enterprise_id: int | None
    occupation_code: str | None
    item_code: str | None
    status: str
    decision_reason: str
    proposed_at: dt.datetime
    decided_at: dt.datetime | None
    class_ids: list[int]
    figures: FiguresOut

    @staticmethod
    def of(brand: TrainingBrand) -> BrandOut:
        figures = brand_figures(brand)
        return BrandOut(
            id=brand.pk, name=brand.name, city_code=brand.city_id, place=brand.place_text,
            county_code=brand.county_id, enterprise_id=brand.enterprise_id, occupation_code=brand.occupation_id,
            item_code=brand.item_id, status=brand.status, decision_reason=brand.decision_reason,
            proposed_at=brand.proposed_at, decided_at=brand.decided_at,
            class_ids=sorted(brand.classes.values_list("pk", flat=True)),
            figures=FiguresOut(classes=figures.classes, trainees=figures.trainees, completed=figures.completed,
                               certified=figures.certified, employed=figures.employed,
                               pass_rate=None if figures.pass_rate is None else str(figures.pass_rate),
                               employment_rate=None if figures.employment_rate is None
                               else str(figures.employment_rate)))


class PublishedOut(Schema):
    """A published brand as the public sees it: counts of 1 to 9 as "<10", rates only over 10 or more."""

    id: int
    name: str
    city_code: str
    trade: str
    classes: int
    trainees: str
    certified: str
    employed: str
    pass_rate: str | None
    employment_rate: str | None


class ProposeIn(Schema):
    name: str = Field(..., min_length=1, max_length=NAME_MAX)
    description: str = Field("", max_length=REASON_MAX)
    class_ids: list[int] = Field(default_factory=list, max_length=CLASSES_PER_CALL)


class LinkIn(Schema):
    class_ids: list[int] = Field(default_factory=list, max_length=CLASSES_PER_CALL)


class DecisionIn(Schema):
    # Defaults everywhere, so another city's brand answers 404 before the body is judged.
    decision: str = Field("", max_length=16)
    reason: str = Field("", max_length=REASON_MAX)


def _classes(request: HttpRequest, ids: list[int]) -> list[TrainingClass]:
    found = list(scoped(TrainingClass, request.auth).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ApiError(422, "class_unknown", "培训班不存在或不属于本市", "a class does not exist or is not the city's")
    return found


@router.get("", response={200: list[BrandOut], **ERRORS}, summary="培训品牌（市看本市，自治区看全部）/ brands in scope")
def brands(request: HttpRequest, status: str | None = Query(None, max_length=16),
           limit: int = LIMIT, offset: int = OFFSET) -> Any:
    rows = scoped(TrainingBrand.objects.select_related(*RELATED), request.auth).order_by("pk")
    if status:
        rows = rows.filter(status=status)
    return [BrandOut.of(each) for each in rows[offset:offset + limit]]


@router.post("", response={201: BrandOut, **ERRORS},
             summary="市人社局申报培训品牌（名称须为“地方名（企业名）+职业（工种）名称+培训”）/ a city proposes a brand")
def propose(request: HttpRequest, payload: ProposeIn) -> Any:
    try:
        brand = services.propose_brand(request.auth, name=payload.name, description=payload.description,
                                       classes=_classes(request, payload.class_ids))
    except ValidationError as refusal:
        raise _answer(refusal) from refusal
    return Status(201, BrandOut.of(brand))


@router.get("/published", response=list[PublishedOut], auth=None,
            summary="已发布的培训品牌及成效（小于10人不显示）/ published brands and their figures")
@public
def published(request: HttpRequest, limit: int = LIMIT, offset: int = OFFSET) -> Any:
    rows = TrainingBrand.objects.filter(status=BrandStatus.PUBLISHED).select_related(*RELATED).order_by("pk")
    answer = []
    for brand in rows[offset:offset + limit]:
        shown = brand_figures(brand).public()
        answer.append(PublishedOut(id=brand.pk, name=brand.name, city_code=brand.city_id, trade=brand.trade_name,
                                   classes=shown.classes, trainees=shown.trainees, certified=shown.certified,
                                   employed=shown.employed, pass_rate=shown.pass_rate,
                                   employment_rate=shown.employment_rate))
    return answer


@router.get("/{int:brand_id}", response={200: BrandOut, **ERRORS}, summary="培训品牌 / a brand")
def brand(request: HttpRequest, brand_id: int) -> Any:
    return BrandOut.of(get_scoped_or_404(TrainingBrand.objects.select_related(*RELATED), request.auth, pk=brand_id))


@router.post("/{int:brand_id}/classes", response={200: BrandOut, **ERRORS},
             summary="关联本市培训班 / the brand's city links classes to it")
def link(request: HttpRequest, brand_id: int, payload: LinkIn) -> Any:
    found = get_scoped_or_404(TrainingBrand, request.auth, pk=brand_id)
    try:
        services.link_classes(request.auth, found, _classes(request, payload.class_ids))
    except ValidationError as refusal:
        raise _answer(refusal) from refusal
    return BrandOut.of(TrainingBrand.objects.select_related(*RELATED).get(pk=found.pk))


@router.post("/{int:brand_id}/decision", response={200: BrandOut, **ERRORS},
             summary="自治区人社厅发布或不予发布（须说明理由）/ the province publishes or declines (with a reason)")
def decide(request: HttpRequest, brand_id: int, payload: DecisionIn) -> Any:
    found = get_scoped_or_404(TrainingBrand, request.auth, pk=brand_id)
    try:
        services.decision(request.auth, found, payload.decision, payload.reason)
    except ValidationError as refusal:
        raise _answer(refusal) from refusal
    return BrandOut.of(TrainingBrand.objects.select_related(*RELATED).get(pk=found.pk))
