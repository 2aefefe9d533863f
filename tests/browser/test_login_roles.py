"""Through a real browser: each role signs in on the login page and lands on its own home page.

Playwright drives Debian's chromium (`apt-get install chromium`); it never downloads a browser of its
own. Without /usr/bin/chromium the tests skip and say why: that is the only skip in the suite.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = Path("/tmp/qiancheng-province-home.png")

HEADINGS = {
    "province_official": "自治区人社厅工作台",
    "nanning_official": "南宁市人社局工作台",
    "institution_user": "培训机构工作台",
    "enterprise_user": "企业工作台",
    "trainee_user": "我的前程",
}

pytestmark = pytest.mark.browser


def setup_module() -> None:
    # Playwright's sync API runs an event loop in this thread; the live server's database calls are
    # still synchronous, so Django's guard against ORM calls from async code does not apply here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        reason = f"chromium not installed: {CHROMIUM} is missing (apt-get install chromium)"
        print(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


def _sign_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("persona", sorted(HEADINGS))
def test_each_role_signs_in_and_sees_its_home(persona, request, page, live_server, persona_password) -> None:
    user = request.getfixturevalue(persona)
    _sign_in(page, live_server, user.username, persona_password)
    assert page.locator("h1").inner_text() == HEADINGS[persona]
    assert user.display_name in page.get_by_test_id("who").inner_text()


def test_a_wrong_password_stays_on_the_login_page(page, live_server, nanning_official) -> None:
    _sign_in(page, live_server, "nanning", "not-the-password")
    assert page.locator("h1").inner_text() == "登录"
    assert "用户名或密码错误" in page.get_by_role("alert").inner_text()


def test_the_province_home_draws_its_chart(page, live_server, province_official, persona_password) -> None:
    from qiancheng.accounts.tests.two_cities import build_two_cities

    build_two_cities()
    _sign_in(page, live_server, "province", persona_password)
    page.locator("#claims-chart svg").wait_for()
    assert page.locator("#claims-chart svg rect").count() > 0
    page.screenshot(path=str(SCREENSHOT), full_page=True)


def test_signing_out_returns_to_the_public_page(page, live_server, trainee_user, persona_password) -> None:
    _sign_in(page, live_server, "trainee", persona_password)
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "技能照亮前程"
