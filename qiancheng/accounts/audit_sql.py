"""The database's own guard on the audit table: UPDATE, DELETE (and on PostgreSQL TRUNCATE) are refused.

The model refuses changes too, but only code that goes through the ORM; these triggers also stop a
raw SQL session, a migration gone wrong or another program sharing the database. They are installed
after every `migrate` (a post_migrate handler in apps.py), idempotently, so they survive migration
files being regenerated. `qiancheng flush` (erase the whole database, also used between transactional
tests) is the one path that lifts them, and it puts them back afterwards (management/commands/flush.py).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "accounts_auditentry"
REFUSAL = "audit trail is append-only / 审计记录只能追加，不能修改或删除"

SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{REFUSAL}: UPDATE'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{REFUSAL}: DELETE'); END""",
]
SQLITE_REMOVE = [f"DROP TRIGGER IF EXISTS {TABLE}_no_update", f"DROP TRIGGER IF EXISTS {TABLE}_no_delete"]

# ERRCODE 23000 (integrity_constraint_violation) so both vendors surface as django.db.IntegrityError.
POSTGRESQL_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION USING MESSAGE = '{REFUSAL}: ' || TG_OP, ERRCODE = '23000';
        END $$""",
    f"""CREATE OR REPLACE TRIGGER {TABLE}_no_change BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION {TABLE}_refuse()""",
    f"""CREATE OR REPLACE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_refuse()""",
]
POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_change ON {TABLE}",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
]

_SQL = {
    "sqlite": (SQLITE_INSTALL, SQLITE_REMOVE),
    "postgresql": (POSTGRESQL_INSTALL, POSTGRESQL_REMOVE),
}


def _statements(connection: BaseDatabaseWrapper, install: bool) -> list[str]:
    try:
        pair = _SQL[connection.vendor]
    except KeyError as exc:
        raise NotImplementedError(
            f"不支持的数据库 / no append-only guard for database vendor {connection.vendor!r}"
        ) from exc
    return pair[0] if install else pair[1]


def _table_exists(connection: BaseDatabaseWrapper) -> bool:
    with connection.cursor() as cursor:
        return TABLE in connection.introspection.table_names(cursor)


def install_append_only_guard(connection: BaseDatabaseWrapper) -> bool:
    """Create the triggers if the audit table exists; return whether they are now in place."""
    if not _table_exists(connection):
        return False
    with connection.cursor() as cursor:
        for statement in _statements(connection, install=True):
            cursor.execute(statement)
    return True


def remove_append_only_guard(connection: BaseDatabaseWrapper) -> None:
    """Drop the triggers (flush only: it empties every table, then reinstalls them)."""
    if not _table_exists(connection):
        return
    with connection.cursor() as cursor:
        for statement in _statements(connection, install=False):
            cursor.execute(statement)


def append_only_guard_installed(connection: BaseDatabaseWrapper) -> bool:
    """Whether the database currently refuses changes to the audit table."""
    if connection.vendor == "sqlite":
        query = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s"
        expected = len(SQLITE_INSTALL)
    else:
        query = "SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal"
        expected = len(POSTGRESQL_INSTALL) - 1
    with connection.cursor() as cursor:
        cursor.execute(query, [TABLE])
        return cursor.fetchone()[0] >= expected
