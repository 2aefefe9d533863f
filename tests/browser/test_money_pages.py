"""Through a real browser: the institution claims for a finished class, 南宁 reviews the engine's decisions,
approves and pays a batch, and the fund dashboard shows the money paid.

The browser and the sign-in step come from tests/browser/conftest.py; the data from the money builders.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from qiancheng.funding.models import ClaimStatus, FundAccount, Payment, SubsidyClaim
from qiancheng.funding.tests.money import finished_class, funded, paid_for_enrolment

pytestmark = pytest.mark.browser
SCREENSHOTS = Path("/tmp")


def _sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state()


def test_claim_review_pay_and_see_the_fund(page, sign_in, live_server, persona_password, institution_user,
                                           nanning_official, province_official) -> None:
    training = finished_class(institution=institution_user.institution, name="人工智能训练师四级班")
    for _ in range(2):
        paid_for_enrolment(training)
    funded(province_official, "100000.00")

    sign_in(page, institution_user.username, persona_password)
    page.goto(f"{live_server.url}/money/claims/")
    page.get_by_test_id(f"claim-class-{training.pk}").click()
    assert "就业补助资金" in page.get_by_test_id("rule-fund").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "qiancheng-money-class-claim.png"), full_page=True)
    # Tick every trainee who can be claimed, check the count and total, then confirm (a deliberate click).
    for box in page.get_by_test_id("class-claim-form").locator("input[name=enrolments]").all():
        box.check()
    page.get_by_test_id("check-claims").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("check-count").inner_text() == "2"
    page.get_by_test_id("confirm-claims").click()
    page.wait_for_load_state()
    assert "已提交 2 件申领" in page.locator(".messages").inner_text()
    assert page.get_by_test_id("claim-status").all_inner_texts() == ["待审核"] * 2
    _sign_out(page)

    sign_in(page, nanning_official.username, persona_password)
    page.goto(f"{live_server.url}/money/review/")
    table = page.get_by_test_id("review-table")
    assert table.get_by_test_id("decision").all_inner_texts()[0].startswith("符合条件")
    page.screenshot(path=str(SCREENSHOTS / "qiancheng-money-review.png"), full_page=True)
    for box in page.locator("input[name=claims][type=checkbox]").all():
        box.check()
    page.get_by_test_id("approve-selected").click()
    page.wait_for_load_state()
    page.get_by_test_id("confirm-approve").click()
    page.wait_for_load_state()
    assert "已核准 2 件申领" in page.locator(".messages").inner_text()

    page.goto(f"{live_server.url}/money/payments/")
    page.get_by_test_id("pay-batch").click()
    page.wait_for_load_state()
    # The batch's summary and total come before anything is paid; the confirm is a deliberate click.
    page.get_by_test_id("check-total").wait_for()
    page.get_by_test_id("confirm-pay").click()
    page.wait_for_load_state()
    assert "已支付 2 件" in page.locator(".messages").inner_text()
    assert Payment.objects.count() == 2
    assert set(SubsidyClaim.objects.values_list("status", flat=True)) == {ClaimStatus.PAID}

    page.goto(f"{live_server.url}/money/funds/")
    paid = FundAccount.objects.get().paid
    assert paid > Decimal("0")
    assert page.get_by_test_id("fund-paid").inner_text() == f"{paid:,.2f}"
    page.locator("#fund-chart svg[role=img]").wait_for()
    assert page.locator("#fund-chart svg[role=img] rect").count() > 0
    page.screenshot(path=str(SCREENSHOTS / "qiancheng-money-funds.png"), full_page=True)
