"""Tabular files and frames: the checks an uploaded .xlsx passes before anything reads it, reading a sheet
made from one of our templates, recognising an uploaded document by its first bytes, and writing a Polars
frame straight into a model's table.

Uploads: an upload is checked before any spreadsheet code reads it: size cap, a real zip, no macros
(.xlsm, vbaProject.bin, macro-enabled content types), no zip bomb (the uncompressed sizes in the zip
directory are added up before anything is inflated), and the one XML part we parse ourselves goes
through defusedxml (entity and DTD tricks refused). python-calamine then reads the cells; its XML
reader expands no entities.

Frames: COPY on PostgreSQL, executemany on SQLite. Building model instances for millions of rows would
take longer than making them; the frame's columns are the table's column names; a column the frame lacks
takes the field's default (timestamps with auto_now take the load's time), and a NOT NULL column with
neither is an error before anything is written. On PostgreSQL Polars writes each block of rows as CSV
text (its writer, in Rust) straight into `COPY … (FORMAT csv)`: handing psycopg one Python tuple per row
cost more than the server's work on the 1,000,000-person province (bench/README.md, 2026-12-07).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Iterator, Mapping

import polars as pl
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils import timezone
from python_calamine import CalamineWorkbook

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


# ---- Frames into tables ----

BATCH_ROWS = 20_000
# Rows per CSV block fed to COPY: large enough that the per-block cost vanishes, small enough that the
# text of one block (about 20-60 MB for the widest synthetic tables) stays a fraction of the frame itself.
COPY_BLOCK_ROWS = 100_000
# Types Polars' CSV writer cannot carry, or writes in a form PostgreSQL does not read (nested values, bytes,
# durations): such a frame goes row by row instead.
_NOT_CSV = (pl.List, pl.Array, pl.Struct, pl.Binary, pl.Object, pl.Duration)


class BulkWriteError(RuntimeError):
    """A frame does not fit the table it is written to."""


def _fill(model: type[models.Model], frame: pl.DataFrame, now: dt.datetime) -> pl.DataFrame:
    """The frame with every concrete column of the model, in table order."""
    missing = []
    columns = []
    for field in model._meta.concrete_fields:
        if field.column in frame.columns:
            columns.append(field.column)
            continue
        if isinstance(field, models.AutoField):
            continue  # the database numbers the rows
        columns.append(field.column)
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            missing.append(pl.lit(now).alias(field.column))
        elif field.has_default():
            default = field.get_default()
            # A JSON column's default ([] or {}) is written as its JSON text on both databases.
            value = json.dumps(default) if isinstance(field, models.JSONField) else default
            missing.append(pl.lit(value).alias(field.column))
        elif field.null:
            missing.append(pl.lit(None).alias(field.column))
        else:
            raise BulkWriteError(f"{model._meta.label}.{field.column}: 无值也无默认值 / no value and no default")
    extra = set(frame.columns) - set(columns)
    if extra:
        raise BulkWriteError(f"{model._meta.label}: 未知列 / unknown columns {sorted(extra)}")
    return frame.with_columns(missing).select(columns)


def _for_sqlite(frame: pl.DataFrame) -> pl.DataFrame:
    """SQLite stores datetimes as naive UTC text (what Django's backend reads back) and decimals as text."""
    converted = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Datetime):
            converted.append(pl.col(name).dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%d %H:%M:%S%.6f"))
        elif isinstance(dtype, pl.Decimal):
            converted.append(pl.col(name).cast(pl.String))
        elif dtype == pl.Date:
            converted.append(pl.col(name).dt.strftime("%Y-%m-%d"))
    return frame.with_columns(converted)


def _batches(frame: pl.DataFrame) -> Iterator[pl.DataFrame]:
    for start in range(0, frame.height, BATCH_ROWS):
        yield frame.slice(start, BATCH_ROWS)


def write_frame(model: type[models.Model], frame: pl.DataFrame, advance: Callable[[int], object] | None = None) -> int:
    """Insert every row of `frame` into the model's table inside the caller's transaction; return the count."""
    if frame.height == 0:
        return 0
    now = timezone.now()
    frame = _fill(model, frame.with_columns(
        pl.col(name).dt.replace_time_zone("UTC") for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is None
    ), now)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(c) for c in frame.columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper: COPY needs it
            if any(isinstance(dtype, _NOT_CSV) for dtype in frame.schema.values()):
                with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for batch in _batches(frame):
                        for row in batch.iter_rows():
                            copy.write_row(row)
                        if advance:
                            advance(batch.height)
            else:
                _copy_csv(raw, f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv)", frame, advance)
        else:
            sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(frame.columns))})"
            for batch in _batches(_for_sqlite(frame)):
                cursor.executemany(sql, batch.rows())
                if advance:
                    advance(batch.height)
    return frame.height


def _copy_csv(raw: object, sql: str, frame: pl.DataFrame, advance: Callable[[int], object] | None) -> None:
    """COPY the frame as CSV text in blocks. In PostgreSQL's CSV format an unquoted empty field is NULL and
    a quoted one ("") the empty string, which is exactly how Polars writes null and "" when it quotes only
    where necessary; timestamps carry their offset, decimals their scale, booleans true/false."""
    with raw.copy(sql) as copy:  # type: ignore[attr-defined]
        for start in range(0, frame.height, COPY_BLOCK_ROWS):
            block = frame.slice(start, COPY_BLOCK_ROWS)
            copy.write(block.write_csv(include_header=False, quote_style="necessary").encode())
            if advance:
                advance(block.height)


def next_id(model: type[models.Model]) -> int:
    """The first free integer primary key of the model's table."""
    top = model._default_manager.aggregate(top=models.Max(model._meta.pk.attname))["top"]
    return (top or 0) + 1


def reset_sequences(*models_: type[models.Model]) -> None:
    """After inserting explicit ids on PostgreSQL, move each id sequence past the largest id."""
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
