"""What the rules read is recorded at enrolment with its evidence, the same way on every path in: the
enrol-one service and page, the API, and the roster .xlsx (2.1a category evidence, 5.3 unemployment
benefit, 3.3 business licence, 3.4e link to the applicant)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from stdnum.cn import uscc

from qiancheng.catalog.vocabulary import ApplicantRelation, TrainingType
from qiancheng.clock import frozen_at
from qiancheng.people.identity import id_number_check_character
from qiancheng.training.models import ClassStatus, Enrolment, ImportStatus, TrainingClass
from qiancheng.training.services import roster_file
from qiancheng.training.services.enrolment import enrol_person, preview_enrolment
from qiancheng.training.services.evidence import EnrolmentEvidence
from qiancheng.training.services.roster_file import BASIC_HEADERS, read_roster, roster_template
from qiancheng.training.services.roster_import import apply_roster, receive_roster
from qiancheng.training.tests import builders
from qiancheng.training.tests.rosters import roster_xlsx
from qiancheng.training.tests.test_api import Api

pytestmark = pytest.mark.django_db

TODAY = date(2026, 5, 5)  # the classes below run 2026-05-04 to 2026-05-29
BENEFIT = EnrolmentEvidence(receiving_unemployment_benefit=True, benefit_evidence="失业保险金核定通知书 南人社失〔2026〕0123号",
                            benefit_evidence_date=date(2026, 3, 1))


def business_licence_uscc(serial: int) -> str:
    """A USCC that stdnum accepts (market regulation 9, enterprise 1, registered in 南宁 450100)."""
    first17 = f"91450100{serial:07d}77"[:17]
    return first17 + uscc.calc_check_digit(first17)


def number(serial: int) -> str:
    first17 = f"45010219920202{serial:03d}"
    return first17 + id_number_check_character(first17)


@pytest.fixture(autouse=True)
def programme_day() -> Iterator[date]:
    with frozen_at(TODAY) as day:
        yield day


@pytest.fixture
def training(persona_institution) -> TrainingClass:
    return builders.training_class(institution=persona_institution, status=ClassStatus.APPROVED,
                                   start_date=date(2026, 5, 4), end_date=date(2026, 5, 29))


def enrol(user: Any, training: TrainingClass, serial: int, evidence: EnrolmentEvidence, **fields: Any) -> Enrolment:
    return enrol_person(user, training, id_number=number(serial), name="韦一", category="registered_unemployed",
                        evidence=evidence, **fields)


def messages_of(refusal: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(refusal.value.messages)


# ---------------------------------------------------------------- the service (the page and the API call it)

def test_benefit_and_category_evidence_are_kept_on_the_enrolment(training, institution_user) -> None:
    evidence = EnrolmentEvidence(category_evidence="失业登记证 4501002026000123", category_evidence_date=date(2026, 2, 1),
                                 receiving_unemployment_benefit=True, benefit_evidence=BENEFIT.benefit_evidence,
                                 benefit_evidence_date=date(2026, 3, 1))
    enrolment = enrol(institution_user, training, 1, evidence)
    enrolment.refresh_from_db()
    assert enrolment.receiving_unemployment_benefit and enrolment.benefit_evidence_date == date(2026, 3, 1)
    assert enrolment.category_evidence == "失业登记证 4501002026000123"
    assert enrolment.category_evidence_date == date(2026, 2, 1)


def test_benefit_without_its_evidence_is_refused_naming_each_field(training, institution_user) -> None:
    with pytest.raises(ValidationError) as refusal:
        enrol(institution_user, training, 2, EnrolmentEvidence(receiving_unemployment_benefit=True))
    text = messages_of(refusal)
    assert "失业保险金证明（种类及编号）：须填写" in text and "unemployment-benefit evidence (kind and number): required" in text
    assert "失业保险金证明日期：须填写" in text and "unemployment-benefit evidence date: required" in text
    assert not Enrolment.objects.filter(training_class=training).exists()


def test_evidence_dated_after_today_is_refused(training, institution_user) -> None:
    with pytest.raises(ValidationError) as refusal:
        enrol(institution_user, training, 3, EnrolmentEvidence(
            receiving_unemployment_benefit=True, benefit_evidence="核定通知 1", benefit_evidence_date=date(2026, 5, 6)))
    assert "晚于今天" in messages_of(refusal) and "after today" in messages_of(refusal)
    # Dated today is fine: the boundary day itself is not "after".
    enrol(institution_user, training, 3, EnrolmentEvidence(
        receiving_unemployment_benefit=True, benefit_evidence="核定通知 1", benefit_evidence_date=TODAY))


def test_a_business_licence_is_its_valid_uscc_and_its_date_of_issue(training, institution_user) -> None:
    good = business_licence_uscc(1)
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationError) as refusal:
        enrol(institution_user, training, 4, EnrolmentEvidence(business_licence_uscc=wrong_check,
                                                                business_licence_issued_on=date(2025, 1, 2)))
    assert "营业执照统一社会信用代码：统一社会信用代码校验位错误" in messages_of(refusal)
    with pytest.raises(ValidationError) as refusal:
        enrol(institution_user, training, 4, EnrolmentEvidence(business_licence_uscc=good))
    assert "营业执照发证日期：须填写" in messages_of(refusal) and "business licence date of issue" in messages_of(refusal)
    spaced = f" {good[:6]} {good[6:].lower()} "  # typed with spaces and in lower case
    enrolment = enrol(institution_user, training, 4, EnrolmentEvidence(business_licence_uscc=spaced,
                                                                        business_licence_issued_on=date(2025, 1, 2)))
    assert (enrolment.business_licence_uscc, enrolment.business_licence_issued_on) == (good, date(2025, 1, 2))


def test_relation_evidence_is_kept_for_project_classes_only(persona_institution, training, institution_user) -> None:
    project_class = builders.training_class(
        institution=persona_institution, status=ClassStatus.APPROVED, training_type=TrainingType.PROJECT,
        project=builders.project(chosen_institution=persona_institution, choice_reason="实训条件最好"),
        start_date=date(2026, 5, 4),
        end_date=date(2026, 5, 29))
    contract = EnrolmentEvidence(relation_evidence="劳动合同 HT-2026-0456", relation_evidence_date=date(2026, 4, 1))
    hired = enrol(institution_user, project_class, 5, contract, relation=ApplicantRelation.EMPLOYEE)
    assert (hired.relation_evidence, hired.relation_evidence_date) == ("劳动合同 HT-2026-0456", date(2026, 4, 1))
    other = enrol(institution_user, training, 6, contract)
    assert (other.relation_evidence, other.relation_evidence_date) == ("", None)


def test_the_prediction_reads_the_licence_for_iyb(persona_institution, institution_user) -> None:
    iyb = builders.training_class(institution=persona_institution, status=ClassStatus.APPROVED,
                                  training_type=TrainingType.ENTREPRENEURSHIP, course_kind=builders.course_kind("IYB"),
                                  class_hours=40, start_date=date(2026, 5, 4), end_date=date(2026, 5, 29))
    person = {"id_number": number(20), "name": "韦五", "category": "other"}
    without = preview_enrolment(institution_user, iyb, **person)
    assert [refusal.code for refusal in without.refusals] == ["3.3"]
    licence = EnrolmentEvidence(business_licence_uscc=business_licence_uscc(20),
                                business_licence_issued_on=date(2025, 6, 1))
    assert preview_enrolment(institution_user, iyb, **person, evidence=licence).eligible
    enrolled = enrol_person(institution_user, iyb, **person, evidence=licence)
    assert enrolled.business_licence_uscc == business_licence_uscc(20)


# ---------------------------------------------------------------- the page and the API

def test_the_enrol_page_records_the_evidence(login, training, institution_user) -> None:
    client = login(Client(), institution_user)
    page = client.get(f"/classes/{training.pk}/roster/").content.decode()
    assert 'name="benefit_evidence"' in page and 'name="receiving_unemployment_benefit"' in page
    client.post(f"/classes/{training.pk}/enrol/", {
        "name": "韦二", "id_number": number(7), "category": "registered_unemployed", "receiving_unemployment_benefit": "on",
        "benefit_evidence": "失业保险金核定通知书 0007", "benefit_evidence_date": "2026-03-01",
        "category_evidence": "失业登记证 0007", "category_evidence_date": "2026-02-01"})
    enrolment = Enrolment.objects.get(training_class=training, person__name="韦二")
    assert enrolment.receiving_unemployment_benefit and enrolment.benefit_evidence == "失业保险金核定通知书 0007"
    answer = client.post(f"/classes/{training.pk}/enrol/", {
        "name": "韦三", "id_number": number(8), "category": "other", "receiving_unemployment_benefit": "on"},
        follow=True)
    assert "失业保险金证明（种类及编号）" in answer.content.decode()
    assert not Enrolment.objects.filter(training_class=training, person__name="韦三").exists()


def test_the_api_takes_and_returns_the_evidence(training, institution_user) -> None:
    api = Api(institution_user)
    body = {"id_number": number(9), "name": "韦四", "category": "other",
            "business_licence_uscc": business_licence_uscc(9), "business_licence_issued_on": "2025-06-01"}
    answer = api.post(f"/classes/{training.pk}/enrolments", body)
    assert answer.status_code == 201, answer.json()
    assert answer.json()["business_licence_uscc"] == business_licence_uscc(9)
    roster = api.get(f"/classes/{training.pk}/roster").json()
    assert roster[0]["business_licence_issued_on"] == "2025-06-01"
    bad = api.post(f"/classes/{training.pk}/enrolments", {**body, "id_number": number(10),
                                                          "business_licence_uscc": "91450100"})
    assert bad.status_code == 422 and "营业执照统一社会信用代码" in " ".join(bad.json()["details"])
    not_a_date = api.post(f"/classes/{training.pk}/enrolments", {**body, "id_number": number(10),
                                                                 "business_licence_issued_on": "yesterday"})
    assert not_a_date.status_code == 422


# ---------------------------------------------------------------- the roster .xlsx

def _row(name: str, serial: int, **evidence: str) -> list[str | None]:
    cells: list[str | None] = [name, number(serial), None, "登记失业人员", None]
    return cells + [evidence.get(field) for field in roster_file.EVIDENCE_HEADERS]


def test_the_template_carries_the_evidence_columns() -> None:
    import io

    from python_calamine import CalamineWorkbook

    header = CalamineWorkbook.from_filelike(io.BytesIO(roster_template())).get_sheet_by_index(0).to_python()[0]
    assert tuple(header) == roster_file.HEADERS
    assert {"领取失业保险金", "失业保险金证明日期", "营业执照统一社会信用代码", "关系证明"} <= set(header)


def test_a_roster_records_the_evidence_and_reports_each_bad_cell(training, institution_user) -> None:
    data = roster_xlsx([
        _row("覃一", 11, receiving_unemployment_benefit="是", benefit_evidence="核定通知 11",
             benefit_evidence_date="2026/3/1", category_evidence="失业登记证 11", category_evidence_date="2026-02-01"),
        _row("覃二", 12, receiving_unemployment_benefit="是"),
        _row("覃三", 13, receiving_unemployment_benefit="也许"),
        _row("覃四", 14, business_licence_uscc="91450100", business_licence_issued_on="2025年13月1日"),
        _row("覃五", 15, business_licence_uscc=business_licence_uscc(15), business_licence_issued_on="20250601"),
    ])
    job = receive_roster(institution_user, training, "名册.xlsx", data)
    assert (job.status, job.good_count, job.bad_count) == (ImportStatus.VALIDATED, 2, 3)
    by_row = {(problem["row"], problem["column"]): problem for problem in job.problems}
    missing = by_row[(3, "失业保险金证明日期 unemployment-benefit evidence date")]
    assert missing["zh"].startswith("须填写") and missing["en"].startswith("required")
    assert "也许" in by_row[(4, "领取失业保险金 receiving unemployment benefit")]["zh"]
    assert "2025年13月1日" in by_row[(5, "营业执照发证日期 business licence date of issue")]["zh"]
    job = apply_roster(institution_user, job)
    applied_again = apply_roster(institution_user, job)  # idempotent: nobody enrolled twice
    assert applied_again.applied_count == 2 and Enrolment.objects.filter(training_class=training).count() == 2
    first = Enrolment.objects.get(training_class=training, person__name="覃一")
    assert first.receiving_unemployment_benefit and first.benefit_evidence_date == date(2026, 3, 1)
    assert first.category_evidence_date == date(2026, 2, 1)
    licensed = Enrolment.objects.get(training_class=training, person__name="覃五")
    assert (licensed.business_licence_uscc, licensed.business_licence_issued_on) == (
        business_licence_uscc(15), date(2025, 6, 1))


def test_a_roster_of_the_older_template_is_still_read() -> None:
    rows = read_roster(roster_xlsx([["覃六", number(16), None, "其他", None]], headers=BASIC_HEADERS))
    assert len(rows) == 1 and not any(rows[0].evidence.values())
    typed_beyond = roster_xlsx([["覃六", number(16), None, "其他", None, "是"]], headers=BASIC_HEADERS)
    with pytest.raises(ValidationError, match="表头应为"):
        read_roster(typed_beyond)
