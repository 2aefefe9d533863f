"""Through a real browser: a new institution registers, 南宁's official approves it from the queue, and the
institution's workspace then shows 已认定 (1c).

The browser, page and sign-in fixtures come from tests/browser/conftest.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qiancheng.providers.models import Institution, InstitutionStatus

pytestmark = pytest.mark.browser

NAME = "南宁市技能之光培训学校"
PASSWORD = "a-long-enough-secret-2025"
SCREENSHOTS = Path("/tmp")


def test_an_institution_registers_and_nanning_approves_it(
    browser, page, sign_in, live_server, nanning_official, persona_password
) -> None:
    from qiancheng.training.tests import builders

    builders.occupation()  # 4-04-05-05 人工智能训练师, asked for below

    page.goto(f"{live_server.url}/institutions/register/")
    page.get_by_test_id("name").fill(NAME)
    page.get_by_test_id("uscc").fill("91450100MA5K12340N")
    page.get_by_test_id("kind").select_option("private_school")
    page.get_by_test_id("city").select_option("450100")
    page.get_by_test_id("address").fill("南宁市青秀区民族大道1号")
    page.get_by_test_id("legal-representative").fill("黄国安")
    page.get_by_test_id("phone").fill("0771-5551234")
    page.get_by_test_id("contact-name").fill("黄老师")
    page.get_by_test_id("occupations").fill("4-04-05-05 4")
    page.get_by_test_id("capacity").fill("120")
    page.get_by_test_id("username").fill("skills-school")
    page.get_by_test_id("password").fill(PASSWORD)
    page.get_by_test_id("password-again").fill(PASSWORD)
    page.screenshot(path=str(SCREENSHOTS / "qiancheng-institution-register.png"), full_page=True)
    page.get_by_test_id("register-submit").click()
    page.wait_for_url("**/institutions/mine/")
    assert page.get_by_test_id("institution-status").inner_text() == "已申请"

    official = browser.new_context(locale="zh-CN")
    official_page = official.new_page()
    sign_in(official_page, nanning_official.username, persona_password)
    official_page.goto(f"{live_server.url}/institutions/queue/")
    official_page.get_by_test_id("queue-row").filter(has_text=NAME).get_by_test_id("queue-open").click()
    official_page.screenshot(path=str(SCREENSHOTS / "qiancheng-institution-review.png"), full_page=True)
    official_page.get_by_test_id("review-reason").fill("材料齐全，同意认定")
    official_page.get_by_test_id("review-approve").click()
    official_page.wait_for_url("**/institutions/queue/")
    assert official_page.get_by_test_id("queue-row").filter(has_text=NAME).count() == 0
    official.close()

    page.reload()
    assert page.get_by_test_id("institution-status").inner_text() == "已认定"
    assert "有效期至" in page.get_by_test_id("approved-until").inner_text()
    assert Institution.objects.get(name=NAME).status == InstitutionStatus.APPROVED
    page.screenshot(path=str(SCREENSHOTS / "qiancheng-institution-workspace.png"), full_page=True)
