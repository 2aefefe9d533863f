"""Through a real browser: each role signs in on the login page and lands on its own home page.

The browser and the sign-in step come from tests/browser/conftest.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SCREENSHOT = Path("/tmp/qiancheng-province-home.png")

HEADINGS = {
    "province_official": "自治区人社厅工作台",
    "nanning_official": "南宁市人社局工作台",
    "institution_user": "培训机构工作台",
    "enterprise_user": "企业工作台",
    "trainee_user": "我的前程",
}

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("persona", sorted(HEADINGS))
def test_each_role_signs_in_and_sees_its_home(persona, request, page, sign_in, persona_password) -> None:
    user = request.getfixturevalue(persona)
    sign_in(page, user.username, persona_password)
    assert page.locator("h1").inner_text() == HEADINGS[persona]
    from qiancheng.web.templatetags.page_shell import person_name

    assert person_name(user) in page.get_by_test_id("who").inner_text()


def test_a_wrong_password_stays_on_the_login_page(page, sign_in, nanning_official) -> None:
    sign_in(page, "nanning", "not-the-password")
    assert page.locator("h1").inner_text() == "登录"
    assert "用户名或密码错误" in page.get_by_role("alert").inner_text()


def test_the_province_home_draws_its_chart(page, sign_in, province_official, persona_password) -> None:
    from qiancheng.accounts.tests.two_cities import build_two_cities

    build_two_cities()
    sign_in(page, "province", persona_password)
    page.locator("#claims-chart svg").wait_for()
    assert page.locator("#claims-chart svg rect").count() > 0
    page.screenshot(path=str(SCREENSHOT), full_page=True)


def test_signing_out_returns_to_the_public_page(page, sign_in, trainee_user, persona_password) -> None:
    sign_in(page, "trainee", persona_password)
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "技能照亮前程"
