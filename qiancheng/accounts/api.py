"""`/api/v1/auth/…`: get a bearer token with a password, revoke it, and ask who you are."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from qiancheng.accounts.api_errors import ApiError, ErrorOut
from qiancheng.accounts.models import Role, User
from qiancheng.accounts.second_factor import confirmed_totp, required_for, verify_code
from qiancheng.accounts.services import attempt_login, issue_api_token, revoke_api_token

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str
    otp: str | None = Field(
        None, max_length=32,
        description="officials (and anyone who turned the second factor on): the six-digit code of the "
                    "authenticator app, or one unused recovery code",
    )


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


def _minutes_until(moment: dt.datetime) -> int:
    return max(1, round((moment - timezone.now()).total_seconds() / 60))


@router.post("/token", auth=None, response={200: TokenOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut})
def create_token(request: HttpRequest, payload: TokenIn) -> TokenOut:
    """Exchange a username and password for a bearer token (shown once; the same lockout as the login page).

    Officials, and anyone who turned the second factor on, also give `otp`: a six-digit code of their
    authenticator app or one unused recovery code (wrong codes are locked out like wrong passwords).
    """
    outcome = attempt_login(request, payload.username, payload.password, channel="api")
    if outcome.locked_until is not None:
        minutes = _minutes_until(outcome.locked_until)
        raise ApiError(
            429,
            "locked_out",
            f"登录失败次数过多，请 {minutes} 分钟后再试",
            f"Too many failed logins; try again in {minutes} minutes",
        )
    if outcome.user is None:
        raise ApiError(401, "invalid_credentials", "用户名或密码错误", "Wrong username or password")
    device = None
    if required_for(outcome.user):
        if confirmed_totp(outcome.user) is None:
            raise ApiError(403, "second_factor_not_enrolled", "请先在网页登录并设置两步验证",
                           "Sign in on the web and set up the second factor first")
        if not payload.otp:
            raise ApiError(401, "second_factor_required", "请提供两步验证码（otp）",
                           "The second-factor code (otp) is required")
        check = verify_code(outcome.user, payload.otp, request, channel="api")
        if check.locked_until is not None:
            minutes = _minutes_until(check.locked_until)
            raise ApiError(429, "second_factor_locked_out", f"验证码错误次数过多，请 {minutes} 分钟后再试",
                           f"Too many wrong codes; try again in {minutes} minutes")
        if check.device is None:
            raise ApiError(401, "second_factor_invalid", "验证码错误", "Wrong second-factor code")
        device = check.device
    raw, token = issue_api_token(outcome.user, request, second_factor=device)
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
        role_label=str(Role(user.role).label) if user.role else "",
        city_code=user.city_id,
        city_name=user.city.name if user.city_id else None,
        institution_id=user.institution_id,
        enterprise_id=user.enterprise_id,
        person_key=user.person_id,
    )
