"""Filing, deciding, approving, rejecting and paying claims through the services (3.6, 6c)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qiancheng.accounts.models import AuditEntry, User
from qiancheng.funding.models import (
    ClaimStatus,
    LedgerTransaction,
    PartyKind,
    Payment,
    SubsidyClaim,
    TransactionKind,
)
from qiancheng.funding.services.claims import (
    approve_claim,
    file_claim,
    file_class_claims,
    reject_claim,
    withdraw_claim,
)
from qiancheng.funding.services.funds import Balances, balances
from qiancheng.funding.services.ledger import verify_ledger
from qiancheng.funding.services.payments import pay_claim
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.tests.money import finished_class, funded, institution_parties, paid_for_enrolment
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


def _file(actor: User, enrolment, fund, **changes: str) -> SubsidyClaim:  # type: ignore[no-untyped-def]
    parties = institution_parties(enrolment.training_class)
    values = {"advanced_by": parties.advanced_by, "advanced_by_ref": parties.advanced_by_ref,
              "claimant": parties.claimant, "claimant_ref": parties.claimant_ref, **changes}
    return file_claim(actor, enrolment, fund, **values)


def test_a_filed_claim_copies_the_system_facts_and_is_decided_at_once(province_official: User) -> None:
    training = finished_class()
    enrolment = paid_for_enrolment(training)
    fund = funded(province_official, "10000.00")
    claim = _file(province_official, enrolment, fund)
    assert claim.status == ClaimStatus.PENDING
    assert (claim.person_id, claim.class_hours, claim.end_date, claim.passed) == (
        enrolment.person_id, training.class_hours, training.end_date, True)
    assert (claim.city_id, claim.institution_id, claim.fund_account_id) == (training.city_id, training.institution_id,
                                                                          fund.pk)
    assert claim.eligible is True and claim.total_amount > 0 and claim.denied_by == ""
    assert claim.decided_at is not None and claim.rule_version
    assert AuditEntry.objects.filter(action="claim.filed", target_pk=str(claim.pk)).exists()


def test_filing_the_same_claim_twice_is_refused_naming_the_first(province_official: User) -> None:
    enrolment = paid_for_enrolment(finished_class())
    fund = funded(province_official, "10000.00")
    first = _file(province_official, enrolment, fund)
    with pytest.raises(FundingRefused) as refused:
        _file(province_official, enrolment, fund)
    assert (refused.value.code, refused.value.status) == ("already_claimed", 409)
    assert first.number in refused.value.message_zh and first.number in refused.value.message_en
    assert refused.value.details == [{"claim_number": first.number, "status": "pending"}]
    assert SubsidyClaim.objects.count() == 1


def test_a_second_different_claim_for_the_same_training_is_refused(province_official: User) -> None:
    enrolment = paid_for_enrolment(finished_class())
    fund = funded(province_official, "10000.00")
    _file(province_official, enrolment, fund)
    enterprise = builders.enterprise()
    with pytest.raises(FundingRefused) as refused:
        _file(province_official, enrolment, fund, advanced_by=PartyKind.ENTERPRISE, advanced_by_ref=enterprise.uscc,
              claimant=PartyKind.ENTERPRISE, claimant_ref=enterprise.uscc)
    assert refused.value.code == "already_claimed"
    assert refused.value.status == 409 and SubsidyClaim.objects.get().number in refused.value.message_en


@pytest.mark.parametrize(("missing", "code"), [
    ({"attended": False}, "no_attendance"),
    ({"evaluated": False}, "no_evaluation"),
    ({"certified": False}, "no_certificate"),
])
def test_nothing_outside_the_system_is_claimed(province_official: User, missing: dict[str, bool], code: str) -> None:
    # 6c 凡补必进、不进不补
    enrolment = paid_for_enrolment(finished_class(), **missing)
    with pytest.raises(FundingRefused) as refused:
        _file(province_official, enrolment, funded(province_official, "10000.00"))
    assert refused.value.code == code
    assert not SubsidyClaim.objects.exists()


def test_a_party_unknown_to_the_system_is_refused(province_official: User) -> None:
    enrolment = paid_for_enrolment(finished_class())
    with pytest.raises(FundingRefused) as refused:
        _file(province_official, enrolment, funded(province_official, "10000.00"),
              advanced_by_ref="91450100MA99999999", claimant_ref="91450100MA99999999")
    assert refused.value.code == "party_unknown"


def test_the_engine_denies_a_claimant_who_did_not_advance(province_official: User) -> None:
    # 3.6 谁垫付、谁申领: the mismatch is filed, and the engine's decision says no.
    enrolment = paid_for_enrolment(finished_class())
    enterprise = builders.enterprise()
    claim = _file(province_official, enrolment, funded(province_official, "10000.00"),
                  claimant=PartyKind.ENTERPRISE, claimant_ref=enterprise.uscc)
    assert claim.eligible is False and "3.6" in claim.denied_by and claim.total_amount == 0
    with pytest.raises(FundingRefused) as refused:
        approve_claim(province_official, claim)
    assert refused.value.code == "not_eligible"
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PENDING and not LedgerTransaction.objects.filter(claim=claim).exists()


def test_approval_reserves_and_payment_moves_the_money_once(nanning_official: User, province_official: User) -> None:
    fund = funded(province_official, "10000.00")
    claim = _file(province_official, paid_for_enrolment(finished_class()), fund)
    approved = approve_claim(nanning_official, claim, "材料齐全")
    assert approved.status == ClaimStatus.APPROVED and approved.reviewed_by == nanning_official
    after_approval = balances(fund)
    assert after_approval.reserved == claim.total_amount
    assert after_approval.available == Decimal("10000.00") - claim.total_amount
    with pytest.raises(FundingRefused):
        approve_claim(nanning_official, claim)
    payment = pay_claim(nanning_official, claim, "pay-1")
    assert payment.amount == claim.total_amount and payment.ledger_transaction.kind == TransactionKind.PAYMENT
    assert pay_claim(nanning_official, claim, "pay-1").pk == payment.pk  # a retry finds the first
    with pytest.raises(FundingRefused) as refused:
        pay_claim(nanning_official, claim, "pay-2")  # a second key never pays twice
    assert refused.value.code == "not_approved"
    paid = balances(fund)
    assert (paid.reserved, paid.paid) == (Decimal("0.00"), claim.total_amount)
    assert Payment.objects.count() == 1
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
    assert verify_ledger().ok


def test_approval_beyond_the_budget_is_refused_and_changes_nothing(province_official: User) -> None:
    fund = funded(province_official, "1.00")
    claim = _file(province_official, paid_for_enrolment(finished_class()), fund)
    with pytest.raises(FundingRefused) as refused:
        approve_claim(province_official, claim)
    assert refused.value.code == "over_budget"
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PENDING
    assert balances(fund).reserved == Decimal("0.00")


def test_rejection_needs_a_reason_and_only_a_pending_claim(province_official: User) -> None:
    claim = _file(province_official, paid_for_enrolment(finished_class()), funded(province_official, "10000.00"))
    with pytest.raises(FundingRefused):
        reject_claim(province_official, claim, "  ")
    rejected = reject_claim(province_official, claim, "考勤照片与签到不符")
    assert rejected.status == ClaimStatus.REJECTED and rejected.review_note == "考勤照片与签到不符"
    with pytest.raises(FundingRefused):
        approve_claim(province_official, claim)


def test_a_city_official_reviews_only_the_own_citys_claims(
    province_official: User, liuzhou_official: User, outsider: User, institution_user: User
) -> None:
    claim = _file(province_official, paid_for_enrolment(finished_class()), funded(province_official, "10000.00"))
    for stranger in (liuzhou_official, outsider, institution_user):
        for act in (lambda user: approve_claim(user, claim), lambda user: reject_claim(user, claim, "不行"),
                    lambda user: pay_claim(user, claim, "k")):
            with pytest.raises(FundingRefused) as refused:
                act(stranger)
            assert refused.value.code == "forbidden"
    assert approve_claim(province_official, claim).status == ClaimStatus.APPROVED


def test_an_institution_claims_only_for_its_own_classes(persona_institution, institution_user: User,  # type: ignore[no-untyped-def]
                                                        province_official: User) -> None:
    fund = funded(province_official, "10000.00")
    own = paid_for_enrolment(finished_class(institution=persona_institution))
    assert _file(institution_user, own, fund).submitted_by == institution_user
    other = paid_for_enrolment(finished_class())
    with pytest.raises(FundingRefused) as refused:
        _file(institution_user, other, fund)
    assert refused.value.code == "forbidden"


def test_a_class_is_claimed_in_bulk_with_one_decision_run(province_official: User) -> None:
    training = finished_class()
    good = [paid_for_enrolment(training) for _ in range(3)]
    failed = paid_for_enrolment(training, passed=False)
    unevaluated = paid_for_enrolment(training, evaluated=False)
    fund = funded(province_official, "10000.00")
    filed, refused = file_class_claims(province_official, training, fund, institution_parties(training))
    assert {claim.enrolment_id for claim in filed} == {e.pk for e in [*good, failed]}
    assert set(refused) == {unevaluated.pk} and refused[unevaluated.pk].code == "no_evaluation"
    by_enrolment = {claim.enrolment_id: claim for claim in filed}
    assert all(by_enrolment[e.pk].eligible for e in good)
    assert by_enrolment[failed.pk].eligible is False
    again, _ = file_class_claims(province_official, training, fund, institution_parties(training))
    assert sorted(c.pk for c in again) == sorted(c.pk for c in filed)
    assert AuditEntry.objects.filter(action="claims.decided").count() == 1


def test_withdrawing_an_approved_claim_releases_its_reservation(
    persona_institution, institution_user: User, province_official: User  # type: ignore[no-untyped-def]
) -> None:
    fund = funded(province_official, "10000.00")
    enrolment = paid_for_enrolment(finished_class(institution=persona_institution))
    claim = approve_claim(province_official, _file(institution_user, enrolment, fund))
    assert balances(fund).reserved == claim.total_amount
    with pytest.raises(FundingRefused):
        withdraw_claim(institution_user, claim, " ")
    withdrawn = withdraw_claim(institution_user, claim, "学员信息有误，重新申领")
    assert withdrawn.status == ClaimStatus.WITHDRAWN
    assert balances(fund) == Balances(Decimal("10000.00"), Decimal("0.00"), Decimal("0.00"), Decimal("10000.00"))
    assert LedgerTransaction.objects.filter(claim=claim, kind=TransactionKind.RELEASE).count() == 1
    with pytest.raises(FundingRefused) as refused:
        pay_claim(province_official, claim, "after-withdrawal")
    assert refused.value.code == "not_approved"
    # Withdrawn counts for nothing: the same training may be claimed again, under a new number.
    again = _file(institution_user, enrolment, fund)
    assert again.pk != claim.pk and again.number.endswith("-02") and again.status == ClaimStatus.PENDING
    assert verify_ledger().ok


def test_only_the_claimant_or_a_reviewer_withdraws_and_never_after_payment(
    province_official: User, institution_user: User, enterprise_user: User, outsider: User
) -> None:
    fund = funded(province_official, "10000.00")
    claim = _file(province_official, paid_for_enrolment(finished_class()), fund)
    for stranger in (institution_user, enterprise_user, outsider):
        with pytest.raises(FundingRefused) as refused:
            withdraw_claim(stranger, claim, "不想要了")
        assert refused.value.code == "forbidden"
    pay_claim(province_official, approve_claim(province_official, claim), "p")
    with pytest.raises(FundingRefused) as refused:
        withdraw_claim(province_official, claim, "已支付后撤回")
    assert refused.value.code == "not_withdrawable"
