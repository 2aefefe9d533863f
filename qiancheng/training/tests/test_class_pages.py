"""The class pages: list, apply, the city's queue and review, the class page with its roster, enrolment with
the engine's prediction (HTMX), roster import jobs and attendance; each for the right role (200), the wrong
role (403) and another city (404), every POST changing state through its service."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from qiancheng.accounts.models import AuditEntry
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.clock import today
from qiancheng.people.identity import id_number_check_character
from qiancheng.providers.models import InstitutionScope
from qiancheng.training.models import (
    AttendanceRecord,
    ClassStatus,
    Enrolment,
    ImportJob,
    ImportStatus,
    TrainingClass,
)
from qiancheng.training.services.roster_import import receive_roster
from qiancheng.training.tests import builders
from qiancheng.training.tests.rosters import roster_xlsx
from qiancheng.training.tests.test_class_services import teacher
from qiancheng.web.queues import queues_for

pytestmark = pytest.mark.django_db


def number(serial: int, birth: str = "19940404") -> str:
    first17 = f"450102{birth}{serial:03d}"
    return first17 + id_number_check_character(first17)


@pytest.fixture
def school(persona_institution):
    InstitutionScope.objects.create(institution=persona_institution, training_type=TrainingType.OCCUPATIONAL,
                                    occupation=builders.occupation(), max_level=3)
    InstitutionScope.objects.create(institution=persona_institution, training_type=TrainingType.SPECIAL_ABILITY,
                                    item=builders.item())
    return persona_institution


@pytest.fixture
def running(persona_institution) -> TrainingClass:
    return builders.training_class(institution=persona_institution, status=ClassStatus.IN_PROGRESS, class_hours=10,
                                   start_date=date(2026, 5, 4), end_date=date(2026, 5, 8), name="电工五级班")


@pytest.fixture
def submitted(persona_institution) -> TrainingClass:
    start = today() + timedelta(days=30)
    training = builders.training_class(institution=persona_institution, status=ClassStatus.SUBMITTED,
                                       start_date=start, end_date=start + timedelta(days=20), name="待审核班")
    # Submitted three days before the programme's today (the queue counts days on the programme clock).
    three_days_ago = timezone.make_aware(datetime.combine(today() - timedelta(days=3), time(9)))
    TrainingClass.objects.filter(pk=training.pk).update(submitted_at=three_days_ago)
    return training


def signed_in(login: Any, user: Any) -> Client:
    return login(Client(), user)


def form_body(**changes: Any) -> dict[str, Any]:
    start = today() + timedelta(days=30)
    body = {"name": "人工智能训练师四级班", "training_type": "occupational", "occupation": builders.occupation().code,
            "level": "4", "start_date": start.isoformat(), "end_date": (start + timedelta(days=25)).isoformat(),
            "class_hours": "120", "teaching_plan": "理论40课时，实操80课时", "venue": "南宁市青秀区实训楼3层",
            "assessment_plan": "理论+实操考核", "cost_government": "1200.00", "cost_enterprise": "0",
            "cost_individual": "300.00"}
    body.update(changes)
    return body


# ---------------------------------------------------------------- list

def test_each_side_lists_only_its_own_classes(login, running, nanning_official, liuzhou_official,
                                              institution_user, province_official) -> None:
    other = builders.training_class(city=builders.city("450200", "柳州市"),
                                    institution=builders.institution(city=builders.city("450200", "柳州市")),
                                    name="柳州焊工班")
    for user, shown, hidden in ((institution_user, "电工五级班", "柳州焊工班"), (nanning_official, "电工五级班", "柳州焊工班"),
                                (liuzhou_official, "柳州焊工班", "电工五级班")):
        page = signed_in(login, user).get("/classes/").content.decode()
        assert shown in page and hidden not in page, user
    everything = signed_in(login, province_official).get("/classes/").content.decode()
    assert "电工五级班" in everything and other.name in everything


def test_the_list_filters_by_status(login, running, submitted, nanning_official) -> None:
    page = signed_in(login, nanning_official).get("/classes/?status=submitted").content.decode()
    assert "待审核班" in page and "电工五级班" not in page


@pytest.mark.parametrize("who", ["enterprise_user", "trainee_user"])
def test_other_roles_cannot_open_the_list(request, login, who) -> None:
    assert signed_in(login, request.getfixturevalue(who)).get("/classes/").status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in() -> None:
    assert Client().get("/classes/").status_code == 302


# ---------------------------------------------------------------- apply

def test_the_institution_applies_through_the_form(login, school, institution_user) -> None:
    own = teacher(school)
    client = signed_in(login, institution_user)
    page = client.get("/classes/new/")
    assert page.status_code == 200 and own.name in page.content.decode()
    answer = client.post("/classes/new/", form_body(teachers=[own.pk]))
    training = TrainingClass.objects.get(name="人工智能训练师四级班")
    assert answer.status_code == 302 and answer["Location"] == f"/classes/{training.pk}/"
    assert training.status == ClassStatus.SUBMITTED and training.cost_total == Decimal("1500.00")
    assert list(training.teachers.all()) == [own]
    assert AuditEntry.objects.filter(action="class.submitted", target_pk=str(training.pk)).exists()


def test_a_special_ability_class_under_28_hours_is_refused_on_the_form(login, school, institution_user) -> None:
    body = form_body(training_type="special_ability", item=builders.item().code, class_hours="27", occupation="",
                     level="")
    answer = signed_in(login, institution_user).post("/classes/new/", body)
    assert answer.status_code == 200
    assert "专项职业能力培训不少于28课时" in answer.content.decode()
    assert not TrainingClass.objects.exists()


def test_a_level_the_occupation_lacks_is_refused_on_the_form(login, school, institution_user) -> None:
    occupation = builders.occupation()
    occupation.levels = "54"
    occupation.save()
    answer = signed_in(login, institution_user).post("/classes/new/", form_body(level="3"))
    assert answer.status_code == 200 and "没有3级" in answer.content.decode()
    assert not TrainingClass.objects.exists()


@pytest.mark.parametrize("who", ["nanning_official", "province_official", "enterprise_user"])
def test_only_an_institution_applies(request, login, who) -> None:
    assert signed_in(login, request.getfixturevalue(who)).get("/classes/new/").status_code == 403


# ---------------------------------------------------------------- queue and review

def test_the_queue_shows_how_long_each_class_waited(login, submitted, nanning_official, liuzhou_official) -> None:
    page = signed_in(login, nanning_official).get("/classes/queue/")
    assert page.status_code == 200 and "待审核班" in page.content.decode()
    assert '<td class="num" data-testid="waited-days">3</td>' in page.content.decode()
    assert "待审核班" not in signed_in(login, liuzhou_official).get("/classes/queue/").content.decode()
    state = next(queue for queue in queues_for(nanning_official) if queue.key == "classes")
    assert (state.count, state.oldest_days, state.url) == (1, 3, "/classes/queue/")


def test_the_institution_has_no_queue(login, institution_user) -> None:
    assert signed_in(login, institution_user).get("/classes/queue/").status_code == 403


def test_the_city_approves_on_the_class_page(login, submitted, nanning_official) -> None:
    client = signed_in(login, nanning_official)
    assert 'data-testid="approve-class"' in client.get(f"/classes/{submitted.pk}/").content.decode()
    client.post(f"/classes/{submitted.pk}/approve/")
    assert TrainingClass.objects.get(pk=submitted.pk).status == ClassStatus.APPROVED


def test_the_city_refuses_with_a_reason_only(login, submitted, nanning_official) -> None:
    client = signed_in(login, nanning_official)
    client.post(f"/classes/{submitted.pk}/refuse/", {"reason": ""})
    assert TrainingClass.objects.get(pk=submitted.pk).status == ClassStatus.SUBMITTED
    client.post(f"/classes/{submitted.pk}/refuse/", {"reason": "场地不符合要求"})
    refused = TrainingClass.objects.get(pk=submitted.pk)
    assert (refused.status, refused.review_note) == (ClassStatus.REFUSED, "场地不符合要求")


def test_the_institution_cannot_approve_its_own_class(login, submitted, institution_user) -> None:
    client = signed_in(login, institution_user)
    assert 'data-testid="approve-class"' not in client.get(f"/classes/{submitted.pk}/").content.decode()
    assert client.post(f"/classes/{submitted.pk}/approve/").status_code == 403
    assert TrainingClass.objects.get(pk=submitted.pk).status == ClassStatus.SUBMITTED


def test_another_city_gets_404_for_the_class_and_its_actions(login, submitted, liuzhou_official) -> None:
    client = signed_in(login, liuzhou_official)
    for path in ("", "approve/", "refuse/", "enrol/check/", "enrol/", "roster/", "attendance/", "attendance/upload/"):
        answer = client.get(f"/classes/{submitted.pk}/{path}") if not path else client.post(
            f"/classes/{submitted.pk}/{path}", {"reason": "x"})
        assert answer.status_code == 404, path
    assert TrainingClass.objects.get(pk=submitted.pk).status == ClassStatus.SUBMITTED


# ---------------------------------------------------------------- class page, roster, enrolment

def test_the_class_page_shows_the_roster_rates_and_the_threshold(login, running, institution_user) -> None:
    one = builders.enrolment(running, builders.person(id_number=number(1), name="韦一"), enrolled_on=date(2026, 5, 4))
    builders.enrolment(running, builders.person(id_number=number(2), name="韦二"), enrolled_on=date(2026, 5, 4))
    AttendanceRecord.objects.create(enrolment=one, person=one.person, session_date=date(2026, 5, 4), present=True,
                                    hours=Decimal("8"))
    client = signed_in(login, institution_user)
    roster = client.get(f"/classes/{running.pk}/roster/").content.decode()
    assert "韦一" in roster and "韦二" in roster and number(1) not in roster and one.person.id_number_masked in roster
    page = client.get(f"/classes/{running.pk}/attendance/").content.decode()
    assert "韦一" in page and number(1) not in page and one.person.id_number_masked in page
    assert "80%" in page and "local practice" in page and "2025-01-01" in page
    assert page.count('data-testid="below-threshold"') == 1  # 韦二 0%; 韦一 80% meets it


@pytest.mark.usefixtures("roster_open")
def test_the_check_shows_the_engines_prediction_before_enrolling(login, running, institution_user) -> None:
    person = builders.person(id_number=number(3), name="张三")
    earlier = builders.training_class(status=ClassStatus.FINISHED, start_date=date(2025, 3, 3),
                                      end_date=date(2025, 3, 28), occupation=builders.occupation("6-20-01-01", "电工"))
    builders.subsidy_claim(builders.enrolment(earlier, person, enrolled_on=date(2025, 3, 3)), "GX2025000001")
    answer = signed_in(login, institution_user).post(
        f"/classes/{running.pk}/enrol/check/", {"name": "张三", "id_number": number(3), "category": "other"},
        HTTP_HX_REQUEST="true")
    body = answer.content.decode()
    assert answer.status_code == 200 and "<html" not in body
    assert "这将是张三的第2次补贴性培训；2025年度已享受" in body
    assert not Enrolment.objects.filter(training_class=running).exists()


@pytest.mark.usefixtures("roster_open")
def test_a_second_training_in_one_year_is_predicted_refused(login, running, institution_user) -> None:
    person = builders.person(id_number=number(4), name="李四")
    earlier = builders.training_class(status=ClassStatus.FINISHED, start_date=date(2026, 3, 2),
                                      end_date=date(2026, 3, 27), occupation=builders.occupation("6-20-01-01", "电工"))
    builders.enrolment(earlier, person, enrolled_on=date(2026, 3, 2))
    body = signed_in(login, institution_user).post(
        f"/classes/{running.pk}/enrol/check/", {"name": "李四", "id_number": number(4), "category": "other"}).content.decode()
    assert "第2次补贴性培训；2026年度已享受" in body and "第3.5条" in body and "不能报名" in body


@pytest.mark.usefixtures("roster_open")
def test_the_check_reports_a_wrong_id_number(login, running, institution_user) -> None:
    body = signed_in(login, institution_user).post(
        f"/classes/{running.pk}/enrol/check/",
        {"name": "王五", "id_number": number(5)[:17] + "0", "category": "other"}).content.decode()
    assert "校验位" in body


@pytest.mark.usefixtures("roster_open")
def test_a_trainee_is_enrolled_from_the_page(login, running, institution_user) -> None:
    client = signed_in(login, institution_user)
    client.post(f"/classes/{running.pk}/enrol/", {"name": "黄六", "id_number": number(6), "category": "other"})
    assert Enrolment.objects.filter(training_class=running, person__name="黄六").exists()
    assert "黄六" in client.get(f"/classes/{running.pk}/").content.decode()


@pytest.mark.usefixtures("roster_open")
def test_a_refused_enrolment_shows_the_reason(login, running, institution_user) -> None:
    person = builders.person(id_number=number(7), name="蒙七")
    earlier = builders.training_class(status=ClassStatus.FINISHED, start_date=date(2026, 3, 2),
                                      end_date=date(2026, 3, 27), occupation=builders.occupation("6-20-01-01", "电工"))
    builders.enrolment(earlier, person, enrolled_on=date(2026, 3, 2))
    answer = signed_in(login, institution_user).post(
        f"/classes/{running.pk}/enrol/", {"name": "蒙七", "id_number": number(7), "category": "other"}, follow=True)
    assert "第3.5条" in answer.content.decode()
    assert not Enrolment.objects.filter(training_class=running).exists()


@pytest.mark.parametrize("who", ["province_official", "enterprise_user"])
def test_a_wrong_role_cannot_enrol(request, login, running, who) -> None:
    answer = signed_in(login, request.getfixturevalue(who)).post(
        f"/classes/{running.pk}/enrol/", {"name": "黄八", "id_number": number(8), "category": "other"})
    assert answer.status_code in (403, 404)
    assert not Enrolment.objects.filter(training_class=running).exists()


def test_the_province_reads_the_class_but_cannot_enrol(login, running, province_official) -> None:
    client = signed_in(login, province_official)
    page = client.get(f"/classes/{running.pk}/").content.decode()
    assert "电工五级班" in page and 'data-testid="enrol-form"' not in page
    answer = client.post(f"/classes/{running.pk}/enrol/", {"name": "黄九", "id_number": number(9), "category": "other"})
    assert answer.status_code == 403


# ---------------------------------------------------------------- roster import

def roster_with_two_bad_rows() -> bytes:
    return roster_xlsx([
        ("覃一", number(11), "13800138001", "其他", None),
        ("覃二", number(12)[:17] + ("0" if number(12)[-1] != "0" else "1"), None, "其他", None),
        ("覃三", number(13), None, "外星人", None),
        ("覃四", number(14), None, "其他", None),
    ])


@pytest.mark.usefixtures("roster_open")
def test_an_uploaded_roster_becomes_a_job_with_its_bad_rows(login, running, institution_user) -> None:
    client = signed_in(login, institution_user)
    answer = client.post(f"/classes/{running.pk}/roster/",
                         {"file": SimpleUploadedFile("名册.xlsx", roster_with_two_bad_rows())})
    job = ImportJob.objects.get(training_class=running)
    assert answer.status_code == 302 and answer["Location"] == f"/classes/imports/{job.pk}/"
    page = client.get(f"/classes/imports/{job.pk}/").content.decode()
    assert (job.status, job.good_count, job.bad_count) == (ImportStatus.VALIDATED, 2, 2)
    assert page.count('data-testid="bad-row"') == 2
    assert "校验位" in page and "人员类别“外星人”无效" in page and "导入有效行" in page
    assert 'hx-trigger="every 1s"' not in page  # validated: nothing left to poll
    assert not Enrolment.objects.filter(training_class=running).exists()


def test_the_progress_partial_polls_while_the_job_is_received(login, running, institution_user) -> None:
    job = ImportJob.objects.create(training_class=running, uploaded_by=institution_user, file_name="名册.xlsx",
                                   file_sha256="0" * 64)
    answer = signed_in(login, institution_user).get(f"/classes/imports/{job.pk}/", HTTP_HX_REQUEST="true")
    body = answer.content.decode()
    assert "<html" not in body and 'hx-trigger="every 1s"' in body and "已接收，校验中" in body


@pytest.mark.usefixtures("roster_open")
def test_the_institution_applies_the_good_rows(login, running, institution_user) -> None:
    job = receive_roster(institution_user, running, "名册.xlsx", roster_with_two_bad_rows())
    client = signed_in(login, institution_user)
    client.post(f"/classes/imports/{job.pk}/apply/")
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.APPLIED
    assert sorted(Enrolment.objects.filter(training_class=running).values_list("person__name", flat=True)) == [
        "覃一", "覃四"]
    page = client.get(f"/classes/imports/{job.pk}/").content.decode()
    assert "已导入：2 人新入册" in page and 'data-testid="apply-import"' not in page


@pytest.mark.usefixtures("roster_open")
def test_the_city_discards_a_roster(login, running, institution_user, nanning_official) -> None:
    job = receive_roster(institution_user, running, "名册.xlsx", roster_with_two_bad_rows())
    signed_in(login, nanning_official).post(f"/classes/imports/{job.pk}/discard/", {"reason": "重复上传"})
    job.refresh_from_db()
    assert (job.status, job.rejection_reason) == (ImportStatus.REJECTED, "重复上传")


@pytest.mark.usefixtures("roster_open")
def test_another_city_gets_404_for_the_job(login, running, institution_user, liuzhou_official) -> None:
    job = receive_roster(institution_user, running, "名册.xlsx", roster_with_two_bad_rows())
    client = signed_in(login, liuzhou_official)
    assert client.get(f"/classes/imports/{job.pk}/").status_code == 404
    assert client.post(f"/classes/imports/{job.pk}/apply/").status_code == 404
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.VALIDATED


@pytest.mark.usefixtures("roster_open")
def test_the_province_cannot_apply(login, running, institution_user, province_official) -> None:
    job = receive_roster(institution_user, running, "名册.xlsx", roster_with_two_bad_rows())
    assert signed_in(login, province_official).post(f"/classes/imports/{job.pk}/apply/").status_code == 403
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.VALIDATED


def test_the_templates_download(login, institution_user) -> None:
    client = signed_in(login, institution_user)
    for path in ("/classes/roster-template.xlsx", "/classes/attendance-template.xlsx"):
        answer = client.get(path)
        assert answer.status_code == 200 and answer.content[:2] == b"PK", path


# ---------------------------------------------------------------- attendance

def test_a_session_is_recorded_with_a_checkbox_per_trainee(login, running, institution_user) -> None:
    one = builders.enrolment(running, builders.person(id_number=number(21), name="陆一"), enrolled_on=date(2026, 5, 4))
    two = builders.enrolment(running, builders.person(id_number=number(22), name="陆二"), enrolled_on=date(2026, 5, 4))
    client = signed_in(login, institution_user)
    page = client.get(f"/classes/{running.pk}/attendance/").content.decode()
    assert f'value="{one.pk}" checked' in page and f'value="{two.pk}" checked' in page
    client.post(f"/classes/{running.pk}/attendance/", {"session_date": "2026-05-04", "hours": "8",
                                                      "present": [str(one.pk)]})
    marks = dict(AttendanceRecord.objects.values_list("enrolment_id", "present"))
    assert marks == {one.pk: True, two.pk: False}
    page = client.get(f"/classes/{running.pk}/attendance/").content.decode()
    assert "80%" in page and page.count('data-testid="below-threshold"') == 1


def test_a_session_outside_the_dates_is_refused(login, running, institution_user) -> None:
    one = builders.enrolment(running, builders.person(id_number=number(23), name="陆三"), enrolled_on=date(2026, 5, 4))
    answer = signed_in(login, institution_user).post(
        f"/classes/{running.pk}/attendance/", {"session_date": "2026-06-01", "hours": "8", "present": [str(one.pk)]},
        follow=True)
    assert "不在培训期内" in answer.content.decode() and not AttendanceRecord.objects.exists()


def test_the_pages_read_in_english_too(login, running, institution_user) -> None:
    client = signed_in(login, institution_user)
    client.cookies["django_language"] = "en"
    listed = client.get("/classes/").content.decode()
    assert "Apply to open a class" in listed and "申请开班" not in listed
    assert "Real-name roster" in client.get(f"/classes/{running.pk}/roster/").content.decode()
    page = client.get(f"/classes/{running.pk}/attendance/").content.decode()
    assert "source: 各地通行做法 local practice" in page
