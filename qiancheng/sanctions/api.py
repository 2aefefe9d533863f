"""`/api/v1/sanctions`: the register (6d) under city scope; listing an institution stays on
`/institutions/{id}/blacklist`; a listing is lifted early here, by the services' rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from qiancheng.accounts.api_errors import ApiError, ErrorOut
from qiancheng.accounts.scope import get_scoped_or_404, scoped
from qiancheng.sanctions import services
from qiancheng.sanctions.models import BlacklistEntry

router = Router(tags=["sanctions 处理与黑名单"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ListingOut(Schema):
    id: int
    institution_id: int | None
    person_masked: str  # the person's masked ID number, "" for an institution
    listed_from: dt.date
    listed_until: dt.date | None
    reason: str
    document_ref: str
    lifted_reason: str
    lifted_document_ref: str
    lifted_at: dt.datetime | None

    @staticmethod
    def of(entry: BlacklistEntry) -> ListingOut:
        return ListingOut(
            id=entry.pk, institution_id=entry.institution_id,
            person_masked=entry.person.id_number_masked if entry.person_id else "",
            listed_from=entry.listed_from, listed_until=entry.listed_until, reason=entry.reason,
            document_ref=entry.document_ref, lifted_reason=entry.lifted_reason,
            lifted_document_ref=entry.lifted_document_ref, lifted_at=entry.lifted_at,
        )


class LiftIn(Schema):
    # Every field has a default, so another city's listing answers 404 before the body is judged; a missing
    # field is then the services' 422.
    last_day: dt.date | None = None  # the last day listed (inclusive): yesterday at the earliest
    reason: str = Field("", max_length=2000)
    document_ref: str = Field("", max_length=services.DOCUMENT_REF_MAX)  # 解除决定文号


def _answer(refusal: ValidationError) -> ApiError:
    message = refusal.messages[0]
    zh, _, en = message.partition(" / ")
    return ApiError(422, refusal.error_list[0].code or "invalid", zh, en or zh)


@router.get("", response={200: list[ListingOut], **ERRORS}, summary="黑名单记录 / listings in the register")
def listings(request: HttpRequest, institution_id: int | None = None,
             in_force_on: dt.date | None = None,
             limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000_000)) -> Any:
    rows = scoped(BlacklistEntry, request.auth).select_related("person").order_by("-listed_from", "-pk")
    if institution_id is not None:
        rows = rows.filter(institution_id=institution_id)
    if in_force_on is not None:
        rows = rows.filter(services.in_force(in_force_on))
    return [ListingOut.of(entry) for entry in rows[offset:offset + limit]]


@router.post("/{int:entry_id}/lift", response={200: ListingOut, **ERRORS},
             summary="提前解除（须说明理由，不可追溯）/ lift a listing early, with a reason (never back-dated)")
def lift(request: HttpRequest, entry_id: int, payload: LiftIn) -> Any:
    entry = get_scoped_or_404(BlacklistEntry, request.auth, pk=entry_id)
    if payload.last_day is None:
        raise ApiError(422, "last_day_required", "请填写解除后的最后一日", "last_day (the last day listed) is required")
    try:
        lifted = services.lift_listing(request.auth, entry, payload.last_day, payload.reason, payload.document_ref)
    except ValidationError as refusal:
        raise _answer(refusal) from refusal
    return ListingOut.of(BlacklistEntry.objects.select_related("person").get(pk=lifted.pk))
