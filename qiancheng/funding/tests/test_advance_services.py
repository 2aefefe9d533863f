"""3.6 credit payment: an advance at class approval, netted by the claim payments, the rest recovered."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from qiancheng.accounts.models import User
from qiancheng.funding.models import (
    Advance,
    AdvanceStatus,
    ClaimStatus,
    Payment,
    RecoveryReason,
    SubsidyClaim,
    TransactionKind,
)
from qiancheng.funding.services.advances import (
    advance_eligibility,
    expected_training_subsidy,
    grant_advance,
    per_person_amount,
    recover_unearned_advance,
    settle_advance,
)
from qiancheng.funding.services.claims import approve_claim, reject_claim
from qiancheng.funding.services.funds import balances
from qiancheng.funding.services.ledger import verify_ledger
from qiancheng.funding.services.payments import pay_claim
from qiancheng.funding.services.recovery import record_repayment
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.tests.money import filed_claim, funded, paid_for_enrolment
from qiancheng.insight.tests.rating_records import rated as rated_by_snapshot
from qiancheng.training.models import ClassStatus, Enrolment, TrainingClass
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


def _approved_class(stars: int | None = 4) -> TrainingClass:
    """An approved class of an institution with a snapshot of `stars` in force (None: not rated)."""
    institution = builders.institution()
    if stars is not None:
        rated_by_snapshot(institution, stars)
    return builders.training_class(status=ClassStatus.APPROVED, institution=institution)


def test_eligibility_follows_the_dated_terms() -> None:
    on = dt.date(2025, 9, 1)
    assert advance_eligibility(rated_by_snapshot(builders.institution()), on) is None
    assert advance_eligibility(builders.institution(), on).code == "institution_not_rated"
    low = rated_by_snapshot(builders.institution(), 2)
    assert advance_eligibility(low, on).code == "rating_too_low"
    expired = rated_by_snapshot(builders.institution(approved_until=dt.date(2025, 8, 31)))
    assert advance_eligibility(expired, on).code == "institution_not_approved"


def test_an_advance_is_netted_by_the_claim_payments_and_the_rest_recovered(province_official: User,
                                                                            nanning_official: User,
                                                                            liuzhou_official: User) -> None:
    training = _approved_class()
    enrolments = [paid_for_enrolment(training), paid_for_enrolment(training), paid_for_enrolment(training, passed=False)]
    fund = funded(province_official, "100000.00")
    per_person = per_person_amount(training, fund.source)
    assert expected_training_subsidy(training, fund.source) == per_person * 3

    with pytest.raises(FundingRefused) as liuzhou:
        grant_advance(liuzhou_official, training, fund, "adv-1")
    assert liuzhou.value.status == 403
    advance = grant_advance(nanning_official, training, fund, "adv-1")
    assert advance.amount == (per_person * 3 * Decimal("0.50")).quantize(Decimal("0.01"))
    assert advance.ledger_transaction.kind == TransactionKind.ADVANCE
    # 1c, 3.6: the decision records the star-rating snapshot in force that it read.
    from qiancheng.insight.models import RatingSnapshot

    used = RatingSnapshot.objects.get(institution=training.institution)
    assert (advance.rating_snapshot_id, advance.rating_stars) == (used.pk, 4)
    assert (balances(fund).paid, balances(fund).reserved) == (advance.amount, Decimal("0.00"))
    assert grant_advance(nanning_official, training, fund, "adv-1").pk == advance.pk
    with pytest.raises(FundingRefused) as twice:
        grant_advance(province_official, training, fund, "adv-2")
    assert twice.value.code == "already_advanced"
    assert verify_ledger().ok

    TrainingClass.objects.filter(pk=training.pk).update(status=ClassStatus.FINISHED)
    claims = [filed_claim(province_official, Enrolment.objects.get(pk=e.pk), fund) for e in enrolments]
    assert claims[0].training_amount == per_person  # the engine's amount is the one the advance expected
    with pytest.raises(FundingRefused) as open_claims:
        settle_advance(nanning_official, advance)
    assert open_claims.value.code == "claims_open"
    for claim in claims[:2]:
        approve_claim(nanning_official, claim)
        payment = pay_claim(nanning_official, claim, f"pay-{claim.number}")
        assert payment.advance_id == advance.pk
        assert payment.advance_applied == (claim.training_amount * Decimal("0.50")).quantize(Decimal("0.01"))
        assert payment.amount + payment.advance_applied == claim.total_amount
    reject_claim(nanning_official, claims[2], "未通过评价")
    advance.refresh_from_db()
    claims_total = sum(c.total_amount for c in claims[:2])
    assert advance.applied == sum(p.advance_applied for p in Payment.objects.filter(advance=advance))
    # Paid out: the claims in full (part of them early, as the advance) plus the advance nobody earned.
    assert balances(fund).paid == claims_total + advance.outstanding
    assert verify_ledger().ok

    settled = settle_advance(nanning_official, advance)
    assert settled.status == AdvanceStatus.UNEARNED and settled.outstanding > 0
    case = recover_unearned_advance(nanning_official, settled, "一名学员未通过评价 / one trainee failed")
    assert (case.reason_kind, case.debtor_ref, case.amount_owed) == (
        RecoveryReason.UNEARNED_ADVANCE, training.institution.uscc, settled.outstanding)
    assert Advance.objects.get(pk=advance.pk).status == AdvanceStatus.RECOVERY
    record_repayment(nanning_official, case, case.amount_owed, "退款-001")
    assert balances(fund).paid == claims_total
    report = verify_ledger()
    assert report.ok, report.problems
    assert [SubsidyClaim.objects.get(pk=c.pk).status for c in claims] == [ClaimStatus.PAID, ClaimStatus.PAID,
                                                                          ClaimStatus.REJECTED]


def test_an_advance_needs_good_standing_and_an_approved_class(province_official: User, nanning_official: User) -> None:
    fund = funded(province_official, "100000.00")
    unrated = _approved_class(None)
    paid_for_enrolment(unrated)
    with pytest.raises(FundingRefused) as refused:
        grant_advance(nanning_official, unrated, fund, "k1")
    assert refused.value.code == "institution_not_rated"
    finished = builders.training_class(institution=rated_by_snapshot(builders.institution()))
    with pytest.raises(FundingRefused) as done:
        grant_advance(nanning_official, finished, fund, "k2")
    assert done.value.code == "class_not_approved"
    other_year = funded(province_official, "1000.00", year=2026)
    rated = _approved_class()
    paid_for_enrolment(rated)
    with pytest.raises(FundingRefused) as wrong_fund:
        grant_advance(nanning_official, rated, other_year, "k3")
    assert wrong_fund.value.code == "fund_not_for_class"
    assert Advance.objects.count() == 0 and verify_ledger().ok


def test_an_advance_larger_than_the_money_available_is_refused(province_official: User, nanning_official: User) -> None:
    training = _approved_class()
    paid_for_enrolment(training)
    fund = funded(province_official, "1.00")
    with pytest.raises(FundingRefused) as refused:
        grant_advance(nanning_official, training, fund, "k")
    assert refused.value.code == "over_budget"
    assert Advance.objects.count() == 0 and balances(fund).paid == 0 and verify_ledger().ok


def test_a_cancelled_class_owes_back_its_whole_advance(province_official: User, nanning_official: User) -> None:
    training = _approved_class()
    paid_for_enrolment(training)
    fund = funded(province_official, "100000.00")
    advance = grant_advance(nanning_official, training, fund, "k")
    with pytest.raises(FundingRefused) as running:
        recover_unearned_advance(nanning_official, advance, "未开班")
    assert running.value.code == "not_unearned"
    TrainingClass.objects.filter(pk=training.pk).update(status=ClassStatus.CANCELLED)
    case = recover_unearned_advance(nanning_official, advance, "班级取消 / class cancelled")
    assert case.amount_owed == advance.amount
    assert verify_ledger().ok
