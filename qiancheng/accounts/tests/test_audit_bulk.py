"""`record_events` (a bulk change: a roster, the demo province) writes entries `record_event` could have written.

The bulk writer inserts plain rows and writes each entry's canonical JSON around its own values rather than
encoding the whole payload per entry; these tests hold it to the one formula `verify_chain` recomputes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from qiancheng.accounts.audit import entry_hash, record_event, record_events, verify_chain
from qiancheng.accounts.models import AuditEntry

pytestmark = pytest.mark.django_db

# Values that need escaping or conversion: quotes, a backslash, Chinese, an emoji, a control character, nested
# values, a date, money, None and booleans.
AFTER = {"person": '450102********001X', "name": '张"三\\ 😀\n', "day": date(2026, 5, 4), "money": Decimal("600.00"),
         "flag": True, "none": None, "n": 3, "nested": {"b": [1, "二"], "a": {"z": None}}}


@pytest.mark.parametrize("with_actor", [True, False])
def test_bulk_entries_read_back_like_single_ones_and_verify(province_official, with_actor: bool) -> None:
    actor = province_official if with_actor else None
    with transaction.atomic():
        one = record_event(actor, "test.bulk", province_official, after=AFTER)
        assert record_events(actor, "test.bulk", type(province_official),
                             [(province_official.pk, AFTER), ('pk "quoted" 二', AFTER)]) == 2
    first, *bulk = AuditEntry.objects.filter(action="test.bulk").order_by("seq")
    assert first.seq == one.seq and [entry.seq for entry in bulk] == [one.seq + 1, one.seq + 2]
    assert bulk[0].prev_hash == one.hash and bulk[1].prev_hash == bulk[0].hash
    for entry in bulk:
        assert entry_hash(entry) == entry.hash  # the one formula, recomputed from what the database returns
        assert (entry.actor_id, entry.actor_label, entry.target_model, entry.before, entry.after, entry.reason,
                entry.ip) == (first.actor_id, first.actor_label, first.target_model, first.before, first.after,
                              first.reason, first.ip)
    assert [entry.target_pk for entry in bulk] == [str(province_official.pk), 'pk "quoted" 二']
    assert verify_chain().ok


def test_a_single_entry_after_a_bulk_change_chains_on(province_official) -> None:
    with transaction.atomic():
        record_events(province_official, "test.bulk", AuditEntry, ((n, {"n": n}) for n in range(12_000)))
        record_event(province_official, "test.after_bulk")
    assert AuditEntry.objects.filter(action="test.bulk").count() == 12_000  # more than one batch of 5,000
    assert verify_chain().ok
