"""Attendance by file (考勤表 .xlsx): its template, reading it, and recording it all or nothing (6c).

The sheet has one row per trainee and session day: 身份证号, 姓名, 日期, 出勤. 出勤 is the hours
attended (0 = absent), or 是/√ (present for the class's usual hours a day) or 否/× (absent). Every
row is checked before anything is written; one bad row and nothing is recorded, and every bad row is
reported with its row number, column and reason. The same upload safety as a roster applies (size cap,
no macros, zip bomb and XML bomb checks) through `web.tabular.check_upload`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING

import xlsxwriter
from django.core.exceptions import ValidationError
from django.db import transaction

from qiancheng.accounts.audit import record_event
from qiancheng.people import crypto
from qiancheng.people.identity import check_id_number
from qiancheng.training.models import EnrolmentStatus, TrainingClass
from qiancheng.training.services.attendance import RECORDING_STATES, Mark, record_attendance
from qiancheng.training.services.enrolment import require_class_staff
from qiancheng.web.imports_done import Imported, ImportKind, imported
from qiancheng.web.tabular import check_upload, read_sheet

if TYPE_CHECKING:
    from qiancheng.accounts.models import User

ID_NUMBER, NAME, DAY, PRESENT = "身份证号", "姓名", "日期", "出勤"
HEADERS = (ID_NUMBER, NAME, DAY, PRESENT)
HEADERS_EN = {ID_NUMBER: "ID number", NAME: "name", DAY: "date", PRESENT: "attended"}
PRESENT_WORDS = {"是", "出勤", "到", "√", "✓", "y", "yes", "true"}
ABSENT_WORDS = {"否", "缺勤", "缺", "×", "✗", "n", "no", "false"}
MAX_SESSION_HOURS = Decimal("8")  # a "present" without hours counts at most one working day


@dataclass(frozen=True)
class SheetProblem:
    """One reason a row cannot be recorded; `row` is the spreadsheet's row number (header = 1)."""

    row: int
    column: str
    zh: str
    en: str


@dataclass(frozen=True)
class SheetResult:
    """What an upload did: the rows read, the entries recorded (0 when any row was bad) and every problem."""

    rows: int
    recorded: int
    problems: tuple[SheetProblem, ...]

    @property
    def accepted(self) -> bool:
        return not self.problems


def session_hours(training: TrainingClass) -> Decimal:
    """A day's usual hours: the class's hours spread over its days, at most 8, to one decimal place."""
    days = (training.end_date - training.start_date).days + 1
    hours = Decimal(training.class_hours) / Decimal(max(days, 1))
    return min(hours, MAX_SESSION_HOURS).quantize(Decimal("0.1"), ROUND_HALF_UP)


def attendance_template() -> bytes:
    """The downloadable attendance sheet: the four headers, a text ID column, a date column, a notes sheet."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("考勤")
    bold = book.add_format({"bold": True})
    text, day = book.add_format({"num_format": "@"}), book.add_format({"num_format": "yyyy-mm-dd"})
    for column, header in enumerate(HEADERS):
        sheet.write_string(0, column, header, bold)
    # Text format: an 18-digit number typed into a number cell loses its last digits in Excel.
    sheet.set_column(0, 0, 22, text)
    sheet.set_column(1, 1, 12)
    sheet.set_column(2, 2, 14, day)
    sheet.set_column(3, 3, 10)
    notes = book.add_worksheet("填写说明")
    lines = [
        "每行一名学员一天的考勤，从第2行开始填写；请勿修改第1行表头。One trainee and day a row; keep the header row.",
        "身份证号以文本填写；日期如 2026-05-04，须在培训期内。Type ID numbers as text; dates within the class's dates.",
        "出勤填课时数（0为缺勤），或“是”（按本班每日课时计）/“否”。Hours attended (0 = absent), or 是 / 否.",
        "任一行有误则整个文件不记录，请按提示改正后重新上传。One bad row and nothing is recorded.",
    ]
    for number, line in enumerate(lines):
        notes.write_string(number, 0, line)
    book.close()
    return buffer.getvalue()


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _day(cell: object) -> dt.date | None:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    text = _text(cell).replace("/", "-").replace(".", "-")
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return dt.date(year, month, day)
    except ValueError:
        return None


def _hours(cell: object, usual: Decimal) -> tuple[bool, Decimal] | None:
    text = _text(cell).lower()
    if text in PRESENT_WORDS:
        return True, usual
    if text in ABSENT_WORDS:
        return False, Decimal("0")
    try:
        hours = Decimal(text)
    except InvalidOperation:
        return None
    if not Decimal("0") <= hours <= Decimal("24"):
        return None
    return hours > 0, hours


def _read(data: bytes) -> list[tuple[int, list[object]]]:
    return read_sheet(data, HEADERS, HEADERS_EN, ("考勤表", "attendance sheet"))


def _problem(row: int, column: str, zh: str, en: str) -> SheetProblem:
    return SheetProblem(row, f"{column} {HEADERS_EN[column]}", zh, en)


def check_sheet(training: TrainingClass, body: list[tuple[int, list[object]]]
                ) -> tuple[dict[dt.date, list[Mark]], list[SheetProblem]]:
    """Every row checked against the class's roster and dates; marks grouped by day, and every problem."""
    roster = {key: (pk, name) for pk, key, name in training.enrolments.filter(status=EnrolmentStatus.ENROLLED)
              .values_list("pk", "person_id", "person__name")}
    usual = session_hours(training)
    marks: dict[dt.date, list[Mark]] = {}
    seen: dict[tuple[int, dt.date], int] = {}
    problems: list[SheetProblem] = []
    for number, cells in body:
        found: list[SheetProblem] = []
        check = check_id_number(_text(cells[0]))
        enrolment: tuple[int, str] | None = None
        if not check.is_valid:
            found += [_problem(number, ID_NUMBER, reason.zh, reason.en) for reason in check.errors]
        else:
            enrolment = roster.get(crypto.person_key(check.normalised))
            if enrolment is None:
                found.append(_problem(number, ID_NUMBER, "该学员不在本班名册", "not on this class's roster"))
            elif " ".join(_text(cells[1]).split()) != enrolment[1]:
                found.append(_problem(number, NAME, f"姓名与名册不符（名册为“{enrolment[1]}”）",
                                      "the name differs from the roster's"))
        day = _day(cells[2])
        if day is None:
            found.append(_problem(number, DAY, "日期无效，应如 2026-05-04", "not a date (write it as 2026-05-04)"))
        elif not training.start_date <= day <= training.end_date:
            found.append(_problem(number, DAY, f"{day} 不在培训期（{training.start_date}至{training.end_date}）内",
                                  f"{day} is outside the class's dates"))
        attended = _hours(cells[3], usual)
        if attended is None:
            found.append(_problem(number, PRESENT, "出勤应为0-24的课时数，或“是”/“否”",
                                  "attended is hours from 0 to 24, or 是 / 否"))
        if not found and enrolment is not None and day is not None and attended is not None:
            first = seen.setdefault((enrolment[0], day), number)
            if first != number:
                found.append(_problem(number, ID_NUMBER, f"与第{first}行为同一学员同一天", f"same trainee and day as row {first}"))
            else:
                marks.setdefault(day, []).append(Mark(enrolment[0], attended[0], attended[1]))
        problems += found
    return marks, problems


def record_attendance_sheet(actor: User, training: TrainingClass, file_name: str, data: bytes) -> SheetResult:
    """Record an uploaded attendance sheet: every row, or (when any row is bad) none, with every problem."""
    require_class_staff(actor, training)
    if training.status not in RECORDING_STATES:
        raise ValidationError("班级不在培训中，不能记录考勤 / attendance is recorded only for an approved or running class",
                              code="class_not_running")
    check_upload(file_name, data)
    body = _read(data)
    marks, problems = check_sheet(training, body)
    if problems:
        return SheetResult(len(body), 0, tuple(sorted(problems, key=lambda problem: (problem.row, problem.column))))
    recorded = 0
    # One transaction around every day: a failure on the last day leaves the first days unrecorded too.
    with transaction.atomic():
        for day in sorted(marks):
            recorded += record_attendance(actor, training, day, marks[day])
        record_event(actor, "attendance.uploaded", training, after={
            "file": file_name[:255], "sha256": hashlib.sha256(data).hexdigest(), "rows": len(body),
            "days": len(marks), "recorded": recorded})
        # Risk reads a whole class's attendance for copied patterns once the sheet commits.
        imported(Imported(ImportKind.ATTENDANCE, actor.pk, training.city_id, training.institution_id, training.pk,
                          recorded))
    return SheetResult(len(body), recorded, ())
