"""Payment batches (拨付批次) as officials make them, on the pages and through the API: the batch is recorded
with its claims and total, paid at once up to the four-eyes threshold, or left "待复核 awaiting second
official" above it until a different official of the same scope approves (and it is paid) or refuses it.

Every batch reference is made by `batch_reference`, one format: PAY<yyyymmdd>-<holder>-<10 hex>, the
holder being the preparing official's city code or GX for the province, and the hex a digest of the key
the request carried, so the same form (or API request) sent twice names the same batch.

Lock order: the batch row, then all its claim rows in primary-key order, then the audit chain and fund rows
(ADR 0003).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from qiancheng.accounts.audit import record_event
from qiancheng.accounts.scope import scoped
from qiancheng.clock import today
from qiancheng.funding.models import (
    ClaimStatus,
    Payment,
    PaymentBatch,
    SecondCheck,
    SubsidyClaim,
    TopupStatus,
)
from qiancheng.funding.services.claims import REVIEWER_ROLES, require_reviewer
from qiancheng.funding.services.four_eyes import (
    four_eyes_threshold,
    needs_second_official,
    refuse_awaiting,
    require_reason,
    require_second_official,
)
from qiancheng.funding.services.payments import pay_batch
from qiancheng.funding.services.refusal import FundingRefused

PROVINCE_HOLDER = "GX"
BATCH_REFERENCE = re.compile(r"^PAY\d{8}-(?:\d{6}|GX)-[0-9A-F]{10}$")


def batch_reference(holder: str, on: dt.date, key: str) -> str:
    """The one format of a payment batch's reference (docs/money.md): PAY<yyyymmdd>-<holder>-<digest>."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:10].upper()
    return f"PAY{on:%Y%m%d}-{holder}-{digest}"


def batch_reference_column(on: str, holder: str, key_prefix: str) -> pl.Expr:
    """`batch_reference` as a Polars column, for batches written in bulk (the synthetic province): one batch
    per day and holder, the key `<key_prefix>:<day>:<holder>`. The function runs once per distinct batch."""

    def references(pairs: pl.Series) -> pl.Series:
        frame = pairs.struct.unnest()
        rows = list(zip(frame[on], frame[holder].fill_null(PROVINCE_HOLDER), strict=True))
        made = {(day, who): batch_reference(who, day, f"{key_prefix}:{day:%Y%m%d}:{who}") for day, who in set(rows)}
        return pl.Series([made[row] for row in rows], dtype=pl.String)

    return pl.struct(on, holder).map_batches(references, return_dtype=pl.String)


def holder_of(actor: Any) -> str:
    return getattr(actor, "city_id", None) or PROVINCE_HOLDER


def payable() -> Q:
    """Approved claims, and paid claims whose 5.2c top-up was approved (pay_claim pays the top-up then)."""
    return Q(status=ClaimStatus.APPROVED) | Q(status=ClaimStatus.PAID, topup_status=TopupStatus.APPROVED)


def amount_due(claim: SubsidyClaim) -> Decimal:
    """What paying the claim moves from reserved to paid: its top-up when already paid, else its total."""
    if claim.status == ClaimStatus.PAID:
        return claim.topup_amount or Decimal("0.00")
    return claim.total_amount or Decimal("0.00")


def awaiting_claims() -> Q:
    """Claims held in a batch that waits for its second official; they are in no other batch meanwhile."""
    return Q(payment_batches__status=SecondCheck.AWAITING)


@dataclass
class BatchOutcome:
    """A batch and what its run did: the payments made and, by claim number, why each other claim was not."""

    batch: PaymentBatch
    payments: list[Payment] = field(default_factory=list)
    refusals: dict[str, FundingRefused] = field(default_factory=dict)

    @property
    def paid_total(self) -> Decimal:
        return sum((payment.amount for payment in self.payments), start=Decimal("0.00"))


def _require_official(actor: Any) -> None:
    if getattr(actor, "role", None) not in REVIEWER_ROLES or not actor.is_active:
        raise FundingRefused("forbidden", "只有人社部门工作人员可以支付", "only officials may pay", status=403)


def _lock_claims(pks: list[int]) -> None:
    """ADR 0003: every claim row of the batch, in primary-key order, before the first audit event; paying
    them one by one would otherwise lock a claim while holding the audit chain."""
    list(SubsidyClaim.objects.select_for_update().filter(pk__in=pks).order_by("pk").values_list("pk", flat=True))


def _payments_of(batch: PaymentBatch) -> list[Payment]:
    return list(Payment.objects.filter(batch_ref=batch.reference).select_related("claim").order_by("claim__pk"))


def _run(actor: Any, batch: PaymentBatch) -> BatchOutcome:
    payments, refusals = pay_batch(actor, list(batch.claims.order_by("pk")), batch.reference)
    return BatchOutcome(batch, payments, refusals)


def prepare_payment_batch(actor: Any, claims: Sequence[SubsidyClaim], key: str) -> BatchOutcome:
    """Record a batch of the chosen claims and, up to the threshold, pay it at once.

    A claim not ready to pay, or held in a batch awaiting its second official, is left out with its
    reason. The same `key` on the same day names the same batch, which is returned as it stands."""
    _require_official(actor)
    if not key.strip():
        raise FundingRefused("key_missing", "支付批次须带幂等键", "a payment batch needs an idempotency key", status=422)
    reference = batch_reference(holder_of(actor), today(), key.strip())
    with transaction.atomic():
        existing = PaymentBatch.objects.select_for_update().filter(reference=reference).first()
        if existing is not None:
            return BatchOutcome(existing, _payments_of(existing))
        for claim in claims:
            require_reviewer(actor, claim)
        _lock_claims([claim.pk for claim in claims])
        ready = SubsidyClaim.objects.filter(pk__in=[claim.pk for claim in claims]).filter(payable())
        held = set(ready.filter(awaiting_claims()).values_list("pk", flat=True))
        chosen = [claim for claim in ready.order_by("pk") if claim.pk not in held]
        refusals = {claim.number: _not_ready(claim, claim.pk in held) for claim in claims
                    if claim.pk not in {each.pk for each in chosen}}
        if not chosen:
            raise FundingRefused("nothing_to_pay", "所选申领都不能支付", "none of the chosen claims can be paid",
                                 status=422)
        total = sum((amount_due(claim) for claim in chosen), start=Decimal("0.00"))
        waits = needs_second_official(total)
        batch = PaymentBatch.objects.create(
            reference=reference, city_id=getattr(actor, "city_id", None), count=len(chosen), total=total,
            status=SecondCheck.AWAITING if waits else SecondCheck.DONE, prepared_by=actor)
        batch.claims.set(chosen)
        record_event(actor, "payment_batch.prepared", batch, after={
            "reference": reference, "status": batch.status, "count": len(chosen), "total": total,
            "claims": [claim.number for claim in chosen], "threshold": four_eyes_threshold().amount})
        if waits:
            return BatchOutcome(batch, refusals=refusals)
        outcome = _run(actor, batch)
    outcome.refusals = {**refusals, **outcome.refusals}
    return outcome


def pay_one_claim(actor: Any, claim: SubsidyClaim, key: str) -> BatchOutcome:
    """A batch of one claim (the API's `POST /payments`): the same four-eyes threshold and reference format
    as any batch, so paying claims one by one neither skips a second official nor invents a reference.
    A claim that cannot be paid is refused with its own reason, not with "nothing to pay"."""
    try:
        outcome = prepare_payment_batch(actor, [claim], key)
    except FundingRefused as refusal:
        if refusal.code != "nothing_to_pay":
            raise
        claim.refresh_from_db()
        held = SubsidyClaim.objects.filter(pk=claim.pk).filter(awaiting_claims()).exists()
        raise _not_ready(claim, held) from refusal
    if claim.number in outcome.refusals:
        raise outcome.refusals[claim.number]
    return outcome


def _not_ready(claim: SubsidyClaim, held: bool) -> FundingRefused:
    if held:
        return FundingRefused("in_awaiting_batch", f"申领{claim.number}已在待复核的支付批次中",
                              f"claim {claim.number} is in a batch awaiting its second official", status=409)
    return FundingRefused("not_approved", f"申领{claim.number}当前状态为“{claim.get_status_display()}”，不能支付",
                          f"claim {claim.number} is {claim.status}, not approved", status=409)


def _locked_in_scope(actor: Any, batch: PaymentBatch) -> PaymentBatch:
    _require_official(actor)
    if not scoped(PaymentBatch.objects.filter(pk=batch.pk), actor).exists():
        raise FundingRefused("forbidden", "无权复核该支付批次", "not allowed to review this payment batch", status=403)
    return PaymentBatch.objects.select_for_update().get(pk=batch.pk)


def approve_payment_batch(actor: Any, batch: PaymentBatch) -> BatchOutcome:
    """The second official pays a batch awaiting review. The batch row is locked first: two approvals at
    once pay once (the second finds the batch done and gets its payments back)."""
    with transaction.atomic():
        current = _locked_in_scope(actor, batch)
        if current.status == SecondCheck.DONE:
            return BatchOutcome(current, _payments_of(current))
        if current.status == SecondCheck.REFUSED:
            raise FundingRefused("already_refused", "该支付批次已被退回", "this payment batch was refused", status=409)
        require_second_official(actor, current.prepared_by_id)
        _lock_claims(list(current.claims.values_list("pk", flat=True)))
        current.status, current.second_official, current.decided_at = SecondCheck.DONE, actor, timezone.now()
        current.save(update_fields=["status", "second_official", "decided_at"])
        outcome = _run(actor, current)
        record_event(actor, "payment_batch.approved", current, before={"status": SecondCheck.AWAITING}, after={
            "status": current.status, "prepared_by": current.prepared_by_id, "second_official": actor.pk,
            "paid": [payment.claim.number for payment in outcome.payments], "paid_total": outcome.paid_total,
            "not_paid": sorted(outcome.refusals)})
    return outcome


def refuse_payment_batch(actor: Any, batch: PaymentBatch, reason: str) -> PaymentBatch:
    """The second official sends the batch back with a reason; nothing is paid and its claims are free again."""
    reason = require_reason(reason)
    with transaction.atomic():
        current = _locked_in_scope(actor, batch)
        if current.status != SecondCheck.AWAITING:
            raise FundingRefused("not_awaiting", "该支付批次不在待复核状态", "this payment batch is not awaiting review",
                                 status=409)
        refuse_awaiting(actor, current, reason, "payment_batch.refused")
    return current
