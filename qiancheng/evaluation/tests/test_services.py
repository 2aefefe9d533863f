"""Recording results and issuing certificates: who may, and what a certificate may name (1b, 3.4d, 4.2, 4.6)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qiancheng.accounts.audit import AuditEntry
from qiancheng.accounts.models import Role, User
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.evaluation.models import CertificateKind, CertificateStatus, Evaluation
from qiancheng.evaluation.services import issue_certificates, record_result, revoke_certificate
from qiancheng.training.models import Enrolment
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

ISSUER = "南宁市职业技能鉴定中心"


def _institution_user(enrolment: Enrolment) -> User:
    return User.objects.create_user(username=f"inst{enrolment.pk}", password="x", role=Role.INSTITUTION,
                                    institution=enrolment.training_class.institution)


def _passed(enrolment: Enrolment, actor: User) -> Evaluation:
    return record_result(actor, enrolment, passed=True, score=Decimal("88"), evaluated_on=date(2025, 10, 8),
                         evaluator=ISSUER)


def test_the_city_official_records_once_and_a_correction_is_audited(nanning_official) -> None:
    enrolment = builders.enrolment()
    first = record_result(nanning_official, enrolment, passed=False, score=Decimal("52"),
                          evaluated_on=date(2025, 10, 8), evaluator=ISSUER)
    second = record_result(nanning_official, enrolment, passed=True, score=Decimal("75"),
                           evaluated_on=date(2025, 10, 20), evaluator=ISSUER)
    assert first.pk == second.pk and Evaluation.objects.filter(enrolment=enrolment).count() == 1
    correction = AuditEntry.objects.filter(action="evaluation.corrected").get()
    assert correction.before["passed"] is False and correction.after["passed"] is True


def test_another_city_may_not_record(liuzhou_official) -> None:
    with pytest.raises(PermissionDenied):
        record_result(liuzhou_official, builders.enrolment(), passed=True, evaluated_on=date(2025, 10, 8),
                      evaluator=ISSUER)


def test_not_passed_is_refused_a_certificate(nanning_official) -> None:
    enrolment = builders.enrolment()
    failed = record_result(nanning_official, enrolment, passed=False, evaluated_on=date(2025, 10, 8),
                           evaluator=ISSUER)
    with pytest.raises(ValidationError) as refusal:
        issue_certificates(nanning_official, failed, [CertificateKind.VOCATIONAL_SKILL_LEVEL], issuer=ISSUER,
                           issued_on=date(2025, 10, 20))
    assert "not_passed" in str(refusal.value.error_list[0].code)


def test_the_institution_issues_two_certificates_from_one_evaluation() -> None:
    # 4.6: 一培双考双证 — the skill-level certificate and the drone licence from one assessment.
    enrolment = builders.enrolment()
    actor = _institution_user(enrolment)
    evaluation = _passed(enrolment, actor)
    skill, drone = issue_certificates(
        actor, evaluation, [CertificateKind.VOCATIONAL_SKILL_LEVEL, CertificateKind.OTHER_AUTHORITY], issuer=ISSUER,
        issued_on=date(2025, 10, 20), other_title="民用无人机驾驶员执照", other_issuer="中国民用航空局",
    )
    training = enrolment.training_class
    assert (skill.occupation_id, skill.level) == (training.occupation_id, training.level)
    assert drone.issuer == "中国民用航空局" and drone.title == "民用无人机驾驶员执照"
    assert skill.number == "GX-2025-ZJ-000001" and drone.number == "GX-2025-QT-000001"
    assert evaluation.certificates.count() == 2


def test_the_kind_must_match_the_class_type(nanning_official) -> None:
    evaluation = _passed(builders.enrolment(), nanning_official)
    with pytest.raises(ValidationError):
        issue_certificates(nanning_official, evaluation, [CertificateKind.SPECIAL_ABILITY], issuer=ISSUER,
                           issued_on=date(2025, 10, 20))
    with pytest.raises(ValidationError):  # another authority's certificate only comes beside the class's own
        issue_certificates(nanning_official, evaluation, [CertificateKind.OTHER_AUTHORITY], issuer=ISSUER,
                           issued_on=date(2025, 10, 20), other_title="民用无人机驾驶员执照")


def test_a_project_certificate_waits_for_the_joint_confirmation(nanning_official) -> None:
    deliverer = builders.institution()
    project = builders.project(chosen_institution=deliverer, choice_reason="师资与实训设备最优")
    training = builders.training_class(institution=deliverer, training_type=TrainingType.PROJECT, project=project)
    evaluation = _passed(builders.enrolment(training), nanning_official)
    project.city_confirmed_effect, project.city_confirmed_on = True, date(2025, 10, 15)
    project.save()
    with pytest.raises(ValidationError) as refusal:  # 3.4d: the applicant has not confirmed yet
        issue_certificates(nanning_official, evaluation, [CertificateKind.PROJECT_TRAINING], issuer=ISSUER,
                           issued_on=date(2025, 10, 20))
    assert refusal.value.error_list[0].code == "effect_not_confirmed"
    project.applicant_confirmed_effect, project.applicant_confirmed_on = True, date(2025, 10, 16)
    project.save()
    [certificate] = issue_certificates(nanning_official, evaluation, [CertificateKind.PROJECT_TRAINING],
                                       issuer=ISSUER, issued_on=date(2025, 10, 20))
    assert certificate.project_id == project.pk


def test_revocation_needs_the_bureau_and_a_reason(nanning_official) -> None:
    enrolment = builders.enrolment()
    actor = _institution_user(enrolment)
    [certificate] = issue_certificates(actor, _passed(enrolment, actor), [CertificateKind.VOCATIONAL_SKILL_LEVEL],
                                       issuer=ISSUER, issued_on=date(2025, 10, 20))
    with pytest.raises(PermissionDenied):
        revoke_certificate(actor, certificate, "冒名顶替")
    with pytest.raises(ValidationError):
        revoke_certificate(nanning_official, certificate, "  ")
    revoked = revoke_certificate(nanning_official, certificate, "冒名顶替 / impersonation")
    assert revoked.status == CertificateStatus.REVOKED and revoked.revoked_on is not None


def test_numbers_follow_on_per_year_and_kind(nanning_official) -> None:
    numbers = []
    for _ in range(3):
        evaluation = _passed(builders.enrolment(), nanning_official)
        [certificate] = issue_certificates(nanning_official, evaluation, [CertificateKind.VOCATIONAL_SKILL_LEVEL],
                                           issuer=ISSUER, issued_on=date(2025, 10, 20))
        numbers.append(certificate.number)
    assert numbers == ["GX-2025-ZJ-000001", "GX-2025-ZJ-000002", "GX-2025-ZJ-000003"]
