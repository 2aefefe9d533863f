"""Roster spreadsheets for the import tests, written the way Excel users write them (XlsxWriter)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

import xlsxwriter

from qiancheng.training.services.roster_file import HEADERS

Row = Sequence[str | None]


def roster_xlsx(rows: Sequence[Row], headers: Sequence[str] = HEADERS) -> bytes:
    """An .xlsx with the header row and the given rows, every cell written as text."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("名册")
    for column, header in enumerate(headers):
        sheet.write_string(0, column, header)
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if value is not None:
                sheet.write_string(number, column, value)
    book.close()
    return buffer.getvalue()


def with_extra_part(xlsx: bytes, name: str, content: bytes, *, replace: bool = False) -> bytes:
    """The same workbook with one more zip part (or one part replaced): macros, bombs, hostile XML."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if not (replace and info.filename == name):
                target.writestr(info, source.read(info.filename))
        target.writestr(name, content)
    return buffer.getvalue()
