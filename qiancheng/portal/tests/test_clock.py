"""The programme clock: real date by default, fixed in a block, or for a process by QIANCHENG_TODAY."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.utils import timezone

from qiancheng import clock


def test_defaults_to_the_local_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QIANCHENG_TODAY", raising=False)
    assert clock.today() == timezone.localdate()


def test_frozen_block_applies_to_every_thread_and_then_ends() -> None:
    seen: list[dt.date] = []
    with clock.frozen_at(dt.date(2026, 3, 1)):
        worker = threading.Thread(target=lambda: seen.append(clock.today()))
        worker.start()
        worker.join()
        assert clock.today() == dt.date(2026, 3, 1)
    assert seen == [dt.date(2026, 3, 1)]
    assert clock.today() != dt.date(2026, 3, 1) or timezone.localdate() == dt.date(2026, 3, 1)


def test_environment_sets_the_date_for_the_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QIANCHENG_TODAY", "2027-01-15")
    assert clock.today() == dt.date(2027, 1, 15)
    with clock.frozen_at(dt.date(2027, 2, 1)):
        assert clock.today() == dt.date(2027, 2, 1)


def test_days_since_counts_whole_local_days_and_never_goes_negative() -> None:
    moment = timezone.make_aware(dt.datetime(2026, 2, 27, 23, 30))  # local time (Asia/Shanghai)
    with clock.frozen_at(dt.date(2026, 3, 1)):
        assert clock.days_since(moment) == 2
        assert clock.days_since(dt.date(2026, 2, 1)) == 28
        assert clock.days_since(dt.date(2026, 3, 5)) == 0
        assert clock.days_since(None) is None
