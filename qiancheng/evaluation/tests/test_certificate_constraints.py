"""Evaluations and certificates: one evaluation may yield two certificates (4.2, 4.6)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from qiancheng.evaluation.models import Certificate, CertificateKind, CertificateStatus, Evaluation
from qiancheng.training.models import Enrolment
from qiancheng.training.tests import builders
from qiancheng.training.tests.builders import refused

pytestmark = pytest.mark.django_db


def _evaluation(enrolment: Enrolment, **fields: object) -> Evaluation:
    values: dict[str, object] = {
        "enrolment": enrolment, "person": enrolment.person, "passed": True, "score": Decimal("86.5"),
        "evaluated_on": date(2025, 10, 8), "evaluator": "南宁市职业技能鉴定中心",
    }
    values.update(fields)
    return Evaluation.objects.create(**values)


def _certificate(enrolment: Enrolment, **fields: object) -> Certificate:
    values: dict[str, object] = {
        "number": f"Y{builders.uscc()}",
        "kind": CertificateKind.VOCATIONAL_SKILL_LEVEL,
        "person": enrolment.person,
        "occupation": builders.occupation(),
        "level": 4,
        "issuer": "南宁市职业技能鉴定中心",
        "issued_on": date(2025, 10, 20),
    }
    values.update(fields)
    return Certificate.objects.create(**values)


def test_one_evaluation_yields_two_certificates() -> None:
    # 4.6: 一培双考双证 — the skill-level certificate and the civil-aviation drone licence.
    enrolment = builders.enrolment()
    evaluation = _evaluation(enrolment)
    _certificate(enrolment, evaluation=evaluation)
    _certificate(
        enrolment, evaluation=evaluation, kind=CertificateKind.OTHER_AUTHORITY, occupation=None, level=None,
        title="民用无人机驾驶员执照", issuer="中国民用航空局",
    )
    assert evaluation.certificates.count() == 2


def test_a_certificate_number_is_unique() -> None:
    enrolment = builders.enrolment()
    first = _certificate(enrolment)
    with refused():
        _certificate(enrolment, number=first.number)


def test_a_score_is_between_0_and_100() -> None:
    enrolment = builders.enrolment()
    with refused():
        _evaluation(enrolment, score=Decimal("100.01"))
    _evaluation(enrolment, score=None, evaluated_on=date(2025, 10, 9))


@pytest.mark.parametrize(
    "subject",
    [
        {"kind": CertificateKind.VOCATIONAL_SKILL_LEVEL, "level": None},
        {"kind": CertificateKind.SPECIAL_ABILITY},  # keeps the occupation, lacks an item
        {"kind": CertificateKind.ENTREPRENEURSHIP, "occupation": None, "level": None},
        {"kind": CertificateKind.PROJECT_TRAINING, "occupation": None, "level": None},
        {"kind": CertificateKind.OTHER_AUTHORITY, "occupation": None, "level": None},  # needs a title
    ],
)
def test_a_certificate_names_the_subject_of_its_kind(subject: dict) -> None:
    with refused():
        _certificate(builders.enrolment(), **subject)


def test_a_revocation_is_dated_not_before_issue_and_gives_a_reason() -> None:
    enrolment = builders.enrolment()
    with refused():
        _certificate(enrolment, status=CertificateStatus.REVOKED, revoked_reason="骗补")
    with refused():
        _certificate(enrolment, status=CertificateStatus.REVOKED, revoked_on=date(2025, 10, 19), revoked_reason="骗补")
    with refused():
        _certificate(enrolment, status=CertificateStatus.REVOKED, revoked_on=date(2025, 11, 1))
    _certificate(enrolment, status=CertificateStatus.REVOKED, revoked_on=date(2025, 11, 1), revoked_reason="骗补")
