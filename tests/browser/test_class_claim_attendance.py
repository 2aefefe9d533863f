"""Through a real browser: 6c on the class claim page. In an 80-hour class, the trainee who attended 8 hours
(10 %, below the 80 % threshold) cannot be ticked and the page says why; the one who attended 64 hours
(exactly 80 %) can be claimed, is checked with the count and the total, and is filed on a deliberate click.
"""

from __future__ import annotations

import pytest

from qiancheng.funding.models import ClaimStatus, SubsidyClaim
from qiancheng.funding.tests.money import finished_class, funded, paid_for_enrolment
from qiancheng.training.tests import builders

pytestmark = pytest.mark.browser


def test_8_of_80_hours_cannot_be_claimed_and_64_of_80_can(page, sign_in, live_server, persona_password,
                                                           institution_user, province_official) -> None:
    training = finished_class(institution=institution_user.institution, name="电工四级班", class_hours=80)
    low = paid_for_enrolment(training, attended=False)
    builders.attended(low, 8)
    enough = paid_for_enrolment(training, attended=False)
    builders.attended(enough, 64)
    funded(province_official, "100000.00")

    sign_in(page, institution_user.username, persona_password)
    page.goto(f"{live_server.url}/money/classes/{training.pk}/claim/")
    rows = page.get_by_test_id("trainee-row")
    assert rows.count() == 2
    low_row, enough_row = rows.nth(0), rows.nth(1)
    assert low_row.get_attribute("data-claimable") == "no"
    assert low_row.locator("input[type=checkbox]").count() == 0  # nothing to tick
    reason = low_row.get_by_test_id("trainee-status").inner_text()
    assert "出勤率10.0%（80学时中出勤8学时），低于阈值80%" in reason and "6c" in reason
    assert "报名#" not in page.content() and "enrolment" not in reason
    assert enough_row.get_attribute("data-claimable") == "yes"
    assert "可申领" in enough_row.get_by_test_id("trainee-status").inner_text()

    enough_row.locator("input[type=checkbox]").check()
    page.get_by_test_id("check-claims").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("check-count").inner_text() == "1"
    assert "元" in page.get_by_test_id("check-total").inner_text()
    assert page.get_by_test_id("check-row").count() == 1
    assert SubsidyClaim.objects.count() == 0  # nothing is filed before the confirm click
    page.get_by_test_id("confirm-claims").click()
    page.wait_for_load_state()
    claim = SubsidyClaim.objects.get()
    assert claim.enrolment_id == enough.pk and claim.status == ClaimStatus.PENDING
    assert f"已提交 1 件申领：{claim.number}" in page.locator(".messages").inner_text()
