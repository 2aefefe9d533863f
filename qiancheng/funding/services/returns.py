"""A payment the bank sent back (退票): its posting is reversed and the claim can be paid again.

A bank returns a payment when the payee's account is closed, its name does not match, and the like. The
money is back in the fund, so the payment's own ledger posting is reversed entry by entry (what was paid
is reserved again; with a 3.6 advance netted, the advance's part goes back to it too), the payment is
marked reversed with the bank's date, reference and the reason, and the claim (or its 5.2c top-up) is
approved again: the reservation stands, and a later batch pays it once (UNIQUE(claim, part) WHERE paid
lets a reversed payment be redone, never a standing one twice).

Lock order as every money change (ADR 0003): the claim row, then the payment row, then the audit chain
and the fund rows inside `post_transaction`. Two officials recording the same return at once: the second
waits on the claim row, then finds the payment reversed and is refused, so the posting happens once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from qiancheng.accounts.audit import record_event
from qiancheng.clock import today
from qiancheng.funding.models import (
    Advance,
    AdvanceStatus,
    ClaimStatus,
    Payment,
    PaymentPart,
    PaymentStatus,
    SubsidyClaim,
    TopupStatus,
    TransactionKind,
)
from qiancheng.funding.services.claim_status import move_claim
from qiancheng.funding.services.claims import require_reviewer
from qiancheng.funding.services.ledger import Entry, post_transaction
from qiancheng.funding.services.refusal import FundingRefused


def _check_return_facts(payment: Payment, reason: str, bank_ref: str, returned_on: dt.date | None) -> None:
    if not reason.strip():
        raise FundingRefused("reason_missing", "退票须说明原因", "a bank return needs its reason", status=422)
    if not bank_ref.strip() or len(bank_ref.strip()) > 64:
        raise FundingRefused("bank_ref_missing", "退票须填写银行退票凭证号（1-64个字符）",
                             "a bank return needs the bank's reference (1-64 characters)", status=422)
    if returned_on is None:
        raise FundingRefused("returned_on_missing", "退票须填写银行退票日期", "a bank return needs the bank's date",
                             status=422)
    # paid_at is the machine's time; a rehearsal may set the programme clock behind it, and then only
    # "not after today" can be asked of the bank's date.
    paid_on = min(timezone.localdate(payment.paid_at), today())
    if returned_on < paid_on or returned_on > today():
        raise FundingRefused("returned_on_out_of_range",
                             f"退票日期{returned_on}须在支付日{paid_on}与今天{today()}之间",
                             f"the return date {returned_on} must lie between the payment date {paid_on} and "
                             f"today {today()}", status=422)


def _reopen(claim: SubsidyClaim, payment: Payment) -> dict[str, str]:
    """Put the claim (or its top-up) back to approved; the returned before/after for the audit row."""
    if payment.part == PaymentPart.EMPLOYMENT_TOPUP:
        if claim.topup_status != TopupStatus.PAID:
            raise FundingRefused("topup_not_paid", f"申领{claim.number}的就业补贴补拨不是已支付状态，不能登记退票",
                                 f"claim {claim.number}'s top-up is not paid; no return can be recorded")
        claim.topup_status = TopupStatus.APPROVED
        claim.save(update_fields=["topup_status", "updated_at"])
        return {"topup_status": TopupStatus.APPROVED}
    if claim.status != ClaimStatus.PAID:
        # A recovered claim (6d) has its own case: the money owed is settled there, not by a return.
        raise FundingRefused("claim_not_paid",
                             f"申领{claim.number}当前状态为“{claim.get_status_display()}”，不能登记退票",
                             f"claim {claim.number} is {claim.status}, not paid; no return can be recorded")
    if claim.topup_status in (TopupStatus.APPROVED, TopupStatus.PAID):
        # A top-up exists only on a paid claim (claim_topup_only_after_payment): its return comes first.
        raise FundingRefused("topup_standing", f"申领{claim.number}有就业补贴补拨，请先登记补拨的退票",
                             f"claim {claim.number} has a top-up; record the top-up's return first")
    move_claim(claim, ClaimStatus.APPROVED)
    return {"status": ClaimStatus.APPROVED}


def _give_back_advance(payment: Payment) -> None:
    """3.6: the advance's part this payment netted is owed to the claim again, so a new payment nets it again."""
    if payment.advance_id is None:
        return
    advance = Advance.objects.select_for_update().get(pk=payment.advance_id)
    if advance.status != AdvanceStatus.GRANTED:
        raise FundingRefused("advance_closed", f"该笔支付冲抵的垫付#{advance.pk}已结算，退票请按更正处理",
                             f"the advance #{advance.pk} this payment netted is closed; record a correction instead")
    advance.applied -= payment.advance_applied
    advance.save(update_fields=["applied"])


def record_bank_return(actor: Any, payment: Payment, *, reason: str, bank_ref: str,
                       returned_on: dt.date | None) -> Payment:
    """Record the bank's return of a paid payment: reverse its posting, mark it reversed, approve its claim
    (or top-up) again. Refused for a payment already reversed: a payment is returned once."""
    claim = SubsidyClaim.objects.get(pk=payment.claim_id)
    require_reviewer(actor, claim)
    with transaction.atomic():
        claim = SubsidyClaim.objects.select_for_update().get(pk=payment.claim_id)
        current = Payment.objects.select_for_update().get(pk=payment.pk)
        if current.status != PaymentStatus.PAID:
            raise FundingRefused("already_returned", f"申领{claim.number}的这笔支付已冲回，不能重复登记退票",
                                 f"this payment of claim {claim.number} was already reversed", status=409)
        _check_return_facts(current, reason, bank_ref, returned_on)
        before = {"status": claim.status, "topup_status": claim.topup_status}
        after = _reopen(claim, current)
        _give_back_advance(current)
        # The payment's own entries, debit and credit swapped: the exact opposite of what it moved.
        entries = [Entry(e.account, e.fund, debit=e.credit, credit=e.debit)
                   for e in current.ledger_transaction.entries.select_related("fund")]
        posting = post_transaction(
            actor, TransactionKind.BANK_RETURN, entries, claim=claim, document_ref=bank_ref.strip(),
            memo=f"退票 {claim.number}：冲回凭证#{current.ledger_transaction_id}（{reason.strip()}） / bank return",
            idempotency_key=f"bank_return:{current.pk}",
        )
        current.status = PaymentStatus.REVERSED
        current.reversed_at = timezone.now()
        current.reversal_reason = reason.strip()
        current.return_bank_ref = bank_ref.strip()
        current.returned_on = returned_on
        current.save(update_fields=["status", "reversed_at", "reversal_reason", "return_bank_ref", "returned_on"])
        record_event(actor, "payment.returned", claim, before=before, after={
            **after, "payment": current.pk, "amount": current.amount, "part": current.part,
            "bank_ref": current.return_bank_ref, "returned_on": returned_on.isoformat() if returned_on else None,
            "ledger_transaction": posting.pk,
        }, reason=reason.strip())
    return current
