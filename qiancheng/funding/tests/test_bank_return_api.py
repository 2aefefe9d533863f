"""退票 through the API: the same service as the page, in the API's problem shape when refused."""

from __future__ import annotations

import pytest

from qiancheng.accounts.models import User
from qiancheng.clock import today
from qiancheng.funding.models import ClaimStatus, Payment, PaymentStatus
from qiancheng.funding.services.ledger import verify_ledger
from qiancheng.funding.tests.money import funded, paid_claim
from qiancheng.funding.tests.test_money_api import Api

pytestmark = pytest.mark.django_db


def test_a_return_through_the_api_reverses_once_and_is_refused_the_second_time(
    province_official: User, nanning_official: User, liuzhou_official: User,
) -> None:
    fund = funded(province_official, "10000.00")
    claim = paid_claim(nanning_official, fund)
    payment = Payment.objects.get(claim=claim)
    body = {"reason": "户名不符 / the account name does not match", "bank_ref": "TP-1",
            "returned_on": today().isoformat()}

    assert Api(liuzhou_official).post(f"/payments/{payment.pk}/return", body, "k1").status_code == 404
    answer = Api(nanning_official).post(f"/payments/{payment.pk}/return", body, "k1")
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == PaymentStatus.REVERSED
    assert (answer.json()["returned_on"], answer.json()["return_bank_ref"]) == (today().isoformat(), "TP-1")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED and verify_ledger().ok

    # The same key replays the answer; a new key is a second return, refused with the reason.
    assert Api(nanning_official).post(f"/payments/{payment.pk}/return", body, "k1").status_code == 200
    twice = Api(nanning_official).post(f"/payments/{payment.pk}/return", body, "k2")
    assert twice.status_code == 409 and twice.json()["code"] == "already_returned"


def test_bad_input_is_a_4xx_naming_what_is_wrong(province_official: User, nanning_official: User) -> None:
    fund = funded(province_official, "10000.00")
    payment = Payment.objects.get(claim=paid_claim(nanning_official, fund))
    api = Api(nanning_official)
    missing = api.post(f"/payments/{payment.pk}/return", {"reason": "销户", "bank_ref": "TP-1"}, "a")
    assert missing.status_code == 422 and missing.json()["code"] == "returned_on_missing"
    garbled = api.post(f"/payments/{payment.pk}/return", {"reason": "销户", "bank_ref": "TP-1",
                                                         "returned_on": "2025-13-45"}, "b")
    assert 400 <= garbled.status_code < 500
    assert api.post("/payments/999999/return", {"reason": "x"}, "c").status_code == 404
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
