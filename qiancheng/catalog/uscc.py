"""Unified social credit codes (统一社会信用代码, GB 32100-2015) of institutions and enterprises.

Validity is `stdnum.cn.uscc`: 18 characters, 8 digits then characters of the code alphabet (no I, O,
S, V, Z), and the check character; one extension: the first character (registration authority) may
also be one of the standard's letters A, N, Y, which stdnum refuses. Two further observations only warn, because stdnum does not check
them and a rejected real code would block an institution: the registration-authority character
outside the standard's table, and characters 9-17 failing their own GB 11714 organisation-code check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

# GB 32100-2015 registration authorities (登记管理部门), e.g. 9 = 市场监督管理 (market regulation)
AUTHORITIES = frozenset("123456789ANY")
LETTER_AUTHORITIES = frozenset("ANY")
ORGANISATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


class UsccReason(NamedTuple):
    code: str
    zh: str
    en: str


@dataclass(frozen=True)
class UsccCheck:
    normalised: str
    is_valid: bool
    errors: tuple[UsccReason, ...]
    warnings: tuple[UsccReason, ...]
    region_code: str | None  # characters 3-8, the registering division; None when the format is wrong


def normalise_uscc(raw: str) -> str:
    """Surrounding and inner spaces and dashes removed, upper case (stdnum's compact)."""
    return uscc.compact(raw)


def _validate(number: str) -> None:
    """stdnum's checks; a letter authority (A, N, Y of GB 32100) is accepted, which stdnum's digits-only
    first character would refuse (e.g. N2... codes of rural collective economic organisations)."""
    if number[:1] in LETTER_AUTHORITIES and len(number) == 18:
        uscc.validate("0" + number[1:17] + uscc.calc_check_digit("0" + number[1:17]))  # format of the rest
        if number[17] != uscc.calc_check_digit(number):
            raise InvalidChecksum()
        return
    uscc.validate(number)


def _stdnum_error(number: str) -> UsccReason | None:
    try:
        _validate(number)
    except InvalidLength:
        return UsccReason(
            "length", f"统一社会信用代码应为18位，实为{len(number)}位",
            f"a unified social credit code has 18 characters, this one has {len(number)}",
        )
    except InvalidChecksum:
        return UsccReason(
            "check_character", f"统一社会信用代码校验位错误（应为{uscc.calc_check_digit(number)}）",
            f"unified social credit code check character is wrong (expected {uscc.calc_check_digit(number)})",
        )
    except ValidationError:
        return UsccReason(
            "format",
            "统一社会信用代码第1位为数字或 A、N、Y，第2-8位为数字，其后为数字或大写字母（不含 I、O、S、V、Z）",
            "a unified social credit code is a digit or A, N, Y, then 7 digits, then digits or capitals "
            "other than I, O, S, V, Z",
        )
    return None


def _organisation_check_character(code8: str) -> str:
    """GB 11714: weights 3 7 9 10 5 8 4 2, 11 - sum mod 11, 10 written as X, 11 as 0."""
    total = sum((int(c) if c.isdigit() else ord(c) - ord("A") + 10) * w for c, w in zip(code8, ORGANISATION_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def _warnings(number: str) -> list[UsccReason]:
    warnings = []
    if number[0] not in AUTHORITIES:
        warnings.append(UsccReason(
            "authority_unknown", f"第1位登记管理部门代码 {number[0]} 不在 GB 32100 表中（仅提示）",
            f"registration-authority character {number[0]} is not in the GB 32100 table (a warning only)",
        ))
    expected = _organisation_check_character(number[8:16])
    if number[16] != expected:
        warnings.append(UsccReason(
            "organisation_code_check", f"第9-17位组织机构代码校验位应为{expected}（仅提示）",
            f"the organisation code in characters 9-17 should end in {expected} (a warning only)",
        ))
    return warnings


def check_uscc(raw: str) -> UsccCheck:
    """Check a unified social credit code; invalid only on stdnum's grounds, the rest are warnings."""
    number = normalise_uscc(raw)
    error = _stdnum_error(number)
    if error is not None:
        region = number[2:8] if len(number) == 18 and number[2:8].isascii() and number[2:8].isdigit() else None
        return UsccCheck(number, False, (error,), (), region)
    return UsccCheck(number, True, (), tuple(_warnings(number)), number[2:8])
