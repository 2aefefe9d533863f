"""Field types for API input that the database and the money rules can take as they are.

Pydantic's `Decimal` accepts "１２３" (full-width digits), "1e30" and "NaN"; a money column holds at most
12 digits before the point and 2 after. `Money` refuses all of these at the schema, so the answer is the
API's 422 with the field named, never a 500 from the database or an amount nobody typed.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

_PLAIN_AMOUNT = re.compile(r"-?[0-9]{1,12}(\.[0-9]{1,2})?")


def plain_amount(value: Any) -> Any:
    """ASCII digits, at most 12 before the point and 2 after; numbers are read through their text."""
    if isinstance(value, bool):
        raise ValueError("金额须为数字 / an amount must be a number")
    if isinstance(value, int):
        value = str(value)
    elif isinstance(value, float):
        value = repr(value)
    elif isinstance(value, Decimal):
        value = format(value, "f")
    if not isinstance(value, str):
        raise ValueError("金额须为数字 / an amount must be a number")
    text = value.strip()
    if not _PLAIN_AMOUNT.fullmatch(text):
        raise ValueError("金额须为半角数字，整数部分最多12位，最多2位小数 / an amount is ASCII digits, at most 12 "
                         "before the point and 2 after")
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ValueError("金额无效 / not an amount") from exc


# A yuan amount as typed by a person: "1500", "1500.5", 1500.50.
Money = Annotated[Decimal, BeforeValidator(plain_amount), Field(json_schema_extra={"pattern": _PLAIN_AMOUNT.pattern})]
