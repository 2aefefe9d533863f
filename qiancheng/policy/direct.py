"""Typed frames of a few records built directly, for the online path (one claim filed, one approved).

`exchange.validate` checks a whole column with Polars expressions: a million rows in a second, but some
twenty Polars operations however few the rows, which was a third of deciding one stored claim
(bench/README.md, "Online under load"). For a handful of records the same checks are cheaper in Python.

This is not a second reading of the format: a record is taken directly only when every value is one that
`validate` accepts *and* parses the same way (the checks below are the same or stricter); anything else —
a missing value, a bad date, an unknown code, a duplicate ID — goes through `batch.claims_from_records` /
`history_from_records` unchanged, which gives the refusal with its row, field and reason. So both routes
give the same frame (same columns, types and values) or the same error;
`policy/tests/test_direct_frames.py` holds them equal with hypothesis, and the engine's decisions on them.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from qiancheng.policy.batch import claims_from_records, history_from_records
from qiancheng.policy.exchange import CLAIM_FIELDS, HISTORY_FIELDS, Field, _json_value_text

# Above this many records the column checks of `validate` are the faster route.
DIRECT_MAX_RECORDS = 64

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INT = re.compile(r"[0-9]{1,9}")
_CODE6 = re.compile(r"[0-9]{6}")


class _NotDirect(Exception):
    """This record needs the full validation (and probably its error message)."""


def claims_frame(records: list[dict[str, Any]], label: str = "claims") -> pl.DataFrame:
    """`batch.claims_from_records`, directly when the records allow it."""
    return _frame(records, CLAIM_FIELDS, _claim_kind, _claim_extra_checks, claims_from_records, label)


def history_frame(records: list[dict[str, Any]], label: str = "history") -> pl.DataFrame:
    """`batch.history_from_records`, directly when the records allow it (no history: one cached empty frame)."""
    if not records:
        return _empty("history")
    return _frame(records, HISTORY_FIELDS, _history_kind, _history_extra_checks, history_from_records, label)


def _frame(records: list[dict[str, Any]], fields: Sequence[Field], kind_of: Callable[[dict], str | None],
           extra: Callable[[list[dict]], None], full: Callable[[list[dict], str], pl.DataFrame],
           label: str) -> pl.DataFrame:
    if len(records) > DIRECT_MAX_RECORDS:
        return full(records, label)
    try:
        rows = [_typed_row(record, fields, kind_of) for record in records]
        extra(rows)
    except _NotDirect:
        return full(records, label)
    columns: dict[str, list[Any]] = {"__row": list(range(1, len(rows) + 1))}
    columns |= {field.name: [row[field.name] for row in rows] for field in fields}
    return pl.DataFrame(columns, schema=_empty("claims" if fields is CLAIM_FIELDS else "history").schema)


@functools.cache
def _empty(which: str) -> pl.DataFrame:
    """The typed frame of no records, as the full route gives it. Shared: a Polars frame is never changed in
    place by the engine (every operation returns a new frame)."""
    return (claims_from_records if which == "claims" else history_from_records)([], which)


def _claim_kind(record: dict) -> str | None:
    return record.get("training_type")


def _history_kind(record: dict) -> str | None:
    kind = record.get("record_type")
    return f"claim:{record.get('training_type')}" if kind == "claim" else kind


def _relevant(field: Field, kind: str) -> bool:
    return field.needed_for is None or any(kind == need or kind.startswith(need + ":") for need in field.needed_for)


def _typed_row(record: dict[str, Any], fields: Sequence[Field], kind_of: Callable[[dict], str | None]) -> dict:
    """One record's typed values, as `validate` gives them, or _NotDirect."""
    kind = kind_of(record)
    if not isinstance(kind, str):
        raise _NotDirect
    row: dict[str, Any] = {}
    for field in fields:
        text = _json_value_text(record.get(field.name), field)  # exactly what records_to_frame keeps
        relevant = _relevant(field, kind)
        if text is None:
            if relevant and not field.optional:
                raise _NotDirect  # a value is required
            row[field.name] = None
            continue
        # validate checks a value only where the row's kind needs it, and drops it elsewhere.
        row[field.name] = _parsed(field, text) if relevant else None
    return row


def _parsed(field: Field, text: str) -> Any:
    if field.kind == "text":
        return text
    if field.kind == "enum":
        if text not in field.choices:
            raise _NotDirect
        return text
    if field.kind == "code6":
        if not _CODE6.fullmatch(text):
            raise _NotDirect
        return text
    if field.kind == "bool":
        if text not in ("true", "false"):
            raise _NotDirect
        return text == "true"
    if field.kind == "int":
        if not _INT.fullmatch(text):
            raise _NotDirect
        number = int(text)
        if (field.minimum is not None and number < field.minimum) or (
                field.maximum is not None and number > field.maximum):
            raise _NotDirect
        return number
    if field.kind == "date":
        if not _DATE.fullmatch(text) or text.startswith("0000"):
            raise _NotDirect
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise _NotDirect from None
    raise _NotDirect  # a kind this module does not know: the full route decides


def _unique(rows: list[dict], column: str) -> None:
    values = [row[column] for row in rows]
    if len(set(values)) != len(values):
        raise _NotDirect


def _claim_extra_checks(rows: list[dict]) -> None:
    """batch.typed_claims: unique claim IDs; a proof date exactly when a proof kind."""
    _unique(rows, "claim_id")
    if any((row["employment_proof_kind"] is None) != (row["employment_proof_date"] is None) for row in rows):
        raise _NotDirect


def _history_extra_checks(rows: list[dict]) -> None:
    """batch.typed_history: unique record IDs; a person on every row but blacklist rows, which name exactly
    one of a person and an institution."""
    _unique(rows, "record_id")
    for row in rows:
        if row["record_type"] != "blacklist" and row["id_number"] is None:
            raise _NotDirect
        if row["record_type"] == "blacklist" and (row["id_number"] is None) == (row["institution_id"] is None):
            raise _NotDirect

