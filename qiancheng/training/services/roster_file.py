"""The roster spreadsheet (.xlsx): its template, the upload safety checks, and reading its rows.

An upload is checked before any spreadsheet code reads it: size cap, a real zip, no macros (.xlsm,
vbaProject.bin, macro-enabled content types), no zip bomb (the uncompressed sizes in the zip directory
are added up before anything is inflated), and the one XML part we parse ourselves goes through
defusedxml (entity and DTD tricks refused). python-calamine then reads the cells; its XML reader
expands no entities.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field

import xlsxwriter
from django.core.exceptions import ValidationError

from qiancheng.catalog.vocabulary import ApplicantRelation, chinese_part
from qiancheng.people.models import PersonCategory
from qiancheng.training.services.evidence import FIELD_LABELS
from qiancheng.web.tabular import MAX_ROWS, MAX_UPLOAD_BYTES, cell_text, read_sheet

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
        if any(cell_text(cell) is not None for _, cells in body for cell in cells[len(BASIC_HEADERS):]):
            raise full from None
    rows = []
    for number, cells in body:
        texts = [cell_text(cell) for cell in cells[: len(headers)]]
        evidence = dict(zip(EVIDENCE_HEADERS, texts[len(BASIC_HEADERS):], strict=False))
        rows.append(RosterRow(number, *texts[: len(BASIC_HEADERS)], evidence=evidence))
    return rows
