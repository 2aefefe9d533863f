"""Through a real browser (issue 10, 1d and 1e): 南宁's official proposes "南宁养老护理员培训", the province
publishes it and it shows on the public page; "最好的培训" is refused with the reason on the page.

The browser, the page and the sign-in step come from tests/browser/conftest.py (Debian's chromium).
"""

from __future__ import annotations

import pytest

from qiancheng.training.tests import builders

pytestmark = pytest.mark.browser

GOOD = "南宁养老护理员培训"
BAD = "最好的培训"


def test_a_brand_is_proposed_refused_or_accepted_and_published(
    page, sign_in, live_server, nanning_official, province_official, persona_password
) -> None:
    builders.occupation(code="4-10-01-05", name="养老护理员")  # the catalogue entry the name must end with

    sign_in(page, nanning_official.username, persona_password)
    page.goto(f"{live_server.url}/brands/")
    page.get_by_label("品牌名称").fill(BAD)
    page.get_by_role("button", name="申报", exact=True).click()
    page.wait_for_load_state()
    reason = page.get_by_test_id("field-error-name").inner_text()
    assert "“培训”前的“最好的”不以职业分类大典中的职业或专项职业能力项目名称结尾" in reason
    assert "最好的" in page.get_by_test_id("error-summary").inner_text()

    page.get_by_label("品牌名称").fill(GOOD)
    page.get_by_role("button", name="申报", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == GOOD
    assert page.get_by_test_id("brand-status").inner_text() == "待发布"

    page.get_by_role("button", name="退出登录").click()
    sign_in(page, province_official.username, persona_password)
    page.goto(f"{live_server.url}/brands/")
    page.get_by_role("link", name=GOOD).click()
    page.get_by_label("结论").select_option("publish")
    page.get_by_role("button", name="保存结论").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("brand-status").inner_text() == "已发布"

    page.get_by_role("button", name="退出登录").click()
    page.goto(f"{live_server.url}/brands/published/")
    row = page.get_by_test_id("published-brands").locator("tr", has_text=GOOD)
    assert row.count() == 1 and "南宁市" in row.inner_text()
    assert page.get_by_test_id("published-brands").locator("tr", has_text=BAD).count() == 0
