"""The API offers what the pages do, through the same services: payment batches and allocations above the
four-eyes threshold wait (202) for a second official, who approves (the money moves once) or refuses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from qiancheng.accounts.models import Role, User
from qiancheng.funding.models import FundAccount, Payment, PaymentBatch, RecoveryStatus, SubsidyClaim
from qiancheng.funding.services import four_eyes
from qiancheng.funding.services.claims import approve_claims, file_class_claims
from qiancheng.funding.services.four_eyes import FourEyesThreshold
from qiancheng.funding.services.payment_batches import BATCH_REFERENCE
from qiancheng.funding.services.recovery import open_recovery
from qiancheng.funding.tests.money import (
    finished_class,
    funded,
    institution_parties,
    paid_claim,
    paid_for_enrolment,
)
from qiancheng.funding.tests.test_money_api import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(province_official: User, nanning_official: User) -> list[SubsidyClaim]:
    training = finished_class()
    for _ in range(2):
        paid_for_enrolment(training)
    fund = funded(province_official, "100000.00")
    claims, _ = file_class_claims(province_official, training, fund, institution_parties(training))
    return approve_claims(nanning_official, claims)[0]


def test_a_batch_below_the_threshold_is_paid_at_once(nanning_official: User, approved: list[SubsidyClaim]) -> None:
    city = Api(nanning_official)
    numbers = [claim.number for claim in approved]
    answer = city.post("/payments/batches", {"claim_numbers": numbers}, "batch-1")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["status"] == "done" and body["total"] == "3000.00" and BATCH_REFERENCE.match(body["reference"])
    assert sorted(paid["claim_number"] for paid in body["paid"]) == sorted(numbers)
    assert city.post("/payments/batches", {"claim_numbers": numbers}, "batch-1").json() == body
    assert Payment.objects.count() == 2


def test_a_batch_above_the_threshold_waits_for_a_second_official(
        monkeypatch: pytest.MonkeyPatch, nanning_official: User, liuzhou_official: User,
        approved: list[SubsidyClaim]) -> None:
    monkeypatch.setattr(four_eyes, "FOUR_EYES_THRESHOLDS", (
        FourEyesThreshold(dt.date(2025, 1, 1), Decimal("2000.00"), "test", dt.date(2026, 12, 6)),))
    first = Api(nanning_official)
    answer = first.post("/payments/batches", {"claim_numbers": [c.number for c in approved]}, "batch-1")
    assert answer.status_code == 202 and answer.json()["status"] == "awaiting_second"
    reference = answer.json()["reference"]
    same = first.post(f"/payments/batches/{reference}/approve", {}, "approve-1")
    assert same.status_code == 403 and same.json()["code"] == "same_official"
    assert Api(liuzhou_official).post(f"/payments/batches/{reference}/approve", {}, "x").status_code == 404
    second = Api(User.objects.create(username="nanning-2", role=Role.CITY_OFFICIAL, city=nanning_official.city))
    paid = second.post(f"/payments/batches/{reference}/approve", {}, "approve-2")
    assert paid.status_code == 200 and paid.json()["status"] == "done" and len(paid.json()["paid"]) == 2
    again = second.post(f"/payments/batches/{reference}/approve", {}, "approve-3")
    assert again.status_code == 200 and Payment.objects.count() == 2
    assert [b["status"] for b in first.get("/payments/batches").json()] == ["done"]


def test_a_payment_names_its_batch_in_the_one_format(nanning_official: User, approved: list[SubsidyClaim]) -> None:
    city = Api(nanning_official)
    # The batch makes its reference: a client's own, even one in the right format, is refused aloud.
    for made_up in ("B-1", "PAY20251015-450100-0A1B2C3D4E"):
        refused = city.post("/payments", {"claim_number": approved[0].number, "batch_ref": made_up}, made_up)
        assert refused.status_code == 422 and refused.json()["code"] == "bad_batch_ref"
    assert not Payment.objects.exists()
    paid = city.post("/payments", {"claim_number": approved[0].number}, "pay-1")
    assert paid.status_code == 201 and BATCH_REFERENCE.match(paid.json()["batch_ref"])
    batch = PaymentBatch.objects.get()
    assert (batch.reference, batch.count, batch.prepared_by_id) == (paid.json()["batch_ref"], 1, nanning_official.pk)
    again = city.post("/payments", {"claim_number": approved[0].number}, "pay-2")
    assert (again.status_code, again.json()["code"]) == (409, "not_approved") and Payment.objects.count() == 1


def test_one_claim_paid_alone_above_the_threshold_waits_for_a_second_official(
        monkeypatch: pytest.MonkeyPatch, nanning_official: User, approved: list[SubsidyClaim]) -> None:
    """Paying claims one by one through `POST /payments` does not skip four-eyes: each is a batch of one."""
    monkeypatch.setattr(four_eyes, "FOUR_EYES_THRESHOLDS", (
        FourEyesThreshold(dt.date(2025, 1, 1), Decimal("1000.00"), "test", dt.date(2026, 12, 6)),))
    first = Api(nanning_official)
    answer = first.post("/payments", {"claim_number": approved[0].number}, "pay-1")
    assert answer.status_code == 202, answer.json()
    body = answer.json()
    assert body["status"] == "awaiting_second" and body["claims"] == [approved[0].number] and body["paid"] == []
    assert not Payment.objects.exists()
    held = first.post("/payments", {"claim_number": approved[0].number}, "pay-2")
    assert (held.status_code, held.json()["code"]) == (409, "in_awaiting_batch")
    second = Api(User.objects.create(username="nanning-2", role=Role.CITY_OFFICIAL, city=nanning_official.city))
    paid = second.post(f"/payments/batches/{body['reference']}/approve", {}, "approve-1")
    assert paid.status_code == 200 and [p["claim_number"] for p in paid.json()["paid"]] == [approved[0].number]
    assert Payment.objects.get().batch_ref == body["reference"]


def test_an_allocation_above_the_threshold_waits_for_a_second_province_official(province_official: User) -> None:
    body = {"source": "employment_subsidy", "year": 2026, "amount": "5000000.00",
            "document_ref": "桂人社发〔2026〕9号", "city_code": "450100"}
    from qiancheng.training.tests.builders import city

    city()
    first = Api(province_official)
    answer = first.post("/funds/allocations", body, "alloc-1")
    assert answer.status_code == 202 and answer.json()["status"] == "awaiting_second"
    request_id = answer.json()["id"]
    assert not FundAccount.objects.filter(allocated__gt=0).exists()
    assert first.post(f"/funds/allocation-requests/{request_id}/approve", {}, "a-1").status_code == 403
    second = Api(User.objects.create(username="province-2", role=Role.PROVINCE_OFFICIAL))
    done = second.post(f"/funds/allocation-requests/{request_id}/approve", {}, "a-2")
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert FundAccount.objects.get().allocated == Decimal("5000000.00")
    small = first.post("/funds/allocations", {**body, "amount": "1000.00"}, "alloc-2")
    assert small.status_code == 201 and small.json()["allocated"] == "5001000.00"


def test_the_province_writes_off_a_recovery_through_the_api(province_official: User,
                                                            nanning_official: User) -> None:
    claim = paid_claim(nanning_official, funded(province_official, "100000.00"))
    case = open_recovery(nanning_official, claim, "fraud", "冒名顶替")
    assert Api(nanning_official).post(f"/recoveries/{case.pk}/write-off", {"reason": "x"}, "w-1").status_code == 403
    answer = Api(province_official).post(f"/recoveries/{case.pk}/write-off", {"reason": "债务人已注销"}, "w-2")
    assert answer.status_code == 200 and answer.json()["status"] == RecoveryStatus.WRITTEN_OFF
