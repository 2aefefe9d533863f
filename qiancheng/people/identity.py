"""Resident ID numbers (居民身份证号码, GB 11643-1999): normalising and checking.

The rules are those of EXCHANGE.md ("ID numbers"): a number is valid when it has 17 digits and a digit
or X, the check character matches, the birth date is a real date not after the as-of date, and the
first two digits are a province-level code. A county code the catalog does not know only warns:
numbers keep the code of the place and time they were issued. For that reason `stdnum.cn.ric.validate`
is not used for validity: it rejects real numbers whose code is younger than the holder
(e.g. 450123199001011233, issued in 隆安县 after it moved to Nanning's code in 2002).

Works without a database: the county codes come from the catalog's shipped files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import NamedTuple

from stdnum import numdb
from stdnum.cn import ric

from qiancheng import clock
from qiancheng.catalog.shipped import county_codes

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

# EXCHANGE.md: "the first two digits are a province-level code"
PROVINCE_CODES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
     "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
     "71", "81", "82"}
)
GUANGXI = "45"


class IdReason(NamedTuple):
    """Why a number is invalid (an error) or worth a look (a warning), in Chinese and English."""

    code: str
    zh: str
    en: str


@dataclass(frozen=True)
class IdCheck:
    normalised: str
    is_valid: bool
    errors: tuple[IdReason, ...]
    warnings: tuple[IdReason, ...]
    birth_date: date | None  # None when the characters 7-14 are not a real date
    sex: str | None  # "M" (odd 17th digit), "F" (even), None when the format is wrong


def normalise_id_number(raw: str) -> str:
    """The person key of EXCHANGE.md: surrounding space removed, upper case, full-width digits to ASCII.

    `ric.compact` is the definition. On ASCII text its character map changes only the backtick, so such a
    number is upper-cased and stripped directly: the same result for a twentieth of the time, which counts
    when a 100,000-row roster normalises each number several times (bench/README.md, 2026-12-07;
    people/tests/test_identity_fast_path.py compares the two)."""
    if isinstance(raw, str) and raw.isascii() and "`" not in raw:
        return raw.upper().strip()
    return ric.compact(raw)


def id_number_check_character(first17: str) -> str:
    """GB 11643 check character of the first 17 digits: (12 - sum mod 11) mod 11, 10 written as X."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"需要17位数字 / expected 17 digits, got {first17!r}")
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def _birth_date(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def _format_error(number: str) -> IdReason | None:
    if len(number) != 18:
        return IdReason(
            "format",
            f"身份证号应为18位，实为{len(number)}位",
            f"an ID number has 18 characters, this one has {len(number)}",
        )
    body, last = number[:17], number[17]
    if not (body.isascii() and body.isdigit() and (last == "X" or (last.isascii() and last.isdigit()))):
        return IdReason(
            "format",
            "身份证号应为17位数字加1位数字或X",
            "an ID number is 17 digits followed by a digit or X",
        )
    return None


def _content_errors(number: str, birth: date | None, as_of: date) -> list[IdReason]:
    errors = []
    expected = id_number_check_character(number[:17])
    if number[17] != expected:
        errors.append(IdReason(
            "check_character",
            f"身份证号校验位错误（应为{expected}）",
            f"ID number check character is wrong (expected {expected})",
        ))
    if birth is None:
        errors.append(IdReason(
            "birth_date_invalid",
            f"出生日期 {number[6:14]} 不是有效日期",
            f"birth date {number[6:14]} is not a real date",
        ))
    elif birth > as_of:
        errors.append(IdReason(
            "birth_date_future",
            f"出生日期 {birth.isoformat()} 晚于 {as_of.isoformat()}",
            f"birth date {birth.isoformat()} is after {as_of.isoformat()}",
        ))
    if number[:2] not in PROVINCE_CODES:
        errors.append(IdReason(
            "province_unknown",
            f"前两位 {number[:2]} 不是省级行政区代码",
            f"the first two digits {number[:2]} are not a province-level code",
        ))
    return errors


@cache
def _stdnum_periods(code: str) -> tuple[tuple[int | None, int | None], ...] | None:
    """Years in use of a division code in python-stdnum's national table (None = unknown there).

    The same reading as `stdnum.cn.ric.get_birth_place`, cached per code because batches repeat codes.
    """
    parts = numdb.get("cn/loc").info(code)
    county = next((properties["county"] for _, properties in parts if "county" in properties), None)
    if county is None:
        return None
    periods = []
    for name in county.split(","):
        if not name.startswith("["):
            return ((None, None),)
        start, end = name[1:].split("]")[0].split("-")
        periods.append((int(start) if start else None, int(end) if end else None))
    return tuple(periods)


def _national_county_known(code: str) -> bool:
    """Outside Guangxi the catalog has no divisions: python-stdnum's national table (all years) decides."""
    return _stdnum_periods(code) is not None


def _in_use(code: str, year: int) -> bool:
    periods = _stdnum_periods(code) or ()
    return any((start is None or start <= year) and (end is None or year <= end) for start, end in periods)


@cache
def _guangxi_county_codes() -> frozenset[str]:
    # The catalog's shipped files do not change while the process runs; building the set per number did.
    return county_codes()


def _county_known(code: str) -> bool:
    if code[:2] == GUANGXI:
        return code in _guangxi_county_codes()
    return _national_county_known(code)


def _county_warnings(number: str, birth: date | None) -> list[IdReason]:
    code = number[:6]
    if not _county_known(code):
        return [IdReason(
            "county_unknown",
            f"区划代码 {code} 不在现行或历史区划表中（仅提示，不影响有效性）",
            f"division code {code} is in neither the current nor the historical table (a warning only)",
        )]
    if birth is None or not _national_county_known(code):
        return []
    if not _in_use(code, birth.year):
        return [IdReason(
            "county_not_in_use_at_birth",
            f"区划代码 {code} 在出生年份 {birth.year} 不在使用期内（仅提示）；号码仍有效，但用 stdnum 校验的系统可能拒收",
            f"division code {code} was not in use in birth year {birth.year} (a warning only); the number is "
            "valid, but systems relying on stdnum's validate() may reject it",
        )]
    return []


def check_id_number(raw: str, as_of: date | None = None) -> IdCheck:
    """Check a resident ID number; `as_of` (default today) bounds the birth date."""
    number = normalise_id_number(raw)
    format_error = _format_error(number)
    if format_error is not None:
        return IdCheck(number, False, (format_error,), (), None, None)
    birth = _birth_date(number)
    errors = _content_errors(number, birth, as_of or clock.today())
    warnings = _county_warnings(number, birth) if number[:2] in PROVINCE_CODES else []
    sex = "M" if int(number[16]) % 2 else "F"
    return IdCheck(number, not errors, tuple(errors), tuple(warnings), birth, sex)
