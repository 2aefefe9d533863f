"""Officials' second factor (等保 level 3): an authenticator app's six-digit code, or a single-use recovery code.

Province and city officials must pass it after their password, on the web and for an API token; anyone else
may turn it on (`/account/second-factor/`) and is then held to it the same way. django-otp keeps the
devices: a `TOTPDevice` (RFC 6238, 30-second codes; enrolled by scanning a QR code and confirmed by a first
code) and a `StaticDevice` holding the ten recovery codes. The plugin stores a static token as given, so
what it stores here is a keyed hash of the code (`recovery_code_hash`): the clear codes are shown once, at
enrolment or when regenerated, and exist nowhere afterwards.

A signed-in session is *verified* when django-otp's `otp_device_id` names one of the user's confirmed
devices (`django_otp.login`); `SecondFactorMiddleware` sends a session that must be verified and is not to
the code page, or to enrolment when there is no device yet, from every page but those two and logout.
The API holds no session: `POST /api/v1/auth/token` asks for the code and the token records the device
that verified it (`ApiToken.second_factor`); `TokenAuth` refuses an official's token that has none.

Wrong codes are counted like wrong passwords (`accounts/lockout.py`, `LOGIN_FAILURE_LIMIT` per
`LOGIN_LOCKOUT_SECONDS`, on a key of its own per user), and every enrolment, failure, lockout, use of a
recovery code, regeneration and reset is an audit entry.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from qiancheng.accounts import lockout
from qiancheng.accounts.audit import record_event
from qiancheng.accounts.models import ApiToken, LoginThrottle, Role, ThrottleKind, User

ENFORCED_ROLES = frozenset({Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL})
RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery codes"
_TOTP_CODE = re.compile(r"\d{6}")
# Ten base32 characters (50 random bits), shown as two groups of five; no 0/1/8/9 to mistake for letters.
_RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
_RECOVERY_CODE = re.compile(r"[a-z2-7]{10}")


# ---------------------------------------------------------------- who must pass it


def enforced_for(user: User) -> bool:
    """Officials cannot sign in without a second factor."""
    return getattr(user, "role", "") in ENFORCED_ROLES


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def required_for(user: User) -> bool:
    """Officials always; anyone else once they have turned it on."""
    return enforced_for(user) or TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def session_verified(request: HttpRequest) -> bool:
    """The session's user passed a second factor (django-otp's OTPMiddleware reads the session)."""
    is_verified: Callable[[], bool] | None = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


# ---------------------------------------------------------------- recovery codes


def normalised_code(raw: str) -> str:
    """What a person typed, without spaces or dashes, lower case ("abcde-fghij" → "abcdefghij")."""
    return re.sub(r"[\s\-]", "", raw or "").lower()


def recovery_code_hash(code: str) -> str:
    """The stored form of a recovery code: an HMAC keyed by SECRET_KEY, 64 bits, fitting StaticToken.token.

    Keyed, so a copy of the database alone does not let anyone try the 2^50 codes offline. Rotating
    SECRET_KEY voids the recovery codes: regenerate them afterwards (docs/security.md).
    """
    return salted_hmac("qiancheng.accounts.recovery-code", normalised_code(code)).hexdigest()[:16]


def shown(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes by ten new ones; return them in clear (to be shown once)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes: list[str] = []
    while len(codes) < RECOVERY_CODE_COUNT:
        code = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=recovery_code_hash(code)) for code in codes])
    return [shown(code) for code in codes]


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# ---------------------------------------------------------------- enrolment


class AlreadyEnrolled(Exception):
    """The user has a confirmed authenticator; a new one needs a reset (or removal) first."""


def start_enrolment(user: User) -> TOTPDevice:
    """The unconfirmed authenticator to scan: the one begun earlier, or a new secret."""
    if confirmed_totp(user) is not None:
        raise AlreadyEnrolled(user.username)
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return pending or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def secret_base32(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it typed in, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code (no script, no external image: CSP-safe)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff",
                                                               title="otpauth")


@dataclass(frozen=True)
class CodeCheck:
    """The device that accepted a code, or why none did (`locked_until` while wrong codes are locked out)."""

    device: Device | None
    locked_until: dt.datetime | None = None
    recovery_codes_left: int | None = None  # set when a recovery code was the one used
    recovery_codes: list[str] = field(default_factory=list)  # set once, at enrolment

    @property
    def ok(self) -> bool:
        return self.device is not None


def _throttle_key(user: User) -> lockout.ThrottleKey:
    # Counted like a username's failed passwords (LOGIN_FAILURE_LIMIT), on a key of its own.
    return lockout.ThrottleKey(ThrottleKind.USERNAME, f"second-factor:{user.pk}")


def _refused_while_locked(user: User, channel: str, request: HttpRequest | None) -> dt.datetime | None:
    with transaction.atomic():
        locked = lockout.locked_until([_throttle_key(user)])
        if locked is not None:
            record_event(user, "second_factor.refused_locked", user, after={"channel": channel}, request=request)
        return locked


def _failed(user: User, channel: str, stage: str, request: HttpRequest | None) -> dt.datetime | None:
    """Audit one wrong code and count it; the lock's end when this one reached the limit."""
    record_event(user, "second_factor.failed", user, after={"channel": channel, "stage": stage}, request=request)
    until = lockout.count_failure(_throttle_key(user))
    if until is not None:
        record_event(user, "second_factor.locked_out", user, after={"channel": channel, "until": until},
                     reason=f"{settings.LOGIN_LOCKOUT_SECONDS} 秒内验证码错误次数达到上限 / too many wrong codes",
                     request=request)
    return until


def _clear_failures(user: User) -> None:
    key = _throttle_key(user)
    LoginThrottle.objects.filter(kind=key.kind, key=key.key).update(failures=0, locked_until=None)


def confirm_enrolment(user: User, code: str, request: HttpRequest | None = None) -> CodeCheck:
    """A first code from the scanned authenticator confirms it; ten recovery codes are made with it."""
    locked = _refused_while_locked(user, "web", request)
    if locked is not None:
        return CodeCheck(None, locked)
    typed = normalised_code(code)
    with transaction.atomic():
        device = (TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first())
        if confirmed_totp(user) is not None:
            raise AlreadyEnrolled(user.username)
        if device is None or not _TOTP_CODE.fullmatch(typed) or not device.verify_token(typed):
            return CodeCheck(None, _failed(user, "web", "enrolment", request))
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        codes = _new_recovery_codes(user)
        _clear_failures(user)
        record_event(user, "second_factor.enrolled", user,
                     after={"device": device.persistent_id, "recovery_codes": len(codes)}, request=request)
    return CodeCheck(device, recovery_codes=codes)


# ---------------------------------------------------------------- verifying a code


def verify_code(user: User, code: str, request: HttpRequest | None = None, *, channel: str = "web") -> CodeCheck:
    """Check a six-digit code or a recovery code (used up by this) under the wrong-code lockout.

    `channel` ("web" or "api") is kept in the audit trail. The caller marks the session verified
    (`django_otp.login`) or the API token (`issue_api_token(second_factor=…)`) with the device returned.
    """
    locked = _refused_while_locked(user, channel, request)
    if locked is not None:
        return CodeCheck(None, locked)
    typed = normalised_code(code)
    with transaction.atomic():
        if _TOTP_CODE.fullmatch(typed):
            totp = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
            if totp is not None and totp.verify_token(typed):
                _clear_failures(user)
                record_event(user, "second_factor.verified", user, after={"channel": channel}, request=request)
                return CodeCheck(totp)
        elif _RECOVERY_CODE.fullmatch(typed):
            static = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            if static is not None and static.verify_token(recovery_code_hash(typed)):
                left = static.token_set.count()
                _clear_failures(user)
                record_event(user, "second_factor.recovery_code_used", user,
                             after={"channel": channel, "left": left}, request=request)
                return CodeCheck(static, recovery_codes_left=left)
        return CodeCheck(None, _failed(user, channel, "verify", request))


# ---------------------------------------------------------------- managing it


def regenerate_recovery_codes(user: User, request: HttpRequest | None = None) -> list[str]:
    """Ten new recovery codes, the old ones void; only for a user with a confirmed authenticator."""
    with transaction.atomic():
        if confirmed_totp(user) is None:
            raise PermissionDenied("未启用两步验证 / no second factor to regenerate codes for")
        left = recovery_codes_left(user)
        codes = _new_recovery_codes(user)
        record_event(user, "second_factor.recovery_codes_regenerated", user,
                     before={"recovery_codes": left}, after={"recovery_codes": len(codes)}, request=request)
    return codes


def _devices_state(user: User) -> dict[str, object]:
    totp = confirmed_totp(user)
    return {"authenticator": totp.persistent_id if totp else None, "recovery_codes": recovery_codes_left(user)}


def _remove_devices(user: User) -> int:
    """Delete every device and revoke every API token the second factor let through."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def may_reset(actor: User, target: User) -> bool:
    """A province official resets a city official's second factor, or another province official's; never their own."""
    return actor.role == Role.PROVINCE_OFFICIAL and target.role in ENFORCED_ROLES and target.pk != actor.pk


def reset_second_factor(actor: User, target: User, reason: str, request: HttpRequest | None = None) -> None:
    """A province official removes an official's authenticator and recovery codes (a lost phone): the
    official enrols again at their next sign-in. Their API tokens are revoked with it."""
    if not may_reset(actor, target):
        raise PermissionDenied("只有自治区人社厅可以重置其他人社部门账户的两步验证 / only the province resets another "
                               "official's second factor")
    reason = reason.strip()
    if not reason:
        raise ValueError("请说明重置原因 / a reason is required")
    with transaction.atomic():
        before = _devices_state(target)
        revoked = _remove_devices(target)
        record_event(actor, "second_factor.reset", target, before=before,
                     after={"authenticator": None, "recovery_codes": 0, "api_tokens_revoked": revoked},
                     reason=reason, request=request)


def remove_own_second_factor(user: User, request: HttpRequest | None = None) -> None:
    """Someone who turned the second factor on by choice turns it off; officials cannot."""
    if enforced_for(user):
        raise PermissionDenied("官员账户必须使用两步验证 / officials cannot turn the second factor off")
    with transaction.atomic():
        before = _devices_state(user)
        revoked = _remove_devices(user)
        record_event(user, "second_factor.removed", user, before=before,
                     after={"authenticator": None, "recovery_codes": 0, "api_tokens_revoked": revoked},
                     request=request)


# ---------------------------------------------------------------- holding signed-in pages behind it

# The pages an unverified session may open: the code page, enrolment, and signing out. The API is not
# here: it holds no session and asks for the code when a token is issued.
OPEN_BEFORE_VERIFIED = frozenset({
    "accounts:second_factor_verify", "accounts:second_factor_enrol", "accounts:logout", "set_language",
})


class SecondFactorMiddleware:
    """Sends a signed-in user who must pass the second factor, and has not in this session, to the code page
    (or to enrolment when they have no authenticator yet) from every page but those in OPEN_BEFORE_VERIFIED."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict
                     ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith("/api/"):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_BEFORE_VERIFIED:
            return None
        if session_verified(request) or not required_for(user):
            return None
        target = "accounts:second_factor_enrol" if confirmed_totp(user) is None else "accounts:second_factor_verify"
        # Back to the page asked for once verified; after a form post, to the home page.
        back = request.get_full_path() if request.method == "GET" else "/"
        where = f"{reverse(target)}?{urlencode({'next': back})}"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = where
            return response
        return redirect(where)
