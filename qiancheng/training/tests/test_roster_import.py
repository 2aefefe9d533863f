"""Roster import jobs: every bad row reported with its row, column and reason; nothing applied until the
class's institution (or its city's official) applies; applying once and only once; unsafe files refused before they are read."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qiancheng.accounts.models import AuditEntry, Role, User
from qiancheng.catalog.vocabulary import ApplicantRelation, TrainingType
from qiancheng.people import crypto
from qiancheng.people.identity import id_number_check_character
from qiancheng.people.models import Person
from qiancheng.training.models import ClassStatus, Enrolment, ImportJob, ImportStatus
from qiancheng.training.services.roster_file import read_roster, roster_template
from qiancheng.training.services.roster_import import apply_roster, discard_roster, receive_roster
from qiancheng.training.tests import builders
from qiancheng.training.tests.rosters import roster_xlsx, with_extra_part
from qiancheng.web import tabular

# Enrolment closes after a class's last day: the clock stands on a day the classes take trainees.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("roster_open")]

FILES = Path(__file__).parent / "files"
BAD_ROWS = (FILES / "roster_with_bad_rows.xlsx").read_bytes()


def number(serial: int, birth: str = "19900101") -> str:
    first17 = f"450102{birth}{serial:03d}"
    return first17 + id_number_check_character(first17)


@pytest.fixture
def training(persona_institution):
    return builders.training_class(institution=persona_institution, status=ClassStatus.APPROVED,
                                   start_date=date(2026, 5, 4), end_date=date(2026, 5, 29))


def problems_by_row(job) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for problem in job.problems:
        found.setdefault(problem["row"], set()).add(problem["code"])
    return found


def test_the_template_has_the_chinese_headers_and_no_rows() -> None:
    template = roster_template()
    tabular.check_upload("名册模板.xlsx", template)
    assert read_roster(template) == []


def test_each_bad_row_is_reported_with_row_column_and_reason(training, institution_user) -> None:
    job = receive_roster(institution_user, training, "名册.xlsx", BAD_ROWS)
    assert job.status == ImportStatus.VALIDATED
    assert (job.row_count, job.good_count, job.bad_count) == (8, 2, 6)
    assert problems_by_row(job) == {
        4: {"id_check_character"}, 5: {"id_format"}, 6: {"duplicate"}, 7: {"phone"}, 8: {"category"}, 9: {"name"},
    }
    check = next(problem for problem in job.problems if problem["row"] == 4)
    assert check["column"] == "身份证号 ID number" and "校验位" in check["zh"] and "check character" in check["en"]
    duplicate = next(problem for problem in job.problems if problem["row"] == 6)
    assert "第2行" in duplicate["zh"] and "row 2" in duplicate["en"]


def test_nothing_is_applied_and_nothing_clear_is_stored_before_the_official_applies(training, institution_user) -> None:
    job = receive_roster(institution_user, training, "名册.xlsx", BAD_ROWS)
    assert not Enrolment.objects.filter(training_class=training).exists()
    assert not Person.objects.filter(name__in=["张三", "李四"]).exists()
    stored = str(job.good_rows) + str(job.problems)
    assert number(11) not in stored and "13800138000" not in stored


def test_the_official_applies_the_good_rows_once(training, institution_user, nanning_official) -> None:
    job = receive_roster(institution_user, training, "名册.xlsx", BAD_ROWS)
    job = apply_roster(nanning_official, job)
    assert (job.status, job.applied_count) == (ImportStatus.APPLIED, 2)
    enrolled = Enrolment.objects.filter(training_class=training)
    assert sorted(enrolled.values_list("person__name", flat=True)) == ["张三", "李四"]
    zhang = Person.objects.get(person_key=crypto.person_key(number(11)))
    assert zhang.phone_masked.startswith("138") and zhang.id_number_masked.count("*") > 0
    assert apply_roster(nanning_official, job).applied_count == 2  # the second call changes nothing
    assert enrolled.count() == 2
    assert AuditEntry.objects.filter(action="roster.applied").count() == 1


def test_uploading_the_same_file_twice_adds_nobody_twice(training, institution_user, nanning_official) -> None:
    apply_roster(nanning_official, receive_roster(institution_user, training, "名册.xlsx", BAD_ROWS))
    again = apply_roster(nanning_official, receive_roster(institution_user, training, "名册(1).xlsx", BAD_ROWS))
    assert again.applied_count == 0 and again.good_count == 2
    assert Enrolment.objects.filter(training_class=training).count() == 2
    assert Person.objects.filter(person_key=crypto.person_key(number(11))).count() == 1


@pytest.mark.parametrize("who", ["liuzhou_official", "outsider", "enterprise_user", "trainee_user"])
def test_only_the_class_staff_apply(request, training, institution_user, who) -> None:
    job = receive_roster(institution_user, training, "名册.xlsx", BAD_ROWS)
    with pytest.raises(PermissionDenied):
        apply_roster(request.getfixturevalue(who), job)
    with pytest.raises(PermissionDenied):
        discard_roster(request.getfixturevalue(who), job, "不要")
    assert not Enrolment.objects.filter(training_class=training).exists()


def test_the_institution_applies_its_own_roster_after_seeing_the_bad_rows(training, institution_user) -> None:
    job = apply_roster(institution_user, receive_roster(institution_user, training, "名册.xlsx", BAD_ROWS))
    assert (job.status, job.applied_count, job.applied_by) == (ImportStatus.APPLIED, 2, institution_user)
    assert Enrolment.objects.filter(training_class=training).count() == 2


def test_another_institution_cannot_apply(training, institution_user) -> None:
    other = builders.institution()
    stranger = User.objects.create(username="other-school", role=Role.INSTITUTION, institution=other)
    job = receive_roster(institution_user, training, "名册.xlsx", BAD_ROWS)
    with pytest.raises(PermissionDenied):
        apply_roster(stranger, job)
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.VALIDATED


def test_the_institution_discards_its_own_upload(training, institution_user) -> None:
    job = discard_roster(institution_user, receive_roster(institution_user, training, "名册.xlsx", BAD_ROWS), "传错文件")
    assert (job.status, job.rejection_reason) == (ImportStatus.REJECTED, "传错文件")


@pytest.mark.parametrize("who", ["liuzhou_official", "outsider", "enterprise_user"])
def test_others_cannot_upload_to_this_class(request, training, who) -> None:
    with pytest.raises(PermissionDenied):
        receive_roster(request.getfixturevalue(who), training, "名册.xlsx", BAD_ROWS)


def test_a_discarded_roster_cannot_be_applied(training, institution_user, nanning_official) -> None:
    job = discard_roster(nanning_official, receive_roster(institution_user, training, "名册.xlsx", BAD_ROWS), "重复上传")
    assert job.status == ImportStatus.REJECTED
    with pytest.raises(ValidationError):
        apply_roster(nanning_official, job)


def test_a_trainee_in_an_overlapping_class_is_refused(training, institution_user) -> None:
    person = builders.person(id_number=number(21), name="周九")
    other = builders.training_class(status=ClassStatus.APPROVED, start_date=date(2026, 5, 25), end_date=date(2026, 6, 5))
    builders.enrolment(other, person, enrolled_on=date(2026, 5, 1))
    job = receive_roster(institution_user, training, "名册.xlsx", roster_xlsx([("周九", number(21), None, "其他", None)]))
    # The other class (same occupation and level, same year) also makes the engine predict 3.5a and 3.5c.
    assert problems_by_row(job) == {2: {"overlap", "3.5a", "3.5c"}}


def test_the_engine_predicts_a_second_training_in_the_same_year(training, institution_user) -> None:
    # 3.5a: one subsidised training a year; an earlier class of 2026 not yet claimed already counts.
    person = builders.person(id_number=number(22), name="吴十")
    earlier = builders.training_class(status=ClassStatus.FINISHED, start_date=date(2026, 3, 2),
                                      end_date=date(2026, 3, 27), occupation=builders.occupation("6-20-01-01", "电工"))
    builders.enrolment(earlier, person, enrolled_on=date(2026, 3, 2))
    rows = [("吴十", number(22), None, "其他", None), ("郑一", number(23), None, "其他", None)]
    job = receive_roster(institution_user, training, "名册.xlsx", roster_xlsx(rows))
    assert problems_by_row(job) == {2: {"3.5a"}}
    reason = job.problems[0]
    assert "第3.5条" in reason["zh"] and "predicted ineligible" in reason["en"]


def test_a_registered_number_under_another_name_is_refused(training, institution_user) -> None:
    builders.person(id_number=number(24), name="冯二")
    job = receive_roster(institution_user, training, "名册.xlsx", roster_xlsx([("冯三", number(24), None, "其他", None)]))
    assert problems_by_row(job) == {2: {"name_mismatch"}}


def test_a_project_class_takes_only_the_applicants_linked_trainees(persona_institution, institution_user,
                                                                   nanning_official) -> None:
    # 3.4e: 须为申报企业拟招用人员或在职职工
    project = builders.project(chosen_institution=persona_institution, choice_reason="实训条件最好",
                               trainee_link="employees")
    training = builders.training_class(institution=persona_institution, training_type=TrainingType.PROJECT,
                                       project=project, status=ClassStatus.APPROVED,
                                       start_date=date(2026, 5, 4), end_date=date(2026, 5, 29))
    rows = [("陈一", number(31), None, "企业职工", "本企业职工"), ("陈二", number(32), None, "其他", "拟招用人员"),
            ("陈三", number(33), None, "其他", None)]
    job = receive_roster(institution_user, training, "名册.xlsx", roster_xlsx(rows))
    assert problems_by_row(job) == {3: {"3.4e"}, 4: {"3.4e"}}
    apply_roster(nanning_official, job)
    assert Enrolment.objects.get(training_class=training).applicant_relation == ApplicantRelation.EMPLOYEE


def test_a_closed_class_takes_no_roster(institution_user, persona_institution) -> None:
    finished = builders.training_class(institution=persona_institution, status=ClassStatus.FINISHED)
    with pytest.raises(ValidationError, match="does not take trainees"):
        receive_roster(institution_user, finished, "名册.xlsx", BAD_ROWS)


# ---------------------------------------------------------------- unsafe files: rejected, never read

def rejected(training, user, name: str, data: bytes) -> str:
    job = receive_roster(user, training, name, data)
    assert job.status == ImportStatus.REJECTED and job.good_rows == [] and job.problems == []
    return job.rejection_reason


def test_a_macro_enabled_file_name_is_refused(training, institution_user) -> None:
    assert "macro" in rejected(training, institution_user, "名册.xlsm", BAD_ROWS)


def test_a_workbook_carrying_vba_is_refused(training, institution_user) -> None:
    data = with_extra_part(BAD_ROWS, "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\0" * 512)
    assert "vbaProject.bin" in rejected(training, institution_user, "名册.xlsx", data)


def test_a_zip_bomb_is_refused_from_the_zip_directory(training, institution_user) -> None:
    data = with_extra_part(BAD_ROWS, "xl/media/padding.bin", b"\0" * (30 * 1024 * 1024))
    assert len(data) < 1024 * 1024
    assert "zip bomb" in rejected(training, institution_user, "名册.xlsx", data)


def test_an_xml_entity_bomb_is_refused(training, institution_user) -> None:
    laughs = (b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
              b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">&b;</Types>')
    data = with_extra_part(BAD_ROWS, "[Content_Types].xml", laughs, replace=True)
    assert "XML" in rejected(training, institution_user, "名册.xlsx", data)


def test_a_file_over_the_size_cap_is_refused(training, institution_user, monkeypatch) -> None:
    monkeypatch.setattr(tabular, "MAX_UPLOAD_BYTES", 1024)
    assert "larger than" in rejected(training, institution_user, "名册.xlsx", BAD_ROWS)


def test_a_roster_over_the_row_cap_is_refused(training, institution_user, monkeypatch) -> None:
    monkeypatch.setattr(tabular, "MAX_ROWS", 7)
    assert "more than the 7 allowed" in rejected(training, institution_user, "名册.xlsx", BAD_ROWS)


def test_a_sheet_without_the_template_headers_is_refused(training, institution_user) -> None:
    data = roster_xlsx([("张三", number(11), None, "其他", None)], headers=("name", "id", "phone", "cat", "rel"))
    assert "姓名" in rejected(training, institution_user, "名册.xlsx", data)


def test_a_file_that_is_not_a_workbook_is_refused(training, institution_user) -> None:
    assert ".xlsx" in rejected(training, institution_user, "名册.xlsx", b"name,id\n")
