"""A fresh bulk load builds its tables' secondary indexes, and on PostgreSQL their foreign keys, once after the
rows are in, instead of maintaining them row by row.

Maintaining a B-tree while rows arrive costs a random page update per row and index; building it afterwards is
one sort. The synthetic claims table alone has 24 indexes (the `_like` twins of every indexed text column
included). On PostgreSQL Django makes every foreign key `DEFERRABLE INITIALLY DEFERRED`, so each copied row
queued one check per foreign key until COMMIT (about 10 minutes of the 1,000,000-person load's COMMIT,
bench/README.md); a foreign key added back to a filled table is checked by one join over the whole table.

Only tables that are empty when the load starts are touched (the loaded rows are then the whole table), but
for the foreign keys of the tables named in `keys_of` (the audit trail, appended to by 1.2 M enrolment entries: on
PostgreSQL their key to the acting user is checked by one join too, over old rows and new). All of it happens
only inside the caller's transaction: DDL is transactional on both databases, so a failed or killed load leaves
every index and constraint as it was, and the rebuilt ones check exactly what the dropped ones did. Unique
indexes and constraints stay in place on both databases (SQLite's foreign keys need their parent keys' unique
indexes; PostgreSQL's constraints and the foreign keys of other tables are backed by them). SQLite's foreign
keys are part of the table's definition and stay as they are.

While a fresh load runs, the dropped constraints hold ACCESS EXCLUSIVE locks on the loaded tables and on the
tables their foreign keys point at (users, catalogue, persons) until the commit: readers of those tables wait
for the load. A fresh province is written before anyone uses the site.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection, models

# PostgreSQL: memory per index build (a sort of one column set of the largest table). Set for the load's
# transaction only.
MAINTENANCE_WORK_MEM = "256MB"


@dataclass
class Deferred:
    """What was dropped, to be built again by `restore` inside the same transaction."""

    indexes: list[tuple[str, str]] = field(default_factory=list)  # (name, the statement that builds it)
    foreign_keys: list[tuple[str, str, str]] = field(default_factory=list)  # (table, name, definition)

    def restore(self) -> None:
        """Build the dropped indexes, then add back the foreign keys (each checked over its whole table)."""
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            _check_pending(cursor)
            for _name, statement in self.indexes:
                cursor.execute(statement)
            for table, name, definition in self.foreign_keys:
                cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
        self.indexes, self.foreign_keys = [], []


def defer(*models_: type[models.Model], keys_of: tuple[type[models.Model], ...] = ()) -> Deferred:
    """Drop the non-unique secondary indexes (and on PostgreSQL the foreign keys) of those of `models_`'s tables
    that hold no row; return them for `Deferred.restore`. `keys_of`: tables, empty or not, whose foreign keys
    alone are dropped on PostgreSQL (the audit trail, which a load appends to: adding a key back checks every row
    of the table by one join, old rows included). Must run inside the load's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("defer 须在事务中执行 / defer must run inside the load's transaction")
    quote = connection.ops.quote_name
    deferred = Deferred()
    with connection.cursor() as cursor:
        empty = []
        for table in dict.fromkeys(m._meta.db_table for m in models_):
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")
            if not cursor.fetchone()[0]:
                empty.append(table)
        keyed = list(dict.fromkeys([*empty, *(m._meta.db_table for m in keys_of)]))
        if not keyed:
            return deferred
        if connection.vendor == "postgresql":
            _check_pending(cursor)
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) ORDER BY 1, 2", [keyed])
            deferred.foreign_keys = list(cursor.fetchall())
            # Indexes that back no constraint (neither a unique or primary key nor a foreign key's parent key).
            cursor.execute(
                "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisunique AND NOT i.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY 1", [empty])
            deferred.indexes = list(cursor.fetchall())
            for table, name, _definition in deferred.foreign_keys:
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        elif connection.vendor == "sqlite" and empty:
            # Indexes SQLite made for UNIQUE / PRIMARY KEY have no `sql` and cannot be dropped; unique ones are kept.
            cursor.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND sql NOT LIKE 'CREATE UNIQUE%%' AND tbl_name IN ({', '.join(['%s'] * len(empty))}) ORDER BY name",
                empty)
            deferred.indexes = list(cursor.fetchall())
        else:
            return deferred
        for name, _statement in deferred.indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    return deferred


def _check_pending(cursor: object) -> None:
    """PostgreSQL refuses to alter a table with foreign-key checks still queued for the commit (a user row
    written earlier in the transaction, say): run the queued checks now, then defer again as Django's
    constraints are declared (every deferrable constraint of the schema is INITIALLY DEFERRED)."""
    if connection.vendor == "postgresql":
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # type: ignore[attr-defined]
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # type: ignore[attr-defined]
