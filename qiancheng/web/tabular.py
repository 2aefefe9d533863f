"""Tabular files and frames: the checks an uploaded .xlsx passes before anything reads it, reading a sheet
made from one of our templates, recognising an uploaded document by its first bytes; and, re-exported from
`qiancheng.bulk_insert`, writing a Polars frame straight into a model's table.

Uploads: an upload is checked before any spreadsheet code reads it: size cap, a real zip, no macros
(.xlsm, vbaProject.bin, macro-enabled content types), no zip bomb (the uncompressed sizes in the zip
directory are added up before anything is inflated), and the one XML part we parse ourselves goes
through defusedxml (entity and DTD tricks refused). python-calamine then reads the cells; its XML
reader expands no entities.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Mapping

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.core.exceptions import ValidationError
from python_calamine import CalamineWorkbook

# The frame writer lives outside the layers (the audit trail, low in them, writes with it too); re-exported here for
# the upload and load code that reaches it through this module.
from qiancheng.bulk_insert import BulkWriteError, next_id, reset_sequences, write_frame  # noqa: F401

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # 100,000 rows of the template weigh about 5 MB
MAX_ROWS = 100_000
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 100
MAX_COMPRESSION_RATIO = 200  # ordinary sheets compress 5-30x; a bomb, thousands of times
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam", ".xlsb")


def refusal(code: str, zh: str, en: str) -> ValidationError:
    return ValidationError(f"{zh} / {en}", code=code)


def check_upload(file_name: str, data: bytes) -> None:
    """Refuse an unsafe or wrong file before any of it is inflated or parsed (raises ValidationError)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise refusal("too_large", f"文件超过{MAX_UPLOAD_BYTES // 1024 // 1024}MB上限",
                      f"the file is larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MB")
    if file_name.lower().endswith(MACRO_SUFFIXES):
        raise refusal("macro", "不接受含宏或二进制格式的工作簿，请另存为 .xlsx", "macro-enabled or binary workbooks are refused; save as .xlsx")
    if not file_name.lower().endswith(".xlsx") or not zipfile.is_zipfile(io.BytesIO(data)):
        raise refusal("not_xlsx", "请上传 .xlsx 格式的名册（可下载模板）", "upload the roster as an .xlsx file (see the template)")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = archive.infolist()
        _check_zip_directory(entries)
        _check_content_types(archive.read("[Content_Types].xml"))


def _check_zip_directory(entries: list[zipfile.ZipInfo]) -> None:
    names = {entry.filename for entry in entries}
    if len(entries) > MAX_ZIP_ENTRIES:
        raise refusal("zip_entries", "文件内部条目过多", f"the file holds more than {MAX_ZIP_ENTRIES} parts")
    if "[Content_Types].xml" not in names:
        raise refusal("not_xlsx", "不是有效的 .xlsx 文件", "not a valid .xlsx file")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise refusal("macro", "工作簿含有宏（vbaProject.bin），不予接收", "the workbook contains macros (vbaProject.bin)")
    if sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES:
        raise refusal("zip_bomb", "文件解压后过大，疑似压缩炸弹", "the file inflates to more than the limit (zip bomb)")
    for entry in entries:
        if entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1) and entry.file_size > 1024 * 1024:
            raise refusal("zip_bomb", "文件压缩比异常，疑似压缩炸弹", f"part {entry.filename} is compressed suspiciously well (zip bomb)")


def _check_content_types(xml: bytes) -> None:
    try:
        root = ElementTree.fromstring(xml, forbid_dtd=True)
    except (DefusedXmlException, ElementTree.ParseError) as exc:
        raise refusal("xml_unsafe", "文件结构含不安全或无效的XML", "the file's XML is unsafe or invalid") from exc
    kinds = " ".join(element.get("ContentType", "") for element in root)
    if "macroEnabled" in kinds or "vbaProject" in kinds:
        raise refusal("macro", "工作簿为启用宏的格式，不予接收", "the workbook is macro-enabled")


def read_sheet(data: bytes, headers: tuple[str, ...], headers_en: Mapping[str, str],
               what: tuple[str, str]) -> list[tuple[int, list[object]]]:
    """The first sheet's non-empty data rows, as (row number, cells padded to the headers), of a file made
    from one of our templates (roster, attendance sheet, certificate import): the header row must be the
    template's, and there are at most MAX_ROWS rows. `what` names the file in Chinese and English."""
    try:
        rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for every kind of broken file
        raise refusal("unreadable", "无法读取工作表", "the sheet cannot be read") from exc
    header = tuple("" if cell is None else str(cell).strip() for cell in (rows[0] if rows else []))[: len(headers)]
    if header != headers:
        raise refusal("headers", f"表头应为：{'、'.join(headers)}（请使用模板）",
                      f"the header row must be: {', '.join(headers_en[name] for name in headers)} (use the template)")
    body = [(number, list(row) + [None] * len(headers)) for number, row in enumerate(rows[1:], start=2)
            if any(cell is not None and str(cell).strip() for cell in row)]
    if len(body) > MAX_ROWS:
        raise refusal("too_many_rows", f"{what[0]}超过{MAX_ROWS}行上限（实为{len(body)}行）",
                      f"the {what[1]} has {len(body)} rows, more than the {MAX_ROWS} allowed")
    return body


def cell_text(cell: object) -> str | None:
    if cell is None or cell == "":
        return None
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, (dt.datetime, dt.date)):
        return cell.isoformat()
    text = str(cell).strip()
    return text or None


# ---- Documents: what a file is, by its first bytes ----

_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniffed_content_type(content: bytes) -> str | None:
    """PDF, JPEG or PNG by the file's first bytes (its name and the browser's claim are not trusted)."""
    for magic, content_type in _MAGIC:
        if content.startswith(magic):
            return content_type
    return None
