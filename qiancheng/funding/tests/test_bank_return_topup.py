"""退票 of a 5.2c top-up: the top-up is approved again; the claim's own return waits until it is."""

from __future__ import annotations

import pytest

from qiancheng.accounts.models import User
from qiancheng.clock import frozen_at, today
from qiancheng.funding.models import ClaimStatus, Payment, PaymentPart, PaymentStatus, TopupStatus
from qiancheng.funding.services.claims import add_employment_proof, approve_employment_topup
from qiancheng.funding.services.funds import balances
from qiancheng.funding.services.ledger import verify_ledger
from qiancheng.funding.services.payments import pay_claim
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.services.returns import record_bank_return
from qiancheng.funding.tests.money import institution_user_of
from qiancheng.funding.tests.test_employment_topup import PROOF, paid_project_claim  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_a_returned_top_up_is_approved_again_and_the_claim_part_waits_for_it(
    paid_project_claim, nanning_official: User,  # noqa: F811
) -> None:
    claim = paid_project_claim
    with frozen_at(PROOF.date):
        add_employment_proof(institution_user_of(claim.enrolment.training_class), claim, PROOF)
        approve_employment_topup(nanning_official, claim)
        topup = pay_claim(nanning_official, claim, "pay-topup")
    assert topup.part == PaymentPart.EMPLOYMENT_TOPUP
    first = Payment.objects.get(claim=claim, part=PaymentPart.CLAIM)

    with pytest.raises(FundingRefused) as waits:
        record_bank_return(nanning_official, first, reason="销户", bank_ref="TP-1", returned_on=today())
    assert waits.value.code == "topup_standing"

    record_bank_return(nanning_official, topup, reason="销户", bank_ref="TP-2", returned_on=today())
    claim.refresh_from_db()
    assert (claim.status, claim.topup_status) == (ClaimStatus.PAID, TopupStatus.APPROVED)
    assert balances(claim.fund_account).reserved == topup.amount and verify_ledger().ok
    again = pay_claim(nanning_official, claim, "pay-topup-again")
    assert (again.part, again.amount, again.status) == (PaymentPart.EMPLOYMENT_TOPUP, topup.amount, PaymentStatus.PAID)
    claim.refresh_from_db()
    assert claim.topup_status == TopupStatus.PAID and verify_ledger().ok
