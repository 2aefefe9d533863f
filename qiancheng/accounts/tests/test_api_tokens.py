"""API tokens: issued once for a password, stored hashed, revocable, expiring; errors in one JSON shape."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.test import Client
from django.utils import timezone

from qiancheng.accounts.models import ApiToken, AuditEntry, User
from qiancheng.accounts.tests.second_factor_support import code_now, pass_second_factor

pytestmark = pytest.mark.django_db


def _token(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    """The token request as a client makes it: an official adds the current code of their authenticator."""
    body = {"username": username, "password": password}
    user = User.objects.filter(username=username).first()
    device = pass_second_factor(user) if user is not None else None
    if device is not None:
        body["otp"] = code_now(device)
    return client.post("/api/v1/auth/token", body, content_type="application/json", REMOTE_ADDR=ip)


def _bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _assert_error_shape(body: dict, code: str) -> None:
    assert body["code"] == code
    assert body["message_zh"] and body["message_en"]


def test_a_password_gets_a_token_that_is_stored_only_as_its_hash(client: Client, nanning_official, persona_password):
    response = _token(client, "nanning", persona_password)
    assert response.status_code == 200
    body = response.json()
    token = body["token"]
    assert token.startswith("qc_") and body["token_type"] == "Bearer"
    stored = ApiToken.objects.get()
    assert stored.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {stored.key_hash, stored.prefix}
    assert list(AuditEntry.objects.values_list("action", flat=True)) == [
        "login.succeeded", "second_factor.verified", "api_token.issued"]
    assert stored.second_factor.startswith("otp_totp.totpdevice/")


def test_me_tells_the_role_and_city(client: Client, nanning_official, persona_password) -> None:
    token = _token(client, "nanning", persona_password).json()["token"]
    body = client.get("/api/v1/auth/me", **_bearer(token)).json()
    assert body["username"] == "nanning" and body["role"] == "city_official"
    assert body["city_code"] == "450100" and body["city_name"] == "南宁市"
    assert body["institution_id"] is None and body["person_key"] is None


def test_me_of_an_institution_account_names_the_institution(client, institution_user, persona_password) -> None:
    token = _token(client, "institution", persona_password).json()["token"]
    body = client.get("/api/v1/auth/me", **_bearer(token)).json()
    assert body["role"] == "institution" and body["institution_id"] == institution_user.institution_id
    assert body["city_code"] is None


def test_without_a_token_the_answer_is_401_in_both_languages(client: Client) -> None:
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    _assert_error_shape(response.json(), "unauthenticated")


def test_a_made_up_token_is_401(client: Client, nanning_official) -> None:
    assert client.get("/api/v1/auth/me", **_bearer("qc_made-up")).status_code == 401


def test_a_wrong_password_gets_no_token(client: Client, nanning_official) -> None:
    response = _token(client, "nanning", "wrong")
    assert response.status_code == 401
    _assert_error_shape(response.json(), "invalid_credentials")
    assert not ApiToken.objects.exists()


def test_the_login_lockout_applies_to_tokens(client: Client, nanning_official, persona_password, settings) -> None:
    settings.LOGIN_FAILURE_LIMIT = 2
    _token(client, "nanning", "wrong")
    _token(client, "nanning", "wrong")
    response = _token(client, "nanning", persona_password)
    assert response.status_code == 429
    _assert_error_shape(response.json(), "locked_out")
    assert not ApiToken.objects.exists()


def test_a_revoked_token_stops_working(client: Client, nanning_official, persona_password) -> None:
    token = _token(client, "nanning", persona_password).json()["token"]
    assert client.delete("/api/v1/auth/token", **_bearer(token)).status_code == 204
    assert client.get("/api/v1/auth/me", **_bearer(token)).status_code == 401
    assert ApiToken.objects.get().revoked_at is not None
    assert AuditEntry.objects.filter(action="api_token.revoked").count() == 1


def test_an_expired_token_stops_working(client: Client, nanning_official, persona_password) -> None:
    token = _token(client, "nanning", persona_password).json()["token"]
    ApiToken.objects.update(
        created_at=timezone.now() - dt.timedelta(days=2), expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert client.get("/api/v1/auth/me", **_bearer(token)).status_code == 401


def test_a_deactivated_users_token_stops_working(client: Client, nanning_official, persona_password) -> None:
    token = _token(client, "nanning", persona_password).json()["token"]
    nanning_official.is_active = False
    nanning_official.save()
    assert client.get("/api/v1/auth/me", **_bearer(token)).status_code == 401


def test_bad_input_is_422_with_details(client: Client) -> None:
    response = client.post("/api/v1/auth/token", {"username": "x"}, content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    _assert_error_shape(body, "invalid_input")
    assert body["details"]


def test_the_outsider_sees_only_their_own_city(client: Client, outsider, persona_password) -> None:
    token = _token(client, "guilin", persona_password).json()["token"]
    body = client.get("/api/v1/auth/me", **_bearer(token)).json()
    assert body["city_code"] == "450300"
