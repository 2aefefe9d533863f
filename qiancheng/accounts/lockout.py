"""Counting failed logins per username and per address, and locking both out for a while.

A username is locked after `LOGIN_FAILURE_LIMIT` failures within `LOGIN_LOCKOUT_SECONDS`; an address
after `LOGIN_IP_FAILURE_LIMIT` (higher by default, because a city bureau's staff share one NAT address
and one person's typos must not lock out the whole office). A lock lasts `LOGIN_LOCKOUT_SECONDS`.
Callers run these inside a transaction; the throttle row is locked while it is counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from qiancheng.accounts.models import LoginThrottle, ThrottleKind


@dataclass(frozen=True)
class ThrottleKey:
    kind: ThrottleKind
    key: str


def login_keys(username: str, ip: str | None) -> list[ThrottleKey]:
    keys = [ThrottleKey(ThrottleKind.USERNAME, username.strip().casefold()[:150])]
    if ip:
        keys.append(ThrottleKey(ThrottleKind.IP, ip))
    return keys


def _limit(kind: ThrottleKind) -> int:
    if kind == ThrottleKind.IP:
        return settings.LOGIN_IP_FAILURE_LIMIT
    return settings.LOGIN_FAILURE_LIMIT


def _window() -> dt.timedelta:
    return dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)


def locked_until(keys: list[ThrottleKey], now: dt.datetime | None = None) -> dt.datetime | None:
    """The latest lock still running on any of the keys, or None when a login may be tried."""
    now = now or timezone.now()
    latest: dt.datetime | None = None
    for each in keys:
        row = LoginThrottle.objects.filter(kind=each.kind, key=each.key, locked_until__gt=now).first()
        if row is not None and (latest is None or row.locked_until > latest):
            latest = row.locked_until
    return latest


def count_failure(each: ThrottleKey, now: dt.datetime | None = None) -> dt.datetime | None:
    """Add one failure; return the lock's end if this failure reached the limit."""
    now = now or timezone.now()
    row, _ = LoginThrottle.objects.select_for_update().get_or_create(
        kind=each.kind, key=each.key, defaults={"window_started": now}
    )
    if row.window_started + _window() <= now:
        row.failures, row.window_started = 0, now
    row.failures += 1
    reached = row.failures >= _limit(each.kind)
    if reached:
        row.locked_until = now + _window()
        row.failures, row.window_started = 0, now
    row.save(update_fields=["failures", "window_started", "locked_until"])
    return row.locked_until if reached else None


def clear_username(username: str) -> None:
    """A successful login forgets the username's earlier failures (never the address's)."""
    key = login_keys(username, None)[0]
    LoginThrottle.objects.filter(kind=key.kind, key=key.key).update(failures=0, locked_until=None)


def registration_throttled(ip: str | None) -> bool:
    """A public registration attempt from `ip`: True when the address must wait. Each attempt costs an
    argon2 hash, so an address may try as often as it may fail logins (LOGIN_IP_FAILURE_LIMIT per
    LOGIN_LOCKOUT_SECONDS), counted apart from its logins; the attempt is counted before the form is read."""
    if not ip:
        return False
    key = ThrottleKey(ThrottleKind.IP, f"register:{ip}")
    if locked_until([key]) is not None:
        return True
    with transaction.atomic():
        count_failure(key)
    return False
