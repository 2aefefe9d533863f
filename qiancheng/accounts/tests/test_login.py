"""Login page: Chinese form, lockout per username and per address, audit of failures, CSRF, session expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from qiancheng.accounts.models import AuditEntry, LoginThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_IP_FAILURE_LIMIT = 5
    settings.LOGIN_LOCKOUT_SECONDS = 600
    return settings


def _post(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def _actions() -> list[str]:
    return list(AuditEntry.objects.values_list("action", flat=True))


def test_the_login_form_is_in_chinese(client: Client) -> None:
    page = client.get("/login/").content.decode()
    assert "<h1>登录</h1>" in page and "用户名" in page and "密码" in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_the_right_password_signs_in_and_is_audited(client: Client, nanning_official, persona_password) -> None:
    response = _post(client, "nanning", persona_password)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(nanning_official.pk)  # the second factor comes next
    assert _actions() == ["login.succeeded"]
    assert AuditEntry.objects.get().ip == "10.0.0.1"


def test_a_wrong_password_is_refused_and_audited(client: Client, nanning_official) -> None:
    response = _post(client, "nanning", "wrong-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.content.decode()
    assert _actions() == ["login.failed"]
    assert AuditEntry.objects.get().after == {"username": "nanning", "channel": "web"}


def test_the_username_is_locked_after_the_limit_even_for_the_right_password(
    client: Client, nanning_official, persona_password, limits
) -> None:
    for _ in range(2):
        assert _post(client, "nanning", "wrong").status_code == 401
    third = _post(client, "nanning", "wrong")
    assert third.status_code == 429 and "已暂时锁定" in third.content.decode()
    assert _post(client, "nanning", persona_password).status_code == 429
    assert _actions() == ["login.failed"] * 3 + ["login.locked_out", "login.refused_locked"]


def test_a_lock_ends_after_the_lockout_period(client: Client, nanning_official, persona_password, limits) -> None:
    for _ in range(3):
        _post(client, "nanning", "wrong")
    LoginThrottle.objects.update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert _post(client, "nanning", persona_password).status_code == 302


def test_failures_spread_over_more_than_the_window_do_not_lock(client: Client, nanning_official, limits) -> None:
    for _ in range(2):
        _post(client, "nanning", "wrong")
    LoginThrottle.objects.update(window_started=timezone.now() - dt.timedelta(seconds=601))
    assert _post(client, "nanning", "wrong").status_code == 401


def test_a_success_forgets_earlier_failures_of_the_username(
    client: Client, nanning_official, persona_password, limits
) -> None:
    for _ in range(2):
        _post(client, "nanning", "wrong")
    assert _post(client, "nanning", persona_password).status_code == 302
    client.logout()
    for _ in range(2):
        assert _post(client, "nanning", "wrong").status_code == 401


def test_one_address_trying_many_usernames_is_locked(
    client: Client, nanning_official, persona_password, limits
) -> None:
    for number in range(5):
        _post(client, f"guess{number}", "wrong", ip="203.0.113.9")
    assert _post(client, "nanning", persona_password, ip="203.0.113.9").status_code == 429
    assert _post(client, "nanning", persona_password, ip="10.0.0.2").status_code == 302


def test_the_username_lock_holds_from_another_address(client: Client, nanning_official, persona_password, limits):
    for number in range(3):
        _post(client, "nanning", "wrong", ip=f"10.0.1.{number}")
    assert _post(client, "nanning", persona_password, ip="10.0.2.1").status_code == 429


def test_an_inactive_account_cannot_sign_in(client: Client, nanning_official, persona_password) -> None:
    nanning_official.is_active = False
    nanning_official.save()
    assert _post(client, "nanning", persona_password).status_code == 401


def test_the_login_form_needs_the_csrf_token(nanning_official, persona_password) -> None:
    browser = Client(enforce_csrf_checks=True)
    refused = browser.post("/login/", {"username": "nanning", "password": persona_password})
    assert refused.status_code == 403
    assert not AuditEntry.objects.exists()
    browser.get("/login/")
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(
        "/login/", {"username": "nanning", "password": persona_password, "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 302


def test_logout_is_a_post_and_is_audited(client: Client, login, nanning_official) -> None:
    login(client, nanning_official)
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert _actions() == ["logout"]


def test_next_goes_only_to_this_site(client: Client, nanning_official, persona_password) -> None:
    response = client.post(
        "/login/", {"username": "nanning", "password": persona_password, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_a_session_ends_when_it_expires(client: Client, nanning_official, persona_password, settings) -> None:
    _post(client, "nanning", persona_password)
    assert client.session.get_expiry_age() <= settings.SESSION_COOKIE_AGE
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert not client.get("/").context["user"].is_authenticated
