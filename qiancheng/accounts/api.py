"""`/api/v1/auth/…`: get a bearer token with a password, revoke it, and ask who you are."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from qiancheng.accounts.api_errors import ApiError, ErrorOut
from qiancheng.accounts.models import Role, User
from qiancheng.accounts.services import attempt_login, issue_api_token, revoke_api_token

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    expires_at: dt.datetime


class MeOut(Schema):
    username: str
    role: str
    role_label: str
    city_code: str | None
    city_name: str | None
    institution_id: int | None
    enterprise_id: int | None
    person_key: str | None


@router.post("/token", auth=None, response={200: TokenOut, 401: ErrorOut, 429: ErrorOut})
def create_token(request: HttpRequest, payload: TokenIn) -> TokenOut:
    """Exchange a username and password for a bearer token (shown once; the same lockout as the login page)."""
    outcome = attempt_login(request, payload.username, payload.password, channel="api")
    if outcome.locked_until is not None:
        minutes = max(1, round((outcome.locked_until - timezone.now()).total_seconds() / 60))
        raise ApiError(
            429,
            "locked_out",
            f"登录失败次数过多，请 {minutes} 分钟后再试",
            f"Too many failed logins; try again in {minutes} minutes",
        )
    if outcome.user is None:
        raise ApiError(401, "invalid_credentials", "用户名或密码错误", "Wrong username or password")
    raw, token = issue_api_token(outcome.user, request)
    return TokenOut(token=raw, expires_at=token.expires_at)


@router.delete("/token", response={204: None, 401: ErrorOut})
def delete_token(request: HttpRequest) -> tuple[int, None]:
    """Revoke the token this request was made with."""
    revoke_api_token(request.auth, request.api_token, request)  # type: ignore[attr-defined]
    return 204, None


@router.get("/me", response={200: MeOut, 401: ErrorOut})
def me(request: HttpRequest) -> MeOut:
    """The caller's role and what it is scoped to."""
    user: User = request.auth  # type: ignore[assignment]
    return MeOut(
        username=user.username,
        role=user.role,
        role_label=Role(user.role).label if user.role else "",
        city_code=user.city_id,
        city_name=user.city.name if user.city_id else None,
        institution_id=user.institution_id,
        enterprise_id=user.enterprise_id,
        person_key=user.person_id,
    )
