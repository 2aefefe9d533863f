"""Content-Security-Policy through a real browser (issue 13, item 2): every main page of each role arrives with
the policy and raises no violation: no inline script, no inline style, no script from elsewhere.

A violation shows in two places, and both are watched: the `securitypolicyviolation` event (recorded by a
script the test adds before any page script; DevTools-injected, so the policy does not block it) and
Chromium's console error ("Refused to ...").
"""

from __future__ import annotations

import pytest

from qiancheng.web.navigation import links_for

pytestmark = pytest.mark.browser

PERSONAS = ("province_official", "nanning_official", "institution_user", "enterprise_user", "trainee_user")
POLICY = ("default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
          "object-src 'none'", "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'")
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + (event.blockedURI || "inline") + " @" + event.sourceFile + ":" + event.lineNumber);
});
"""


def _watch(page) -> list[str]:
    errors: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def _visit(page, url: str) -> list[str]:
    response = page.goto(url)
    page.wait_for_load_state("load")
    policy = response.headers.get("content-security-policy", "")
    assert all(directive in policy for directive in POLICY), (url, policy)
    return [f"{url}: {each}" for each in page.evaluate("window.__violations")]


def test_public_pages_carry_the_policy_and_break_none_of_it(page, live_server, db) -> None:
    errors = _watch(page)
    violations = []
    for _label, url in [("", "/"), *links_for(None), ("", "/login/"), ("", "/verify/")]:
        violations += _visit(page, f"{live_server.url}{url}")
    assert violations == [] and errors == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_roles_main_pages_carry_the_policy_and_break_none_of_it(persona, request, page, live_server, sign_in,
                                                                    persona_password) -> None:
    from qiancheng.accounts.tests.two_cities import build_two_cities

    build_two_cities()
    user = request.getfixturevalue(persona)
    errors = _watch(page)
    sign_in(page, user.username, persona_password)
    violations = []
    for _label, url in [("", "/"), *links_for(user)]:
        violations += _visit(page, f"{live_server.url}{url}")
    assert violations == [], violations
    assert errors == [], errors
