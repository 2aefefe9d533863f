"""The audit trail: chained, append-only in the ORM and in the database, and tampering is found."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, connections, transaction
from django.test import RequestFactory

from qiancheng.accounts.audit import GENESIS_HASH, entry_hash, record_event, verify_chain
from qiancheng.accounts.audit_sql import (
    append_only_guard_installed,
    install_append_only_guard,
    remove_append_only_guard,
)
from qiancheng.accounts.models import AuditEntry, AuditTrailIsAppendOnly

pytestmark = pytest.mark.django_db


def _three_events(actor) -> list[AuditEntry]:
    with transaction.atomic():
        return [
            record_event(actor, "claim.approved", actor, before={"status": "pending"},
                         after={"status": "approved", "amount": Decimal("1200.50")}, reason="符合 3.1"),
            record_event(None, "batch.rechecked", after={"claims": 3}),
            record_event(actor, "person.id_number_revealed", actor, reason="核对身份 / identity check"),
        ]


def _tamper(sql: str, params: list) -> None:
    """Edit the table the way an intruder with database access would: lift the guard, write, put it back."""
    remove_append_only_guard(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    install_append_only_guard(connection)


def test_entries_are_numbered_from_one_and_chained(province_official) -> None:
    first, second, third = _three_events(province_official)
    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert first.actor_label == "province (province_official)" and second.actor_label == "system"
    assert first.target_model == "accounts.user" and first.target_pk == str(province_official.pk)


def test_the_chain_verifies_after_a_round_trip_through_the_database(province_official) -> None:
    _three_events(province_official)
    result = verify_chain()
    assert result.ok and result.checked == 3 and result.first_bad_seq is None


def test_money_is_kept_as_exact_text(province_official) -> None:
    first = _three_events(province_official)[0]
    assert AuditEntry.objects.get(seq=first.seq).after == {"status": "approved", "amount": "1200.50"}


def test_the_client_address_is_recorded(province_official) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.20.30.40")
    with transaction.atomic():
        entry = record_event(province_official, "report.exported", request=request)
    assert AuditEntry.objects.get(seq=entry.seq).ip == "10.20.30.40"


def test_a_changed_entry_is_found_with_its_seq(province_official) -> None:
    _three_events(province_official)
    _tamper(f"UPDATE {AuditEntry._meta.db_table} SET reason = %s WHERE seq = %s", ["无", 2])
    result = verify_chain()
    assert not result.ok and result.first_bad_seq == 2 and result.checked == 1
    assert "altered" in result.reason


def test_a_removed_entry_is_found(province_official) -> None:
    _three_events(province_official)
    _tamper(f"DELETE FROM {AuditEntry._meta.db_table} WHERE seq = %s", [2])
    result = verify_chain()
    assert not result.ok and result.first_bad_seq == 3 and "missing" in result.reason


def test_a_rewritten_entry_with_a_fresh_hash_still_breaks_the_next_link(province_official) -> None:
    _three_events(province_official)
    forged = AuditEntry.objects.get(seq=2)
    forged.reason = "伪造 forged"
    new_hash = entry_hash(forged)
    _tamper(f"UPDATE {AuditEntry._meta.db_table} SET reason = %s, hash = %s WHERE seq = 2", [forged.reason, new_hash])
    result = verify_chain()
    assert not result.ok and result.first_bad_seq == 3 and "prev_hash" in result.reason


def test_the_orm_refuses_to_change_or_delete_an_entry(province_official) -> None:
    entry = _three_events(province_official)[0]
    entry.reason = "changed"
    with pytest.raises(AuditTrailIsAppendOnly):
        entry.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEntry.objects.filter(seq=entry.seq).update(reason="changed")
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEntry.objects.all().delete()
    assert verify_chain().ok


def test_the_orm_refuses_an_entry_written_outside_the_service() -> None:
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEntry.objects.create(seq=1, at="2025-01-01T00:00:00Z", actor_label="x", action="x",
                                  prev_hash=GENESIS_HASH, hash="f" * 64)


def test_the_database_refuses_a_raw_update_and_delete(province_official) -> None:
    _three_events(province_official)
    assert append_only_guard_installed(connection)
    table = AuditEntry._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET reason = %s WHERE seq = %s", ["改", 1])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE seq = %s", [1])
    assert AuditEntry.objects.get(seq=1).reason == "符合 3.1"


def test_installing_the_guard_twice_is_harmless() -> None:
    assert install_append_only_guard(connection)
    assert install_append_only_guard(connection)
    assert append_only_guard_installed(connection)


@pytest.mark.django_db(transaction=True)
def test_record_event_must_run_inside_the_callers_transaction(province_official) -> None:
    with pytest.raises(RuntimeError, match="transaction"):
        record_event(province_official, "claim.approved")
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_trail_and_puts_the_guard_back(province_official) -> None:
    _three_events(province_official)
    call_command("flush", interactive=False)
    assert not AuditEntry.objects.exists()
    assert append_only_guard_installed(connection)


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain(province_official) -> None:
    if connection.vendor == "sqlite":
        # SQLite: BEGIN IMMEDIATE takes the write lock first, so writers queue; that setting is the guarantee.
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            for step in range(10):
                with transaction.atomic():
                    record_event(None, "load.test", after={"writer": number, "step": step})
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == list(range(1, 61))
    assert verify_chain().ok


def test_the_verify_command_exits_0_on_a_sound_chain(province_official, capsys) -> None:
    _three_events(province_official)
    call_command("audit", "verify")
    assert "3 entries" in capsys.readouterr().out


def test_the_verify_command_exits_1_naming_the_broken_seq(province_official) -> None:
    _three_events(province_official)
    _tamper(f"UPDATE {AuditEntry._meta.db_table} SET action = %s WHERE seq = %s", ["claim.rejected", 1])
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify")
    assert failure.value.returncode == 1 and "seq 1" in str(failure.value)


def test_an_anchor_finds_the_deleted_last_entries(province_official, tmp_path, capsys) -> None:
    """Deleting the newest entries leaves a chain that still links; the anchor written earlier sees it."""
    _three_events(province_official)
    anchor_file = tmp_path / "audit-anchor.json"
    call_command("audit", "anchor", "--out", str(anchor_file))
    assert "seq 3" in capsys.readouterr().out
    _three_events(province_official)
    call_command("audit", "verify", "--anchor", str(anchor_file))  # grown since: fine
    assert "anchor holds" in capsys.readouterr().out
    _tamper(f"DELETE FROM {AuditEntry._meta.db_table} WHERE seq >= %s", [3])
    assert verify_chain().ok  # the chain alone cannot tell
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify", "--anchor", str(anchor_file))
    assert failure.value.returncode == 1 and "truncated" in str(failure.value)


def test_an_anchor_finds_a_rewritten_head(province_official, tmp_path) -> None:
    _three_events(province_official)
    anchor_file = tmp_path / "audit-anchor.json"
    call_command("audit", "anchor", "--out", str(anchor_file))
    _tamper(f"UPDATE {AuditEntry._meta.db_table} SET hash = %s WHERE seq = %s", ["f" * 64, 3])
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--anchor", str(anchor_file))


def test_a_file_that_is_not_an_anchor_is_refused(province_official, tmp_path) -> None:
    bad = tmp_path / "not-an-anchor.json"
    bad.write_text("{}", encoding="utf-8")
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify", "--anchor", str(bad))
    assert failure.value.returncode == 2
