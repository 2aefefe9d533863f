"""The follow-up money endpoints: send-back / resubmit, appeal and its decision, recoveries, advances,
employment due; under scope, with Idempotency-Key on every state change."""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

import pytest

from qiancheng.accounts.models import Role, User
from qiancheng.funding.models import (
    Advance,
    Appeal,
    ClaimStatus,
    RecoveryCase,
    RecoveryRepayment,
    SubsidyClaim,
)
from qiancheng.funding.services.ledger import verify_ledger
from qiancheng.funding.tests.money import (
    filed_claim,
    finished_class,
    funded,
    paid_claim,
    paid_for_enrolment,
)
from qiancheng.funding.tests.test_money_api import Api
from qiancheng.insight.tests.rating_records import rated as rated_by_snapshot
from qiancheng.training.models import ClassStatus
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim(persona_institution: Any, province_official: User) -> SubsidyClaim:
    fund = funded(province_official, "10000.00")
    return filed_claim(province_official, paid_for_enrolment(finished_class(institution=persona_institution)), fund)


def test_send_back_and_resubmit(claim: SubsidyClaim, nanning_official: User, institution_user: User,
                                liuzhou_official: User) -> None:
    city, institution = Api(nanning_official), Api(institution_user)
    path = f"/claims/{claim.number}"
    assert Api(liuzhou_official).post(f"{path}/send-back", {"reason": "x"}, "k").status_code == 404
    assert city.post(f"{path}/send-back", {"reason": "请补充发票"}, None).status_code == 400
    sent = city.post(f"{path}/send-back", {"reason": "请补充发票"}, "sb-1")
    assert sent.status_code == 200, sent.json()
    assert sent.json()["documents_request_reason"] == "请补充发票" and sent.json()["status"] == "pending"
    assert city.post(f"{path}/send-back", {"reason": "请补充发票"}, "sb-1").json() == sent.json()
    assert city.post(f"{path}/send-back", {"reason": "别的"}, "sb-1").status_code == 409
    again = institution.post(f"{path}/resubmit", {"note": "已上传"}, "rs-1")
    assert again.status_code == 200 and again.json()["documents_requested_at"] is None


def test_appeal_filed_and_decided_through_the_api(claim: SubsidyClaim, nanning_official: User,
                                                  institution_user: User, province_official: User) -> None:
    city, institution = Api(nanning_official), Api(institution_user)
    path = f"/claims/{claim.number}"
    assert city.post(f"{path}/review", {"action": "reject", "note": "材料不全"}, "rj").status_code == 200
    document = {"name": "证明.pdf", "content_base64": base64.b64encode(b"%PDF-1.4 proof").decode()}
    filed = institution.post(f"{path}/appeal", {"reason": "材料齐全", "documents": [document]}, "ap-1")
    assert filed.status_code == 201, filed.json()
    assert filed.json()["documents"] == ["证明.pdf"] and filed.json()["status"] == "filed"
    assert institution.post(f"{path}/appeal", {"reason": "再次"}, "ap-2").json()["code"] == "already_appealed"
    bad = institution.post(f"{path}/appeal", {"reason": "x", "documents": [{"name": "a", "content_base64": "!!"}]},
                           "ap-3")
    assert bad.status_code in (409, 422)
    same = city.post(f"{path}/appeal/decide", {"upheld": True, "reason": "复核"}, "d-1")
    assert same.status_code == 403 and same.json()["code"] == "same_official"
    decided = Api(province_official).post(f"{path}/appeal/decide", {"upheld": True, "reason": "复核成立"}, "d-2")
    assert decided.status_code == 200, decided.json()
    assert decided.json()["status"] == "upheld" and decided.json()["claim_status_after"] == ClaimStatus.APPROVED
    assert institution.get(f"{path}/appeal").json()["status"] == "upheld"
    assert Appeal.objects.count() == 1 and verify_ledger().ok


def test_recoveries_open_list_and_repay(province_official: User, nanning_official: User,
                                        liuzhou_official: User) -> None:
    fund = funded(province_official, "10000.00")
    paid = paid_claim(nanning_official, fund)
    city = Api(nanning_official)
    body = {"claim_number": paid.number, "reason_kind": "fraud", "reason": "虚报"}
    assert Api(liuzhou_official).post("/recoveries", body, "r-0").status_code == 404
    opened = city.post("/recoveries", body, "r-1")
    assert opened.status_code == 201, opened.json()
    case = opened.json()
    assert case["amount_owed"] == f"{paid.total_amount:.2f}" and case["status"] == "open"
    assert [c["id"] for c in city.get("/recoveries").json()] == [case["id"]]
    assert Api(liuzhou_official).get("/recoveries").json() == []
    assert Api(liuzhou_official).get(f"/recoveries/{case['id']}").status_code == 404
    repay = {"amount": "100.00", "document_ref": "V-1"}
    first = city.post(f"/recoveries/{case['id']}/repayments", repay, "p-1")
    # A double-submitted repayment with a new key but the same voucher is recorded once.
    second = city.post(f"/recoveries/{case['id']}/repayments", repay, "p-2")
    assert first.status_code == second.status_code == 200
    assert second.json()["repaid"] == "100.00" and RecoveryRepayment.objects.count() == 1
    too_much = city.post(f"/recoveries/{case['id']}/repayments", {"amount": "99999.00", "document_ref": "V-2"}, "p-3")
    assert too_much.status_code == 422 and too_much.json()["code"] == "above_owed"
    assert RecoveryCase.objects.get().repaid == Decimal("100.00") and verify_ledger().ok


def test_advance_granted_through_the_api(province_official: User, nanning_official: User,
                                         liuzhou_official: User) -> None:
    institution = rated_by_snapshot(builders.institution())
    training = builders.training_class(status=ClassStatus.APPROVED, institution=institution)
    paid_for_enrolment(training)
    funded(province_official, "100000.00")
    body = {"class_id": training.pk, "fund": "employment_subsidy"}
    assert Api(liuzhou_official).post("/funds/advances", body, "a-0").status_code == 404
    granted = Api(nanning_official).post("/funds/advances", body, "a-1")
    assert granted.status_code == 201, granted.json()
    assert Decimal(granted.json()["amount"]) == Decimal(granted.json()["expected_amount"]) / 2
    assert Api(nanning_official).post("/funds/advances", body, "a-1").json() == granted.json()
    assert Api(nanning_official).post("/funds/advances", body, "a-2").json()["code"] == "already_advanced"
    assert Advance.objects.count() == 1
    assert [a["id"] for a in Api(nanning_official).get("/funds/advances").json()] == [granted.json()["id"]]
    assert Api(liuzhou_official).get("/funds/advances").json() == []
    assert verify_ledger().ok


def test_employment_due_lists_only_the_city_s_trainees(nanning_official: User, liuzhou_official: User) -> None:
    assert Api(nanning_official).get("/claims/employment-due?on=2026-01-31").json() == []
    rates = Api(liuzhou_official).get("/claims/employment-rates").json()
    assert rates == {"per_class": [], "per_institution": []}
    other = User.objects.create(username="trainee-x", role=Role.PROVINCE_OFFICIAL)
    assert Api(other).get("/claims/employment-due").status_code == 200


def test_an_advance_settled_and_recovered_through_the_api(province_official: User, nanning_official: User,
                                                          liuzhou_official: User) -> None:
    institution = rated_by_snapshot(builders.institution())
    training = builders.training_class(status=ClassStatus.APPROVED, institution=institution)
    paid_for_enrolment(training)
    funded(province_official, "100000.00")
    city = Api(nanning_official)
    advance = city.post("/funds/advances", {"class_id": training.pk}, "a-1").json()
    path = f"/funds/advances/{advance['id']}"
    assert Api(liuzhou_official).post(f"{path}/settle", {}, "s-0").status_code == 404
    assert city.post(f"{path}/settle", {}, "s-1").json()["code"] == "class_running"
    type(training).objects.filter(pk=training.pk).update(status=ClassStatus.CANCELLED)
    settled = city.post(f"{path}/settle", {}, "s-2")
    assert settled.status_code == 200 and settled.json()["status"] == "unearned"
    recovered = city.post(f"{path}/recover", {"reason": "班级取消"}, "r-1")
    assert recovered.status_code == 201, recovered.json()
    assert recovered.json()["amount_owed"] == advance["amount"] and recovered.json()["advance_id"] == advance["id"]
    assert verify_ledger().ok
