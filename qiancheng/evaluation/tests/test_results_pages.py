"""The class results page: each role, scope, recording a whole class (all or none), issuing (1b, 4.2, 3.4d)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from qiancheng.accounts.models import AuditEntry
from qiancheng.catalog.models import City
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.evaluation.models import Certificate, CertificateKind, Evaluation
from qiancheng.evaluation.services import (
    ResultEntry,
    ResultRowsRefused,
    issue_class_certificates,
    record_class_results,
)
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

EVALUATOR = "南宁市职业技能鉴定中心"


@pytest.fixture
def training(persona_institution):
    return builders.training_class(institution=persona_institution, city=persona_institution.city)


@pytest.fixture
def roster(training):
    return [builders.enrolment(training, builders.person(name=name)) for name in ("王一", "李二", "赵三")]


def _form(roster, results: dict[int, tuple[str, str]], **extra: str) -> dict[str, str]:
    data = {"action": "results", "evaluated_on": "2025-10-08", "evaluator": EVALUATOR, **extra}
    for enrolment in roster:
        passed, score = results.get(enrolment.pk, ("", ""))
        data[f"passed_{enrolment.pk}"], data[f"score_{enrolment.pk}"] = passed, score
    return data


def _url(training) -> str:
    return f"/evaluation/classes/{training.pk}/results/"


def test_the_institution_sees_its_roster(client: Client, login, institution_user, training, roster) -> None:
    login(client, institution_user)
    response = client.get(_url(training))
    page = response.content.decode()
    assert response.status_code == 200
    assert all(enrolment.person.name in page for enrolment in roster)
    assert 'data-testid="save-results"' in page and 'data-testid="issue-certificates"' in page
    assert roster[0].person.id_number_masked in page


def test_the_class_list_links_to_the_results(client: Client, login, nanning_official, training, roster) -> None:
    login(client, nanning_official)
    response = client.get("/evaluation/classes/")
    assert response.status_code == 200 and _url(training) in response.content.decode()


def test_the_province_reads_but_may_not_record(client: Client, login, province_official, training, roster) -> None:
    login(client, province_official)
    response = client.get(_url(training))
    assert response.status_code == 200 and 'data-testid="save-results"' not in response.content.decode()
    posted = client.post(_url(training), _form(roster, {roster[0].pk: ("pass", "90")}))
    assert posted.status_code == 403
    assert not Evaluation.objects.exists()


def test_another_city_trainees_and_strangers_get_404(client: Client, login, liuzhou_official, trainee_user,
                                                     enterprise_user, training, roster) -> None:
    assert client.get(_url(training)).status_code == 302  # to the login page
    for user in (liuzhou_official, trainee_user, enterprise_user):
        login(client, user)
        assert client.get(_url(training)).status_code == 404
        assert client.post(_url(training), _form(roster, {roster[0].pk: ("pass", "90")})).status_code == 404
    login(client, liuzhou_official)
    assert client.get("/evaluation/classes/999999/results/").status_code == 404
    assert not Evaluation.objects.exists()


def test_a_post_records_the_whole_class(client: Client, login, institution_user, training, roster) -> None:
    login(client, institution_user)
    response = client.post(_url(training), _form(roster, {roster[0].pk: ("pass", "88.5"), roster[1].pk: ("fail", "")}))
    assert response.status_code == 302
    saved = {evaluation.enrolment_id: evaluation for evaluation in Evaluation.objects.all()}
    assert set(saved) == {roster[0].pk, roster[1].pk}
    assert saved[roster[0].pk].passed and saved[roster[0].pk].score == Decimal("88.5")
    assert not saved[roster[1].pk].passed and saved[roster[1].pk].evaluator == EVALUATOR
    assert AuditEntry.objects.filter(action="evaluation.recorded").count() == 2


def test_bad_values_are_reported_per_row_and_nothing_is_saved(client: Client, login, institution_user, training,
                                                              roster) -> None:
    login(client, institution_user)
    response = client.post(_url(training), _form(roster, {roster[0].pk: ("pass", "90"), roster[1].pk: ("pass", "120"),
                                                          roster[2].pk: ("", "70")}))
    page = response.content.decode()
    assert response.status_code == 422
    assert "成绩120须在0至100之间" in page and "填写成绩时须选择合格或不合格" in page
    assert not Evaluation.objects.exists()


def test_a_date_before_the_class_refuses_the_batch(training, roster, institution_user) -> None:
    entries = [ResultEntry(roster[0], True, Decimal("90")), ResultEntry(roster[1], True, None)]
    with pytest.raises(ResultRowsRefused) as refused:
        record_class_results(institution_user, training, entries, evaluated_on=date(2025, 8, 1), evaluator=EVALUATOR)
    assert {error.enrolment_id for error in refused.value.row_errors} == {roster[0].pk, roster[1].pk}
    assert "早于开班日期" in refused.value.row_errors[0].zh
    assert not Evaluation.objects.exists()


def test_issuing_from_the_page_gives_each_passed_trainee_a_certificate(client: Client, login, institution_user,
                                                                       training, roster) -> None:
    login(client, institution_user)
    client.post(_url(training), _form(roster, {roster[0].pk: ("pass", "90"), roster[1].pk: ("fail", "40")}))
    response = client.post(_url(training), {"action": "issue", "issuer": EVALUATOR, "issued_on": "2025-10-20"})
    assert response.status_code == 302
    [certificate] = Certificate.objects.all()
    assert certificate.person_id == roster[0].person_id
    assert certificate.kind == CertificateKind.VOCATIONAL_SKILL_LEVEL and certificate.level == 4
    page = client.get(_url(training)).content.decode()
    assert f"/certificates/{certificate.number}/" in page and f"/certificates/{certificate.number}.pdf" in page
    again = client.post(_url(training), {"action": "issue", "issuer": EVALUATOR, "issued_on": "2025-10-20"})
    assert again.status_code == 422 and "均已发证" in again.content.decode()
    assert Certificate.objects.count() == 1


def test_one_evaluation_two_certificates(institution_user, training, roster) -> None:
    """4.2 一试双证: another authority's certificate beside the skill-level one."""
    record_class_results(institution_user, training, [ResultEntry(roster[0], True, Decimal("95"))],
                         evaluated_on=date(2025, 10, 8), evaluator=EVALUATOR)
    issued = issue_class_certificates(institution_user, training, issuer=EVALUATOR, issued_on=date(2025, 10, 20),
                                      other_title="民用无人驾驶航空器操控员执照", other_issuer="中国民用航空局")
    assert sorted(certificate.kind for certificate in issued) == [CertificateKind.OTHER_AUTHORITY,
                                                                   CertificateKind.VOCATIONAL_SKILL_LEVEL]
    other = next(certificate for certificate in issued if certificate.kind == CertificateKind.OTHER_AUTHORITY)
    assert other.issuer == "中国民用航空局" and other.evaluation_id == issued[0].evaluation_id


def test_a_project_class_waits_for_the_joint_confirmation(client: Client, login, persona_institution,
                                                          institution_user) -> None:
    """3.4d: the refusal names the missing confirmation, in Chinese."""
    project = builders.project(city=persona_institution.city, chosen_institution=persona_institution,
                               choice_reason="星级与产能最优")
    training = builders.training_class(institution=persona_institution, city=persona_institution.city,
                                       training_type=TrainingType.PROJECT, project=project)
    enrolment = builders.enrolment(training)
    login(client, institution_user)
    client.post(_url(training), _form([enrolment], {enrolment.pk: ("pass", "80")}))
    page = client.get(_url(training)).content.decode()
    assert 'data-testid="project-not-confirmed"' in page
    response = client.post(_url(training), {"action": "issue", "issuer": EVALUATOR, "issued_on": "2025-10-20"})
    assert response.status_code == 422 and "共同确认" in response.content.decode()
    assert not Certificate.objects.exists()
    project.city_confirmed_effect = project.applicant_confirmed_effect = True
    project.city_confirmed_on = project.applicant_confirmed_on = date(2025, 10, 10)
    project.save()
    assert client.post(_url(training), {"action": "issue", "issuer": EVALUATOR,
                                        "issued_on": "2025-10-20"}).status_code == 302
    assert Certificate.objects.get().kind == CertificateKind.PROJECT_TRAINING


def test_the_city_official_of_the_class_may_record(client: Client, login, nanning_official, training, roster) -> None:
    assert City.objects.get(pk="450100") == training.city
    login(client, nanning_official)
    assert client.post(_url(training), _form(roster, {roster[2].pk: ("pass", "")})).status_code == 302
    assert Evaluation.objects.get().enrolment_id == roster[2].pk


def test_the_attendance_rate_shows_beside_each_trainee(client: Client, login, institution_user, training,
                                                       roster) -> None:
    from qiancheng.training.models import AttendanceRecord

    AttendanceRecord.objects.create(enrolment=roster[0], person=roster[0].person, session_date=date(2025, 9, 1),
                                    present=True, hours=Decimal("20"))
    login(client, institution_user)
    page = client.get(_url(training)).content.decode()
    row = page.split(f'data-testid="result-row-{roster[0].pk}"')[1].split("</tr>")[0]
    other = page.split(f'data-testid="result-row-{roster[1].pk}"')[1].split("</tr>")[0]
    assert "25%" in row and "未记录" in other
