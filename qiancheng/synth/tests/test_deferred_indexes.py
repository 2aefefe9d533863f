"""A fresh load builds the secondary indexes (and PostgreSQL's foreign keys) of the tables it fills once, after
the rows: the schema it leaves is the schema it found, a failed load leaves it untouched, tables that already
hold rows are not touched, and the rebuilt foreign keys check what the dropped ones did."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from qiancheng.people.models import SkillUpgradeSubsidy
from qiancheng.synth import deferred_indexes
from qiancheng.synth.load import MODELS, ensure_province, model

pytestmark = pytest.mark.django_db


def _tables() -> list[str]:
    return sorted({model(label)._meta.db_table for label in MODELS} | {"people_person", "accounts_auditentry"})


def schema(tables: list[str]) -> set[tuple[str, ...]]:
    """Every index and foreign key of `tables` with its definition."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [tables])
            found = {("index", *row) for row in cursor.fetchall()}
            cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                           "WHERE conrelid::regclass::text = ANY(%s)", [tables])
            return found | {("constraint", *row) for row in cursor.fetchall()}
        cursor.execute(f"SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ({', '.join(['%s'] * len(tables))})",
                       tables)
        return set(cursor.fetchall())


def test_a_fresh_load_leaves_the_schema_it_found() -> None:
    before = schema(_tables())
    _run, created = ensure_province(300, 5, progress=False)
    assert created
    assert schema(_tables()) == before


def test_a_failed_load_keeps_every_index_and_constraint() -> None:
    before = schema([SkillUpgradeSubsidy._meta.db_table])
    with pytest.raises(RuntimeError, match="the load failed"), transaction.atomic():
        deferred = deferred_indexes.defer(SkillUpgradeSubsidy)
        assert deferred.indexes  # the person_key and occupation indexes, and their _like twins on PostgreSQL
        assert all("UNIQUE" not in statement.upper() for _name, statement in deferred.indexes)
        assert schema([SkillUpgradeSubsidy._meta.db_table]) != before
        raise RuntimeError("the load failed")
    assert schema([SkillUpgradeSubsidy._meta.db_table]) == before


def test_tables_that_hold_rows_are_left_alone() -> None:
    ensure_province(300, 5, progress=False)
    with transaction.atomic():
        deferred = deferred_indexes.defer(*(model(label) for label in MODELS))
        assert (deferred.indexes, deferred.foreign_keys) == ([], [])


@pytest.mark.django_db(transaction=True)
def test_defer_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError, match="transaction"):
        deferred_indexes.defer(SkillUpgradeSubsidy)


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite's foreign keys stay in place (part of the table); only PostgreSQL's are deferred")
def test_a_foreign_key_added_back_checks_the_loaded_rows() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        deferred = deferred_indexes.defer(SkillUpgradeSubsidy)
        assert len(deferred.foreign_keys) == 2  # to the occupation and to the person
        SkillUpgradeSubsidy.objects.bulk_create([SkillUpgradeSubsidy(
            record_id="R1", level=3, granted_on=dt.date(2026, 1, 5), occupation_id="X-NONE",
            person_id="no-such-person", created_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))])
        deferred.restore()
