"""Writing a Polars frame straight into a model's table, inside the caller's transaction: COPY on PostgreSQL,
executemany on SQLite. Building model instances for millions of rows would take longer than making them; the
frame's columns are the table's column names; a column the frame lacks takes the field's default (timestamps with
auto_now take the load's time), and a NOT NULL column with neither is an error before anything is written. On
PostgreSQL Polars writes each block of rows as CSV text (its writer, in Rust) straight into `COPY … (FORMAT csv)`:
handing psycopg one Python tuple per row cost more than the server's work on the 1,000,000-person province
(bench/README.md, 2026-12-07).

Outside the layers (docs/architecture.md), like `qiancheng.clock`: it knows tables and frames, no domain, and the
lowest writers use it — the audit trail's bulk entries (accounts) as well as the loads of people, enrolments and
the synthetic province. `web.tabular` re-exports it for the upload code that already imports it from there.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator

import polars as pl
from django.db import connection, models
from django.utils import timezone

BATCH_ROWS = 20_000
# Rows per CSV block fed to COPY: large enough that the per-block cost vanishes, small enough that the
# text of one block (about 20-60 MB for the widest synthetic tables) stays a fraction of the frame itself.
COPY_BLOCK_ROWS = 100_000
# Types Polars' CSV writer cannot carry, or writes in a form PostgreSQL does not read (nested values, bytes,
# durations): such a frame goes row by row instead.
_NOT_CSV = (pl.List, pl.Array, pl.Struct, pl.Binary, pl.Object, pl.Duration)


class BulkWriteError(RuntimeError):
    """A frame does not fit the table it is written to."""


def _fill(model: type[models.Model], frame: pl.DataFrame, now: dt.datetime) -> pl.DataFrame:
    """The frame with every concrete column of the model, in table order."""
    missing = []
    columns = []
    for field in model._meta.concrete_fields:
        if field.column in frame.columns:
            columns.append(field.column)
            continue
        if isinstance(field, models.AutoField):
            continue  # the database numbers the rows
        columns.append(field.column)
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            missing.append(pl.lit(now).alias(field.column))
        elif field.has_default():
            default = field.get_default()
            # A JSON column's default ([] or {}) is written as its JSON text on both databases.
            value = json.dumps(default) if isinstance(field, models.JSONField) else default
            missing.append(pl.lit(value).alias(field.column))
        elif field.null:
            missing.append(pl.lit(None).alias(field.column))
        else:
            raise BulkWriteError(f"{model._meta.label}.{field.column}: 无值也无默认值 / no value and no default")
    extra = set(frame.columns) - set(columns)
    if extra:
        raise BulkWriteError(f"{model._meta.label}: 未知列 / unknown columns {sorted(extra)}")
    return frame.with_columns(missing).select(columns)


def _for_sqlite(frame: pl.DataFrame) -> pl.DataFrame:
    """SQLite stores datetimes as naive UTC text (what Django's backend reads back) and decimals as text."""
    converted = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Datetime):
            converted.append(pl.col(name).dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%d %H:%M:%S%.6f"))
        elif isinstance(dtype, pl.Decimal):
            converted.append(pl.col(name).cast(pl.String))
        elif dtype == pl.Date:
            converted.append(pl.col(name).dt.strftime("%Y-%m-%d"))
    return frame.with_columns(converted)


def _batches(frame: pl.DataFrame) -> Iterator[pl.DataFrame]:
    for start in range(0, frame.height, BATCH_ROWS):
        yield frame.slice(start, BATCH_ROWS)


def write_frame(model: type[models.Model], frame: pl.DataFrame, advance: Callable[[int], object] | None = None) -> int:
    """Insert every row of `frame` into the model's table inside the caller's transaction; return the count."""
    if frame.height == 0:
        return 0
    now = timezone.now()
    frame = _fill(model, frame.with_columns(
        pl.col(name).dt.replace_time_zone("UTC") for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is None
    ), now)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(c) for c in frame.columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper: COPY needs it
            if any(isinstance(dtype, _NOT_CSV) for dtype in frame.schema.values()):
                with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for batch in _batches(frame):
                        for row in batch.iter_rows():
                            copy.write_row(row)
                        if advance:
                            advance(batch.height)
            else:
                _copy_csv(raw, f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv)", frame, advance)
        else:
            sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(frame.columns))})"
            for batch in _batches(_for_sqlite(frame)):
                cursor.executemany(sql, batch.rows())
                if advance:
                    advance(batch.height)
    return frame.height


def _copy_csv(raw: object, sql: str, frame: pl.DataFrame, advance: Callable[[int], object] | None) -> None:
    """COPY the frame as CSV text in blocks. In PostgreSQL's CSV format an unquoted empty field is NULL and
    a quoted one ("") the empty string, which is exactly how Polars writes null and "" when it quotes only
    where necessary; timestamps carry their offset, decimals their scale, booleans true/false."""
    with raw.copy(sql) as copy:  # type: ignore[attr-defined]
        for start in range(0, frame.height, COPY_BLOCK_ROWS):
            block = frame.slice(start, COPY_BLOCK_ROWS)
            copy.write(block.write_csv(include_header=False, quote_style="necessary").encode())
            if advance:
                advance(block.height)


def next_id(model: type[models.Model]) -> int:
    """The first free integer primary key of the model's table."""
    top = model._default_manager.aggregate(top=models.Max(model._meta.pk.attname))["top"]
    return (top or 0) + 1


def reset_sequences(*models_: type[models.Model]) -> None:
    """After inserting explicit ids on PostgreSQL, move each id sequence past the largest id."""
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
