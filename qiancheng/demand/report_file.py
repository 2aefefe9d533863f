"""The demand spreadsheet (.xlsx): its template and reading its rows into the service's ReportInput.

Safety checks and sheet reading are `web.tabular`'s (the same as the roster's); the rules of a report are
`demand.services`' (the same as the page's and the API's). This module only knows the columns.
"""

from __future__ import annotations

import io

import xlsxwriter
from django.core.exceptions import ValidationError

from qiancheng.catalog.models import Industry, SpecialAbilityItem
from qiancheng.catalog.vocabulary import SkillLevel
from qiancheng.demand.services import Problem, ReportInput
from qiancheng.web.tabular import MAX_ROWS, cell_text, check_upload, read_sheet

# field of ReportInput -> (Chinese header, English name); the template's column order.
COLUMNS: dict[str, tuple[str, str]] = {
    "occupation": ("职业编码", "occupation code"),
    "level": ("技能等级", "level"),
    "content": ("培训内容（无国家标准时）", "training content (no standard)"),
    "headcount": ("需求人数", "headcount"),
    "wage_offered": ("月薪（元）", "monthly wage (yuan)"),
    "county": ("县（市、区）代码", "county code"),
    "industry": ("所属产业", "industry"),
    "deadline": ("到岗期限", "deadline"),
    "will_hire": ("是否招用培训合格人员", "will hire the trained"),
    # Added last, so a file filled in on the earlier nine-column template still reads (PREVIOUS_HEADERS).
    "item": ("专项职业能力项目编码（无国家标准时）", "special-ability item code (no standard)"),
}
HEADERS = tuple(zh for zh, _ in COLUMNS.values())
HEADERS_EN = {zh: en for zh, en in COLUMNS.values()}
PREVIOUS_HEADERS = HEADERS[:-1]


def column_of(field: str) -> str:
    """"需求人数 headcount": the column a problem is in, in both languages."""
    zh, en = COLUMNS.get(field, (field, field))
    return f"{zh} {en}"


def demand_template() -> bytes:
    """The downloadable template: headers, text columns for codes, pick lists, a notes sheet."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("需求填报")
    bold, text = book.add_format({"bold": True}), book.add_format({"num_format": "@"})
    for column, header in enumerate(HEADERS):
        sheet.write_string(0, column, header, bold)
    # Codes as text: Excel would read 450102 as a number and 4-10-01-05 as nothing useful.
    sheet.set_column(0, 0, 14, text)
    sheet.set_column(1, 1, 10)
    sheet.set_column(2, 2, 28)
    sheet.set_column(3, 4, 12)
    sheet.set_column(5, 5, 16, text)
    sheet.set_column(6, 8, 20, text)
    sheet.set_column(9, 9, 24, text)
    industries = list(Industry.objects.filter(is_active=True).order_by("sort_order", "code").values_list("name", flat=True))
    sheet.data_validation(1, 1, MAX_ROWS, 1, {"validate": "list", "source": [str(level) for level in SkillLevel.values]})
    if industries and sum(len(name) + 1 for name in industries) < 255:  # Excel's limit for an inline list
        sheet.data_validation(1, 6, MAX_ROWS, 6, {"validate": "list", "source": industries})
    sheet.data_validation(1, 8, MAX_ROWS, 8, {"validate": "list", "source": ["是", "否"]})
    notes = book.add_worksheet("填写说明")
    lines = [
        "每行一项需求，从第2行开始填写；请勿修改第1行表头。One need a row from row 2; keep the header row.",
        "填职业编码（国家职业分类大典）和技能等级1-5；无国家标准时不填二者，改填培训内容（第3.4条）。"
        "An occupation code and level 1-5, or a training content where no standard exists (clause 3.4).",
        "无国家职业标准时，也可在最后一列填本区专项职业能力项目编码（不填职业编码、等级和培训内容；第3.2条）："
        + "、".join(f"{code} {name}" for code, name in SpecialAbilityItem.objects.filter(is_active=True)
                   .order_by("code").values_list("code", "name")[:40])
        + "。Or, where no standard exists, a special-ability item code in the last column (clause 3.2).",
        "县（市、区）填6位区划代码，如450102。County: the 6-digit division code, e.g. 450102.",
        f"所属产业填“1+19”产业目录中的名称或代码：{'、'.join(industries)}。Industry of the \"1+19\" list (1a).",
        "到岗期限写作2026-03-01。Deadline as 2026-03-01.",
        "同一职业等级（或培训内容）和县区再次上传时更新原填报，不重复计数。"
        "Uploading the same need again updates it; nothing is counted twice.",
        "任何一行有误时整个文件不予导入，请按提示修改后重新上传。"
        "If any row is wrong nothing is imported; correct the rows named and upload again.",
    ]
    for number, line in enumerate(lines):
        notes.write_string(number, 0, line)
    book.close()
    return buffer.getvalue()


def read_reports(file_name: str, data: bytes) -> list[ReportInput]:
    """The file's rows as reports (raises ValidationError for an unsafe or wrong file)."""
    check_upload(file_name, data)
    try:
        body = read_sheet(data, HEADERS, HEADERS_EN, ("需求填报表", "demand sheet"))
    except ValidationError as wrong_header:
        # A sheet of the earlier template (no item column) is still a demand sheet; any other header is refused
        # with the current template's headers.
        try:
            body = read_sheet(data, PREVIOUS_HEADERS, HEADERS_EN, ("需求填报表", "demand sheet"))
        except ValidationError:
            raise wrong_header from None
    return [ReportInput(row=number, **{name: cell_text(cells[index]) for index, name in enumerate(COLUMNS)})
            for number, cells in body]


def describe(problem: Problem) -> str:
    """"第3行 需求人数 headcount：需求人数须为… / the headcount must be…"."""
    return f"第{problem.row}行 row {problem.row}，{column_of(problem.field)}：{problem.zh} / {problem.en}"
