"""Payment (拨付) of approved claims: reserved money becomes paid money, once per claim (6c)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from qiancheng.accounts.audit import record_event
from qiancheng.funding.models import (
    ClaimStatus,
    Payment,
    PaymentPart,
    PaymentStatus,
    SubsidyClaim,
    TopupStatus,
    TransactionKind,
)
from qiancheng.funding.services.advances import advance_share_for
from qiancheng.funding.services.claim_status import move_claim
from qiancheng.funding.services.claims import require_reviewer
from qiancheng.funding.services.ledger import AVAILABLE, PAID, RESERVED, Entry, post_transaction, transfer
from qiancheng.funding.services.refusal import FundingRefused


def _first_with_key(idempotency_key: str, claim: SubsidyClaim) -> Payment | None:
    first = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if first is not None and first.claim_id != claim.pk:
        raise FundingRefused("key_reused", "该幂等键已用于另一笔申领的支付",
                             "this idempotency key was used for another claim's payment")
    return first


def pay_claim(actor: Any, claim: SubsidyClaim, idempotency_key: str, *, batch_ref: str = "") -> Payment:
    """Pay an approved claim its reserved total: Dr fund.reserved / Cr fund.paid, a Payment, status paid.
    When the class received an advance (3.6) from the same fund account, the payment nets its share
    (`advances.advance_share_for`): the Payment is the total less that part, which goes back to available.

    The same `idempotency_key` returns the first payment. A claim is never paid twice: the claim row is
    locked, only an approved claim is paid, and UNIQUE(claim) WHERE status = paid backs that up.
    """
    require_reviewer(actor, claim)
    if not idempotency_key.strip():
        raise FundingRefused("key_missing", "支付须带幂等键", "a payment needs an idempotency key", status=422)
    first = _first_with_key(idempotency_key, claim)
    if first is not None:
        return first
    try:
        with transaction.atomic():
            current = SubsidyClaim.objects.select_for_update().get(pk=claim.pk)
            # A retry that raced the first attempt with the same key waits for the lock, then finds it here.
            first = _first_with_key(idempotency_key, claim)
            if first is not None:
                return first
            if current.status == ClaimStatus.PAID and current.topup_status == TopupStatus.APPROVED:
                return _pay_topup(actor, current, idempotency_key, batch_ref)
            if current.status != ClaimStatus.APPROVED:
                raise FundingRefused("not_approved",
                                     f"申领{current.number}当前状态为“{current.get_status_display()}”，不能支付",
                                     f"claim {current.number} is {current.status}, not approved")
            if not current.total_amount or current.fund_account is None:
                raise FundingRefused("nothing_to_pay", f"申领{current.number}没有可支付的预留金额",
                                     f"claim {current.number} has no reserved amount to pay", status=422)
            # 3.6: the class's advance already paid part of this claim (claim row → advance row lock order).
            advance, applied = advance_share_for(current)
            fund, total = current.fund_account, current.total_amount
            if advance is None:
                entries = transfer(fund, total, debit=RESERVED, credit=PAID)
                memo = f"支付 {current.number} / payment"
            else:
                # The claim's reservation is used up: the net is paid now, the advanced part goes back to
                # available because the ADVANCE posting paid it already.
                entries = [Entry(RESERVED, fund, debit=total), Entry(PAID, fund, credit=total - applied),
                           Entry(AVAILABLE, fund, credit=applied)]
                memo = f"支付 {current.number}，冲抵垫付#{advance.pk} {applied} / payment net of advance"
            posting = post_transaction(actor, TransactionKind.PAYMENT, entries, memo=memo, document_ref=batch_ref,
                                       claim=current, idempotency_key=f"payment:{idempotency_key}")
            payment = Payment.objects.create(
                claim=current, person_id=current.person_id, amount=total - applied, paid_at=timezone.now(),
                batch_ref=batch_ref, idempotency_key=idempotency_key, ledger_transaction=posting,
                status=PaymentStatus.PAID, created_by=actor, advance=advance, advance_applied=applied,
            )
            if advance is not None:
                advance.applied += applied
                advance.save(update_fields=["applied"])
            before = move_claim(current, ClaimStatus.PAID)
            record_event(actor, "claim.paid", current, before={"status": before},
                         after={"status": current.status, "amount": payment.amount, "payment": payment.pk,
                                "advance_applied": applied})
    except IntegrityError:
        first = _first_with_key(idempotency_key, claim)
        if first is None:
            raise
        return first
    return payment


def _pay_topup(actor: Any, current: SubsidyClaim, idempotency_key: str, batch_ref: str) -> Payment:
    """5.2c after payment: pay the approved top-up it reserved (Dr reserved / Cr paid), a payment of its own
    part, so UNIQUE(claim, part) WHERE paid still means "never twice". Runs in pay_claim's transaction."""
    fund, amount = current.fund_account, current.topup_amount
    posting = post_transaction(actor, TransactionKind.PAYMENT, transfer(fund, amount, debit=RESERVED, credit=PAID),
                               memo=f"就业补贴补拨 {current.number} / 5.2c employment subsidy top-up",
                               document_ref=batch_ref, claim=current, idempotency_key=f"payment:{idempotency_key}")
    payment = Payment.objects.create(
        claim=current, person_id=current.person_id, amount=amount, part=PaymentPart.EMPLOYMENT_TOPUP,
        paid_at=timezone.now(), batch_ref=batch_ref, idempotency_key=idempotency_key, ledger_transaction=posting,
        status=PaymentStatus.PAID, created_by=actor,
    )
    current.topup_status = TopupStatus.PAID
    current.save(update_fields=["topup_status", "updated_at"])
    record_event(actor, "claim.topup_paid", current, before={"topup_status": TopupStatus.APPROVED},
                 after={"topup_status": TopupStatus.PAID, "amount": amount, "payment": payment.pk})
    return payment


def pay_batch(actor: Any, claims: Sequence[SubsidyClaim], batch_ref: str) -> tuple[list[Payment], dict[str, FundingRefused]]:
    """Pay a city's batch (拨付批次): each approved claim once, keyed by batch and claim number, so running
    the same batch again pays nothing twice and returns the same payments. Returns the payments and, by
    claim number, why each other claim was not paid."""
    if not batch_ref.strip():
        raise FundingRefused("batch_ref_missing", "支付批次须有批次号", "a payment batch needs a batch reference",
                             status=422)
    payments: list[Payment] = []
    refused: dict[str, FundingRefused] = {}
    for claim in sorted(claims, key=lambda each: each.pk):
        try:
            payments.append(pay_claim(actor, claim, f"batch:{batch_ref.strip()}:{claim.number}",
                                      batch_ref=batch_ref.strip()))
        except FundingRefused as refusal:
            refused[claim.number] = refusal
    return payments, refused
