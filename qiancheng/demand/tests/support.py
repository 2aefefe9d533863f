"""Test helpers for demand: valid codes, an approved enterprise of a city, an open round, a report."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import xlsxwriter
from stdnum.cn import uscc as stdnum_uscc

from qiancheng.accounts.models import User
from qiancheng.clock import today
from qiancheng.demand import services
from qiancheng.demand.models import CensusRound, RoundScope
from qiancheng.demand.report_file import HEADERS

CARE_WORKER = "4-10-01-05"  # 养老护理员, levels 5 to 1
XINGNING = "450102"  # 南宁市兴宁区


def valid_uscc(number: int, city: str = "450100") -> str:
    body = f"91{city}{number:09d}"
    return body + stdnum_uscc.calc_check_digit(body)


def open_round(official: User, **overrides: Any) -> CensusRound:
    values: dict[str, Any] = {"title": "2025年技能需求普查", "period_from": today() - dt.timedelta(days=1),
                              "period_to": today() + dt.timedelta(days=60), "scope": RoundScope.PROVINCE}
    values.update(overrides)
    return services.open_round(official, **values)


def report(**overrides: Any) -> services.ReportInput:
    values: dict[str, Any] = {"occupation": CARE_WORKER, "level": 4, "headcount": 20, "wage_offered": Decimal("3800.00"),
                              "county": XINGNING, "industry": "ai", "deadline": today() + dt.timedelta(days=90),
                              "will_hire": True}
    values.update(overrides)
    return services.ReportInput(**values)


def sheet(rows: list[list[object]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    page = book.add_worksheet("需求填报")
    for column, header in enumerate(HEADERS):
        page.write_string(0, column, header)
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if value is not None:
                page.write(number, column, value)
    book.close()
    return buffer.getvalue()
