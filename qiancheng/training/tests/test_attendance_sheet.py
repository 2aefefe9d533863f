"""Attendance by file: every row recorded, or (one bad row) none, each bad row with its row, column and reason;
through the service, the class page and the API; and the prediction endpoint."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from qiancheng.accounts.models import AuditEntry
from qiancheng.people.identity import id_number_check_character
from qiancheng.training.models import AttendanceRecord, ClassStatus
from qiancheng.training.services.attendance_sheet import (
    HEADERS,
    attendance_template,
    record_attendance_sheet,
    session_hours,
)
from qiancheng.training.tests import builders
from qiancheng.training.tests.test_api import Api
from qiancheng.web import tabular

pytestmark = pytest.mark.django_db


def number(serial: int) -> str:
    first17 = f"45010219960606{serial:03d}"
    return first17 + id_number_check_character(first17)


def sheet(rows: Sequence[Sequence[object]], headers: Sequence[str] = HEADERS) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    page = book.add_worksheet("考勤")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for column, header in enumerate(headers):
        page.write_string(0, column, header)
    for line, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, date):
                page.write_datetime(line, column, datetime(value.year, value.month, value.day), day)
            elif isinstance(value, (int, float)):
                page.write_number(line, column, value)
            elif value is not None:
                page.write_string(line, column, str(value))
    book.close()
    return buffer.getvalue()


@pytest.fixture
def training(persona_institution):
    return builders.training_class(institution=persona_institution, status=ClassStatus.IN_PROGRESS, class_hours=10,
                                   start_date=date(2026, 5, 4), end_date=date(2026, 5, 8))


@pytest.fixture
def trainees(training):
    one = builders.enrolment(training, builders.person(id_number=number(1), name="农一"), enrolled_on=date(2026, 5, 4))
    two = builders.enrolment(training, builders.person(id_number=number(2), name="农二"), enrolled_on=date(2026, 5, 4))
    return one, two


def test_the_template_has_the_four_headers_and_passes_the_upload_checks() -> None:
    template = attendance_template()
    tabular.check_upload("考勤模板.xlsx", template)
    from python_calamine import CalamineWorkbook

    first = CalamineWorkbook.from_filelike(io.BytesIO(template)).get_sheet_by_index(0).to_python()[0]
    assert tuple(first) == ("身份证号", "姓名", "日期", "出勤")


def test_a_good_sheet_is_recorded_with_hours_and_words(training, trainees, institution_user) -> None:
    one, two = trainees
    data = sheet([(number(1), "农一", date(2026, 5, 4), 2), (number(2), "农二", "2026-05-04", "否"),
                  (number(1), "农一", "2026/5/5", "是")])
    result = record_attendance_sheet(institution_user, training, "考勤.xlsx", data)
    assert (result.accepted, result.rows, result.recorded) == (True, 3, 3)
    records = {(r.enrolment_id, r.session_date): (r.present, r.hours) for r in AttendanceRecord.objects.all()}
    usual = session_hours(training)  # 10 hours over 5 days
    assert usual == Decimal("2.0")
    assert records == {(one.pk, date(2026, 5, 4)): (True, Decimal("2")), (two.pk, date(2026, 5, 4)): (False, Decimal("0")),
                       (one.pk, date(2026, 5, 5)): (True, usual)}
    assert AuditEntry.objects.filter(action="attendance.uploaded").count() == 1


def test_one_bad_row_and_nothing_is_recorded_with_every_problem(training, trainees, institution_user) -> None:
    stranger = number(9)
    data = sheet([
        (number(1), "农一", "2026-05-04", 2),            # row 2: good
        (number(2)[:17] + "0" if number(2)[-1] != "0" else number(2)[:17] + "1", "农二", "2026-05-04", 2),  # row 3
        (stranger, "外人", "2026-05-04", 2),              # row 4: not on the roster
        (number(2), "农三", "2026-05-04", 2),             # row 5: wrong name
        (number(2), "农二", "2026-06-01", 2),             # row 6: outside the dates
        (number(2), "农二", "2026-05-05", "半天"),         # row 7: attended unreadable
        (number(1), "农一", "2026-05-04", 1),             # row 8: same trainee and day as row 2
    ])
    result = record_attendance_sheet(institution_user, training, "考勤.xlsx", data)
    assert not result.accepted and result.recorded == 0
    found = {(problem.row, problem.column.split(" ")[0]) for problem in result.problems}
    assert found == {(3, "身份证号"), (4, "身份证号"), (5, "姓名"), (6, "日期"), (7, "出勤"), (8, "身份证号")}
    assert any("第2行" in problem.zh for problem in result.problems if problem.row == 8)
    assert not AttendanceRecord.objects.exists()


def test_a_wrong_header_refuses_the_file(training, trainees, institution_user) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="表头"):
        record_attendance_sheet(institution_user, training, "考勤.xlsx", sheet([], headers=("姓名", "日期")))


@pytest.mark.parametrize("who", ["liuzhou_official", "enterprise_user", "province_official"])
def test_others_cannot_upload_attendance(request, training, trainees, who) -> None:
    with pytest.raises(PermissionDenied):
        record_attendance_sheet(request.getfixturevalue(who), training, "考勤.xlsx",
                                sheet([(number(1), "农一", "2026-05-04", 2)]))


def test_the_page_upload_shows_bad_rows_and_records_nothing(login, training, trainees, institution_user) -> None:
    client = login(Client(), institution_user)
    bad = sheet([(number(1), "农一", "2026-05-04", 2), (number(2), "农二", "2026-07-01", 2)])
    answer = client.post(f"/classes/{training.pk}/attendance/upload/", {"file": SimpleUploadedFile("考勤.xlsx", bad)})
    page = answer.content.decode()
    assert answer.status_code == 422 and 'data-testid="attendance-problems"' in page and "不在培训期" in page
    assert not AttendanceRecord.objects.exists()
    good = sheet([(number(1), "农一", "2026-05-04", 2), (number(2), "农二", "2026-05-04", 2)])
    answer = client.post(f"/classes/{training.pk}/attendance/upload/", {"file": SimpleUploadedFile("考勤.xlsx", good)})
    assert answer.status_code == 302 and AttendanceRecord.objects.count() == 2


def test_another_city_cannot_upload_on_the_page(login, training, trainees, liuzhou_official) -> None:
    answer = login(Client(), liuzhou_official).post(
        f"/classes/{training.pk}/attendance/upload/",
        {"file": SimpleUploadedFile("考勤.xlsx", sheet([(number(1), "农一", "2026-05-04", 2)]))})
    assert answer.status_code == 404 and not AttendanceRecord.objects.exists()


def test_the_api_upload(training, trainees, institution_user, liuzhou_official) -> None:
    good = sheet([(number(1), "农一", "2026-05-04", 2)])
    path = f"/classes/{training.pk}/attendance/upload"
    assert Api(liuzhou_official).upload(path, "考勤.xlsx", good).status_code == 404
    school = Api(institution_user)
    bad = school.upload(path, "考勤.xlsx", sheet([(number(1), "农一", "2026-05-09", 2)]))
    assert bad.status_code == 422 and bad.json()["details"][0]["row"] == 2 and "日期" in bad.json()["details"][0]["column"]
    answer = school.upload(path, "考勤.xlsx", good)
    assert answer.status_code == 200 and answer.json() == {"rows": 1, "recorded": 1}
    assert school.get("/imports/attendance-template").content[:2] == b"PK"
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for documented in ("/api/v1/classes/{class_id}/attendance/upload", "/api/v1/classes/{class_id}/enrolments/check",
                       "/api/v1/imports/attendance-template", "/api/v1/classes/{class_id}/roster"):
        assert documented in paths, documented


@pytest.mark.usefixtures("roster_open")
def test_the_prediction_through_the_api(training, institution_user, liuzhou_official) -> None:
    body = {"id_number": number(5), "name": "农五", "category": "other"}
    path = f"/classes/{training.pk}/enrolments/check"
    assert Api(liuzhou_official).post(path, body).status_code == 404
    answer = Api(institution_user).post(path, body)
    assert answer.status_code == 200, answer.json()
    assert answer.json()["summary_zh"] == "这将是农五的第1次补贴性培训" and answer.json()["eligible"] is True
