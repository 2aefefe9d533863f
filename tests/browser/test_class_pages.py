"""Through a real browser: an institution applies to open a class, 南宁's official approves it, the institution
uploads a roster with two bad rows, sees both with their reasons, applies the good rows and records one
session of attendance.

The browser, the page and the sign-in step come from tests/browser/conftest.py.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.clock import today
from qiancheng.people.identity import id_number_check_character
from qiancheng.providers.models import InstitutionScope
from qiancheng.training.models import AttendanceRecord, ClassStatus, Enrolment, TrainingClass
from qiancheng.training.tests import builders
from qiancheng.training.tests.rosters import roster_xlsx

pytestmark = pytest.mark.browser

IMPORT_SCREENSHOT = Path("/tmp/qiancheng-class-import.png")
CLASS_SCREENSHOT = Path("/tmp/qiancheng-class-page.png")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def number(serial: int) -> str:
    first17 = f"45010219970707{serial:03d}"
    return first17 + id_number_check_character(first17)


def roster_with_two_bad_rows() -> bytes:
    wrong_check = number(2)[:17] + ("0" if number(2)[-1] != "0" else "1")
    return roster_xlsx([
        ("莫一", number(1), "13800138001", "其他", None),
        ("莫二", wrong_check, None, "其他", None),
        ("莫三", number(3), None, "外星人", None),
        ("莫四", number(4), None, "其他", None),
    ])


def sign_out(page) -> None:
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state()


def test_apply_approve_import_and_record_attendance(page, sign_in, live_server, persona_password,
                                                     institution_user, nanning_official) -> None:
    occupation = builders.occupation()
    InstitutionScope.objects.create(institution=institution_user.institution, training_type=TrainingType.OCCUPATIONAL,
                                    occupation=occupation, max_level=3)
    start = today() + timedelta(days=7)

    # The institution applies.
    sign_in(page, institution_user.username, persona_password)
    page.goto(f"{live_server.url}/classes/new/")
    page.get_by_label("班级名称").fill("人工智能训练师四级浏览器班")
    page.get_by_label("培训类型").select_option("occupational")
    page.get_by_label("职业（工种）").select_option(occupation.code)
    page.get_by_label("技能等级").select_option("4")
    page.get_by_label("开班日期").fill(start.isoformat())
    page.get_by_label("结业日期").fill((start + timedelta(days=20)).isoformat())
    page.get_by_label("课时").fill("80")
    page.get_by_label("政府补贴部分（元）").fill("1200")
    with page.expect_navigation():
        page.get_by_test_id("submit-class").click()
    assert page.get_by_test_id("class-status").inner_text() == "待审核"
    training = TrainingClass.objects.get(name="人工智能训练师四级浏览器班")
    sign_out(page)

    # 南宁's official approves it from the queue.
    sign_in(page, nanning_official.username, persona_password)
    page.goto(f"{live_server.url}/classes/queue/")
    page.get_by_test_id("queue-class").filter(has_text="人工智能训练师四级浏览器班").click()
    with page.expect_navigation():
        page.get_by_test_id("approve-class").click()
    assert page.get_by_test_id("class-status").inner_text() == "已批准"
    sign_out(page)

    # The institution uploads a roster with two bad rows and sees both, with their reasons.
    sign_in(page, institution_user.username, persona_password)
    page.goto(f"{live_server.url}/classes/{training.pk}/roster/")
    page.get_by_test_id("roster-file").set_input_files(
        {"name": "名册.xlsx", "mimeType": XLSX, "buffer": roster_with_two_bad_rows()})
    with page.expect_navigation():
        page.get_by_test_id("roster-upload").click()
    bad_rows = page.get_by_test_id("bad-row")
    assert bad_rows.count() == 2
    assert "校验位" in bad_rows.nth(0).inner_text() and "3" in bad_rows.nth(0).inner_text()
    assert "人员类别“外星人”无效" in bad_rows.nth(1).inner_text()
    assert page.get_by_test_id("good-count").inner_text() == "2"
    page.screenshot(path=str(IMPORT_SCREENSHOT), full_page=True)
    with page.expect_navigation():
        page.get_by_test_id("apply-import").click()
    assert "已导入：2 人新入册" in page.get_by_test_id("progress-line").inner_text()
    assert sorted(Enrolment.objects.filter(training_class=training).values_list("person__name", flat=True)) == [
        "莫一", "莫四"]

    # One session of attendance, everyone present by default.
    page.goto(f"{live_server.url}/classes/{training.pk}/attendance/")
    with page.expect_navigation():
        page.get_by_test_id("record-session").click()
    assert "的考勤" in page.locator(".messages").inner_text()
    assert AttendanceRecord.objects.filter(enrolment__training_class=training, present=True).count() == 2
    assert page.get_by_test_id("attendance-rate").count() == 2
    assert "local practice" in page.get_by_test_id("threshold-note").inner_text()
    assert TrainingClass.objects.get(pk=training.pk).status == ClassStatus.APPROVED

    # One more trainee by hand, on the roster tab: the engine's prediction shows (HTMX) before the enrolment is made.
    page.goto(f"{live_server.url}/classes/{training.pk}/roster/")
    page.get_by_test_id("enrol-name").fill("莫五")
    page.get_by_test_id("enrol-id-number").fill(number(5))
    page.get_by_test_id("enrol-check").click()
    assert page.get_by_test_id("prediction-summary").inner_text() == "这将是莫五的第1次补贴性培训"
    assert not Enrolment.objects.filter(person__name="莫五").exists()
    with page.expect_navigation():
        page.get_by_test_id("enrol-submit").click()
    assert Enrolment.objects.filter(training_class=training, person__name="莫五").exists()
    page.screenshot(path=str(CLASS_SCREENSHOT), full_page=True)
