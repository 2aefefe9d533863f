"""Reading and writing the batch exchange files of EXCHANGE.md (claims, history, decisions).

Every input is first read as text, then validated column by column with Polars expressions, so a
million-row file is checked in a second and every bad row is reported with its row number, field and
reason in Chinese and English. Nothing is decided, and nothing written, unless the whole file is valid.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from qiancheng.policy.vocabulary import (
    ADVANCER_KINDS,
    APPLICANT_RELATIONS,
    CLAIM_STATUSES,
    COURSE_KINDS,
    FUNDS,
    PERSON_CATEGORIES,
    PROOF_KINDS,
    TRAINING_TYPES,
)

MAX_REPORTED_ERRORS = 20


class ExchangeError(Exception):
    """A file breaks the exchange format; the run stops and writes nothing (exit status 2)."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Field:
    """One column of an exchange file and when a row needs it."""

    name: str
    kind: str  # text | enum | date | int | bool | code6
    needed_for: tuple[str, ...] | None = None  # None: every row; else the row kinds that need it
    optional: bool = False
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None


CLAIM_FIELDS: tuple[Field, ...] = (
    Field("claim_id", "text"),
    Field("id_number", "text"),
    Field("training_type", "enum", choices=TRAINING_TYPES),
    Field("fund", "enum", choices=FUNDS),
    Field("city_code", "code6"),
    Field("occupation_code", "text", needed_for=("occupational",)),
    Field("level", "int", needed_for=("occupational",), minimum=1, maximum=5),
    Field("item_code", "text", needed_for=("special_ability",)),
    Field("course_kind", "enum", needed_for=("entrepreneurship",), choices=COURSE_KINDS),
    Field("project_id", "text", needed_for=("project",)),
    Field("applicant_relation", "enum", needed_for=("project",), choices=APPLICANT_RELATIONS),
    Field("class_hours", "int", minimum=0),
    Field("start_date", "date"),
    Field("end_date", "date"),
    Field("passed", "bool"),
    Field("person_category", "enum", choices=PERSON_CATEGORIES),
    Field("receiving_unemployment_benefit", "bool"),
    Field("has_business_licence", "bool"),
    Field("institution_id", "text"),
    Field("advanced_by", "enum", choices=ADVANCER_KINDS),
    Field("advanced_by_id", "text"),
    Field("claimant", "enum", choices=ADVANCER_KINDS),
    Field("claimant_id", "text"),
    Field("employment_proof_kind", "enum", optional=True, choices=PROOF_KINDS),
    Field("employment_proof_date", "date", optional=True),
)

RECORD_TYPES = ("claim", "certificate", "skill_upgrade", "blacklist")
HISTORY_FIELDS: tuple[Field, ...] = (
    Field("record_type", "enum", choices=RECORD_TYPES),
    Field("record_id", "text"),
    Field("id_number", "text", optional=True),  # required except on blacklist rows: see batch.load_history
    Field("institution_id", "text", optional=True, needed_for=("blacklist",)),
    Field("training_type", "enum", needed_for=("claim",), choices=TRAINING_TYPES),
    Field("fund", "enum", needed_for=("claim",), choices=FUNDS),
    Field("occupation_code", "text", needed_for=("claim:occupational", "certificate", "skill_upgrade")),
    Field("level", "int", needed_for=("claim:occupational", "certificate", "skill_upgrade"), minimum=1, maximum=5),
    Field("item_code", "text", needed_for=("claim:special_ability",)),
    Field("course_kind", "enum", needed_for=("claim:entrepreneurship",), choices=COURSE_KINDS),
    Field("project_id", "text", needed_for=("claim:project",)),
    Field("end_date", "date", needed_for=("claim",)),
    Field("status", "enum", needed_for=("claim",), choices=CLAIM_STATUSES),
    Field("record_date", "date", needed_for=("certificate", "skill_upgrade")),
    Field("listed_from", "date", needed_for=("blacklist",)),
    Field("listed_until", "date", optional=True, needed_for=("blacklist",)),
)

DECISION_COLUMNS = ("claim_id", "eligible", "training_amount", "employment_amount", "total_amount", "denied_by")

_DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_INT_RE = r"^[0-9]+$"


# ---------------------------------------------------------------- reading

def read_table(path: Path, fields: Sequence[Field], label: str) -> pl.DataFrame:
    """Read a claims or history file (by extension) into a frame of text columns, one per field."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise ExchangeError([f"{path}: 文件不存在 / file not found"])
    if suffix == ".csv":
        frame = _read_csv(path)
    elif suffix in (".jsonl", ".ndjson"):
        frame = _read_jsonl(path, fields)
    elif suffix == ".parquet":
        frame = _as_text(pl.read_parquet(path), fields)
    elif suffix == ".xlsx":
        frame = _read_xlsx(path)
    else:
        raise ExchangeError([f"{path}: 不支持的文件类型 / unsupported file type {suffix!r} (.csv, .jsonl, .parquet, .xlsx)"])
    return select_fields(frame, fields, path, label)


def records_to_frame(records: Iterable[dict], fields: Sequence[Field], label: str) -> pl.DataFrame:
    """The same as reading a JSON Lines file, for records that arrived in an API request body."""
    columns = _json_columns(list(records), fields)
    return select_fields(pl.DataFrame(columns, schema={f.name: pl.String for f in fields}), fields, Path(label), label)


def _read_csv(path: Path) -> pl.DataFrame:
    """Polars reads the file itself (a leading BOM is skipped; invalid UTF-8 is refused)."""
    if path.stat().st_size == 0:
        raise ExchangeError([f"{path}: 文件为空，缺少表头 / empty file: the header row is missing"])
    try:
        # An empty field, quoted or not, is "not given".
        return pl.read_csv(path, infer_schema=False, quote_char='"', has_header=True, null_values=[""])
    except pl.exceptions.PolarsError as exc:
        reason = "不是UTF-8编码 / not UTF-8" if "utf-8" in str(exc).lower() else "CSV格式错误 / malformed CSV"
        raise ExchangeError([f"{path}: {reason}: {exc}"]) from exc


def _read_jsonl(path: Path, fields: Sequence[Field]) -> pl.DataFrame:
    rows: list[dict] = []
    with path.open("rb") as handle:
        content = handle.read()
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    for number, line in enumerate(content.decode("utf-8", errors="strict").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line, parse_float=_keep_number_text)
        except ValueError as exc:
            raise ExchangeError([f"{path}: 第{number}行不是合法JSON / line {number} is not valid JSON: {exc}"]) from exc
        if not isinstance(row, dict):
            raise ExchangeError([f"{path}: 第{number}行不是JSON对象 / line {number} is not a JSON object"])
        rows.append(row)
    return pl.DataFrame(_json_columns(rows, fields), schema={f.name: pl.String for f in fields})


def _keep_number_text(text: str) -> str:
    # Keep the exact text: a number like 1419.68 is kept as written, never turned into a binary float.
    return text


def _json_columns(rows: list[dict], fields: Sequence[Field]) -> dict[str, list[str | None]]:
    """Turn JSON values into the canonical text of the CSV form.

    A value of the wrong JSON type (a string "true" where a boolean belongs) becomes text that the
    field's check refuses, so it is reported only if the row's training type uses that field.
    """
    columns: dict[str, list[str | None]] = {f.name: [] for f in fields}
    for row in rows:
        for field in fields:
            columns[field.name].append(_json_value_text(row.get(field.name), field))
    return columns


def _json_value_text(value: object, field: Field) -> str | None:
    if value is None:
        return None
    if field.kind == "bool":
        return ("true" if value else "false") if isinstance(value, bool) else "json:" + json.dumps(value)
    if field.kind == "int":
        plain_int = isinstance(value, int) and not isinstance(value, bool)
        return str(value) if plain_int else "json:" + json.dumps(value, ensure_ascii=False)
    if isinstance(value, (bool, dict, list)):
        return "json:" + json.dumps(value, ensure_ascii=False)
    return str(value)


def _as_text(frame: pl.DataFrame, fields: Sequence[Field]) -> pl.DataFrame:
    """Typed columns (Parquet) to the canonical text form."""
    out = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if dtype == pl.Boolean:
            out.append(pl.when(column).then(pl.lit("true")).when(~column).then(pl.lit("false")).alias(name))
        elif dtype == pl.Date:
            out.append(column.dt.strftime("%Y-%m-%d").alias(name))
        else:
            out.append(column.cast(pl.String).alias(name))
    return frame.select(out)


def _read_xlsx(path: Path) -> pl.DataFrame:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=True)
    if not rows:
        raise ExchangeError([f"{path}: 工作表为空 / the first sheet is empty"])
    header = [str(cell).strip() for cell in rows[0]]
    data = {name: [_xlsx_text(row[i]) if i < len(row) else None for row in rows[1:]] for i, name in enumerate(header)}
    return pl.DataFrame(data, schema={name: pl.String for name in header})


def _xlsx_text(cell: object) -> str | None:
    import datetime as dt

    if cell is None or cell == "":
        return None
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def select_fields(frame: pl.DataFrame, fields: Sequence[Field], path: Path, label: str,
                  row_offset: int = 0) -> pl.DataFrame:
    """The file's columns of `fields` as text, in their order, numbered `__row` from `row_offset` + 1."""
    missing = [f.name for f in fields if f.needed_for is None and not f.optional and f.name not in frame.columns]
    if missing:
        raise ExchangeError([f"{path}: 缺少必需的列 / missing required column(s): {', '.join(missing)}"])
    columns = [
        pl.col(f.name).cast(pl.String) if f.name in frame.columns else pl.lit(None, dtype=pl.String).alias(f.name)
        for f in fields
    ]
    return frame.select(columns).with_row_index("__row", offset=row_offset + 1)


# ---------------------------------------------------------------- validating

@dataclass(frozen=True)
class _Check:
    bad: pl.Expr  # true on a row that breaks it
    field: Field
    zh: str
    en: str


def validate(frame: pl.DataFrame, fields: Sequence[Field], path: str, row_kind: pl.Expr) -> pl.DataFrame:
    """Check every field of every row; return the typed frame or raise ExchangeError listing bad rows.

    `row_kind` gives each row its kind ("occupational", or "claim:occupational" for history), which
    decides which type-specific fields it needs; fields it does not need are ignored and set to null.
    The checks are boolean columns; messages are written only for the few rows that fail.
    """
    frame = frame.with_columns(row_kind.cast(pl.Categorical).alias("__kind"))
    kinds = frame["__kind"].unique().drop_nulls().cast(pl.String).to_list()
    checks: list[_Check] = []
    typed: list[pl.Expr] = []
    for field in fields:
        relevant = _relevance(field, kinds)
        value = pl.col(field.name)
        given = value.is_not_null()
        if not field.optional:
            checks.append(_Check(relevant & ~given, field, "缺少必填值", "a value is required"))
        bad, typed_value = _parse(field, value)
        if bad is not None:
            checks.append(_Check(relevant & given & bad, field, *_kind_reason(field)))
        typed.append((typed_value if field.needed_for is None else
                      pl.when(relevant).then(typed_value).otherwise(None)).alias(field.name))
    flags = frame.select(pl.col("__row"), *(check.bad.fill_null(True).alias(f"__bad{i}") for i, check in
                                            enumerate(checks)))
    failing = flags.filter(pl.any_horizontal(pl.exclude("__row"))).head(MAX_REPORTED_ERRORS)
    if failing.height:
        raise ExchangeError(_describe(failing, frame, checks, path))
    return frame.select(pl.col("__row"), *typed)


def _describe(failing: pl.DataFrame, frame: pl.DataFrame, checks: list[_Check], path: str) -> list[str]:
    values = frame.filter(pl.col("__row").is_in(failing["__row"].implode()))
    by_row = {row["__row"]: row for row in values.iter_rows(named=True)}
    lines = []
    for flagged in failing.iter_rows(named=True):
        row = flagged["__row"]
        for i, check in enumerate(checks):
            if flagged[f"__bad{i}"]:
                shown = (by_row[row].get(check.field.name) or "")[:40]
                lines.append(f"{path}: 第{row}条记录 / row {row}: 字段 {check.field.name}：{check.zh}（值 \"{shown}\"） / "
                             f"field '{check.field.name}': {check.en} (value \"{shown}\")")
    return lines[:MAX_REPORTED_ERRORS]


def _relevance(field: Field, kinds: list[str]) -> pl.Expr:
    """Rows whose kind needs the field; "claim" covers "claim:occupational" and the other claim kinds."""
    if field.needed_for is None:
        return pl.lit(True)
    needing = [kind for kind in kinds if any(kind == need or kind.startswith(need + ":") for need in field.needed_for)]
    return pl.col("__kind").is_in(needing)


def _parse(field: Field, value: pl.Expr) -> tuple[pl.Expr | None, pl.Expr]:
    if field.kind == "date":
        parsed = value.str.to_date("%Y-%m-%d", strict=False)
        shape_ok = value.str.contains(_DATE_RE) & (value.str.slice(0, 4) != "0000")
        return ~shape_ok | parsed.is_null(), parsed
    if field.kind == "int":
        parsed = value.str.to_integer(strict=False)
        bad = ~value.str.contains(_INT_RE) | (value.str.len_chars() > 9)
        if field.minimum is not None:
            bad = bad | (parsed < field.minimum)
        if field.maximum is not None:
            bad = bad | (parsed > field.maximum)
        return bad, parsed
    if field.kind == "bool":
        return ~value.is_in(["true", "false"]), value == "true"
    if field.kind == "enum":
        return ~value.is_in(list(field.choices)), value
    if field.kind == "code6":
        return ~value.str.contains(r"^[0-9]{6}$"), value
    return None, value


def _kind_reason(field: Field) -> tuple[str, str]:
    if field.kind == "date":
        return "日期须为 YYYY-MM-DD 格式的真实日期", "expected a real date written YYYY-MM-DD"
    if field.kind == "int":
        bounds = f" {field.minimum}..{field.maximum}" if field.maximum is not None else f" ≥ {field.minimum}"
        return f"应为整数{bounds}", f"expected a whole number{bounds}"
    if field.kind == "bool":
        return "应为小写 true 或 false", "expected true or false (lower case)"
    if field.kind == "enum":
        return f"取值须为 {', '.join(field.choices)} 之一", f"expected one of {', '.join(field.choices)}"
    return "应为6位数字区划代码", "expected a 6-digit division code"


def check_unique(frame: pl.DataFrame, column: str, path: str) -> None:
    if frame[column].n_unique() == frame.height:
        return
    duplicated = frame.filter(pl.col(column).is_duplicated()).select("__row", column).head(MAX_REPORTED_ERRORS)
    if duplicated.height:
        raise ExchangeError([
            f"{path}: 第{row}条记录 / row {row}: 字段 {column} 重复 / field '{column}' is not unique: {value!r}"
            for row, value in duplicated.iter_rows()
        ])


# ---------------------------------------------------------------- writing

def write_decisions(decisions: pl.DataFrame, path: Path) -> None:
    """Write the decisions file atomically: a temporary file renamed into place, never a partial file."""
    frame = decisions.select(DECISION_COLUMNS).sort("claim_id")
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".decisions-", suffix=suffix, dir=path.parent)
    os.close(handle)
    try:
        if suffix == ".csv":
            frame.with_columns(pl.col("denied_by").replace("", None)).write_csv(temporary)
        elif suffix in (".jsonl", ".ndjson"):
            _write_jsonl(frame, Path(temporary))
        elif suffix == ".parquet":
            frame.write_parquet(temporary)
        elif suffix == ".xlsx":
            _write_xlsx(frame, Path(temporary))
        else:
            raise ExchangeError([f"{path}: 不支持的输出类型 / unsupported output type {suffix!r}"])
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _write_jsonl(frame: pl.DataFrame, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for claim_id, eligible, training, employment, total, denied in frame.iter_rows():
            handle.write(json.dumps({
                "claim_id": claim_id, "eligible": eligible, "training_amount": training,
                "employment_amount": employment, "total_amount": total, "denied_by": denied or "",
            }, ensure_ascii=False) + "\n")


def _write_xlsx(frame: pl.DataFrame, path: Path) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("decisions")
    header = workbook.add_format({"bold": True})
    for column, name in enumerate(frame.columns):
        sheet.write_string(0, column, name, header)
    for row_number, row in enumerate(frame.iter_rows(), start=1):
        for column, value in enumerate(row):
            if isinstance(value, bool):
                sheet.write_boolean(row_number, column, value)
            else:
                sheet.write_string(row_number, column, value or "")
    workbook.close()
