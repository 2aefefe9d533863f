"""退票 from the claim's page: a form per standing payment, a check page that moves nothing, one confirm."""

from __future__ import annotations

import pytest
from django.test import Client

from qiancheng.accounts.models import User
from qiancheng.clock import today
from qiancheng.funding.models import ClaimStatus, LedgerTransaction, Payment, PaymentStatus, TransactionKind
from qiancheng.funding.services.ledger import verify_ledger
from qiancheng.funding.tests.money import funded, paid_claim

pytestmark = pytest.mark.django_db


def test_an_official_records_a_return_after_checking_it(
    client: Client, login, province_official: User, nanning_official: User, liuzhou_official: User,
) -> None:
    fund = funded(province_official, "10000.00")
    claim = paid_claim(nanning_official, fund)
    payment = Payment.objects.get(claim=claim)
    page = login(client, nanning_official)
    detail = page.get(f"/money/claims/{claim.number}/").content.decode()
    assert 'data-testid="return-form"' in detail
    notice = {"reason": "收款账户已销户", "bank_ref": "TP-20251015-009", "returned_on": today().isoformat()}

    check = page.post(f"/money/payments/{payment.pk}/return/check/", notice)
    html = check.content.decode()
    assert check.status_code == 200 and "TP-20251015-009" in html and claim.number in html
    assert f"{payment.amount:,.2f}" in html
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID  # the check page moves nothing

    done = page.post(f"/money/payments/{payment.pk}/return/", notice, follow=True)
    assert claim.number in done.content.decode() and "已登记退票" in done.content.decode()
    claim.refresh_from_db()
    payment.refresh_from_db()
    assert (claim.status, payment.status) == (ClaimStatus.APPROVED, PaymentStatus.REVERSED)
    assert verify_ledger().ok
    # A second confirm (a double click, a reload) is refused with the reason and posts nothing more.
    again = page.post(f"/money/payments/{payment.pk}/return/", notice, follow=True).content.decode()
    assert "不能重复登记退票" in again
    assert LedgerTransaction.objects.filter(kind=TransactionKind.BANK_RETURN).count() == 1
    assert 'data-testid="return-form"' not in page.get(f"/money/claims/{claim.number}/").content.decode()

    other = login(Client(), liuzhou_official)
    assert other.post(f"/money/payments/{payment.pk}/return/check/", notice).status_code == 404


def test_an_incomplete_notice_goes_back_to_the_claim_with_what_is_missing(
    client: Client, login, province_official: User, nanning_official: User, institution_user: User,
) -> None:
    fund = funded(province_official, "10000.00")
    claim = paid_claim(nanning_official, fund)
    payment = Payment.objects.get(claim=claim)
    answer = login(client, nanning_official).post(f"/money/payments/{payment.pk}/return/check/",
                                                  {"reason": "销户", "bank_ref": ""}, follow=True)
    assert "银行退票凭证号" in answer.content.decode()
    assert login(Client(), institution_user).post(
        f"/money/payments/{payment.pk}/return/", {"reason": "x", "bank_ref": "y", "returned_on": "2025-10-01"}
    ).status_code in (403, 404)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
