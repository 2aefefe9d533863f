"""The money API under scope and idempotency keys: retries answer the first response, reuse is refused."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from qiancheng.accounts.models import User
from qiancheng.accounts.services import issue_api_token
from qiancheng.accounts.tests.second_factor_support import pass_second_factor
from qiancheng.funding.models import (
    ClaimStatus,
    FundSource,
    LedgerTransaction,
    Payment,
    SubsidyClaim,
    TransactionKind,
)
from qiancheng.funding.services.payment_batches import BATCH_REFERENCE
from qiancheng.funding.tests.money import finished_class, funded, institution_parties, paid_for_enrolment
from qiancheng.training.models import Enrolment

pytestmark = pytest.mark.django_db


class Api:
    """A bearer-token client for one user."""

    def __init__(self, user: User) -> None:
        with transaction.atomic():
            self.token, _ = issue_api_token(user, second_factor=pass_second_factor(user))
        self.client = Client()

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1{path}", HTTP_AUTHORIZATION=f"Bearer {self.token}")

    def post(self, path: str, body: dict[str, Any], key: str | None) -> Any:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}
        if key is not None:
            headers["HTTP_IDEMPOTENCY_KEY"] = key
        return self.client.post(f"/api/v1{path}", body, content_type="application/json", **headers)


def _claim_body(enrolment: Enrolment) -> dict[str, Any]:
    parties = institution_parties(enrolment.training_class)
    return {"enrolment_id": enrolment.pk, "fund": "employment_subsidy", "advanced_by": parties.advanced_by,
            "advanced_by_ref": parties.advanced_by_ref, "claimant": parties.claimant,
            "claimant_ref": parties.claimant_ref}


@pytest.fixture
def enrolment(persona_institution: Any) -> Enrolment:
    return paid_for_enrolment(finished_class(institution=persona_institution))


def test_the_journey_file_review_pay_through_the_api(
    enrolment: Enrolment, institution_user: User, nanning_official: User, province_official: User
) -> None:
    fund = funded(province_official, "10000.00")
    institution, city = Api(institution_user), Api(nanning_official)
    filed = institution.post("/claims", _claim_body(enrolment), "file-1")
    assert filed.status_code == 201, filed.json()
    claim = filed.json()
    assert claim["status"] == "pending" and claim["eligible"] is True and claim["fund_account_id"] == fund.pk
    assert Decimal(claim["total_amount"]) > 0
    assert [c["number"] for c in institution.get("/claims").json()] == [claim["number"]]
    reviewed = city.post(f"/claims/{claim['number']}/review", {"action": "approve", "note": "材料齐全"}, "rev-1")
    assert reviewed.status_code == 200 and reviewed.json()["status"] == "approved"
    funds = city.get("/funds").json()
    assert [(f["reserved"], f["available"]) for f in funds] == [
        (claim["total_amount"], f"{Decimal('10000.00') - Decimal(claim['total_amount']):.2f}")]
    paid = city.post("/payments", {"claim_number": claim["number"]}, "pay-1")
    assert paid.status_code == 201 and paid.json()["amount"] == claim["total_amount"]
    # A batch of one: its reference in the one format, the batch listed with the claim (docs/money.md).
    assert BATCH_REFERENCE.match(paid.json()["batch_ref"])
    assert [b["claims"] for b in city.get("/payments/batches").json()] == [[claim["number"]]]
    assert [p["claim_number"] for p in institution.get("/payments").json()] == [claim["number"]]
    assert SubsidyClaim.objects.get().status == ClaimStatus.PAID


def test_the_same_key_and_body_answers_the_first_response_and_does_the_work_once(
    enrolment: Enrolment, institution_user: User, nanning_official: User, province_official: User
) -> None:
    funded(province_official, "10000.00")
    institution, city = Api(institution_user), Api(nanning_official)
    first = institution.post("/claims", _claim_body(enrolment), "file-1")
    assert institution.post("/claims", _claim_body(enrolment), "file-1").json() == first.json()
    number = first.json()["number"]
    approved = city.post(f"/claims/{number}/review", {"action": "approve"}, "rev-1")
    again = city.post(f"/claims/{number}/review", {"action": "approve"}, "rev-1")
    assert (again.status_code, again.json()) == (approved.status_code, approved.json())
    paid = city.post("/payments", {"claim_number": number}, "pay-1")
    repaid = city.post("/payments", {"claim_number": number}, "pay-1")
    assert (repaid.status_code, repaid.json()) == (201, paid.json())
    assert LedgerTransaction.objects.filter(kind=TransactionKind.RESERVATION).count() == 1
    assert Payment.objects.count() == 1
    # Without the key, a second approval is a new request, and refused for what it is.
    other = city.post(f"/claims/{number}/review", {"action": "approve"}, "rev-2")
    assert (other.status_code, other.json()["code"]) == (409, "not_pending")


def test_the_same_key_with_a_different_body_is_refused(
    enrolment: Enrolment, nanning_official: User, province_official: User
) -> None:
    funded(province_official, "10000.00")
    city = Api(nanning_official)
    number = city.post("/claims", _claim_body(enrolment), "k").json()["number"]
    refused = city.post(f"/claims/{number}/review", {"action": "reject", "note": "缺材料"}, "k")
    assert refused.status_code == 409 and refused.json()["code"] == "idempotency_key_reused"
    assert SubsidyClaim.objects.get().status == ClaimStatus.PENDING
    assert city.post("/claims", {**_claim_body(enrolment), "fund": "special_account"}, "k").status_code == 409


def test_a_refusal_is_kept_and_replayed_like_any_answer(
    enrolment: Enrolment, nanning_official: User, province_official: User
) -> None:
    funded(province_official, "1.00")  # not enough for the claim
    city = Api(nanning_official)
    number = city.post("/claims", _claim_body(enrolment), "f").json()["number"]
    refused = city.post(f"/claims/{number}/review", {"action": "approve"}, "a")
    assert refused.status_code == 409 and refused.json()["code"] == "over_budget"
    funded(province_official, "10000.00")
    assert city.post(f"/claims/{number}/review", {"action": "approve"}, "a").json()["code"] == "over_budget"
    assert city.post(f"/claims/{number}/review", {"action": "approve"}, "b").json()["status"] == "approved"


def test_state_changes_need_an_idempotency_key(enrolment: Enrolment, nanning_official: User,
                                               province_official: User) -> None:
    funded(province_official, "10000.00")
    response = Api(nanning_official).post("/claims", _claim_body(enrolment), None)
    assert response.status_code == 400 and response.json()["code"] == "idempotency_key_missing"
    assert not SubsidyClaim.objects.exists()


def test_other_cities_get_the_same_404_as_a_missing_claim(
    enrolment: Enrolment, nanning_official: User, outsider: User, liuzhou_official: User, province_official: User
) -> None:
    funded(province_official, "10000.00")
    number = Api(nanning_official).post("/claims", _claim_body(enrolment), "f").json()["number"]
    for stranger in (Api(outsider), Api(liuzhou_official)):
        assert stranger.get(f"/claims/{number}").status_code == 404
        assert stranger.get("/claims/QC-NO-SUCH").status_code == 404
        assert stranger.post(f"/claims/{number}/review", {"action": "approve"}, "x").status_code == 404
        assert stranger.post("/payments", {"claim_number": number}, "y").status_code == 404
        assert stranger.post("/claims", _claim_body(enrolment), "z").status_code == 404
        assert stranger.get("/claims").json() == [] and stranger.get("/funds").json() == []
    assert SubsidyClaim.objects.get().status == ClaimStatus.PENDING


def test_only_the_province_allocates_through_the_api(province_official: User, nanning_official: User) -> None:
    # 250,000.00 is below the four-eyes threshold, so it is allocated at once (test_four_eyes_api for above).
    body = {"source": "employment_subsidy", "year": 2025, "amount": "250000.00", "document_ref": "桂人社发〔2025〕9号",
            "city_code": "450100"}
    finished_class()  # creates 南宁
    refused = Api(nanning_official).post("/funds/allocations", body, "a")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    made = Api(province_official).post("/funds/allocations", body, "a")
    assert made.status_code == 201 and made.json()["allocated"] == "250000.00"
    assert Api(province_official).post("/funds/allocations", body, "a").json() == made.json()
    assert Api(nanning_official).get("/funds").json()[0]["available"] == "250000.00"


def test_the_claimant_withdraws_through_the_api_and_strangers_get_404(
    enrolment: Enrolment, institution_user: User, outsider: User, province_official: User
) -> None:
    funded(province_official, "10000.00")
    institution = Api(institution_user)
    number = institution.post("/claims", _claim_body(enrolment), "f").json()["number"]
    assert Api(outsider).post(f"/claims/{number}/withdraw", {"reason": "x"}, "w").status_code == 404
    withdrawn = institution.post(f"/claims/{number}/withdraw", {"reason": "重复提交"}, "w")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"


def test_a_second_filing_for_the_same_training_is_one_409_naming_the_claim(
    enrolment: Enrolment, institution_user: User, province_official: User
) -> None:
    funded(province_official, "10000.00")
    funded(province_official, "10000.00", source=FundSource.SPECIAL_ACCOUNT)  # "another fund" exists too
    institution = Api(institution_user)
    first = institution.post("/claims", _claim_body(enrolment), "file-1")
    assert first.status_code == 201
    number = first.json()["number"]
    # The same key is a retry of the same request: the first answer again (idempotency).
    assert (lambda again: (again.status_code, again.json()))(institution.post("/claims", _claim_body(enrolment),
                                                                             "file-1")) == (201, first.json())
    # A new key is a new request: the training already has its claim, whatever the fund asked.
    for key, body in (("file-2", _claim_body(enrolment)),
                      ("file-3", {**_claim_body(enrolment), "fund": "special_account"})):
        answer = institution.post("/claims", body, key)
        assert answer.status_code == 409, answer.json()
        problem = answer.json()
        assert problem["code"] == "already_claimed"
        assert number in problem["message_zh"] and number in problem["message_en"]
        assert problem["details"] == [{"claim_number": number, "status": "pending"}]
    assert SubsidyClaim.objects.count() == 1


def test_the_review_queue_batch_approves_through_the_api(
    persona_institution: Any, institution_user: User, nanning_official: User, liuzhou_official: User,
    province_official: User
) -> None:
    funded(province_official, "100000.00")
    training = finished_class(institution=persona_institution)
    enrolments = [paid_for_enrolment(training) for _ in range(2)]
    institution, city = Api(institution_user), Api(nanning_official)
    numbers = [institution.post("/claims", _claim_body(each), f"file-{each.pk}").json()["number"]
               for each in enrolments]
    body = {"numbers": numbers, "note": "材料齐全"}
    assert Api(liuzhou_official).post("/claims/approvals", body, "a-1").status_code == 404
    assert institution.post("/claims/approvals", body, "a-1").status_code == 403
    answer = city.post("/claims/approvals", body, "a-1")
    assert answer.status_code == 200, answer.json()
    assert sorted(claim["number"] for claim in answer.json()["approved"]) == sorted(numbers)
    assert answer.json()["refused"] == []
    again = city.post("/claims/approvals", body, "a-2")  # a new request: each is no longer pending
    assert [(each["number"], each["code"]) for each in again.json()["refused"]] == [
        (number, "not_pending") for number in sorted(numbers)]
    assert set(SubsidyClaim.objects.values_list("status", flat=True)) == {ClaimStatus.APPROVED}


def test_an_official_has_a_claim_decided_again_through_the_api_until_it_is_approved(
    enrolment: Enrolment, institution_user: User, nanning_official: User, liuzhou_official: User,
    province_official: User
) -> None:
    funded(province_official, "10000.00")
    number = Api(institution_user).post("/claims", _claim_body(enrolment), "file-1").json()["number"]
    first = SubsidyClaim.objects.get().decided_at
    city = Api(nanning_official)
    assert Api(liuzhou_official).post(f"/claims/{number}/decide", {}, "d-1").status_code == 404
    assert Api(institution_user).post(f"/claims/{number}/decide", {}, "d-1").status_code == 403
    decided = city.post(f"/claims/{number}/decide", {}, "d-1")
    assert decided.status_code == 200 and decided.json()["eligible"] is True
    assert SubsidyClaim.objects.get().decided_at > first
    city.post(f"/claims/{number}/review", {"action": "approve"}, "rev-1")
    kept = city.post(f"/claims/{number}/decide", {}, "d-2")
    assert (kept.status_code, kept.json()["code"]) == (409, "decision_kept")
