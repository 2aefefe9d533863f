"""A statistics table as an .xlsx: a header block (title, unit, period, compiler, date), the column headers, the
rows (subtotal rows in bold), a totals row, and notes below. Safe against formula injection: every text cell is written as a string (never parsed
as a formula), and text that a spreadsheet would read as a formula (= + - @, a tab or a return first) also
carries the quote prefix, so it stays text when the cell is edited. Numbers are number cells.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import xlsxwriter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Cell = str | int | float | Decimal | None
WAN = "#,##0.00"  # 万元 to two places: the number format of a money column in a provincial report


@dataclass(frozen=True)
class TableFile:
    sheet: str
    title: str
    header: Sequence[tuple[str, str]]  # (label, value): 填报单位 unit, 统计期间 period, 编制人 compiler, …
    columns: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    totals: Sequence[Cell] | None = None  # the totals row, aligned with the columns
    subtotal_rows: frozenset[int] = frozenset()  # indexes into `rows` of the subtotal rows (shown bold)
    number_formats: dict[int, str] = field(default_factory=dict)  # column index -> Excel number format (WAN)
    notes: Sequence[str] = ()  # lines under the table (the definition, the source of the figures)


def table_xlsx(table: TableFile) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False, "strings_to_urls": False})
    sheet = book.add_worksheet(table.sheet[:31])
    bold = book.add_format({"bold": True})
    quoted = book.add_format({"quote_prefix": True})
    quoted_bold = book.add_format({"quote_prefix": True, "bold": True})
    numbers = {(column, strong): book.add_format({"num_format": code, "bold": strong})
               for column, code in table.number_formats.items() for strong in (False, True)}

    def put(row: int, column: int, value: Cell, strong: bool = False) -> None:
        if value is None:
            return
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            style = numbers.get((column, strong)) or (bold if strong else None)
            sheet.write_number(row, column, float(value) if isinstance(value, Decimal) else value, style)
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
    for index, values in enumerate(table.rows):
        line += 1
        for column, value in enumerate(values):
            put(line, column, value, strong=index in table.subtotal_rows)
    if table.totals is not None:
        line += 1
        for column, value in enumerate(table.totals):
            put(line, column, value, strong=True)
    if table.notes:
        line += 1
    for note in table.notes:
        line += 1
        put(line, 0, note)
    sheet.set_column(0, max(len(table.columns) - 1, 1), 16)
    book.close()
    return buffer.getvalue()
