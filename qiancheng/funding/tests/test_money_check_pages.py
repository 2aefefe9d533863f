"""No money moves by accident: every approve, pay, allocate and write-off page shows what it will do (the
count, the total, the list) and does it only on a deliberate confirm; the result names every claim touched.
Above the four-eyes threshold a payment batch or an allocation waits for a second official."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from qiancheng.accounts.models import Role, User
from qiancheng.funding.models import (
    AllocationRequest,
    ClaimStatus,
    FundAccount,
    FundSource,
    Payment,
    PaymentBatch,
    RecoveryStatus,
    SecondCheck,
    SubsidyClaim,
)
from qiancheng.funding.services import four_eyes
from qiancheng.funding.services.claims import approve_claims, file_class_claims
from qiancheng.funding.services.four_eyes import FourEyesThreshold
from qiancheng.funding.services.recovery import open_recovery
from qiancheng.funding.tests.money import (
    finished_class,
    funded,
    institution_parties,
    paid_claim,
    paid_for_enrolment,
)
from qiancheng.training.tests.builders import city

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(province_official: User) -> list[SubsidyClaim]:
    """Four eligible claims of a finished 南宁 class, waiting for review (1,500.00 each)."""
    training = finished_class()
    for _ in range(4):
        paid_for_enrolment(training)
    fund = funded(province_official, "100000.00")
    claims, _ = file_class_claims(province_official, training, fund, institution_parties(training))
    return sorted(claims, key=lambda claim: claim.pk)


@pytest.fixture
def approved(pending: list[SubsidyClaim], nanning_official: User) -> list[SubsidyClaim]:
    done, refused = approve_claims(nanning_official, pending)
    assert refused == {}
    return done


def _statuses() -> set[str]:
    return set(SubsidyClaim.objects.values_list("status", flat=True))


# ---------------------------------------------------------------- review


def test_the_review_page_has_no_row_button_in_the_bulk_form(client: Client, login, nanning_official,
                                                            pending: list[SubsidyClaim]) -> None:
    page = login(client, nanning_official).get("/money/review/").content.decode()
    bulk = page.split('id="review-form"', 1)[1].split("</form>", 1)[0]
    assert "<button" not in bulk and 'name="only"' not in page
    assert page.count('form="review-form"') >= len(pending) + 2  # each tick box, the note, the bulk button
    assert page.count('action="/money/review/check/"') == len(pending) + 1


def test_the_review_check_shows_count_total_and_list_and_approves_nothing(
        client: Client, login, nanning_official, pending: list[SubsidyClaim]) -> None:
    ticked = pending[1:3]
    check = login(client, nanning_official).post("/money/review/check/", {
        "claims": [claim.number for claim in ticked], "note": "材料齐全"})
    assert check.status_code == 200 and _statuses() == {ClaimStatus.PENDING}
    page = check.content.decode()
    assert check.context["total"] == Decimal("3000.00") and "3,000.00" in page
    assert [claim.number for claim in check.context["claims"]] == [claim.number for claim in ticked]
    assert all(claim.number in page for claim in ticked) and pending[0].number not in page
    assert 'data-testid="check-count">2<' in page and "材料齐全" in page


def test_confirming_approves_only_what_was_ticked_and_names_each(client: Client, login, nanning_official,
                                                                 pending: list[SubsidyClaim]) -> None:
    ticked = pending[1:3]
    answer = login(client, nanning_official).post("/money/review/confirm/", {
        "claims": [claim.number for claim in ticked], "note": "材料齐全"})
    assert answer.status_code == 200
    approved = set(SubsidyClaim.objects.filter(status=ClaimStatus.APPROVED).values_list("number", flat=True))
    assert approved == {claim.number for claim in ticked}
    page = answer.content.decode()
    assert f"已核准 2 件申领：{ticked[0].number}、{ticked[1].number}。" in page
    assert page.count('data-testid="summary-row"') == 2 and "3,000.00" in page


def test_a_claim_outside_the_queue_is_not_approved(client: Client, login, liuzhou_official,
                                                   pending: list[SubsidyClaim]) -> None:
    answer = login(client, liuzhou_official).post("/money/review/confirm/", {"claims": [pending[0].number]})
    assert answer.status_code == 302 and _statuses() == {ClaimStatus.PENDING}


def test_the_review_queue_no_longer_approves_on_post(client: Client, login, nanning_official,
                                                     pending: list[SubsidyClaim]) -> None:
    answer = login(client, nanning_official).post("/money/review/", {"claims": [pending[0].number],
                                                                     "only": pending[0].number})
    assert answer.status_code == 405 and _statuses() == {ClaimStatus.PENDING}


# ---------------------------------------------------------------- payment


def _pay_form(client: Client) -> dict[str, Any]:
    form = client.get("/money/payments/").context["form"]
    return {"idempotency_key": form.initial["idempotency_key"], "claims": [n for n, _ in form.fields["claims"].choices]}


def test_the_payment_check_shows_the_batch_and_pays_nothing(client: Client, login, nanning_official,
                                                            approved: list[SubsidyClaim]) -> None:
    login(client, nanning_official)
    data = _pay_form(client)
    data["claims"] = data["claims"][:3]
    check = client.post("/money/payments/check/", data)
    assert check.status_code == 200 and not Payment.objects.exists() and not PaymentBatch.objects.exists()
    page = check.content.decode()
    assert check.context["total"] == Decimal("4500.00") and "4,500.00" in page
    assert page.count('data-testid="summary-row"') == 3 and 'data-testid="needs-second"' not in page
    assert "确认支付 3 件，合计 4,500.00 元" in page


def test_confirming_pays_the_batch_once_and_its_page_names_every_claim(client: Client, login, nanning_official,
                                                                       approved: list[SubsidyClaim]) -> None:
    login(client, nanning_official)
    data = _pay_form(client)
    answer = client.post("/money/payments/confirm/", data, follow=True)
    client.post("/money/payments/confirm/", data)
    assert Payment.objects.count() == 4 and PaymentBatch.objects.count() == 1 and _statuses() == {ClaimStatus.PAID}
    batch = PaymentBatch.objects.get()
    assert batch.status == SecondCheck.DONE and batch.total == Decimal("6000.00")
    page = answer.content.decode()
    assert answer.redirect_chain[-1][0] == f"/money/payments/batches/{batch.reference}/"
    assert all(page.count(claim.number) >= 2 for claim in approved)  # in the message and in the list
    assert page.count('data-testid="batch-row"') == 4
    assert batch.reference in client.get("/money/payments/").content.decode()


@pytest.fixture
def low_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(four_eyes, "FOUR_EYES_THRESHOLDS", (
        FourEyesThreshold(dt.date(2025, 1, 1), Decimal("2000.00"), "test", dt.date(2026, 12, 6)),))


def test_above_the_threshold_a_second_official_pays_from_the_batch_page(
        client: Client, login, nanning_official, low_threshold: None, approved: list[SubsidyClaim]) -> None:
    login(client, nanning_official)
    check = client.post("/money/payments/check/", _pay_form(client)).content.decode()
    assert 'data-testid="needs-second"' in check and "提交复核：4 件，合计 6,000.00 元" in check
    client.post("/money/payments/confirm/", _pay_form(client) | {"claims": [c.number for c in approved]})
    batch = PaymentBatch.objects.get()
    assert batch.status == SecondCheck.AWAITING and not Payment.objects.exists()
    own = client.get(f"/money/payments/batches/{batch.reference}/").content.decode()
    assert 'data-testid="approve-batch"' not in own and 'data-testid="awaiting-other"' in own
    client.post(f"/money/payments/batches/{batch.reference}/approve/")
    assert not Payment.objects.exists()
    assert client.get("/money/payments/").context["claims"] == []  # held by the awaiting batch

    second = User.objects.create(username="nanning-2", role=Role.CITY_OFFICIAL, city=nanning_official.city)
    login(client, second)
    page = client.get(f"/money/payments/batches/{batch.reference}/").content.decode()
    assert "复核通过，支付 4 件，合计 6,000.00 元" in page
    answer = client.post(f"/money/payments/batches/{batch.reference}/approve/", follow=True).content.decode()
    assert Payment.objects.count() == 4 and all(claim.number in answer for claim in approved)
    batch.refresh_from_db()
    assert (batch.status, batch.second_official) == (SecondCheck.DONE, second)


def test_a_second_official_refuses_a_batch_with_a_reason(client: Client, login, nanning_official, low_threshold: None,
                                                         approved: list[SubsidyClaim]) -> None:
    login(client, nanning_official)
    client.post("/money/payments/confirm/", _pay_form(client))
    batch = PaymentBatch.objects.get()
    login(client, User.objects.create(username="nanning-2", role=Role.CITY_OFFICIAL, city=nanning_official.city))
    client.post(f"/money/payments/batches/{batch.reference}/refuse/", {"reason": "名单有误"})
    batch.refresh_from_db()
    assert batch.status == SecondCheck.REFUSED and not Payment.objects.exists()


def test_another_city_gets_404_for_a_batch(client: Client, login, nanning_official, liuzhou_official,
                                           approved: list[SubsidyClaim]) -> None:
    login(client, nanning_official)
    client.post("/money/payments/confirm/", _pay_form(client))
    reference = PaymentBatch.objects.get().reference
    login(client, liuzhou_official)
    assert client.get(f"/money/payments/batches/{reference}/").status_code == 404
    assert client.post(f"/money/payments/batches/{reference}/approve/").status_code == 404


# ---------------------------------------------------------------- allocation


def _allocation(amount: str) -> dict[str, Any]:
    return {"source": FundSource.SPECIAL_ACCOUNT, "year": 2026, "amount": amount, "document_ref": "桂人社发〔2026〕3号",
            "city": city().pk}


def test_the_allocation_check_shows_it_and_allocates_nothing(client: Client, login, province_official) -> None:
    check = login(client, province_official).post("/money/funds/allocate/", _allocation("5000.00"))
    assert check.status_code == 200 and not FundAccount.objects.filter(allocated__gt=0).exists()
    page = check.content.decode()
    assert "5,000.00" in page and "南宁" in page and "确认下达 5,000.00 元" in page
    client.post("/money/funds/allocate/confirm/", _allocation("5000.00"))
    assert FundAccount.objects.get().allocated == Decimal("5000.00")


def test_a_large_allocation_waits_for_a_second_province_official(client: Client, login, province_official) -> None:
    login(client, province_official)
    check = client.post("/money/funds/allocate/", _allocation("5000000.00")).content.decode()
    assert 'data-testid="needs-second"' in check and "提交复核：下达 5,000,000.00 元" in check
    client.post("/money/funds/allocate/confirm/", _allocation("5000000.00"))
    waiting = AllocationRequest.objects.get()
    assert waiting.status == SecondCheck.AWAITING and not FundAccount.objects.filter(allocated__gt=0).exists()
    assert f'data-testid="approve-allocation-{waiting.pk}"' not in client.get("/money/funds/").content.decode()
    client.post(f"/money/funds/allocations/{waiting.pk}/", {"decision": "approve"})
    assert not FundAccount.objects.filter(allocated__gt=0).exists()

    login(client, User.objects.create(username="province-2", role=Role.PROVINCE_OFFICIAL))
    assert f'data-testid="approve-allocation-{waiting.pk}"' in client.get("/money/funds/").content.decode()
    client.post(f"/money/funds/allocations/{waiting.pk}/", {"decision": "approve"})
    assert FundAccount.objects.get().allocated == Decimal("5000000.00")


def test_only_the_province_reaches_the_allocation_check(client: Client, login, nanning_official) -> None:
    login(client, nanning_official)
    assert client.post("/money/funds/allocate/", _allocation("5000.00")).status_code == 403
    assert client.post("/money/funds/allocate/confirm/", _allocation("5000.00")).status_code == 403
    assert not FundAccount.objects.exists()


# ---------------------------------------------------------------- write-off


def test_a_write_off_shows_what_it_writes_off_before_it_does(client: Client, login, province_official,
                                                             nanning_official) -> None:
    fund = funded(province_official, "100000.00")
    claim = paid_claim(nanning_official, fund)
    case = open_recovery(nanning_official, claim, "fraud", "冒名顶替")
    login(client, province_official)
    assert f'data-testid="write-off-{case.pk}"' in client.get("/money/recoveries/").content.decode()
    check = client.post(f"/money/recoveries/{case.pk}/write-off/check/", {"reason": "债务人已注销"})
    page = check.content.decode()
    assert check.status_code == 200 and claim.number in page and f"确认核销 {case.outstanding:,.2f} 元" in page
    case.refresh_from_db()
    assert case.status == RecoveryStatus.OPEN
    answer = client.post(f"/money/recoveries/{case.pk}/write-off/", {"reason": "债务人已注销"}, follow=True)
    case.refresh_from_db()
    assert case.status == RecoveryStatus.WRITTEN_OFF and claim.number in answer.content.decode()
    login(client, nanning_official)
    assert client.post(f"/money/recoveries/{case.pk}/write-off/check/", {"reason": "x"}).status_code == 404


def test_the_check_page_reads_in_english_when_asked(client: Client, login, nanning_official,
                                                    pending: list[SubsidyClaim]) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = login(client, nanning_official).post("/money/review/check/", {
        "claims": [claim.number for claim in pending[:2]]}).content.decode()
    assert "<h1>Check before approving</h1>" in page and "Confirm: approve these 2 claims" in page
    assert "核对后核准" not in page and "确认核准" not in page


def test_an_allocation_the_service_refuses_is_refused_at_the_check_step(client: Client, login,
                                                                         province_official) -> None:
    answer = login(client, province_official).post("/money/funds/allocate/", _allocation("5000000.00")
                                                   | {"year": 2030}, follow=True)
    assert answer.redirect_chain[-1][0] == "/money/funds/" and "2030" in answer.content.decode()
    assert not AllocationRequest.objects.exists() and not FundAccount.objects.filter(allocated__gt=0).exists()
