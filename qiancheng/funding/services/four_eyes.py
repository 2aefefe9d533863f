"""Four-eyes (四眼复核) on large movements of money: a payment batch or an allocation above the threshold in
force is prepared by one official and waits, "待复核 awaiting second official", until a different official
of the same scope approves it (and the money moves) or refuses it with a reason. Both are audited.

The plan sets no such figure, so the threshold is a dated local-practice parameter (FOUR_EYES_THRESHOLDS),
stated once here with its source, like the credit-payment terms in advances.py.

Allocations: `request_allocation` allocates at once up to the threshold; above it, an AllocationRequest
waits for `approve_allocation` / `refuse_allocation` by another province official. Payment batches are in
payment_batches.py and use the same threshold and the same two-officials check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from qiancheng.accounts.audit import record_event
from qiancheng.catalog.models import City, IndustrialPark
from qiancheng.clock import today
from qiancheng.funding.models import AllocationRequest, FundAccount, PaymentBatch, SecondCheck
from qiancheng.funding.services.funds import allocate, check_allocation, require_province_official
from qiancheng.funding.services.refusal import FundingRefused


@dataclass(frozen=True)
class FourEyesThreshold:
    """Above `amount`, a payment batch or an allocation needs a second official, from `effective_from` on."""

    effective_from: dt.date
    amount: Decimal
    source: str
    last_checked: dt.date


# Source: local practice. The plan (五、培训资金) requires funds to be "专款专用" and audited but names no
# amount for a second signature; 1,000,000 CNY is the figure this deployment's finance officers set.
FOUR_EYES_THRESHOLDS = (
    FourEyesThreshold(dt.date(2025, 1, 1), Decimal("1000000.00"),
                      "本地做法 local practice (the plan gives no figure; set by the province's finance office)",
                      dt.date(2026, 12, 6)),
)


def four_eyes_threshold(day: dt.date | None = None) -> FourEyesThreshold:
    """The threshold in force on `day` (the programme's today by default): the latest entry started."""
    day = day or today()
    started = [entry for entry in FOUR_EYES_THRESHOLDS if entry.effective_from <= day]
    if not started:
        raise FundingRefused("no_threshold", f"{day}没有生效的复核金额标准",
                             f"no four-eyes threshold in force on {day}", status=422)
    return max(started, key=lambda entry: entry.effective_from)


def needs_second_official(amount: Decimal, day: dt.date | None = None) -> bool:
    return amount > four_eyes_threshold(day).amount


def require_second_official(actor: Any, prepared_by_id: int) -> None:
    """The same person can never both prepare and approve (the database's CHECK backs this up)."""
    if actor.pk == prepared_by_id:
        raise FundingRefused("same_official", "复核须由另一名工作人员进行，准备人不能复核自己的操作",
                             "a second official must approve: whoever prepared it cannot approve it", status=403)


def require_reason(reason: str) -> str:
    if not reason.strip():
        raise FundingRefused("reason_missing", "退回须说明理由", "a refusal needs a reason", status=422)
    return reason.strip()


def refuse_awaiting(actor: Any, current: PaymentBatch | AllocationRequest, reason: str, action: str) -> None:
    """The second official's refusal of a batch or an allocation, written the one way for both: inside the
    caller's transaction, with `current` locked and found awaiting, `reason` already required."""
    require_second_official(actor, current.prepared_by_id)
    current.status, current.refusal_reason = SecondCheck.REFUSED, reason
    current.second_official, current.decided_at = actor, timezone.now()
    current.save(update_fields=["status", "refusal_reason", "second_official", "decided_at"])
    record_event(actor, action, current, before={"status": SecondCheck.AWAITING},
                 after={"status": current.status, "prepared_by": current.prepared_by_id}, reason=reason)


def check_allocation_request(actor: Any, source: str, year: int, amount: Decimal, document_ref: str,
                             city: City | None = None, park: IndustrialPark | None = None) -> None:
    """Every rule the allocation must pass, without writing (funds.check_allocation): the check page shows a
    refusal before the confirm, and an allocation the service would refuse never waits for a second official."""
    require_province_official(actor, "下达资金", "allocate funds")
    check_allocation(source, year, amount, document_ref, park)


def request_allocation(actor: Any, source: str, year: int, amount: Decimal, document_ref: str,
                       city: City | None = None, park: IndustrialPark | None = None) -> FundAccount | AllocationRequest:
    """The province's allocation (下达) as pages and the API make it: up to the threshold it is allocated at
    once (the fund account is returned); above it, an AllocationRequest waits for a second official."""
    require_province_official(actor, "下达资金", "allocate funds")
    if not isinstance(amount, Decimal) or not needs_second_official(amount):
        return allocate(actor, source, year, amount, document_ref, city=city, park=park)
    with transaction.atomic():
        check_allocation_request(actor, source, year, amount, document_ref, city, park)
        request = AllocationRequest.objects.create(
            source=source, year=year, city=park.city if park is not None else city, park=park, amount=amount,
            document_ref=document_ref.strip(), status=SecondCheck.AWAITING, prepared_by=actor)
        record_event(actor, "allocation.prepared", request, after={
            "status": request.status, "amount": amount, "source": source, "year": year,
            "city": request.city_id, "park": park.pk if park is not None else None,
            "document_ref": request.document_ref, "threshold": four_eyes_threshold().amount})
    return request


def approve_allocation(actor: Any, request: AllocationRequest) -> AllocationRequest:
    """A second province official releases the allocation. The request row is locked first, so two
    approvals at once allocate once: the second finds it done and returns it."""
    require_province_official(actor, "复核资金下达", "approve an allocation")
    with transaction.atomic():
        current = AllocationRequest.objects.select_for_update().get(pk=request.pk)
        if current.status == SecondCheck.DONE:
            return current
        if current.status == SecondCheck.REFUSED:
            raise FundingRefused("already_refused", "该资金下达已被退回", "this allocation was refused", status=409)
        require_second_official(actor, current.prepared_by_id)
        fund = allocate(actor, current.source, current.year, current.amount, current.document_ref,
                        city=current.city if current.park_id is None else None, park=current.park,
                        idempotency_key=f"allocation-request:{current.pk}")
        current.status, current.fund_account = SecondCheck.DONE, fund
        current.second_official, current.decided_at = actor, timezone.now()
        current.save(update_fields=["status", "fund_account", "second_official", "decided_at"])
        record_event(actor, "allocation.approved", current, before={"status": SecondCheck.AWAITING},
                     after={"status": current.status, "fund_account": fund.pk, "amount": current.amount,
                            "prepared_by": current.prepared_by_id, "second_official": actor.pk})
    return current


def refuse_allocation(actor: Any, request: AllocationRequest, reason: str) -> AllocationRequest:
    """A second province official sends the allocation back with a reason; nothing is allocated."""
    require_province_official(actor, "复核资金下达", "refuse an allocation")
    reason = require_reason(reason)
    with transaction.atomic():
        current = AllocationRequest.objects.select_for_update().get(pk=request.pk)
        if current.status != SecondCheck.AWAITING:
            raise FundingRefused("not_awaiting", "该资金下达不在待复核状态", "this allocation is not awaiting review",
                                 status=409)
        refuse_awaiting(actor, current, reason, "allocation.refused")
    return current
