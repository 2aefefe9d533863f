"""Two officials record the same bank return at once (PostgreSQL, real threads): it is reversed once."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection

from qiancheng.accounts.models import User
from qiancheng.clock import today
from qiancheng.funding.models import ClaimStatus, LedgerTransaction, Payment, PaymentStatus, TransactionKind
from qiancheng.funding.services.funds import balances
from qiancheng.funding.services.ledger import verify_ledger
from qiancheng.funding.services.returns import record_bank_return
from qiancheng.funding.tests.money import funded, paid_claim
from qiancheng.funding.tests.test_money_concurrency import _race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks and concurrent writers need PostgreSQL"),
]


def test_sixteen_simultaneous_returns_of_one_payment_reverse_it_once(province_official: User,
                                                                      nanning_official: User) -> None:
    fund = funded(province_official, "10000.00")
    claim = paid_claim(nanning_official, fund)
    payment = Payment.objects.get(claim=claim)

    def give_back(index: int) -> str:
        actor = nanning_official if index % 2 else province_official
        record_bank_return(actor, Payment.objects.get(pk=payment.pk), reason="收款账户已销户",
                           bank_ref=f"TP-{index}", returned_on=today())
        return "returned"

    outcomes = _race(16, give_back, workers=16)
    assert Counter(o if isinstance(o, str) else o.code for o in outcomes) == {"returned": 1, "already_returned": 15}
    payment.refresh_from_db()
    claim.refresh_from_db()
    assert (payment.status, claim.status) == (PaymentStatus.REVERSED, ClaimStatus.APPROVED)
    assert LedgerTransaction.objects.filter(kind=TransactionKind.BANK_RETURN).count() == 1
    assert (balances(fund).paid, balances(fund).reserved) == (0, claim.total_amount)
    assert verify_ledger().ok
