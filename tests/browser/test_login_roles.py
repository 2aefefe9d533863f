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


def test_a_city_official_passes_the_code_and_is_signed_out_when_idle(page, live_server, settings, nanning_official,
                                                                     persona_password) -> None:
    """等保 level 3 for officials: the password leads to the code page, the code to the home page; a session
    left alone past the idle limit is signed out with the reason, whatever its absolute lifetime."""
    import time

    from qiancheng.accounts.tests.second_factor_support import code_now, pass_second_factor

    settings.SESSION_IDLE_SECONDS = 8  # in-process server: the override reaches its middleware
    device = pass_second_factor(nanning_official)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(nanning_official.username)
    page.get_by_label("密码").fill(persona_password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert "/account/second-factor/verify/" in page.url
    page.goto(f"{live_server.url}/money/review/")  # every page leads back to the code page until it is passed
    assert "/account/second-factor/verify/" in page.url
    page.get_by_label("验证码").fill(code_now(device))
    page.get_by_role("button", name="验证").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "补贴申领审核"  # back to the page that was asked for
    time.sleep(10)
    page.goto(f"{live_server.url}/money/review/")
    assert "/login/" in page.url
    assert "长时间未操作" in page.content()
