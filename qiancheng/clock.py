"""Today's date for the programme's rules, settable so that tests and demos can move time forward.

Rules that depend on the calendar (the three calendar months before the employment subsidy, 5.2c; an
institution's approval expiring) read `today()`, never `date.today()` or `timezone.localdate()`
directly. In production nothing sets the clock and `today()` is the local date (Asia/Shanghai).

Tests move the clock with `frozen_at(day)`; the browser journeys use it around a live server, which
runs in a thread of the same process. `QIANCHENG_TODAY=YYYY-MM-DD` sets it for a whole process (a demo
rehearsed "three months later").
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

_lock = threading.Lock()
_fixed: dt.date | None = None


def today() -> dt.date:
    """The programme's date: a fixed day if one is set, else the local date."""
    if _fixed is not None:
        return _fixed
    configured = os.environ.get("QIANCHENG_TODAY", "").strip()
    if configured:
        return dt.date.fromisoformat(configured)
    return timezone.localdate()


def now() -> dt.datetime:
    """The programme's moment: the current local time of day on `today()` (the real moment when nothing sets the
    clock). For records that history is later asked about by programme day (what was the demand on day D), so
    that a clock moved forward dates them on the day it shows."""
    real = timezone.localtime()
    day = today()
    if day == real.date():
        return real
    return real.replace(year=day.year, month=day.month, day=day.day)


def set_today(day: dt.date | None) -> None:
    """Fix the date for every thread of this process (None goes back to the real date)."""
    global _fixed
    with _lock:
        _fixed = day


@contextmanager
def frozen_at(day: dt.date) -> Iterator[dt.date]:
    """Within the block, `today()` is `day`; afterwards, whatever it was before."""
    before = _fixed
    set_today(day)
    try:
        yield day
    finally:
        set_today(before)


def days_since(moment: dt.date | dt.datetime | None) -> int | None:
    """Whole days from `moment` (a date, or a datetime read in local time) to the programme's today, never
    below zero: how long something has waited. None when there is no moment."""
    if moment is None:
        return None
    if isinstance(moment, dt.datetime):
        moment = timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return max((today() - moment).days, 0)
