"""5.2c after payment: the training subsidy is paid at the end of the class; the proof of employment comes
three months later and the 200 CNY is reviewed, reserved and paid as a top-up, once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from qiancheng.accounts.models import User
from qiancheng.clock import frozen_at
from qiancheng.funding.models import (
    ClaimStatus,
    FundAccount,
    FundSource,
    Payment,
    PaymentPart,
    ProofKind,
    TopupStatus,
)
from qiancheng.funding.services.claims import (
    EmploymentProof,
    add_employment_proof,
    approve_claim,
    approve_employment_topup,
    refuse_employment_topup,
)
from qiancheng.funding.services.employment import employment_due
from qiancheng.funding.services.ledger import verify_ledger
from qiancheng.funding.services.payments import pay_batch, pay_claim
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.tests.money import funded, institution_user_of
from qiancheng.funding.tests.test_employment_services import _project_claim, _project_class

pytestmark = pytest.mark.django_db
PROOF = EmploymentProof(ProofKind.SOCIAL_INSURANCE_RECORD, dt.date(2026, 1, 5))


@pytest.fixture
def paid_project_claim(province_official: User, nanning_official: User):
    training = _project_class()
    fund = funded(province_official, "100000.00", source=FundSource.SPECIAL_ACCOUNT)
    claim = _project_claim(province_official, training, fund)
    approve_claim(nanning_official, claim)
    pay_claim(nanning_official, claim, f"pay-{claim.number}")
    claim.refresh_from_db()
    assert (claim.status, claim.total_amount) == (ClaimStatus.PAID, Decimal("600.00"))
    return claim


def test_the_200_is_approved_reserved_and_paid_once_after_the_training_subsidy(
        paid_project_claim, nanning_official: User) -> None:
    claim = paid_project_claim
    fund = claim.fund_account
    assert [due.claim.pk for due in employment_due(nanning_official, dt.date(2026, 1, 5))] == [claim.pk]
    with frozen_at(dt.date(2026, 1, 5)):
        claim = add_employment_proof(institution_user_of(claim.enrolment.training_class), claim, PROOF)
        assert (claim.status, claim.topup_status, claim.topup_amount) == (ClaimStatus.PAID, TopupStatus.PENDING,
                                                                          Decimal("200.00"))
        assert (claim.employment_amount, claim.total_amount) == (Decimal("200.00"), Decimal("800.00"))
        assert employment_due(nanning_official) == []
        approve_employment_topup(nanning_official, claim)
        approve_employment_topup(nanning_official, claim)  # a second click reserves nothing more
        assert FundAccount.objects.get(pk=fund.pk).reserved == Decimal("200.00")
        payments, refused = pay_batch(nanning_official, [claim], "NN-TOPUP-1")
        again, _ = pay_batch(nanning_official, [claim], "NN-TOPUP-1")
    assert refused == {} and [p.pk for p in again] == [p.pk for p in payments]
    topup = payments[0]
    assert (topup.part, topup.amount) == (PaymentPart.EMPLOYMENT_TOPUP, Decimal("200.00"))
    assert sorted(Payment.objects.filter(claim=claim).values_list("amount", flat=True)) == [Decimal("200.00"),
                                                                                            Decimal("600.00")]
    fund.refresh_from_db()
    assert (fund.paid, fund.reserved) == (Decimal("800.00"), Decimal("0.00"))
    claim.refresh_from_db()
    assert claim.topup_status == TopupStatus.PAID
    with pytest.raises(FundingRefused) as twice:
        add_employment_proof(nanning_official, claim, PROOF)
    assert twice.value.code == "proof_given"
    assert verify_ledger().ok


def test_a_proof_too_early_is_refused_and_leaves_the_paid_claim_as_it_was(paid_project_claim,
                                                                          nanning_official: User) -> None:
    claim = paid_project_claim
    with frozen_at(dt.date(2025, 11, 1)), pytest.raises(FundingRefused) as early:
        add_employment_proof(nanning_official, claim, EmploymentProof(ProofKind.LABOUR_CONTRACT,
                                                                      dt.date(2025, 11, 1)))
    assert early.value.code == "proof_earns_nothing" and "三个自然月" in early.value.message_zh
    claim.refresh_from_db()
    assert (claim.employment_proof_kind, claim.total_amount, claim.topup_status) == ("", Decimal("600.00"), "")


def test_the_reviewer_may_refuse_a_top_up_with_a_reason_and_nothing_moves(paid_project_claim,
                                                                          nanning_official: User,
                                                                          liuzhou_official: User) -> None:
    claim = paid_project_claim
    with frozen_at(dt.date(2026, 1, 5)):
        claim = add_employment_proof(nanning_official, claim, PROOF)
    with pytest.raises(FundingRefused) as other_city:
        approve_employment_topup(liuzhou_official, claim)
    assert other_city.value.status == 403
    with pytest.raises(FundingRefused) as no_reason:
        refuse_employment_topup(nanning_official, claim, " ")
    assert no_reason.value.code == "reason_missing"
    claim = refuse_employment_topup(nanning_official, claim, "社保记录单位与申报单位不符")
    assert claim.topup_status == TopupStatus.REFUSED
    with pytest.raises(FundingRefused) as not_approved:
        pay_claim(nanning_official, claim, "pay-refused-topup")
    assert not_approved.value.code == "not_approved"
    assert FundAccount.objects.get(pk=claim.fund_account_id).paid == Decimal("600.00")
    assert verify_ledger().ok


def test_only_the_special_account_earns_a_top_up(province_official: User, nanning_official: User) -> None:
    from qiancheng.funding.tests.money import paid_claim

    claim = paid_claim(nanning_official, funded(province_official, "10000.00"))
    with pytest.raises(FundingRefused) as refused:
        add_employment_proof(nanning_official, claim, PROOF)
    assert refused.value.code == "no_employment_subsidy"


def test_the_api_adds_the_proof_and_reviews_the_top_up(paid_project_claim, nanning_official: User,
                                                       liuzhou_official: User) -> None:
    from qiancheng.funding.tests.test_money_api import Api

    claim = paid_project_claim
    path = f"/claims/{claim.number}"
    city = Api(nanning_official)
    proof = {"kind": ProofKind.WAGE_STATEMENT, "date": "2026-01-05"}
    assert Api(liuzhou_official).post(f"{path}/employment-proof", proof, "p-lz").status_code == 404
    with frozen_at(dt.date(2026, 1, 5)):
        added = city.post(f"{path}/employment-proof", proof, "p-1")
    assert added.status_code == 200, added.json()
    assert (added.json()["topup_status"], added.json()["topup_amount"]) == ("pending", "200.00")
    approved = city.post(f"{path}/employment-topup", {"approve": True}, "t-1")
    assert approved.status_code == 200 and approved.json()["topup_status"] == "approved"
    assert city.post(f"{path}/employment-topup", {"approve": True}, "t-1").json() == approved.json()
    assert verify_ledger().ok
