"""A signed-in session ends when idle, its pages are never cached, and sign-in works behind the TLS proxy."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from qiancheng.accounts.models import User
from qiancheng.accounts.session_policy import LAST_SEEN
from qiancheng.accounts.tests.second_factor_support import pass_second_factor

pytestmark = pytest.mark.django_db


def _signed_in(client: Client, password: str) -> Client:
    response = client.post("/login/", {"username": "nanning", "password": password})
    assert response.status_code == 302
    pass_second_factor(User.objects.get(username="nanning"), client)
    return client


def test_signed_in_pages_are_never_stored(client: Client, nanning_official,
                                                                persona_password) -> None:
    _signed_in(client, persona_password)
    page = client.get("/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]


def test_an_idle_session_is_signed_out_and_an_active_one_is_not(client: Client, nanning_official,
                                                                persona_password, settings) -> None:
    settings.SESSION_IDLE_SECONDS = 1800
    _signed_in(client, persona_password)
    assert client.get("/").status_code == 200
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 1799  # active just inside the limit
    session.save()
    assert client.get("/").status_code == 200
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 1801
    session.save()
    gone = client.get("/money/review/")
    assert gone.status_code == 302 and gone["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session  # the session is over, not only this request
    assert client.get("/money/review/").status_code == 302


def test_a_login_through_the_documented_proxy_is_accepted(nanning_official, persona_password, settings) -> None:
    """docs/operations.md: TLS ends at the proxy, which forwards X-Forwarded-Proto; the browser sends its
    https Origin. With QIANCHENG_TRUSTED_ORIGINS and QIANCHENG_BEHIND_PROXY set, the login POST passes CSRF."""
    settings.CSRF_TRUSTED_ORIGINS = ["https://px.example.gov.cn"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["px.example.gov.cn"]
    browser = Client(enforce_csrf_checks=True)
    headers = {"HTTP_HOST": "px.example.gov.cn", "HTTP_X_FORWARDED_PROTO": "https"}
    form = browser.get("/login/", **headers)
    token = browser.cookies["csrftoken"].value
    response = browser.post("/login/", {"username": "nanning", "password": persona_password,
                                        "csrfmiddlewaretoken": token},
                            HTTP_ORIGIN="https://px.example.gov.cn", HTTP_REFERER="https://px.example.gov.cn/login/",
                            **headers)
    assert form.status_code == 200
    assert response.status_code == 302, response.content.decode()[:500]
    # Without the forwarded-proto setting the request looks like plain http to an https Origin: refused.
    settings.CSRF_TRUSTED_ORIGINS = []
    settings.SECURE_PROXY_SSL_HEADER = None
    refused = Client(enforce_csrf_checks=True)
    refused.get("/login/", **headers)
    again = refused.post("/login/", {"username": "nanning", "password": persona_password,
                                     "csrfmiddlewaretoken": refused.cookies["csrftoken"].value},
                         HTTP_ORIGIN="https://px.example.gov.cn", **headers)
    assert again.status_code == 403
