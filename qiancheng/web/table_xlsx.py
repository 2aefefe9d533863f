"""A statistics table as an .xlsx: a header block (title, unit, period, compiler, date), the column headers, the
rows and a totals row. Safe against formula injection: every text cell is written as a string (never parsed
as a formula), and text that a spreadsheet would read as a formula (= + - @, a tab or a return first) also
carries the quote prefix, so it stays text when the cell is edited. Numbers are number cells.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import xlsxwriter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Cell = str | int | float | None


@dataclass(frozen=True)
class TableFile:
    sheet: str
    title: str
    header: Sequence[tuple[str, str]]  # (label, value): 填报单位 unit, 统计期间 period, 编制人 compiler, …
    columns: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    totals: Sequence[Cell] | None = None  # the totals row, aligned with the columns


def table_xlsx(table: TableFile) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False, "strings_to_urls": False})
    sheet = book.add_worksheet(table.sheet[:31])
    bold = book.add_format({"bold": True})
    quoted = book.add_format({"quote_prefix": True})
    quoted_bold = book.add_format({"quote_prefix": True, "bold": True})

    def put(row: int, column: int, value: Cell, strong: bool = False) -> None:
        if value is None:
            return
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            sheet.write_number(row, column, value, bold if strong else None)
            return
        text = str(value)
        if text.startswith(FORMULA_STARTS):
            sheet.write_string(row, column, text, quoted_bold if strong else quoted)
        else:
            sheet.write_string(row, column, text, bold if strong else None)

    put(0, 0, table.title, strong=True)
    line = 1
    for label, value in table.header:
        put(line, 0, label, strong=True)
        put(line, 1, value)
        line += 1
    line += 1
    for column, name in enumerate(table.columns):
        put(line, column, name, strong=True)
    for values in table.rows:
        line += 1
        for column, value in enumerate(values):
            put(line, column, value)
    if table.totals is not None:
        line += 1
        for column, value in enumerate(table.totals):
            put(line, column, value, strong=True)
    sheet.set_column(0, max(len(table.columns) - 1, 1), 16)
    book.close()
    return buffer.getvalue()
