"""Follow-up money (appeals, repayments, advances) under real concurrency (PostgreSQL, real threads): an appeal decided by several officials
at once is decided once and reserves once; a repayment voucher submitted many times at once is recorded
once; a class's advance granted many times at once is paid once."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection

from qiancheng.accounts.models import Role, User
from qiancheng.funding.models import (
    Advance,
    Appeal,
    AppealStatus,
    LedgerTransaction,
    RecoveryReason,
    RecoveryRepayment,
    SubsidyClaim,
    TransactionKind,
)
from qiancheng.funding.services.advances import grant_advance
from qiancheng.funding.services.appeals import decide_appeal, file_appeal
from qiancheng.funding.services.claims import reject_claim
from qiancheng.funding.services.funds import balances
from qiancheng.funding.services.ledger import verify_ledger
from qiancheng.funding.services.recovery import open_recovery, record_repayment
from qiancheng.funding.tests.money import (
    filed_claim,
    finished_class,
    funded,
    institution_user_of,
    paid_claim,
    paid_for_enrolment,
)
from qiancheng.funding.tests.test_money_concurrency import _race
from qiancheng.insight.tests.rating_records import rated as rated_by_snapshot
from qiancheng.training.models import ClassStatus
from qiancheng.training.tests import builders

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks and concurrent writers need PostgreSQL"),
]


def test_sixteen_officials_upholding_one_appeal_at_once_reserve_once(province_official: User,
                                                                     nanning_official: User) -> None:
    training = finished_class()
    fund = funded(province_official, "10000.00")
    claim = filed_claim(province_official, paid_for_enrolment(training), fund)
    reject_claim(nanning_official, claim, "材料不全")
    appeal = file_appeal(institution_user_of(training), claim, "材料齐全", [])
    deciders = [User.objects.create(username=f"decider-{i}", role=Role.PROVINCE_OFFICIAL) for i in range(16)]

    results = _race(16, lambda i: decide_appeal(deciders[i], Appeal.objects.get(pk=appeal.pk), True, "成立"), 16)
    outcomes = Counter(r.code if hasattr(r, "code") else "decided" for r in results)
    assert outcomes == {"decided": 1, "already_decided": 15}
    claim = SubsidyClaim.objects.get(pk=claim.pk)
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.UPHELD
    assert LedgerTransaction.objects.filter(claim=claim, kind=TransactionKind.RESERVATION).count() == 1
    assert balances(fund).reserved == claim.total_amount
    assert verify_ledger().ok


def test_one_voucher_submitted_32_times_at_once_is_recorded_once(province_official: User,
                                                                 nanning_official: User) -> None:
    fund = funded(province_official, "10000.00")
    claim = paid_claim(nanning_official, fund)
    case = open_recovery(nanning_official, claim, RecoveryReason.FRAUD, "骗补")
    paid_before = balances(fund).paid
    results = _race(32, lambda i: record_repayment(nanning_official, case, Decimal("100.00"), "BANK-777"), 16)
    assert not [r for r in results if hasattr(r, "code")]
    # And 32 different vouchers worth twice the debt: never more than owed comes back.
    owed = case.amount_owed - Decimal("100.00")
    step = (owed / 16).quantize(Decimal("0.01")) + Decimal("0.01")
    _race(32, lambda i: record_repayment(nanning_official, case, step, f"V-{i}"), 16)
    case.refresh_from_db()
    assert RecoveryRepayment.objects.filter(case=case, document_ref="BANK-777").count() == 1
    assert case.repaid <= case.amount_owed
    assert balances(fund).paid == paid_before - case.repaid
    assert verify_ledger().ok


def test_an_advance_granted_16_times_at_once_is_paid_once(province_official: User, nanning_official: User) -> None:
    institution = rated_by_snapshot(builders.institution())
    training = builders.training_class(status=ClassStatus.APPROVED, institution=institution)
    paid_for_enrolment(training)
    fund = funded(province_official, "100000.00")
    results = _race(16, lambda i: grant_advance(nanning_official, training, fund, f"grant-{i % 2}"), 16)
    granted = {r.pk for r in results if isinstance(r, Advance)}
    assert len(granted) == 1 and Advance.objects.count() == 1
    assert {r.code for r in results if not isinstance(r, Advance)} <= {"already_advanced"}
    assert balances(fund).paid == Advance.objects.get().amount
    assert verify_ledger().ok
