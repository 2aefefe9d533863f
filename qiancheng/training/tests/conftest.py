"""Fixtures of the training tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from qiancheng.clock import frozen_at

# The first day of the classes these tests enrol into (2026-05-04 to 2026-05-08 or 2026-05-29).
ROSTER_OPEN_ON = date(2026, 5, 4)


@pytest.fixture
def roster_open() -> Iterator[date]:
    """The programme's clock on a day the test classes take trainees: enrolment closes after a class's last
    day (`require_open`), so a test that enrols must not depend on the day the suite runs."""
    with frozen_at(ROSTER_OPEN_ON) as day:
        yield day
