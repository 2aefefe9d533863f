"""Shared fixtures of the browser tests: Debian's chromium driven by Playwright, and signing in.

Playwright never downloads a browser of its own here. Without /usr/bin/chromium the tests skip and say
why (`apt-get install chromium`): that is the only skip in the suite.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
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


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        reason = f"chromium not installed: {CHROMIUM} is missing (apt-get install chromium)"
        print(reason)
        pytest.skip(reason)
    # Playwright's sync API runs an event loop in this thread; the live server's database calls are
    # still synchronous, so Django's guard against ORM calls from async code does not apply here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def sign_in(live_server) -> Callable[[object, str, str], None]:
    """Sign `username` in on the login page of the live server, in `page`'s own browser context.

    An official then meets the second-factor page, as in real use: the code typed there is computed from
    their authenticator's secret (made if missing, by the test-support helper `pass_second_factor`).
    """
    from qiancheng.accounts.models import User
    from qiancheng.accounts.tests.second_factor_support import code_now, pass_second_factor

    def signed_in(page, username: str, password: str) -> None:
        user = User.objects.filter(username=username).first()
        device = pass_second_factor(user) if user is not None else None
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        if device is not None and "/account/second-factor/verify/" in page.url:
            page.get_by_label("验证码").fill(code_now(device))
            page.get_by_role("button", name="验证").click()
            page.wait_for_load_state()

    return signed_in
