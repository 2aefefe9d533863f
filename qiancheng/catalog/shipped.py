"""The catalog data shipped in `qiancheng/catalog/data/`, read and checked without a database.

`load_catalog()` copies these records into the database; ID-number checks read the division codes
from here directly, so they work before (or without) any database. Each file is read once per process.
Sources and caveats of every file: `data/SOURCES.md`.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from qiancheng.catalog.levels import LEVEL_SETS
from qiancheng.clock import today
from qiancheng.policy.params import AiOccupation, ai_occupation_entries, plan_figures

DATA_DIR = Path(__file__).resolve().parent / "data"

_DIVISION_CODE = re.compile(r"\d{6}")
_OCCUPATION_CODE = re.compile(r"\d-\d{2}-\d{2}-\d{2}")


class CatalogDataError(ValueError):
    """A shipped data file is malformed; the message names the file, row and field."""


@dataclass(frozen=True)
class CityRecord:
    code: str
    name: str
    name_en: str


@dataclass(frozen=True)
class CountyRecord:
    code: str
    name: str
    city_code: str
    is_current: bool
    successor_code: str  # "" when there is no single successor
    in_use: str
    note: str


@dataclass(frozen=True)
class OccupationRecord:
    code: str
    name: str
    major_code: str
    major_name: str
    middle_code: str
    middle_name: str
    minor_code: str
    minor_name: str
    levels: str  # "" = not recorded = not restricted
    levels_source: str
    is_ai_shortage: bool
    ai_shortage_basis: str


@dataclass(frozen=True)
class SpecialAbilityItemRecord:
    code: str
    name: str
    min_hours: int
    note: str


@dataclass(frozen=True)
class CourseKindRecord:
    code: str
    name: str
    name_en: str
    needs_business_licence: bool
    is_online: bool
    sort_order: int


@dataclass(frozen=True)
class IndustryRecord:
    code: str
    name: str
    name_en: str
    is_ai: bool
    is_official: bool
    sort_order: int
    note: str


@dataclass(frozen=True)
class IndustrialParkRecord:
    code: str
    name: str
    city_code: str
    is_confirmed: bool
    note: str
    source_document: str
    valid_from: date


@dataclass(frozen=True)
class ProgrammeTagRecord:
    code: str
    name: str
    name_en: str
    clause: str
    sort_order: int


def _fail(filename: str, row: int | str, field: str, reason_zh: str, reason_en: str) -> CatalogDataError:
    return CatalogDataError(f"{filename} 第 {row} 行 / row {row}, {field}: {reason_zh} / {reason_en}")


def _csv_rows(filename: str, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows with their line number (header = line 1); a missing column stops the read."""
    with (DATA_DIR / filename).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in columns if column not in (reader.fieldnames or [])]
        if missing:
            raise _fail(filename, 1, ",".join(missing), "缺少列", "missing column")
        for line, row in enumerate(reader, start=2):
            # A stray comma in free text shifts the columns: refuse rather than read a truncated note.
            if None in row or None in row.values():
                raise _fail(filename, line, "*", "列数与表头不符（文本中的逗号须加引号）",
                            "column count differs from the header (quote text containing commas)")
            yield line, {column: row[column].strip() for column in columns}


def _boolean(filename: str, line: int, field: str, raw: str) -> bool:
    if raw not in ("true", "false"):
        raise _fail(filename, line, field, f"应为 true 或 false，而不是 {raw!r}", f"expected true or false, got {raw!r}")
    return raw == "true"


def _division_code(filename: str, line: int, field: str, raw: str) -> str:
    if not _DIVISION_CODE.fullmatch(raw):
        raise _fail(filename, line, field, f"区划代码应为6位数字：{raw!r}", f"division code must be 6 digits: {raw!r}")
    return raw


def _unique(filename: str, records: list, key: str = "code") -> None:
    seen: set[str] = set()
    for index, record in enumerate(records, start=2):
        value = getattr(record, key)
        if value in seen:
            raise _fail(filename, index, key, f"重复的 {value}", f"duplicate {value}")
        seen.add(value)


@cache
def cities() -> tuple[CityRecord, ...]:
    """Guangxi's 14 prefecture-level cities (cities.csv)."""
    filename = "cities.csv"
    records = [
        CityRecord(_division_code(filename, line, "code", row["code"]), row["name"], row["name_en"])
        for line, row in _csv_rows(filename, ("code", "name", "name_en"))
    ]
    _unique(filename, records)
    return tuple(records)


def _current_counties(city_codes: set[str]) -> list[CountyRecord]:
    filename = "guangxi-counties.csv"
    records = []
    for line, row in _csv_rows(filename, ("code", "name", "cityCode")):
        city_code = row["cityCode"] + "00"  # the source gives the 4-digit prefecture prefix
        if city_code not in city_codes:
            raise _fail(filename, line, "cityCode", f"未知的市 {row['cityCode']}", f"unknown city {row['cityCode']}")
        code = _division_code(filename, line, "code", row["code"])
        records.append(CountyRecord(code, row["name"], city_code, True, "", "", ""))
    return records


def _historical_counties(city_codes: set[str], current_codes: set[str]) -> list[CountyRecord]:
    filename = "historical-counties.csv"
    records = []
    columns = ("code", "name", "city_code", "successor_code", "in_use", "note")
    for line, row in _csv_rows(filename, columns):
        code = _division_code(filename, line, "code", row["code"])
        if code in current_codes:
            raise _fail(filename, line, "code", f"{code} 是现行代码", f"{code} is a current code")
        if row["city_code"] not in city_codes:
            raise _fail(filename, line, "city_code", f"未知的市 {row['city_code']}", f"unknown city {row['city_code']}")
        if row["successor_code"] and row["successor_code"] not in current_codes:
            raise _fail(
                filename, line, "successor_code", f"承继代码 {row['successor_code']} 不是现行区划",
                f"successor {row['successor_code']} is not a current division",
            )
        if not row["note"]:
            raise _fail(filename, line, "note", "历史代码须附说明", "a historical code needs a note")
        records.append(
            CountyRecord(code, row["name"], row["city_code"], False, row["successor_code"], row["in_use"], row["note"])
        )
    return records


@cache
def counties() -> tuple[CountyRecord, ...]:
    """Current county-level divisions first (guangxi-counties.csv), then historical codes."""
    city_codes = {city.code for city in cities()}
    current = _current_counties(city_codes)
    historical = _historical_counties(city_codes, {county.code for county in current})
    records = current + historical
    _unique("guangxi-counties.csv + historical-counties.csv", records)
    return tuple(records)


@cache
def county_codes() -> frozenset[str]:
    """Every Guangxi county-level code the catalog knows, current or historical."""
    return frozenset(county.code for county in counties())


@dataclass(frozen=True)
class OccupationGroupRecord:
    code: str  # "4" (major), "4-04" (middle), "4-04-05" (minor)
    name: str
    level: int  # 1 major (大类), 2 middle (中类), 3 minor (小类)


def _classification() -> list[dict]:
    with (DATA_DIR / "occupations-2022.json").open(encoding="utf-8") as handle:
        return json.load(handle)["data"]


@cache
def occupation_groups() -> tuple[OccupationGroupRecord, ...]:
    """The 8 major, 79 middle and 450 minor groups; some "其他…" groups (e.g. 2-01-99) hold no occupation."""
    groups = []
    for major in _classification():
        groups.append(OccupationGroupRecord(major["seq"], major["name"], 1))
        for middle in major.get("children", []):
            groups.append(OccupationGroupRecord(middle["seq"], middle["name"], 2))
            groups.extend(
                OccupationGroupRecord(minor["seq"], minor["name"], 3) for minor in middle.get("children", [])
            )
    return tuple(groups)


def _classification_tree() -> Iterator[tuple[dict, dict, dict, dict]]:
    """(major, middle, minor, occupation) nodes of the 2022 classification, in file order."""
    for major in _classification():
        for middle in major.get("children", []):
            for minor in middle.get("children", []):
                for occupation in minor.get("children", []):
                    yield major, middle, minor, occupation


def _annotations(filename: str, columns: tuple[str, ...], names: dict[str, str]) -> dict[str, dict[str, str]]:
    """Rows keyed by occupation code; the name must equal the classification's, to catch a mistyped code."""
    rows: dict[str, dict[str, str]] = {}
    for line, row in _csv_rows(filename, columns):
        _check_named(filename, line, row["code"], row["name"], names)
        if row["code"] in rows:
            raise _fail(filename, line, "code", f"重复的 {row['code']}", f"duplicate {row['code']}")
        rows[row["code"]] = row
    return rows


def _check_named(filename: str, line: int | str, code: str, name: str, names: dict[str, str]) -> None:
    if code not in names:
        raise _fail(filename, line, "code", f"分类大典中没有职业 {code}", f"no occupation {code} in the classification")
    if names[code] != name:
        raise _fail(
            filename, line, "name", f"{code} 在分类大典中名为 {names[code]}，不是 {name}",
            f"{code} is {names[code]} in the classification, not {name}",
        )


def _ai_list(names: dict[str, str]) -> dict[str, AiOccupation]:
    """4.2's AI list is the engine's parameter file (policy/parameters/ai_occupations.yaml), so that the
    flag the catalog shows and the uplift the engine pays can never disagree; here it is checked against
    the classification like any annotation."""
    entries = ai_occupation_entries()
    for i, entry in enumerate(entries):
        _check_named("ai_occupations.yaml", f"entries[{i}]", entry.code, entry.name, names)
    return {entry.code: entry for entry in entries}


def _levels(names: dict[str, str]) -> dict[str, dict[str, str]]:
    filename = "occupation-levels.csv"
    rows = _annotations(filename, ("code", "name", "levels", "source"), names)
    for line, row in enumerate(rows.values(), start=2):
        if row["levels"] not in LEVEL_SETS:
            raise _fail(filename, line, "levels", f"无效的等级 {row['levels']!r}", f"invalid levels {row['levels']!r}")
        if not row["source"]:
            raise _fail(filename, line, "source", "须注明依据", "a source is required")
    return rows


@cache
def occupations() -> tuple[OccupationRecord, ...]:
    """The 1,639 occupations of the 2022 classification, with recorded levels and the AI list (4.2)."""
    nodes = list(_classification_tree())
    names = {occupation["seq"]: occupation["name"] for *_, occupation in nodes}
    levels = _levels(names)
    ai_list = _ai_list(names)
    records = []
    for major, middle, minor, occupation in nodes:
        code = occupation["seq"]
        if not _OCCUPATION_CODE.fullmatch(code) or not code.startswith(minor["seq"] + "-"):
            raise _fail("occupations-2022.json", code, "seq", "职业编码格式错误", "malformed occupation code")
        level_row = levels.get(code, {})
        ai_row = ai_list.get(code)
        records.append(
            OccupationRecord(
                code=code,
                name=occupation["name"],
                major_code=major["seq"],
                major_name=major["name"],
                middle_code=middle["seq"],
                middle_name=middle["name"],
                minor_code=minor["seq"],
                minor_name=minor["name"],
                levels=level_row.get("levels", ""),
                levels_source=level_row.get("source", ""),
                is_ai_shortage=ai_row is not None,
                ai_shortage_basis=f"{ai_row.basis}: {ai_row.source}"[:255] if ai_row else "",
            )
        )
    _unique("occupations-2022.json", records)
    return tuple(records)


def special_ability_items() -> tuple[SpecialAbilityItemRecord, ...]:
    """The starter list of special-ability items (editable once loaded), each of at least the class hours 3.2
    sets today (plan_figures.yaml)."""
    filename = "special-ability-items.csv"
    minimum = plan_figures().min_hours(today())
    for line, record in _special_ability_rows():
        # 3.2: 培训课时不少于……课时
        if record.min_hours < minimum:
            raise _fail(filename, line, "min_hours", f"课时不得低于{minimum}", f"hours must be at least {minimum}")
    return tuple(record for _, record in _special_ability_rows())


@cache
def _special_ability_rows() -> tuple[tuple[int, SpecialAbilityItemRecord], ...]:
    filename = "special-ability-items.csv"
    rows = []
    for line, row in _csv_rows(filename, ("code", "name", "min_hours", "note")):
        hours = int(row["min_hours"]) if row["min_hours"].isdigit() else -1
        rows.append((line, SpecialAbilityItemRecord(row["code"], row["name"], hours, row["note"])))
    _unique(filename, [record for _, record in rows])
    return tuple(rows)


@cache
def course_kinds() -> tuple[CourseKindRecord, ...]:
    """The seven entrepreneurship courses of 3.3."""
    filename = "course-kinds.csv"
    columns = ("code", "name", "name_en", "needs_business_licence", "is_online")
    records = [
        CourseKindRecord(
            row["code"], row["name"], row["name_en"],
            _boolean(filename, line, "needs_business_licence", row["needs_business_licence"]),
            _boolean(filename, line, "is_online", row["is_online"]),
            sort_order=line - 1,
        )
        for line, row in _csv_rows(filename, columns)
    ]
    _unique(filename, records)
    return tuple(records)


@cache
def industries() -> tuple[IndustryRecord, ...]:
    """AI plus a starter list of pillar industries; not the official "19" (not found)."""
    filename = "industries.csv"
    columns = ("code", "name", "name_en", "is_ai", "is_official", "note")
    records = [
        IndustryRecord(
            row["code"], row["name"], row["name_en"],
            _boolean(filename, line, "is_ai", row["is_ai"]),
            _boolean(filename, line, "is_official", row["is_official"]),
            sort_order=line - 1,
            note=row["note"],
        )
        for line, row in _csv_rows(filename, columns)
    ]
    _unique(filename, records)
    return tuple(records)


@cache
def industrial_parks() -> tuple[IndustrialParkRecord, ...]:
    """The border/port parks of 4.1 confirmed from public sources; the province enters the others."""
    filename = "industrial-parks.csv"
    city_codes = {city.code for city in cities()}
    records = []
    columns = ("code", "name", "city_code", "is_confirmed", "note", "source_document", "valid_from")
    for line, row in _csv_rows(filename, columns):
        # 4.1 names no park: a shipped park needs its city and the document that names it, never a guess.
        if row["city_code"] not in city_codes:
            raise _fail(filename, line, "city_code", f"未知的市 {row['city_code']}", f"unknown city {row['city_code']}")
        if not row["source_document"]:
            raise _fail(filename, line, "source_document", "缺少依据文件", "the source document is missing")
        confirmed = _boolean(filename, line, "is_confirmed", row["is_confirmed"])
        try:
            valid_from = date.fromisoformat(row["valid_from"])
        except ValueError:
            raise _fail(filename, line, "valid_from", "日期须为 YYYY-MM-DD", "the date must be YYYY-MM-DD") from None
        records.append(IndustrialParkRecord(row["code"], row["name"], row["city_code"], confirmed, row["note"],
                                            row["source_document"], valid_from))
    _unique(filename, records)
    return tuple(records)


@cache
def programme_tags() -> tuple[ProgrammeTagRecord, ...]:
    """The key-task programmes of clause 4."""
    filename = "programme-tags.csv"
    records = [
        ProgrammeTagRecord(row["code"], row["name"], row["name_en"], row["clause"], sort_order=line - 1)
        for line, row in _csv_rows(filename, ("code", "name", "name_en", "clause"))
    ]
    _unique(filename, records)
    return tuple(records)
