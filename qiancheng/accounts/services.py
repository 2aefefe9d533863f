"""Every change to accounts: creating users, logging in and out, API tokens. Each one is audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.models import Device

from qiancheng.accounts import lockout
from qiancheng.accounts.audit import client_ip, record_event
from qiancheng.accounts.models import ApiToken, Role, User

TOKEN_PREFIX = "qc_"
ACCOUNT_FIELDS = ("username", "role", "city_id", "institution_id", "enterprise_id", "person_id", "industry_id",
                  "is_active")


@dataclass(frozen=True)
class LoginOutcome:
    """The user when the password was right and nothing was locked; otherwise why not."""

    user: User | None
    locked_until: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.user is not None


def create_account(
    actor: User | None,
    username: str,
    password: str,
    role: Role | str,
    *,
    request: HttpRequest | None = None,
    check_password_strength: bool = True,
    **links: Any,
) -> User:
    """Create a login for `role`; `links` are `city`, `institution`, `enterprise`, `person` or `industry` as the
    role needs.

    The database refuses links that do not fit the role (see User.Meta.constraints).
    """
    user = User(username=username, role=role, **links)
    if check_password_strength:
        validate_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.full_clean(exclude=["password"])
        user.save()
        record_event(actor, "account.created", user, after=_account_state(user), request=request)
    return user


def _account_state(user: User) -> dict[str, Any]:
    return {field: getattr(user, field) for field in ACCOUNT_FIELDS}


def attempt_login(request: HttpRequest, username: str, password: str, channel: str = "web") -> LoginOutcome:
    """Check a password under the lockout rules; record the success, failure or lockout.

    The password is not even checked while the username or the address is locked, so a locked account
    gives a guesser nothing. `channel` ("web" or "api") is kept in the audit trail.
    """
    keys = lockout.login_keys(username, client_ip(request))
    with transaction.atomic():
        locked = lockout.locked_until(keys)
        if locked is not None:
            record_event(None, "login.refused_locked", after={"username": username, "channel": channel},
                         request=request)
            return LoginOutcome(None, locked)
    # Outside the transaction: argon2 takes a while and must not hold the database's write lock.
    user = authenticate(request, username=username, password=password)
    with transaction.atomic():
        if user is None:
            return LoginOutcome(None, _record_failure(request, keys, username, channel))
        lockout.clear_username(username)
        user.last_login = timezone.now()
        user.save(update_fields=["last_login"])
        record_event(user, "login.succeeded", user, after={"channel": channel}, request=request)
    return LoginOutcome(user)


def _record_failure(
    request: HttpRequest, keys: list[lockout.ThrottleKey], username: str, channel: str
) -> dt.datetime | None:
    record_event(None, "login.failed", after={"username": username, "channel": channel}, request=request)
    locked: dt.datetime | None = None
    for each in keys:
        until = lockout.count_failure(each)
        if until is not None:
            locked = until
            record_event(
                None,
                "login.locked_out",
                after={"kind": str(each.kind), "key": each.key, "until": until},
                reason=f"{settings.LOGIN_LOCKOUT_SECONDS} 秒内登录失败次数达到上限 / too many failed logins",
                request=request,
            )
    return locked


def record_logout(user: User, request: HttpRequest) -> None:
    with transaction.atomic():
        record_event(user, "logout", user, request=request)


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue_api_token(
    user: User, request: HttpRequest | None = None, *, second_factor: Device | None = None
) -> tuple[str, ApiToken]:
    """Make a new bearer token for `user`; the clear token is returned once and never stored.

    `second_factor` is the device whose code the caller checked (`second_factor.verify_code`): an
    official's token without one is refused by TokenAuth.
    """
    if second_factor is not None and second_factor.user_id != user.pk:
        raise ValueError("second_factor belongs to another user")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            key_hash=_hash_token(raw),
            prefix=raw[:12],
            created_at=now,
            expires_at=now + dt.timedelta(seconds=settings.API_TOKEN_SECONDS),
            second_factor=second_factor.persistent_id if second_factor is not None else "",
        )
        record_event(user, "api_token.issued", token,
                     after={"prefix": token.prefix, "expires_at": token.expires_at,
                            "second_factor": token.second_factor}, request=request)
    return raw, token


def revoke_api_token(actor: User, token: ApiToken, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        record_event(actor, "api_token.revoked", locked, before={"revoked_at": None},
                     after={"revoked_at": locked.revoked_at}, request=request)


def token_in_force(raw: str) -> ApiToken | None:
    """The unrevoked, unexpired token whose hash matches, with an active user; else None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(raw), revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is not None and (token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5)):
        # Coarse on purpose: one write per token per five minutes, not one per request.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
