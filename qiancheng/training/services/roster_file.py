"""The roster spreadsheet (.xlsx): its template, the upload safety checks, and reading its rows.

An upload is checked before any spreadsheet code reads it: size cap, a real zip, no macros (.xlsm,
vbaProject.bin, macro-enabled content types), no zip bomb (the uncompressed sizes in the zip directory
are added up before anything is inflated), and the one XML part we parse ourselves goes through
defusedxml (entity and DTD tricks refused). python-calamine then reads the cells; its XML reader
expands no entities.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field

import xlsxwriter
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.core.exceptions import ValidationError
from python_calamine import CalamineWorkbook

from qiancheng.people.models import PersonCategory
from qiancheng.training.services.evidence import FIELD_LABELS
from qiancheng.training.vocabulary import ApplicantRelation, chinese_part

# Chinese headers, in the template's order; the English beside them is for documentation only.
NAME, ID_NUMBER, PHONE, CATEGORY, RELATION = "姓名", "身份证号", "手机号", "人员类别", "与申报企业关系"
BASIC_HEADERS = (NAME, ID_NUMBER, PHONE, CATEGORY, RELATION)
# The evidence the rules read (2.1a, 5.3, 3.3, 3.4e), one column per field of EnrolmentEvidence.
EVIDENCE_HEADERS: dict[str, str] = {
    "category_evidence": "人员类别证明", "category_evidence_date": "人员类别证明日期",
    "receiving_unemployment_benefit": "领取失业保险金", "benefit_evidence": "失业保险金证明",
    "benefit_evidence_date": "失业保险金证明日期", "business_licence_uscc": "营业执照统一社会信用代码",
    "business_licence_issued_on": "营业执照发证日期", "relation_evidence": "关系证明",
    "relation_evidence_date": "关系证明日期",
}
HEADERS = BASIC_HEADERS + tuple(EVIDENCE_HEADERS.values())
HEADERS_EN = {NAME: "name", ID_NUMBER: "ID number", PHONE: "mobile phone", CATEGORY: "person category",
              RELATION: "link to the applicant enterprise",
              **{header: FIELD_LABELS[field][1] for field, header in EVIDENCE_HEADERS.items()}}

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # 100,000 rows of the template weigh about 5 MB
MAX_ROWS = 100_000
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 100
MAX_COMPRESSION_RATIO = 200  # ordinary sheets compress 5-30x; a bomb, thousands of times
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam", ".xlsb")


@dataclass(frozen=True)
class RosterRow:
    """One data row as typed, cells as text (None when empty); `row` is the spreadsheet's row number."""

    row: int
    name: str | None
    id_number: str | None
    phone: str | None
    category: str | None
    relation: str | None
    # The evidence columns by EnrolmentEvidence field, as typed (absent from a file of the older template).
    evidence: Mapping[str, str | None] = field(default_factory=dict)


def _refuse(code: str, zh: str, en: str) -> ValidationError:
    return ValidationError(f"{zh} / {en}", code=code)


CATEGORY_WORDS: dict[str, str] = {
    **{chinese_part(label): value for value, label in PersonCategory.choices},
    **{value: value for value in PersonCategory.values},
    "企业职工": PersonCategory.ENTERPRISE_EMPLOYEE,
    "高校毕业生": PersonCategory.GRADUATE_YOUTH,
}
RELATION_WORDS: dict[str, str] = {
    chinese_part(ApplicantRelation.EMPLOYEE.label): ApplicantRelation.EMPLOYEE,
    "本企业职工": ApplicantRelation.EMPLOYEE,
    "职工": ApplicantRelation.EMPLOYEE,
    "劳务派遣": ApplicantRelation.EMPLOYEE,
    chinese_part(ApplicantRelation.PROSPECTIVE_HIRE.label): ApplicantRelation.PROSPECTIVE_HIRE,
    ApplicantRelation.EMPLOYEE.value: ApplicantRelation.EMPLOYEE,
    ApplicantRelation.PROSPECTIVE_HIRE.value: ApplicantRelation.PROSPECTIVE_HIRE,
}


def roster_template() -> bytes:
    """The downloadable template: the five headers, text columns for numbers, pick lists, a notes sheet."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("名册")
    bold, text = book.add_format({"bold": True}), book.add_format({"num_format": "@"})
    for column, header in enumerate(HEADERS):
        sheet.write_string(0, column, header, bold)
    # Text format: an 18-digit number typed into a number cell loses its last digits in Excel.
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 2, 22, text)
    sheet.set_column(3, 4, 24)
    # Evidence: kinds and numbers and USCCs as text, dates typed as 2025-03-01.
    sheet.set_column(len(BASIC_HEADERS), len(HEADERS) - 1, 22, text)
    categories = [chinese_part(label) for _, label in PersonCategory.choices]
    relations = [chinese_part(ApplicantRelation.EMPLOYEE.label), chinese_part(ApplicantRelation.PROSPECTIVE_HIRE.label)]
    sheet.data_validation(1, 3, MAX_ROWS, 3, {"validate": "list", "source": categories})
    sheet.data_validation(1, 4, MAX_ROWS, 4, {"validate": "list", "source": relations})
    benefit = HEADERS.index(EVIDENCE_HEADERS["receiving_unemployment_benefit"])
    sheet.data_validation(1, benefit, MAX_ROWS, benefit, {"validate": "list", "source": ["是", "否"]})
    notes = book.add_worksheet("填写说明")
    lines = [
        "每行一名学员，从第2行开始填写；请勿修改第1行表头。One trainee a row from row 2; keep the header row.",
        "身份证号、手机号请以文本填写（18位，末位可为X）。Type ID numbers and phones as text.",
        f"人员类别可选：{'、'.join(categories)}。",
        f"与申报企业关系仅项目制培训班必填：{'、'.join(relations)}（第3.4条(五)）。Project classes only (clause 3.4e).",
        "证明类各列写明证明的种类及编号，日期列写作2025-03-01；日期不得晚于今天。"
        "Evidence columns: the document's kind and number; dates as 2025-03-01, not after today.",
        "人员类别证明：如“失业登记证 4501…”“毕业证书 1059…”（第2.1条）。Category evidence (clause 2.1a).",
        "领取失业保险金填“是”时，须填失业保险金证明（如失业保险金核定通知书及编号）和日期（第5.3条）。"
        "Receiving unemployment benefit needs the benefit document and its date (clause 5.3).",
        "持营业执照的（IYB、EYB须持照，第3.3条）填18位统一社会信用代码和发证日期。"
        "A business licence: its 18-character USCC and date of issue (clause 3.3, needed for IYB and EYB).",
        "项目制培训填关系证明（如劳动合同、拟招用协议及编号）和日期（第3.4条(五)）。"
        "Project classes: the labour contract or hiring agreement and its date (clause 3.4e).",
        f"每个文件最多{MAX_ROWS}行、{MAX_UPLOAD_BYTES // 1024 // 1024}MB，不得含宏。"
        f"At most {MAX_ROWS} rows and {MAX_UPLOAD_BYTES // 1024 // 1024} MB; no macros.",
    ]
    for number, line in enumerate(lines):
        notes.write_string(number, 0, line)
    book.close()
    return buffer.getvalue()


def check_upload(file_name: str, data: bytes) -> None:
    """Refuse an unsafe or wrong file before any of it is inflated or parsed (raises ValidationError)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise _refuse("too_large", f"文件超过{MAX_UPLOAD_BYTES // 1024 // 1024}MB上限",
                      f"the file is larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MB")
    if file_name.lower().endswith(MACRO_SUFFIXES):
        raise _refuse("macro", "不接受含宏或二进制格式的工作簿，请另存为 .xlsx", "macro-enabled or binary workbooks are refused; save as .xlsx")
    if not file_name.lower().endswith(".xlsx") or not zipfile.is_zipfile(io.BytesIO(data)):
        raise _refuse("not_xlsx", "请上传 .xlsx 格式的名册（可下载模板）", "upload the roster as an .xlsx file (see the template)")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = archive.infolist()
        _check_zip_directory(entries)
        _check_content_types(archive.read("[Content_Types].xml"))


def _check_zip_directory(entries: list[zipfile.ZipInfo]) -> None:
    names = {entry.filename for entry in entries}
    if len(entries) > MAX_ZIP_ENTRIES:
        raise _refuse("zip_entries", "文件内部条目过多", f"the file holds more than {MAX_ZIP_ENTRIES} parts")
    if "[Content_Types].xml" not in names:
        raise _refuse("not_xlsx", "不是有效的 .xlsx 文件", "not a valid .xlsx file")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise _refuse("macro", "工作簿含有宏（vbaProject.bin），不予接收", "the workbook contains macros (vbaProject.bin)")
    if sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES:
        raise _refuse("zip_bomb", "文件解压后过大，疑似压缩炸弹", "the file inflates to more than the limit (zip bomb)")
    for entry in entries:
        if entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1) and entry.file_size > 1024 * 1024:
            raise _refuse("zip_bomb", "文件压缩比异常，疑似压缩炸弹", f"part {entry.filename} is compressed suspiciously well (zip bomb)")


def _check_content_types(xml: bytes) -> None:
    try:
        root = ElementTree.fromstring(xml, forbid_dtd=True)
    except (DefusedXmlException, ElementTree.ParseError) as exc:
        raise _refuse("xml_unsafe", "文件结构含不安全或无效的XML", "the file's XML is unsafe or invalid") from exc
    kinds = " ".join(element.get("ContentType", "") for element in root)
    if "macroEnabled" in kinds or "vbaProject" in kinds:
        raise _refuse("macro", "工作簿为启用宏的格式，不予接收", "the workbook is macro-enabled")


def read_sheet(data: bytes, headers: tuple[str, ...], headers_en: Mapping[str, str],
               what: tuple[str, str]) -> list[tuple[int, list[object]]]:
    """The first sheet's non-empty data rows, as (row number, cells padded to the headers), of a file made
    from one of our templates (roster, attendance sheet, certificate import): the header row must be the
    template's, and there are at most MAX_ROWS rows. `what` names the file in Chinese and English."""
    try:
        rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for every kind of broken file
        raise _refuse("unreadable", "无法读取工作表", "the sheet cannot be read") from exc
    header = tuple("" if cell is None else str(cell).strip() for cell in (rows[0] if rows else []))[: len(headers)]
    if header != headers:
        raise _refuse("headers", f"表头应为：{'、'.join(headers)}（请使用模板）",
                      f"the header row must be: {', '.join(headers_en[name] for name in headers)} (use the template)")
    body = [(number, list(row) + [None] * len(headers)) for number, row in enumerate(rows[1:], start=2)
            if any(cell is not None and str(cell).strip() for cell in row)]
    if len(body) > MAX_ROWS:
        raise _refuse("too_many_rows", f"{what[0]}超过{MAX_ROWS}行上限（实为{len(body)}行）",
                      f"the {what[1]} has {len(body)} rows, more than the {MAX_ROWS} allowed")
    return body


def read_roster(data: bytes) -> list[RosterRow]:
    """The roster's data rows, each cell as text (the header row checked against the template's).

    A file of the older five-column template is still read (its rows state no evidence), so a roster
    prepared before the evidence columns came is not refused for its header alone; a file with cells
    beyond those five columns must carry the full template's headers.
    """
    headers = HEADERS
    try:
        body = read_sheet(data, HEADERS, HEADERS_EN, ("名册", "roster"))
    except ValidationError as full:
        if full.code != "headers":
            raise
        headers = BASIC_HEADERS
        try:
            body = read_sheet(data, BASIC_HEADERS, HEADERS_EN, ("名册", "roster"))
        except ValidationError as basic:
            raise (full if basic.code == "headers" else basic) from None
        # Anything typed right of the five columns is evidence under a header we do not know: refuse.
        if any(_text(cell) is not None for _, cells in body for cell in cells[len(BASIC_HEADERS):]):
            raise full from None
    rows = []
    for number, cells in body:
        texts = [_text(cell) for cell in cells[: len(headers)]]
        evidence = dict(zip(EVIDENCE_HEADERS, texts[len(BASIC_HEADERS):], strict=False))
        rows.append(RosterRow(number, *texts[: len(BASIC_HEADERS)], evidence=evidence))
    return rows


def _text(cell: object) -> str | None:
    if cell is None or cell == "":
        return None
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, (dt.datetime, dt.date)):
        return cell.isoformat()
    text = str(cell).strip()
    return text or None
