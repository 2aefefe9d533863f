"""Through a real browser, no money moves by accident: on the review page, ticking two claims, typing a note
and pressing Enter approves nothing (it opens the check page with exactly the ticked claims); a payment
batch shows its count and total, following the ticks, and its summary before anything is paid."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qiancheng.funding.models import ClaimStatus, Payment, SubsidyClaim
from qiancheng.funding.services.claims import approve_claims, file_class_claims
from qiancheng.funding.tests.money import finished_class, funded, institution_parties, paid_for_enrolment

pytestmark = pytest.mark.browser


@pytest.fixture
def pending(province_official) -> list[SubsidyClaim]:  # type: ignore[no-untyped-def]
    """Four eligible 南宁 claims waiting for review, 1,500.00 each."""
    training = finished_class()
    for _ in range(4):
        paid_for_enrolment(training)
    fund = funded(province_official, "100000.00")
    claims, _ = file_class_claims(province_official, training, fund, institution_parties(training))
    return sorted(claims, key=lambda claim: (claim.submitted_at, claim.pk))


def _approved() -> set[str]:
    return set(SubsidyClaim.objects.filter(status=ClaimStatus.APPROVED).values_list("number", flat=True))


def test_enter_on_the_review_page_approves_nothing_that_was_not_ticked(
        page, sign_in, live_server, persona_password, nanning_official, pending) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, nanning_official.username, persona_password)
    page.goto(f"{live_server.url}/money/review/")
    ticked = [pending[1].number, pending[2].number]
    for number in ticked:
        page.get_by_label(number, exact=True).check()
    note = page.locator("#bulk-note")
    note.fill("材料齐全，同意")
    note.press("Enter")
    page.wait_for_load_state()
    # Enter opened the check page: nothing at all is approved yet, least of all the first, unticked row.
    assert _approved() == set()
    assert page.get_by_test_id("check-count").inner_text() == "2"
    assert page.get_by_test_id("check-total").inner_text() == "3,000.00"
    listed = page.get_by_test_id("summary-list").locator("tbody tr td:first-child").all_inner_texts()
    assert listed == ticked and pending[0].number not in page.locator("main").inner_text()
    page.get_by_test_id("confirm-approve").click()
    page.wait_for_load_state()
    assert _approved() == set(ticked)
    message = page.locator(".messages").inner_text()
    assert all(number in message for number in ticked) and pending[0].number not in message
    notes = set(SubsidyClaim.objects.filter(number__in=ticked).values_list("review_note", flat=True))
    assert notes == {"材料齐全，同意"}


def test_a_payment_batch_shows_its_summary_and_total_before_paying(
        page, sign_in, live_server, persona_password, nanning_official, pending) -> None:  # type: ignore[no-untyped-def]
    approve_claims(nanning_official, pending)
    sign_in(page, nanning_official.username, persona_password)
    page.goto(f"{live_server.url}/money/payments/")
    assert page.get_by_test_id("selected-total").inner_text() == "6,000.00"
    # The heading follows the ticks: one claim unticked leaves three, 4,500.00.
    page.get_by_label(pending[0].number, exact=True).uncheck()
    assert page.get_by_test_id("selected-count").inner_text() == "3"
    assert page.get_by_test_id("selected-total").inner_text() == "4,500.00"
    page.get_by_test_id("pay-batch").click()
    page.wait_for_load_state()
    assert not Payment.objects.exists()
    assert page.get_by_test_id("check-count").inner_text() == "3"
    assert page.get_by_test_id("check-total").inner_text() == "4,500.00"
    assert len(page.get_by_test_id("summary-row").all()) == 3
    assert "确认支付 3 件，合计 4,500.00 元" in page.get_by_test_id("confirm-pay").inner_text()
    page.get_by_test_id("confirm-pay").click()
    page.wait_for_load_state()
    assert Payment.objects.count() == 3 and sum(p.amount for p in Payment.objects.all()) == Decimal("4500.00")
    assert len(page.get_by_test_id("batch-row").all()) == 3
    message = page.locator(".messages").inner_text()
    assert all(claim.number in message for claim in pending[1:]) and pending[0].number not in message
