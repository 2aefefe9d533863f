"""Independent reference implementation of the subsidy decision rules, in DuckDB SQL.

It exists to cross-check the product's engine in the benchmark, so it shares no code with
`qiancheng.policy`: it is written only from `RULES.md` (semantics) and `EXCHANGE.md` (file formats).

Design: the claims and the history are loaded into DuckDB as text, checked against the exchange
format in SQL, then typed. Every check that does not depend on other claims of the batch (data.id,
data.dates, 3.2, 3.3, 3.4e, 3.6, 5.1, 5.2a, 5.2b, 5.3, 6d, and 3.5a/b/c/d and 5.2d against the
history) is one SQL pass over the whole batch. The sequential batch semantics ("Many claims at once")
are then replayed in Python, only for persons with more than one claim in the batch. Amounts are
exact `Decimal` arithmetic, rounded half up to the fen once.

    python bench/reference_duckdb.py --claims C --history H --params P --out D
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import decimal
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

import duckdb
from stdnum.cn.ric import compact as ric_compact

# Rule IDs in the order EXCHANGE.md sorts them (code-point order).
RULE_IDS = (
    "3.2", "3.3", "3.4e", "3.5a", "3.5b", "3.5c", "3.5d", "3.6",
    "5.1", "5.2a", "5.2b", "5.2d", "5.3", "6d", "data.dates", "data.id",
)  # fmt: skip

TRAINING_TYPES = ("occupational", "special_ability", "entrepreneurship", "project")
FUNDS = ("employment_subsidy", "special_account", "unemployment_insurance")
COURSE_KINDS = ("GYB", "SYB", "IYB", "EYB", "online_live", "online_ecommerce", "online_simulation")
APPLICANT_RELATIONS = ("employee", "prospective_hire", "none")
PERSON_CATEGORIES = (
    "graduate_youth", "rural_migrant_worker", "registered_unemployed",
    "employment_difficulty", "enterprise_employee", "other",
)  # fmt: skip
PARTIES = ("institution", "enterprise", "individual")
PROOF_KINDS = ("labour_contract", "wage_statement", "social_insurance_record")
RECORD_TYPES = ("claim", "certificate", "skill_upgrade", "blacklist")
STATUSES = ("pending", "approved", "paid", "rejected", "withdrawn")
COUNTING_STATUSES = ("pending", "approved", "paid")
# GB 11643 / EXCHANGE.md: the first two digits must be a province-level code.
PROVINCE_PREFIXES = tuple(
    f"{n:02d}"
    for n in [*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55),
              *range(61, 66), 71, 81, 82]
)  # fmt: skip
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

# 5.2b / 5.2c: the plan's own figures, not parameters.
SPECIAL_ACCOUNT_TRAINING = Decimal("600")
SPECIAL_ACCOUNT_EMPLOYMENT = Decimal("200")
MAX_AI_UPLIFT = Decimal("0.20")  # 4.2: uplift per city at most 20 %
FEN = Decimal("0.01")

# Column kinds of the exchange files: text, date, bool (true/false), uint (ASCII digits).
CLAIM_COLUMNS: dict[str, str] = {
    "claim_id": "text", "id_number": "text", "training_type": "text", "fund": "text",
    "city_code": "text", "occupation_code": "text", "level": "uint", "item_code": "text",
    "course_kind": "text", "project_id": "text", "applicant_relation": "text",
    "class_hours": "uint", "start_date": "date", "end_date": "date", "passed": "bool",
    "person_category": "text", "receiving_unemployment_benefit": "bool",
    "has_business_licence": "bool", "institution_id": "text", "advanced_by": "text",
    "advanced_by_id": "text", "claimant": "text", "claimant_id": "text",
    "employment_proof_kind": "text", "employment_proof_date": "date",
}  # fmt: skip
CLAIM_REQUIRED_COLUMNS = (
    "claim_id", "id_number", "training_type", "fund", "city_code", "class_hours", "start_date",
    "end_date", "passed", "person_category", "receiving_unemployment_benefit",
    "has_business_licence", "institution_id", "advanced_by", "advanced_by_id", "claimant",
    "claimant_id",
)  # fmt: skip
HISTORY_COLUMNS: dict[str, str] = {
    "record_type": "text", "record_id": "text", "id_number": "text", "institution_id": "text",
    "training_type": "text", "fund": "text", "occupation_code": "text", "level": "uint",
    "item_code": "text", "course_kind": "text", "project_id": "text", "end_date": "date",
    "status": "text", "record_date": "date", "listed_from": "date", "listed_until": "date",
}  # fmt: skip
HISTORY_REQUIRED_COLUMNS = ("record_type", "record_id")

# When a column is used (EXCHANGE.md: a field the type does not use is ignored, whatever it holds).
# SQL over the JSON Lines columns; a column not listed is always used. CSV needs no such map: its
# values are all text, and the format checks below only look at a field where it is used.
_TYPE = "training_type ->> '$'"
_RECORD = "record_type ->> '$'"
CLAIM_COLUMN_USE = {
    "occupation_code": f"{_TYPE} = 'occupational'", "level": f"{_TYPE} = 'occupational'",
    "item_code": f"{_TYPE} = 'special_ability'", "course_kind": f"{_TYPE} = 'entrepreneurship'",
    "project_id": f"{_TYPE} = 'project'", "applicant_relation": f"{_TYPE} = 'project'",
}  # fmt: skip
_HELD = f"{_RECORD} IN ('certificate', 'skill_upgrade')"
HISTORY_COLUMN_USE = {
    "institution_id": f"{_RECORD} = 'blacklist'",
    **{name: f"{_RECORD} = 'claim'" for name in ("training_type", "fund", "end_date", "status")},
    "occupation_code": f"({_RECORD} = 'claim' AND {_TYPE} = 'occupational') OR {_HELD}",
    "level": f"({_RECORD} = 'claim' AND {_TYPE} = 'occupational') OR {_HELD}",
    "item_code": f"{_RECORD} = 'claim' AND {_TYPE} = 'special_ability'",
    "course_kind": f"{_RECORD} = 'claim' AND {_TYPE} = 'entrepreneurship'",
    "project_id": f"{_RECORD} = 'claim' AND {_TYPE} = 'project'",
    "record_date": _HELD,
    "listed_from": f"{_RECORD} = 'blacklist'", "listed_until": f"{_RECORD} = 'blacklist'",
}  # fmt: skip


class InputError(ValueError):
    """The run cannot proceed: a file breaks EXCHANGE.md, or a needed standard is missing."""


# --------------------------------------------------------------------------------------------
# Parameters


@dataclass(frozen=True)
class Standard:
    """One dated training-subsidy standard (employment-subsidy fund) or UI standard."""

    training_type: str | None  # None for an unemployment-insurance standard
    level: int | None
    course_kind: str | None
    amount: Decimal
    valid_from: dt.date
    valid_to: dt.date | None

    def key(self) -> tuple[str | None, int | None, str | None]:
        return (self.training_type, self.level, self.course_kind)

    def overlaps(self, other: Standard) -> bool:
        # Validity bounds are inclusive (RULES.md reading 5); None = open-ended.
        far = dt.date.max
        return self.valid_from <= (other.valid_to or far) and other.valid_from <= (self.valid_to or far)


@dataclass(frozen=True)
class Params:
    as_of: dt.date
    standards: tuple[Standard, ...]
    ui_standards: tuple[Standard, ...]
    ai_occupations: frozenset[str]
    ai_uplift: dict[str, Decimal]


_DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _param_error(where: str, reason: str) -> InputError:
    return InputError(f"参数文件 {where}: {reason}")


def _param_decimal(value: object, where: str) -> Decimal:
    if isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value):
        return Decimal(value)
    if isinstance(value, int | Decimal) and not isinstance(value, bool) and Decimal(value).is_finite():
        return Decimal(value)
    raise _param_error(where, f"须为十进制数 / must be a decimal number, got {value!r}")


def _param_date(value: object, where: str) -> dt.date:
    if isinstance(value, str) and _DATE_TEXT.fullmatch(value):
        with contextlib.suppress(ValueError):  # e.g. 2025-02-29 falls through to the error below
            return dt.date.fromisoformat(value)
    raise _param_error(where, f"日期须为 YYYY-MM-DD / date must be YYYY-MM-DD, got {value!r}")


def _param_standard(entry: object, where: str, with_key: bool) -> Standard:
    if not isinstance(entry, dict):
        raise _param_error(where, "须为 JSON 对象 / must be a JSON object")
    training_type = level = course_kind = None
    if with_key:
        training_type = entry.get("training_type")
        if training_type not in TRAINING_TYPES:
            raise _param_error(where, f"training_type 无效 / invalid training_type {training_type!r}")
        if training_type == "occupational":
            raw_level = entry.get("level")
            if isinstance(raw_level, bool) or not isinstance(raw_level, int) or not 1 <= raw_level <= 5:
                raise _param_error(where, f"level 须为1-5 / level must be an integer 1-5, got {raw_level!r}")
            level = raw_level
        if training_type == "entrepreneurship":
            course_kind = entry.get("course_kind")
            if course_kind not in COURSE_KINDS:
                raise _param_error(where, f"course_kind 无效 / invalid course_kind {course_kind!r}")
    amount = _param_decimal(entry.get("amount"), f"{where}.amount")
    if amount < 0:
        raise _param_error(where, "amount 不得为负 / amount must be >= 0")
    valid_from = _param_date(entry.get("valid_from"), f"{where}.valid_from")
    raw_to = entry.get("valid_to")
    valid_to = None if raw_to is None else _param_date(raw_to, f"{where}.valid_to")
    if valid_to is not None and valid_to < valid_from:
        raise _param_error(where, "valid_to 早于 valid_from / valid_to is before valid_from")
    return Standard(training_type, level, course_kind, amount, valid_from, valid_to)


def _no_overlaps(standards: Iterable[Standard], section: str) -> None:
    items = list(standards)
    for i, first in enumerate(items):
        for second in items[i + 1 :]:
            if first.key() == second.key() and first.overlaps(second):
                raise _param_error(
                    section,
                    f"同一标准的有效期重叠 / overlapping standard periods for {first.key()}: "
                    f"{first.valid_from}..{first.valid_to} and {second.valid_from}..{second.valid_to}",
                )


def _param_list(data: dict, name: str) -> list:
    value = data.get(name)
    if value is None:
        return []  # a section the file omits is empty (EXCHANGE.md (c))
    if not isinstance(value, list):
        raise _param_error(name, "须为 JSON 数组 / must be a JSON array")
    return value


def _param_uplift(data: dict) -> dict[str, Decimal]:
    raw = data.get("ai_uplift") or {}
    if not isinstance(raw, dict):
        raise _param_error("ai_uplift", "须为 JSON 对象 / must be a JSON object")
    uplift: dict[str, Decimal] = {}
    for city, value in raw.items():
        if not re.fullmatch(r"[0-9]{4}00", city):
            raise _param_error(
                "ai_uplift", f"城市代码须为以00结尾的6位数字 / city {city!r} must be 6 digits ending in 00"
            )
        fraction = _param_decimal(value, f"ai_uplift.{city}")
        # 4.2: 人工智能紧缺职业补贴上浮不超过20%
        if not Decimal(0) <= fraction <= MAX_AI_UPLIFT:
            raise _param_error(
                f"ai_uplift.{city}",
                f"上浮比例须在0至0.20之间 / ai_uplift must be within [0, 0.20], got {value}",
            )
        uplift[city] = fraction
    return uplift


def load_params(path: str | os.PathLike[str]) -> Params:
    """Read and check `params.json` (EXCHANGE.md (c)); the file is the complete parameter set."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"), parse_float=Decimal)
    except (OSError, ValueError) as exc:
        raise InputError(f"参数文件无法读取 / cannot read params file {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise _param_error("(top)", "须为 JSON 对象 / must be a JSON object")
    raw_as_of = data.get("as_of_date")
    as_of = dt.date.today() if raw_as_of is None else _param_date(raw_as_of, "as_of_date")
    standards = tuple(
        _param_standard(entry, f"standards[{i}]", with_key=True)
        for i, entry in enumerate(_param_list(data, "standards"))
    )
    ui_standards = tuple(
        _param_standard(entry, f"unemployment_insurance_standards[{i}]", with_key=False)
        for i, entry in enumerate(_param_list(data, "unemployment_insurance_standards"))
    )
    _no_overlaps(standards, "standards")
    _no_overlaps(ui_standards, "unemployment_insurance_standards")
    occupations = _param_list(data, "ai_occupations")
    if not all(isinstance(code, str) for code in occupations):
        raise _param_error("ai_occupations", "须为字符串数组 / must be an array of strings")
    return Params(as_of, standards, ui_standards, frozenset(occupations), _param_uplift(data))


# --------------------------------------------------------------------------------------------
# Loading the exchange files into DuckDB as text


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sql_list(values: Iterable[str]) -> str:
    return "(" + ", ".join(_sql_str(v) for v in values) + ")"


def _csv_header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path.name}: 无法读取表头 / cannot read the header: {exc}") from exc
    if not header:
        raise InputError(f"{path.name}: 缺少表头 / the header row is missing")
    return header


def _load_csv(con: duckdb.DuckDBPyConnection, path: Path, table: str, columns: dict[str, str],
              required: tuple[str, ...]) -> None:  # fmt: skip
    header = _csv_header(path)
    duplicated = sorted({name for name in header if header.count(name) > 1 and name in columns})
    if duplicated:
        raise InputError(f"{path.name}: 列重复 / duplicated column(s) {', '.join(duplicated)}")
    missing = [name for name in required if name not in header]
    if missing:
        raise InputError(f"{path.name}: 缺少必需列 / missing required column(s) {', '.join(missing)}")
    positional = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header))) + "}"
    # An empty field, quoted or not, is "not given" (EXCHANGE.md).
    selected = ", ".join(
        f"NULLIF(c{header.index(name)}, '') AS {name}" if name in header else f"NULL::VARCHAR AS {name}"
        for name in columns
    )
    con.execute(
        f"""CREATE TABLE {table} AS
        SELECT row_number() OVER () AS row_no, {selected}
        FROM read_csv({_sql_str(str(path))}, header = true, auto_detect = false, delim = ',',
                      quote = '"', escape = '"', strict_mode = true, columns = {positional})"""
    )


_JSON_TYPES = {
    "text": ("VARCHAR",),
    "date": ("VARCHAR",),
    "bool": ("BOOLEAN",),
    "uint": ("UBIGINT", "BIGINT"),
}


def _load_jsonl(con: duckdb.DuckDBPyConnection, path: Path, table: str, columns: dict[str, str],
                column_use: dict[str, str]) -> None:  # fmt: skip
    # records = true: a line that is not a JSON object fails the read; absent keys are SQL NULL.
    as_json = "{" + ", ".join(f"'{name}': 'JSON'" for name in columns) + "}"
    con.execute(
        f"""CREATE TABLE {table}_json AS SELECT row_number() OVER () AS row_no, *
        FROM read_json({_sql_str(str(path))}, format = 'newline_delimited', records = true,
                       columns = {as_json})"""
    )
    wrong_type = " ".join(
        f"WHEN coalesce(({column_use.get(name, 'true')}) "
        f"AND json_type({name}) NOT IN {_sql_list(('NULL', *_JSON_TYPES[kind]))}, false) "
        f"THEN {_sql_str(name)}"
        for name, kind in columns.items()
    )
    bad = con.execute(
        f"""SELECT row_no, field FROM (SELECT row_no, CASE {wrong_type} END AS field FROM {table}_json)
        WHERE field IS NOT NULL ORDER BY row_no LIMIT 1"""
    ).fetchone()
    if bad:
        row_no, name = bad
        raise InputError(
            f"{path.name} 第{row_no}行 字段 {name} / line {row_no}, field {name}: "
            f"JSON 类型错误 / wrong JSON type (expected {columns[name]})"
        )
    # Canonical text, as in CSV: JSON true/false and integers become their CSV spelling.
    selected = ", ".join(f"NULLIF({name} ->> '$', '') AS {name}" for name in columns)
    con.execute(f"CREATE TABLE {table} AS SELECT row_no, {selected} FROM {table}_json")
    con.execute(f"DROP TABLE {table}_json")


def _load_records(
    con: duckdb.DuckDBPyConnection,
    path: str | os.PathLike[str],
    table: str,
    columns: dict[str, str],
    required: tuple[str, ...],
    column_use: dict[str, str],
) -> None:
    file = Path(path)
    try:
        if file.suffix == ".csv":
            _load_csv(con, file, table, columns, required)
        elif file.suffix == ".jsonl":
            _load_jsonl(con, file, table, columns, column_use)
        else:
            raise InputError(f"{file.name}: 扩展名须为 .csv 或 .jsonl / extension must be .csv or .jsonl")
    except duckdb.Error as exc:
        raise InputError(f"{file.name}: 文件格式错误 / malformed file: {exc}") from exc


# --------------------------------------------------------------------------------------------
# Format checks (EXCHANGE.md), in SQL: each is (field, condition that must hold, reason).

_MACROS = """
CREATE MACRO is_date(s) AS coalesce(regexp_full_match(s, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
    AND s >= '0001' AND try_cast(s AS DATE) IS NOT NULL, false);
CREATE MACRO is_uint(s) AS coalesce(regexp_full_match(s, '[0-9]+'), false);
CREATE MACRO is_level(s) AS coalesce(regexp_full_match(s, '0*[1-5]'), false);
CREATE MACRO is_bool(s) AS coalesce(s IN ('true', 'false'), false);
-- 5.2c: three calendar months later, the same day number or that month's last day.
CREATE MACRO plus_three_months(d) AS make_date(
    year(d) + (month(d) + 2) // 12, (month(d) + 2) % 12 + 1,
    least(day(d), day(last_day(make_date(year(d) + (month(d) + 2) // 12, (month(d) + 2) % 12 + 1, 1)))));
"""

REQUIRED = "必填 / required"
DATE_REASON = "日期须为 YYYY-MM-DD / must be a date YYYY-MM-DD"
BOOL_REASON = "须为 true 或 false / must be true or false"
ENUM_REASON = "取值无效 / not an allowed value"


def _claim_checks() -> list[tuple[str, str, str]]:
    def when(training_type: str, condition: str) -> str:
        return f"training_type <> '{training_type}' OR ({condition})"

    return [
        ("claim_id", "claim_id IS NOT NULL", REQUIRED),
        ("id_number", "id_number IS NOT NULL", REQUIRED),
        ("training_type", f"training_type IN {_sql_list(TRAINING_TYPES)}", ENUM_REASON),
        ("fund", f"fund IN {_sql_list(FUNDS)}", ENUM_REASON),
        ("city_code", "regexp_full_match(city_code, '[0-9]{6}')", "须为6位数字 / must be 6 digits"),
        ("occupation_code", when("occupational", "occupation_code IS NOT NULL"), REQUIRED),
        ("level", when("occupational", "is_level(level)"), "须为1-5的整数 / must be an integer 1-5"),
        ("item_code", when("special_ability", "item_code IS NOT NULL"), REQUIRED),
        ("course_kind", when("entrepreneurship", f"course_kind IN {_sql_list(COURSE_KINDS)}"), ENUM_REASON),
        ("project_id", when("project", "project_id IS NOT NULL"), REQUIRED),
        ("applicant_relation", when("project", f"applicant_relation IN {_sql_list(APPLICANT_RELATIONS)}"),
         ENUM_REASON),
        ("class_hours", "is_uint(class_hours)", "须为非负整数 / must be an integer >= 0"),
        ("start_date", "is_date(start_date)", DATE_REASON),
        ("end_date", "is_date(end_date)", DATE_REASON),
        ("passed", "is_bool(passed)", BOOL_REASON),
        ("person_category", f"person_category IN {_sql_list(PERSON_CATEGORIES)}", ENUM_REASON),
        ("receiving_unemployment_benefit", "is_bool(receiving_unemployment_benefit)", BOOL_REASON),
        ("has_business_licence", "is_bool(has_business_licence)", BOOL_REASON),
        ("institution_id", "institution_id IS NOT NULL", REQUIRED),
        ("advanced_by", f"advanced_by IN {_sql_list(PARTIES)}", ENUM_REASON),
        ("advanced_by_id", "advanced_by_id IS NOT NULL", REQUIRED),
        ("claimant", f"claimant IN {_sql_list(PARTIES)}", ENUM_REASON),
        ("claimant_id", "claimant_id IS NOT NULL", REQUIRED),
        ("employment_proof_kind",
         f"employment_proof_kind IS NULL OR employment_proof_kind IN {_sql_list(PROOF_KINDS)}", ENUM_REASON),
        ("employment_proof_date", "(employment_proof_kind IS NULL) = (employment_proof_date IS NULL)",
         "须与 employment_proof_kind 同时给出 / given if and only if employment_proof_kind is given"),
        ("employment_proof_date", "employment_proof_date IS NULL OR is_date(employment_proof_date)", DATE_REASON),
    ]  # fmt: skip


def _history_checks() -> list[tuple[str, str, str]]:
    def when(record_type: str, condition: str) -> str:
        return f"record_type <> '{record_type}' OR ({condition})"

    def when_claim(training_type: str, condition: str) -> str:
        return f"record_type <> 'claim' OR training_type <> '{training_type}' OR ({condition})"

    person_records = "record_type NOT IN ('claim', 'certificate', 'skill_upgrade')"
    held_records = "record_type NOT IN ('certificate', 'skill_upgrade')"
    return [
        ("record_type", f"record_type IN {_sql_list(RECORD_TYPES)}", ENUM_REASON),
        ("record_id", "record_id IS NOT NULL", REQUIRED),
        ("id_number", f"{person_records} OR id_number IS NOT NULL", REQUIRED),
        ("training_type", when("claim", f"training_type IN {_sql_list(TRAINING_TYPES)}"), ENUM_REASON),
        ("fund", when("claim", f"fund IN {_sql_list(FUNDS)}"), ENUM_REASON),
        ("end_date", when("claim", "is_date(end_date)"), DATE_REASON),
        ("status", when("claim", f"status IN {_sql_list(STATUSES)}"), ENUM_REASON),
        ("occupation_code", when_claim("occupational", "occupation_code IS NOT NULL"), REQUIRED),
        ("level", when_claim("occupational", "is_level(level)"), "须为1-5的整数 / must be an integer 1-5"),
        ("item_code", when_claim("special_ability", "item_code IS NOT NULL"), REQUIRED),
        ("course_kind", when_claim("entrepreneurship", f"course_kind IN {_sql_list(COURSE_KINDS)}"),
         ENUM_REASON),
        ("project_id", when_claim("project", "project_id IS NOT NULL"), REQUIRED),
        ("occupation_code", f"{held_records} OR occupation_code IS NOT NULL", REQUIRED),
        ("level", f"{held_records} OR is_level(level)", "须为1-5的整数 / must be an integer 1-5"),
        ("record_date", f"{held_records} OR is_date(record_date)", DATE_REASON),
        ("id_number", when("blacklist", "(id_number IS NULL) <> (institution_id IS NULL)"),
         "黑名单须且只须指明人员或机构之一 / a blacklist entry names exactly one of id_number, institution_id"),
        ("listed_from", when("blacklist", "is_date(listed_from)"), DATE_REASON),
        ("listed_until", when("blacklist", "listed_until IS NULL OR is_date(listed_until)"), DATE_REASON),
    ]  # fmt: skip


def _enforce(
    con: duckdb.DuckDBPyConnection, table: str, file: str, checks: list[tuple[str, str, str]]
) -> None:
    cases = " ".join(f"WHEN NOT coalesce({cond}, false) THEN {i}" for i, (_, cond, _) in enumerate(checks))
    found = con.execute(
        f"""SELECT row_no, failed FROM (SELECT row_no, CASE {cases} END AS failed FROM {table})
        WHERE failed IS NOT NULL ORDER BY row_no LIMIT 1"""
    ).fetchone()
    if found:
        row_no, failed = found
        field, _, reason = checks[failed]
        raise InputError(f"{file} 第{row_no}条记录 字段 {field} / record {row_no}, field {field}: {reason}")


def _enforce_unique(con: duckdb.DuckDBPyConnection, table: str, column: str, file: str) -> None:
    found = con.execute(
        f"""SELECT {column}, list(row_no ORDER BY row_no) FROM {table}
        GROUP BY {column} HAVING count(*) > 1 ORDER BY min(row_no) LIMIT 1"""
    ).fetchone()
    if found:
        raise InputError(
            f"{file} 字段 {column} 重复 / duplicated {column} {found[0]!r} in records {found[1]}"
        )


def _check_formats(con: duckdb.DuckDBPyConnection, claims_name: str, history_name: str) -> None:
    _enforce(con, "claims_raw", claims_name, _claim_checks())
    _enforce_unique(con, "claims_raw", "claim_id", claims_name)
    _enforce(con, "history_raw", history_name, _history_checks())
    _enforce_unique(con, "history_raw", "record_id", history_name)
    # RULES.md reading 16: a claim being decided must not also be in the history.
    clash = con.execute(
        """SELECT c.claim_id FROM claims_raw c JOIN history_raw h
        ON h.record_type = 'claim' AND h.record_id = c.claim_id ORDER BY c.row_no LIMIT 1"""
    ).fetchone()
    if clash:
        raise InputError(
            f"{claims_name}: 申请 {clash[0]!r} 同时出现在历史记录中 / claim {clash[0]!r} is also in the history"
        )


# --------------------------------------------------------------------------------------------
# Typed tables


def _normalise_ids(con: duckdb.DuckDBPyConnection) -> None:
    """Person = stdnum.cn.ric.compact(id_number) (RULES.md reading 1).

    For plain ASCII letters and digits compact() is exactly upper(); anything else goes through
    python-stdnum itself, once per distinct spelling.
    """
    odd = con.execute(
        """SELECT DISTINCT id_number FROM (
            SELECT id_number FROM claims_raw UNION ALL SELECT id_number FROM history_raw)
        WHERE id_number IS NOT NULL AND NOT regexp_full_match(id_number, '[0-9A-Za-z]*')"""
    ).fetchall()
    spellings = [row[0] for row in odd]
    con.execute(
        "CREATE TABLE id_map AS SELECT unnest(?::VARCHAR[]) AS raw, unnest(?::VARCHAR[]) AS pid",
        [spellings, [ric_compact(s) for s in spellings]],
    )
    con.execute(
        """CREATE MACRO person(raw_id) AS CASE
            WHEN regexp_full_match(raw_id, '[0-9A-Za-z]*') THEN upper(raw_id)
            ELSE (SELECT pid FROM id_map WHERE id_map.raw = raw_id) END"""
    )


def _id_valid_sql(as_of: dt.date) -> str:
    """GB 11643 as EXCHANGE.md fixes it; an unknown county code does not make a number invalid."""
    # TRY_CAST throughout: DuckDB may evaluate every operand of AND, even after one is false.
    weighted = " + ".join(
        f"TRY_CAST(substr(pid, {i + 1}, 1) AS INTEGER) * {w}" for i, w in enumerate(ID_WEIGHTS)
    )
    birth = "substr(pid, 7, 4) || '-' || substr(pid, 11, 2) || '-' || substr(pid, 13, 2)"
    return f"""coalesce(
        regexp_full_match(pid, '[0-9]{{17}}[0-9X]')
        AND substr('10X98765432', ({weighted}) % 11 + 1, 1) = substr(pid, 18, 1)
        AND is_date({birth}) AND TRY_CAST({birth} AS DATE) <= DATE '{as_of.isoformat()}'
        AND substr(pid, 1, 2) IN {_sql_list(PROVINCE_PREFIXES)}, false)"""


def _build_claims(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> None:
    # Fields a training type does not use are ignored, whatever they hold (EXCHANGE.md).
    con.execute(
        """CREATE TABLE claims_typed AS SELECT
            row_no, claim_id, person(id_number) AS pid, training_type, fund, city_code,
            CASE WHEN training_type = 'occupational' THEN occupation_code END AS occupation,
            CASE WHEN training_type = 'occupational' THEN TRY_CAST(level AS INTEGER) END AS level,
            CASE WHEN training_type = 'special_ability' THEN item_code END AS item,
            CASE WHEN training_type = 'entrepreneurship' THEN course_kind END AS course_kind,
            CASE WHEN training_type = 'project' THEN project_id END AS project,
            CASE WHEN training_type = 'project' THEN applicant_relation END AS relation,
            (length(ltrim(class_hours, '0')) < 2
                OR (length(ltrim(class_hours, '0')) = 2 AND ltrim(class_hours, '0') < '28')) AS under_28_hours,
            CAST(start_date AS DATE) AS start_date, CAST(end_date AS DATE) AS end_date,
            passed = 'true' AS passed, receiving_unemployment_benefit = 'true' AS on_benefit,
            has_business_licence = 'true' AS has_licence, institution_id, advanced_by, advanced_by_id,
            claimant, claimant_id, employment_proof_kind AS proof_kind,
            CAST(employment_proof_date AS DATE) AS proof_date
        FROM claims_raw"""
    )
    con.execute(f"CREATE TABLE claims AS SELECT *, {_id_valid_sql(as_of)} AS id_valid FROM claims_typed")


def _build_history(con: duckdb.DuckDBPyConnection) -> None:
    statuses = _sql_list(COUNTING_STATUSES)
    con.execute(
        f"""CREATE TABLE counting AS SELECT
            person(id_number) AS pid, training_type,
            CASE WHEN training_type = 'occupational' THEN occupation_code END AS occupation,
            CASE WHEN training_type = 'occupational' THEN TRY_CAST(level AS INTEGER) END AS level,
            CASE WHEN training_type = 'special_ability' THEN item_code END AS item,
            CASE WHEN training_type = 'project' THEN project_id END AS project,
            CAST(end_date AS DATE) AS end_date
        FROM history_raw WHERE record_type = 'claim' AND status IN {statuses}"""
    )
    con.execute(
        """CREATE TABLE held AS SELECT record_type, person(id_number) AS pid, occupation_code AS occupation,
            TRY_CAST(level AS INTEGER) AS level, CAST(record_date AS DATE) AS record_date
        FROM history_raw WHERE record_type IN ('certificate', 'skill_upgrade')"""
    )
    con.execute(
        """CREATE TABLE blacklist AS SELECT person(id_number) AS pid, institution_id,
            CAST(listed_from AS DATE) AS listed_from, CAST(listed_until AS DATE) AS listed_until
        FROM history_raw WHERE record_type = 'blacklist'"""
    )


def _load_params_tables(con: duckdb.DuckDBPyConnection, params: Params) -> None:
    def table(name: str, standards: tuple[Standard, ...]) -> None:
        con.execute(
            f"""CREATE TABLE {name} AS SELECT
                unnest(?::INTEGER[]) AS idx, unnest(?::VARCHAR[]) AS training_type,
                unnest(?::INTEGER[]) AS level, unnest(?::VARCHAR[]) AS course_kind,
                unnest(?::DATE[]) AS valid_from, unnest(?::DATE[]) AS valid_to""",
            [list(range(len(standards))), [s.training_type for s in standards], [s.level for s in standards],
             [s.course_kind for s in standards], [s.valid_from for s in standards],
             [s.valid_to for s in standards]],
        )  # fmt: skip

    table("standard", params.standards)
    table("ui_standard", params.ui_standards)
    con.execute(
        "CREATE TABLE ai_occupation AS SELECT unnest(?::VARCHAR[]) AS code", [sorted(params.ai_occupations)]
    )


# --------------------------------------------------------------------------------------------
# Per-claim checks over the whole batch (everything not depending on other batch claims)

# Each rule: the claims it denies, as a query returning row_no. The clause sits beside its SQL.
_STATIC_RULES: dict[str, str] = {
    # GB 11643 (EXCHANGE.md "ID numbers")
    "data.id": "SELECT row_no FROM claims WHERE NOT id_valid",
    # RULES.md reading 4: start, end and the employment-proof date; a date on the as-of date is fine.
    "data.dates": """SELECT row_no FROM claims WHERE end_date < start_date OR start_date > $as_of
        OR end_date > $as_of OR coalesce(proof_date > $as_of, false)""",
    # 3.2: 专项能力培训不少于28课时
    "3.2": "SELECT row_no FROM claims WHERE training_type = 'special_ability' AND under_28_hours",
    # 3.3: IYB、EYB 须持有营业执照
    "3.3": """SELECT row_no FROM claims WHERE training_type = 'entrepreneurship'
        AND course_kind IN ('IYB', 'EYB') AND NOT has_licence""",
    # 3.4e: 项目制培训对象为本企业职工或拟招用人员
    "3.4e": "SELECT row_no FROM claims WHERE training_type = 'project' AND relation = 'none'",
    # 3.6: 谁垫付谁申领 (kind and identifier, reading 11)
    "3.6": "SELECT row_no FROM claims WHERE claimant <> advanced_by OR claimant_id <> advanced_by_id",
    # 5.1: 取得证书 for the employment-subsidy and unemployment-insurance funds
    "5.1": """SELECT row_no FROM claims
        WHERE fund IN ('employment_subsidy', 'unemployment_insurance') AND NOT passed""",
    # 5.2a: 专账资金 only for project training, claimed by its own organising institution
    "5.2a": """SELECT row_no FROM claims WHERE fund = 'special_account'
        AND (training_type <> 'project' OR claimant <> 'institution' OR claimant_id <> institution_id)""",
    # 5.2b: 专账 600 only when passed
    "5.2b": "SELECT row_no FROM claims WHERE fund = 'special_account' AND NOT passed",
    # 5.3: 失业保险基金 only for people receiving unemployment benefit (reading 3)
    "5.3": "SELECT row_no FROM claims WHERE fund = 'unemployment_insurance' AND NOT on_benefit",
    # 3.5a: 同一年度内只享受一次 (a counting history claim ending in the same calendar year)
    "3.5a": """SELECT c.row_no FROM claims c JOIN counting h
        ON h.pid = c.pid AND year(h.end_date) = year(c.end_date)""",
    # 3.5b: 累计不超过3次
    "3.5b": """SELECT c.row_no FROM claims c JOIN (SELECT pid, count(*) AS n FROM counting GROUP BY pid) h
        ON h.pid = c.pid WHERE h.n >= 3""",
    # 3.5c: 同一职业同一等级 / 同一专项能力项目 不重复享受 (claims and skill-upgrade subsidies)
    "3.5c": """SELECT c.row_no FROM claims c JOIN counting h ON h.pid = c.pid
            AND c.training_type = 'occupational' AND h.training_type = 'occupational'
            AND h.occupation = c.occupation AND h.level = c.level
        UNION ALL SELECT c.row_no FROM claims c JOIN held s ON s.pid = c.pid AND s.record_type = 'skill_upgrade'
            AND c.training_type = 'occupational' AND s.occupation = c.occupation AND s.level = c.level
        UNION ALL SELECT c.row_no FROM claims c JOIN counting h ON h.pid = c.pid
            AND c.training_type = 'special_ability' AND h.training_type = 'special_ability'
            AND h.item = c.item""",
    # 3.5d: 已取得同职业更高等级证书的不得申领较低等级 (held on the end date, inclusive)
    "3.5d": """SELECT c.row_no FROM claims c JOIN held s ON s.pid = c.pid AND s.record_type = 'certificate'
        AND c.training_type = 'occupational' AND s.occupation = c.occupation
        AND s.level < c.level AND s.record_date <= c.end_date""",
    # 5.2d: 同一项目不重复享受 from any fund
    "5.2d": """SELECT c.row_no FROM claims c JOIN counting h ON h.pid = c.pid
        AND c.training_type = 'project' AND h.training_type = 'project' AND h.project = c.project""",
    # 6d: 黑名单 — the person or the delivering institution, listed on the end date (inclusive)
    "6d": """SELECT c.row_no FROM claims c JOIN blacklist b ON b.pid = c.pid
            AND b.listed_from <= c.end_date AND (b.listed_until IS NULL OR c.end_date <= b.listed_until)
        UNION ALL SELECT c.row_no FROM claims c JOIN blacklist b ON b.institution_id = c.institution_id
            AND b.listed_from <= c.end_date AND (b.listed_until IS NULL OR c.end_date <= b.listed_until)""",
}


def _build_static_denials(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> None:
    parts = " UNION ALL ".join(
        f"SELECT row_no, '{rule}' AS rule FROM ({sql.replace('$as_of', f'DATE {_sql_str(as_of.isoformat())}')})"
        for rule, sql in _STATIC_RULES.items()
    )
    con.execute(f"CREATE TABLE static_denial AS SELECT DISTINCT row_no, rule FROM ({parts})")


def _build_decision_inputs(con: duckdb.DuckDBPyConnection) -> None:
    """One row per claim: static denials, batch size of the person, and what selects the amount."""
    con.execute(
        """CREATE TABLE decision_input AS
        WITH denied AS (SELECT row_no, list(rule ORDER BY rule) AS rules FROM static_denial GROUP BY row_no),
        per_person AS (SELECT pid, count(*) AS n FROM claims GROUP BY pid),
        history_count AS (SELECT pid, count(*) AS n FROM counting GROUP BY pid)
        SELECT c.row_no, c.claim_id, c.pid, c.fund, c.training_type, c.occupation, c.level, c.item, c.project,
            c.end_date, c.passed, coalesce(d.rules, []) AS static_rules, p.n > 1 AS shared_batch,
            coalesce(hc.n, 0) AS history_claims,
            -- reading 5: the standard in force on the end date, bounds inclusive
            (SELECT s.idx FROM standard s WHERE c.fund = 'employment_subsidy'
                AND s.training_type = c.training_type
                AND (c.training_type <> 'occupational' OR s.level = c.level)
                AND (c.training_type <> 'entrepreneurship' OR s.course_kind = c.course_kind)
                AND s.valid_from <= c.end_date AND (s.valid_to IS NULL OR c.end_date <= s.valid_to)) AS standard_idx,
            (SELECT u.idx FROM ui_standard u WHERE c.fund = 'unemployment_insurance'
                AND u.valid_from <= c.end_date AND (u.valid_to IS NULL OR c.end_date <= u.valid_to)) AS ui_idx,
            -- reading 9: uplift only for employment-subsidy occupational claims on the AI list;
            -- a county takes its prefecture's uplift (first four digits + 00)
            CASE WHEN c.fund = 'employment_subsidy' AND c.training_type = 'occupational'
                AND c.occupation IN (SELECT code FROM ai_occupation)
                THEN substr(c.city_code, 1, 4) || '00' END AS uplift_city,
            -- 5.2c: proof on or after end date + 3 calendar months; special account only
            coalesce(c.fund = 'special_account' AND c.proof_date >= plus_three_months(c.end_date), false)
                AS employment_bonus
        FROM claims c JOIN per_person p ON p.pid = c.pid
        LEFT JOIN denied d ON d.row_no = c.row_no
        LEFT JOIN history_count hc ON hc.pid = c.pid"""
    )


# --------------------------------------------------------------------------------------------
# Batch semantics: claims of one person, one by one in (end date, claim ID) order


class BatchClaim(NamedTuple):
    """What the batch limits need of one claim (a tuple: a million of them are built)."""

    claim_id: str
    training_type: str
    occupation: str | None
    level: int | None
    item: str | None
    project: str | None
    end_date: dt.date
    passed: bool
    statically_denied: bool
    history_claims: int


def _batch_rules(claim: BatchClaim, accepted: list[BatchClaim]) -> set[str]:
    """Limits the claim breaks against the person's batch claims accepted before it."""
    rules: set[str] = set()
    for earlier in accepted:
        if earlier.end_date.year == claim.end_date.year:
            rules.add("3.5a")
        same_type = earlier.training_type == claim.training_type
        if same_type and claim.training_type == "occupational":
            if (earlier.occupation, earlier.level) == (claim.occupation, claim.level):
                rules.add("3.5c")
            # An accepted passed occupational claim is a certificate dated its end date (reading 6, 12);
            # earlier in the order means its end date is on or before this one's.
            if earlier.passed and earlier.occupation == claim.occupation and earlier.level < claim.level:
                rules.add("3.5d")
        if same_type and claim.training_type == "special_ability" and earlier.item == claim.item:
            rules.add("3.5c")
        if same_type and claim.training_type == "project" and earlier.project == claim.project:
            rules.add("5.2d")
    if claim.history_claims + len(accepted) >= 3:
        rules.add("3.5b")
    return rules


def _replay_person(claims: list[BatchClaim]) -> dict[str, set[str]]:
    accepted: list[BatchClaim] = []
    extra: dict[str, set[str]] = {}
    # RULES.md reading 2: end date, then claim ID in code-point order (Python str order).
    for claim in sorted(claims, key=lambda c: (c.end_date, c.claim_id)):
        rules = _batch_rules(claim, accepted)
        if rules:
            extra[claim.claim_id] = rules
        if not rules and not claim.statically_denied:
            accepted.append(claim)  # a denied claim never counts toward anyone's limits
    return extra


def _batch_denials(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    rows = con.execute(
        """SELECT pid, claim_id, training_type, occupation, level, item, project, end_date, passed,
            len(static_rules) > 0, history_claims
        FROM decision_input WHERE shared_batch ORDER BY pid"""
    ).fetchall()
    extra: dict[str, set[str]] = {}
    for _, person_rows in groupby(rows, key=itemgetter(0)):
        extra.update(_replay_person([BatchClaim(*row[1:]) for row in person_rows]))
    return extra


# --------------------------------------------------------------------------------------------
# Amounts


def _fen(value: Decimal) -> Decimal:
    # reading 15: half up to the fen, once, at the end
    with decimal.localcontext(decimal.Context(prec=200, traps=[decimal.InvalidOperation])):
        return value.quantize(FEN, rounding=ROUND_HALF_UP)


class _Amounts:
    """Exact amounts of eligible claims, cached per distinct (standard, uplift, bonus) selection."""

    def __init__(self, params: Params) -> None:
        self.params = params
        self.cache: dict[tuple, tuple[str, str, str]] = {}
        # Exact arithmetic: any rounding before the final one would raise.
        self.exact = decimal.Context(prec=200, traps=[decimal.Inexact, decimal.InvalidOperation])

    def of(self, claim_id: str, fund: str, training_type: str, end_date: dt.date, standard_idx: int | None,
           ui_idx: int | None, uplift_city: str | None, bonus: bool) -> tuple[str, str, str]:  # fmt: skip
        key = (fund, standard_idx, ui_idx, uplift_city, bonus)
        if key not in self.cache:
            if (fund == "employment_subsidy" and standard_idx is None) or (
                fund == "unemployment_insurance" and ui_idx is None
            ):
                raise InputError(
                    f"no standard: 无适用补贴标准 / no standard for eligible claim {claim_id!r} "
                    f"({fund}, {training_type}, end date {end_date.isoformat()})"
                )
            self.cache[key] = self._compute(fund, standard_idx, ui_idx, uplift_city, bonus)
        return self.cache[key]

    def _compute(self, fund: str, standard_idx: int | None, ui_idx: int | None, uplift_city: str | None,
                 bonus: bool) -> tuple[str, str, str]:  # fmt: skip
        with decimal.localcontext(self.exact):
            employment = Decimal(0)
            if fund == "employment_subsidy":
                assert standard_idx is not None
                uplift = self.params.ai_uplift.get(uplift_city, Decimal(0)) if uplift_city else Decimal(0)
                training = self.params.standards[standard_idx].amount * (1 + uplift)
            elif fund == "special_account":
                training = SPECIAL_ACCOUNT_TRAINING
                employment = SPECIAL_ACCOUNT_EMPLOYMENT if bonus else Decimal(0)
            else:
                assert ui_idx is not None
                training = self.params.ui_standards[ui_idx].amount
        training_fen, employment_fen = _fen(training), _fen(employment)
        return str(training_fen), str(employment_fen), str(training_fen + employment_fen)


# --------------------------------------------------------------------------------------------
# Public API


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("SET threads = 2")
    for statement in _MACROS.split(";"):
        if statement.strip():
            con.execute(statement)
    return con


def decide(claims_path: str | os.PathLike[str], history_path: str | os.PathLike[str],
           params_path: str | os.PathLike[str]) -> list[dict]:  # fmt: skip
    """Decide every claim; rows in the decisions format (EXCHANGE.md (d)), ordered by claim_id.

    Raises InputError for anything that makes the run fail (format, parameters, no standard).
    """
    params = load_params(params_path)
    con = _connect()
    try:
        _load_records(con, claims_path, "claims_raw", CLAIM_COLUMNS, CLAIM_REQUIRED_COLUMNS, CLAIM_COLUMN_USE)
        _load_records(
            con, history_path, "history_raw", HISTORY_COLUMNS, HISTORY_REQUIRED_COLUMNS, HISTORY_COLUMN_USE
        )
        _check_formats(con, Path(claims_path).name, Path(history_path).name)
        _normalise_ids(con)
        _build_claims(con, params.as_of)
        _build_history(con)
        _load_params_tables(con, params)
        _build_static_denials(con, params.as_of)
        _build_decision_inputs(con)
        extra = _batch_denials(con)
        rows = con.execute(
            """SELECT claim_id, array_to_string(static_rules, ';'), fund, training_type, end_date, standard_idx,
                ui_idx, uplift_city, employment_bonus FROM decision_input"""
        ).fetchall()
    finally:
        con.close()
    amounts = _Amounts(params)
    decisions = []
    for claim_id, denied_by, fund, training_type, end_date, standard_idx, ui_idx, city, bonus in rows:
        if claim_id in extra:
            denied_by = ";".join(sorted(set(filter(None, denied_by.split(";"))) | extra[claim_id]))
        if denied_by:
            training = employment = total = "0.00"  # reading 15: denied claims carry 0.00 everywhere
        else:
            training, employment, total = amounts.of(
                claim_id, fund, training_type, end_date, standard_idx, ui_idx, city, bonus
            )
        decisions.append({
            "claim_id": claim_id, "eligible": not denied_by, "training_amount": training,
            "employment_amount": employment, "total_amount": total, "denied_by": denied_by,
        })  # fmt: skip
    decisions.sort(key=lambda d: d["claim_id"])
    return decisions


DECISION_FIELDS = (
    "claim_id",
    "eligible",
    "training_amount",
    "employment_amount",
    "total_amount",
    "denied_by",
)


def _check_out_path(out: Path) -> None:
    if out.suffix not in (".csv", ".jsonl"):
        raise InputError(f"{out.name}: 扩展名须为 .csv 或 .jsonl / extension must be .csv or .jsonl")


def write_decisions(decisions: list[dict], out_path: str | os.PathLike[str]) -> None:
    """Write CSV or JSON Lines by extension, atomically: a failed run leaves nothing behind."""
    out = Path(out_path)
    _check_out_path(out)
    handle = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", newline="", dir=out.parent or ".", suffix=".part", delete=False
    )
    try:
        with handle:
            if out.suffix == ".csv":
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(DECISION_FIELDS)
                for d in decisions:
                    writer.writerow([d["claim_id"], "true" if d["eligible"] else "false", d["training_amount"],
                                     d["employment_amount"], d["total_amount"], d["denied_by"]])  # fmt: skip
            else:
                for d in decisions:
                    handle.write(json.dumps({f: d[f] for f in DECISION_FIELDS}, ensure_ascii=False) + "\n")
        os.replace(handle.name, out)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Reference decisions (DuckDB) for the benchmark.")
    parser.add_argument("--claims", required=True)
    parser.add_argument("--history", required=True)
    parser.add_argument("--params", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    try:
        _check_out_path(Path(args.out))
        decisions = decide(args.claims, args.history, args.params)
        write_decisions(decisions, args.out)
    except InputError as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
