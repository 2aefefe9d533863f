"""A payment the bank returned (退票): reversed in the ledger, the claim approved again, paid again once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from qiancheng.accounts.models import AuditEntry, User
from qiancheng.clock import frozen_at, today
from qiancheng.funding.models import ClaimStatus, LedgerTransaction, Payment, PaymentStatus, TransactionKind
from qiancheng.funding.services.funds import balances
from qiancheng.funding.services.ledger import verify_ledger
from qiancheng.funding.services.payments import pay_batch
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.services.returns import record_bank_return
from qiancheng.funding.tests.money import funded, paid_claim
from qiancheng.insight.tests.rating_records import rated as rated_by_snapshot

pytestmark = pytest.mark.django_db


def _return(actor: User, payment: Payment, **changes: object) -> Payment:
    facts = {"reason": "收款账户已销户 / the payee's account is closed", "bank_ref": "TP-20251015-001",
             "returned_on": today()} | changes
    return record_bank_return(actor, payment, **facts)


def test_a_returned_payment_is_reversed_and_the_claim_is_paid_again_in_a_new_batch_once(
    province_official: User, nanning_official: User,
) -> None:
    fund = funded(province_official, "10000.00")
    claim = paid_claim(nanning_official, fund)
    paid = Payment.objects.get(claim=claim)
    before = balances(fund)
    assert before.paid == claim.total_amount and before.reserved == 0

    returned = _return(nanning_official, paid)

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert (returned.status, returned.return_bank_ref, returned.returned_on) == (
        PaymentStatus.REVERSED, "TP-20251015-001", today())
    assert "销户" in returned.reversal_reason and returned.reversed_at is not None
    # The money is back in the fund, reserved for the claim again: nothing paid, the total reserved.
    after = balances(fund)
    assert (after.paid, after.reserved, after.available) == (Decimal("0.00"), claim.total_amount, before.available)
    reversal = LedgerTransaction.objects.get(kind=TransactionKind.BANK_RETURN)
    assert reversal.claim_id == claim.pk and reversal.document_ref == "TP-20251015-001"
    report = verify_ledger()
    assert report.ok, report.problems
    audit = AuditEntry.objects.get(action="payment.returned")
    assert audit.actor_id == nanning_official.pk and audit.after["payment"] == paid.pk

    payments, refused = pay_batch(nanning_official, [claim], "PAY202512-450100-2")
    assert len(payments) == 1 and not refused and payments[0].pk != paid.pk
    again, refused_again = pay_batch(nanning_official, [claim], "PAY202512-450100-3")
    assert not again and [r.code for r in refused_again.values()] == ["not_approved"]
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
    assert Payment.objects.filter(claim=claim, status=PaymentStatus.PAID).count() == 1
    assert balances(fund).paid == claim.total_amount
    assert verify_ledger().ok


def test_a_payment_is_returned_once(province_official: User, nanning_official: User) -> None:
    fund = funded(province_official, "10000.00")
    paid = Payment.objects.get(claim=paid_claim(nanning_official, fund))
    _return(nanning_official, paid)
    with pytest.raises(FundingRefused) as twice:
        _return(province_official, paid, bank_ref="TP-20251015-002")
    assert (twice.value.code, twice.value.status) == ("already_returned", 409)
    assert LedgerTransaction.objects.filter(kind=TransactionKind.BANK_RETURN).count() == 1
    assert AuditEntry.objects.filter(action="payment.returned").count() == 1


def test_a_return_needs_reason_reference_and_a_date_no_later_than_today(
    province_official: User, nanning_official: User, liuzhou_official: User,
) -> None:
    fund = funded(province_official, "10000.00")
    paid = Payment.objects.get(claim=paid_claim(nanning_official, fund))
    refusals = {}
    for label, changes in {"reason": {"reason": "  "}, "ref": {"bank_ref": ""}, "date": {"returned_on": None},
                           "future": {"returned_on": today() + dt.timedelta(days=1)}}.items():
        with pytest.raises(FundingRefused) as refused:
            _return(nanning_official, paid, **changes)
        refusals[label] = (refused.value.code, refused.value.status)
    assert refusals == {"reason": ("reason_missing", 422), "ref": ("bank_ref_missing", 422),
                        "date": ("returned_on_missing", 422), "future": ("returned_on_out_of_range", 422)}
    with pytest.raises(FundingRefused) as other_city:
        _return(liuzhou_official, paid)
    assert other_city.value.status == 403
    paid.refresh_from_db()
    assert paid.status == PaymentStatus.PAID and verify_ledger().ok
    assert not LedgerTransaction.objects.filter(kind=TransactionKind.BANK_RETURN).exists()


def test_a_returned_payment_that_netted_an_advance_gives_the_advance_its_part_back(
    province_official: User, nanning_official: User,
) -> None:
    from qiancheng.funding.services.advances import grant_advance
    from qiancheng.funding.services.claims import approve_claim
    from qiancheng.funding.services.payments import pay_claim
    from qiancheng.funding.tests.money import filed_claim, paid_for_enrolment
    from qiancheng.training.models import ClassStatus, Enrolment, TrainingClass
    from qiancheng.training.tests import builders

    rated = rated_by_snapshot(builders.institution())
    training = builders.training_class(status=ClassStatus.APPROVED, institution=rated)
    enrolment = paid_for_enrolment(training)
    fund = funded(province_official, "100000.00")
    with frozen_at(dt.date(2025, 9, 15)):  # granted while the class ran and the institution was approved
        advance = grant_advance(nanning_official, training, fund, "adv-return")
    TrainingClass.objects.filter(pk=training.pk).update(status=ClassStatus.FINISHED)
    claim = filed_claim(province_official, Enrolment.objects.get(pk=enrolment.pk), fund)
    approve_claim(nanning_official, claim)
    paid = pay_claim(nanning_official, claim, "pay-netted")
    assert paid.advance_applied > 0
    before = balances(fund)

    _return(nanning_official, paid)

    advance.refresh_from_db()
    assert advance.applied == Decimal("0.00")
    after = balances(fund)
    # The net paid is back and the advance's share is owed to the claim again: the whole total is reserved.
    assert (after.paid, after.reserved) == (before.paid - paid.amount, claim.total_amount)
    assert verify_ledger().ok
    again = pay_claim(nanning_official, claim, "pay-netted-again")
    assert (again.amount, again.advance_applied) == (paid.amount, paid.advance_applied)
    assert balances(fund).paid == before.paid and verify_ledger().ok
