"""6d: a blacklist entry names exactly one party and a sane period."""

from __future__ import annotations

from datetime import date

import pytest

from qiancheng.sanctions.models import BlacklistEntry
from qiancheng.training.tests import builders
from qiancheng.training.tests.builders import refused

pytestmark = pytest.mark.django_db


def _entry(**fields: object) -> BlacklistEntry:
    values: dict[str, object] = {
        "listed_from": date(2025, 1, 1),
        "reason": "虚假培训骗取补贴 / subsidy fraud",
        "created_by": builders.official(),
    }
    values.update(fields)
    return BlacklistEntry.objects.create(**values)


def test_an_entry_naming_both_a_person_and_an_institution_is_refused() -> None:
    with refused():
        _entry(person=builders.person(), institution=builders.institution())


def test_an_entry_naming_nobody_is_refused() -> None:
    with refused():
        _entry()


def test_an_entry_for_a_person_or_for_an_institution_is_accepted() -> None:
    listed = _entry(person=builders.person())
    assert listed.person_id == listed.person.person_key
    _entry(institution=builders.institution())


def test_the_period_may_not_end_before_it_starts_and_needs_a_reason() -> None:
    with refused():
        _entry(institution=builders.institution(), listed_until=date(2024, 12, 31))
    with refused():
        _entry(institution=builders.institution(), reason="")


def test_an_entry_covers_its_first_and_last_day() -> None:
    entry = _entry(institution=builders.institution(), listed_until=date(2025, 6, 30))
    assert entry.covers(date(2025, 1, 1)) and entry.covers(date(2025, 6, 30))
    assert not entry.covers(date(2024, 12, 31)) and not entry.covers(date(2025, 7, 1))
    open_ended = _entry(institution=builders.institution())
    assert open_ended.covers(date(2099, 1, 1))
