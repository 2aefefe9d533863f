"""Officials' second factor, enforced for real: these tests sign in with `force_login` or the login form and
never use the test-support helper (`pass_second_factor`) except to check that the helper itself works.

Codes are computed here from the device's secret with RFC 6238 written out (hmac + SHA-1), as an
authenticator app does, not with django-otp's own code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from qiancheng.accounts import second_factor
from qiancheng.accounts.models import ApiToken, AuditEntry, User
from qiancheng.accounts.services import issue_api_token
from qiancheng.accounts.tests.second_factor_support import pass_second_factor

pytestmark = pytest.mark.django_db

ENROL = "/account/second-factor/enrol/"
VERIFY = "/account/second-factor/verify/"


def rfc6238(key: bytes, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10 ** digits:0{digits}d}"


def code_of(device: TOTPDevice) -> str:
    """The code an authenticator app shows for the device's secret: this period's, or the next one's when
    this period's code was used already (a code is accepted once; the tolerance of one period takes the
    next). The device's measured clock drift is applied as django-otp does."""
    device.refresh_from_db()
    step = int(time.time() // device.step) + device.drift
    step = max(step, device.last_t + 1)
    return rfc6238(device.bin_key, at=step * device.step)


def enrolled(user: User) -> TOTPDevice:
    """Enrolment through the service, as the page does it; returns the confirmed authenticator."""
    device = second_factor.start_enrolment(user)
    assert second_factor.confirm_enrolment(user, code_of(device)).ok
    device.refresh_from_db()
    return device


def _actions(prefix: str = "second_factor.") -> list[str]:
    return list(AuditEntry.objects.filter(action__startswith=prefix).values_list("action", flat=True))


# ---------------------------------------------------------------- every signed-in page is held back


def _every_route() -> list[str]:
    """Every URL of the site outside the API, each placeholder filled with 1."""
    found: list[str] = []

    def walk(patterns: list, prefix: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern):
                found.append("/" + re.sub(r"<(?:\w+:)?\w+>", "1", route).lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "")
    open_paths = {ENROL, VERIFY, "/logout/", "/i18n/setlang/"}
    return sorted({url for url in found if not url.startswith("/api/") and "(?P" not in url} - open_paths)


def test_an_official_without_an_authenticator_is_sent_to_enrolment_from_every_page(client: Client,
                                                                                    nanning_official) -> None:
    client.force_login(nanning_official)
    routes = _every_route()
    assert len(routes) > 100 and "/money/review/" in routes and "/" in routes
    for url in routes:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(ENROL + "?next="), url
    # A form post is held back too, and does not reach the view.
    posted = client.post("/money/review/", {"anything": "1"})
    assert posted.status_code == 302 and posted["Location"] == ENROL + "?next=%2F"


def test_an_official_with_an_authenticator_but_no_code_this_session_is_sent_to_the_code_page(
        client: Client, province_official) -> None:
    enrolled(province_official)
    client.force_login(province_official)
    for url in _every_route():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(VERIFY + "?next="), url
    htmx = client.get("/money/review/", HTTP_HX_REQUEST="true")
    assert htmx.status_code == 204 and htmx["HX-Redirect"].startswith(VERIFY)


def test_the_password_then_the_code_signs_an_official_in(client: Client, nanning_official,
                                                         persona_password) -> None:
    device = enrolled(nanning_official)
    signed = client.post("/login/", {"username": "nanning", "password": persona_password,
                                     "next": "/money/review/"})
    assert signed["Location"] == "/money/review/"
    held = client.get("/money/review/")
    assert held["Location"] == VERIFY + "?next=%2Fmoney%2Freview%2F"
    page = client.get(held["Location"])
    assert page.status_code == 200 and "两步验证" in page.content.decode()
    key_before = client.session.session_key
    verified = client.post(VERIFY, {"code": code_of(device), "next": "/money/review/"})
    assert verified.status_code == 302 and verified["Location"] == "/money/review/"
    assert client.session.session_key != key_before  # a new session key once verified
    assert client.get("/money/review/").status_code == 200
    assert _actions("login.") == ["login.succeeded"] and _actions() == ["second_factor.enrolled",
                                                                        "second_factor.verified"]


def test_a_code_is_accepted_once(client: Client, nanning_official) -> None:
    device = enrolled(nanning_official)
    code = code_of(device)
    assert second_factor.verify_code(nanning_official, code).ok
    assert not second_factor.verify_code(nanning_official, code).ok


# ---------------------------------------------------------------- wrong codes


def test_a_wrong_code_is_refused_audited_and_locked_out_like_a_password(client: Client, nanning_official,
                                                                        settings) -> None:
    settings.LOGIN_FAILURE_LIMIT = 3
    device = enrolled(nanning_official)
    client.force_login(nanning_official)
    wrong = "000000" if code_of(device) != "000000" else "111111"
    first = client.post(VERIFY, {"code": wrong})
    assert first.status_code == 401 and "验证码错误" in first.content.decode()
    assert client.post(VERIFY, {"code": "not-a-code"}).status_code == 401
    third = client.post(VERIFY, {"code": wrong})
    assert third.status_code == 429 and "已暂时锁定" in third.content.decode()
    # While locked, even the right code is refused, and the attempt is recorded.
    assert client.post(VERIFY, {"code": code_of(device)}).status_code == 429
    assert client.get("/").status_code == 302
    assert _actions() == ["second_factor.enrolled", *["second_factor.failed"] * 3, "second_factor.locked_out",
                          "second_factor.refused_locked"]
    failure = AuditEntry.objects.filter(action="second_factor.failed").first()
    assert failure.actor == nanning_official and failure.after == {"channel": "web", "stage": "verify"}


def test_the_wrong_code_lock_ends_and_a_right_code_then_passes(client: Client, nanning_official, settings) -> None:
    from qiancheng.accounts.models import LoginThrottle

    settings.LOGIN_FAILURE_LIMIT = 2
    device = enrolled(nanning_official)
    for _ in range(2):
        assert not second_factor.verify_code(nanning_official, "12345x").ok
    assert second_factor.verify_code(nanning_official, code_of(device)).locked_until is not None
    LoginThrottle.objects.filter(key=f"second-factor:{nanning_official.pk}").update(locked_until=None)
    assert second_factor.verify_code(nanning_official, code_of(device)).ok


# ---------------------------------------------------------------- recovery codes


def test_a_recovery_code_works_once_and_is_stored_only_as_a_keyed_hash(nanning_official) -> None:
    device = second_factor.start_enrolment(nanning_official)
    check = second_factor.confirm_enrolment(nanning_official, code_of(device))
    codes = check.recovery_codes
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-7]{5}-[a-z2-7]{5}", code) for code in codes)
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert len(stored) == 10 and not stored & {code.replace("-", "") for code in codes} and not stored & set(codes)
    first = Client()
    first.force_login(nanning_official)
    used = first.post(VERIFY, {"code": codes[3].upper().replace("-", " ")})  # as typed from paper
    assert used.status_code == 302 and used["Location"] == "/"
    home = first.get("/")
    assert home.status_code == 200 and "还剩 9 个" in home.content.decode()
    assert second_factor.recovery_codes_left(nanning_official) == 9
    again = Client()
    again.force_login(nanning_official)
    assert again.post(VERIFY, {"code": codes[3]}).status_code == 401
    assert again.get("/").status_code == 302
    entry = AuditEntry.objects.get(action="second_factor.recovery_code_used")
    assert entry.after == {"channel": "web", "left": 9}


def test_regenerated_recovery_codes_void_the_old_ones(client: Client, nanning_official) -> None:
    device = second_factor.start_enrolment(nanning_official)
    old = second_factor.confirm_enrolment(nanning_official, code_of(device)).recovery_codes
    client.force_login(nanning_official)
    assert client.post(VERIFY, {"code": code_of(device)}).status_code == 302
    regenerated = client.post("/account/second-factor/recovery-codes/new/")
    assert regenerated["Location"] == "/account/second-factor/recovery-codes/"
    shown = client.get(regenerated["Location"]).content.decode()
    new = re.findall(r"<code>([a-z2-7]{5}-[a-z2-7]{5})</code>", shown)
    assert len(new) == 10 and not set(new) & set(old)
    assert client.get("/account/second-factor/recovery-codes/").status_code == 302  # shown once
    assert not second_factor.verify_code(nanning_official, old[0]).ok
    assert second_factor.verify_code(nanning_official, new[0]).ok
    assert "second_factor.recovery_codes_regenerated" in _actions()


# ---------------------------------------------------------------- enrolment, end to end


def test_enrolment_end_to_end_qr_first_code_recovery_codes_then_in(client: Client, liuzhou_official) -> None:
    client.force_login(liuzhou_official)
    sent = client.get("/money/review/")
    assert sent["Location"] == ENROL + "?next=%2Fmoney%2Freview%2F"
    page = client.get(sent["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "设置两步验证" in html
    main = re.search(r"<main[^>]*>(.*)</main>", html, re.S).group(1)
    assert "<svg" in main and "<script" not in main and "<img" not in main  # an inline QR code, no script
    secret = re.search(r'data-testid="secret">([A-Z2-7 ]+)</code>', html).group(1).replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    device = TOTPDevice.objects.get(user=liuzhou_official)
    assert not device.confirmed and key == device.bin_key
    assert "otpauth://totp/" in device.config_url and "secret=" + secret in device.config_url
    refused = client.post(ENROL, {"code": "123456" if rfc6238(key) != "123456" else "654321", "next": "/money/review/"})
    assert refused.status_code == 401 and not TOTPDevice.objects.get(pk=device.pk).confirmed
    confirmed = client.post(ENROL, {"code": rfc6238(key), "next": "/money/review/"})
    assert confirmed["Location"] == "/account/second-factor/recovery-codes/"
    codes_page = client.get(confirmed["Location"]).content.decode()
    assert len(re.findall(r"<code>[a-z2-7]{5}-[a-z2-7]{5}</code>", codes_page)) == 10
    assert 'href="/money/review/"' in codes_page
    assert client.get("/money/review/").status_code == 200
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert _actions() == ["second_factor.failed", "second_factor.enrolled"]
    assert AuditEntry.objects.get(action="second_factor.enrolled").after["recovery_codes"] == 10
    # The enrolment page does not offer a second authenticator.
    assert client.get(ENROL)["Location"] == "/account/second-factor/"


# ---------------------------------------------------------------- the API


def _token(client: Client, username: str, password: str, otp: str | None = None):
    body = {"username": username, "password": password} | ({"otp": otp} if otp is not None else {})
    return client.post("/api/v1/auth/token", body, content_type="application/json")


def test_the_token_endpoint_asks_an_official_for_the_code(client: Client, nanning_official, persona_password) -> None:
    not_enrolled = _token(client, "nanning", persona_password)
    assert not_enrolled.status_code == 403 and not_enrolled.json()["code"] == "second_factor_not_enrolled"
    device = enrolled(nanning_official)
    missing = _token(client, "nanning", persona_password)
    assert missing.status_code == 401 and missing.json()["code"] == "second_factor_required"
    wrong = _token(client, "nanning", persona_password, "000000" if code_of(device) != "000000" else "111111")
    assert wrong.status_code == 401 and wrong.json()["code"] == "second_factor_invalid"
    assert not ApiToken.objects.exists()
    issued = _token(client, "nanning", persona_password, code_of(device))
    assert issued.status_code == 200
    token = issued.json()["token"]
    assert ApiToken.objects.get().second_factor == device.persistent_id
    me = client.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200 and me.json()["username"] == "nanning"
    failed = AuditEntry.objects.get(action="second_factor.failed")
    assert failed.after == {"channel": "api", "stage": "verify"}


def test_the_token_endpoint_locks_out_wrong_codes(client: Client, nanning_official, persona_password,
                                                  settings) -> None:
    settings.LOGIN_FAILURE_LIMIT = 2
    device = enrolled(nanning_official)
    _token(client, "nanning", persona_password, "abcdef")
    locked = _token(client, "nanning", persona_password, "abcdef")
    assert locked.status_code == 429 and locked.json()["code"] == "second_factor_locked_out"
    assert _token(client, "nanning", persona_password, code_of(device)).status_code == 429


def test_a_recovery_code_gets_a_token_once(client: Client, province_official, persona_password) -> None:
    device = second_factor.start_enrolment(province_official)
    codes = second_factor.confirm_enrolment(province_official, code_of(device)).recovery_codes
    assert _token(client, "province", persona_password, codes[0]).status_code == 200
    assert _token(client, "province", persona_password, codes[0]).status_code == 401


def test_an_officials_token_issued_without_the_second_factor_is_refused_everywhere(
        client: Client, nanning_official) -> None:
    raw, _ = issue_api_token(nanning_official)
    for url in ("/api/v1/auth/me", "/api/v1/claims", "/api/v1/funds"):
        refused = client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert refused.status_code == 401 and refused.json()["code"] == "second_factor_required", url


# ---------------------------------------------------------------- everyone else


@pytest.mark.parametrize("persona", ["institution_user", "enterprise_user", "trainee_user"])
def test_others_are_not_asked_for_a_code(client: Client, request, persona, persona_password) -> None:
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get("/").status_code == 200
    assert client.get("/account/second-factor/").status_code == 200
    issued = _token(Client(), user.username, persona_password)
    assert issued.status_code == 200
    me = client.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {issued.json()['token']}")
    assert me.status_code == 200


def test_someone_who_turns_it_on_is_then_held_to_it_and_may_turn_it_off(client: Client, trainee_user,
                                                                        persona_password) -> None:
    device = enrolled(trainee_user)
    client.force_login(trainee_user)
    assert client.get("/")["Location"].startswith(VERIFY)
    assert _token(Client(), "trainee", persona_password).json()["code"] == "second_factor_required"
    assert client.post(VERIFY, {"code": code_of(device)}).status_code == 302
    assert client.post("/account/second-factor/remove/").status_code == 302
    assert not TOTPDevice.objects.filter(user=trainee_user).exists()
    assert _token(Client(), "trainee", persona_password).status_code == 200
    assert "second_factor.removed" in _actions()


def test_an_official_cannot_turn_it_off(client: Client, nanning_official) -> None:
    device = enrolled(nanning_official)
    client.force_login(nanning_official)
    client.post(VERIFY, {"code": code_of(device)})
    assert client.post("/account/second-factor/remove/").status_code == 403
    assert TOTPDevice.objects.filter(user=nanning_official, confirmed=True).exists()


# ---------------------------------------------------------------- the province resets a city official


def test_the_province_resets_a_city_officials_authenticator(client: Client, province_official,
                                                            nanning_official) -> None:
    lost = enrolled(nanning_official)
    city = Client()
    city.force_login(nanning_official)
    city.post(VERIFY, {"code": code_of(lost)})
    assert city.get("/").status_code == 200
    token, _ = issue_api_token(nanning_official, second_factor=lost)
    client.force_login(province_official)
    pass_second_factor(province_official, client)
    listing = client.get("/account/second-factor/officials/").content.decode()
    assert "nanning" in listing and "已启用" in listing
    without_reason = client.post(f"/account/second-factor/officials/{nanning_official.pk}/reset/", {"reason": ""})
    assert without_reason.status_code == 302 and TOTPDevice.objects.filter(user=nanning_official).exists()
    done = client.post(f"/account/second-factor/officials/{nanning_official.pk}/reset/",
                       {"reason": "手机遗失，已电话核实本人"})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=nanning_official).exists()
    assert not StaticToken.objects.filter(device__user=nanning_official).exists()
    entry = AuditEntry.objects.get(action="second_factor.reset")
    assert entry.actor == province_official and entry.target_pk == str(nanning_official.pk)
    assert entry.reason == "手机遗失，已电话核实本人" and entry.after["api_tokens_revoked"] == 1
    # The city official's session is no longer verified: back to enrolment; the old token is dead.
    assert city.get("/")["Location"].startswith(ENROL)
    assert client.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_only_the_province_resets_officials_and_never_its_own(client: Client, province_official, nanning_official,
                                                              liuzhou_official, trainee_user) -> None:
    enrolled(nanning_official)
    enrolled(province_official)
    client.force_login(liuzhou_official)
    pass_second_factor(liuzhou_official, client)
    reset = f"/account/second-factor/officials/{nanning_official.pk}/reset/"
    assert client.post(reset, {"reason": "x"}).status_code == 404
    assert client.get("/account/second-factor/officials/").status_code == 403
    province = Client()
    province.force_login(province_official)
    pass_second_factor(province_official, province)
    own = f"/account/second-factor/officials/{province_official.pk}/reset/"
    assert province.post(own, {"reason": "x"}).status_code == 404
    enrolled(trainee_user)  # someone who turned it on by choice is not the province's to reset
    trainee = f"/account/second-factor/officials/{trainee_user.pk}/reset/"
    assert province.post(trainee, {"reason": "x"}).status_code == 404
    assert TOTPDevice.objects.filter(user=trainee_user, confirmed=True).exists()
    assert TOTPDevice.objects.filter(user__in=[nanning_official, province_official], confirmed=True).count() == 2
    assert not _actions("second_factor.reset")


# ---------------------------------------------------------------- the test-support helper


def test_the_test_support_helper_gives_a_verified_official_and_leaves_others_alone(
        client: Client, login, nanning_official, trainee_user) -> None:
    login(client, nanning_official)
    assert client.get("/money/review/").status_code == 200
    assert TOTPDevice.objects.filter(user=nanning_official, confirmed=True).count() == 1
    assert pass_second_factor(trainee_user) is None
    assert not TOTPDevice.objects.filter(user=trainee_user).exists()
