"""5.2c end to end: due and late lists, the proof three months later, approval and payment of the 200, rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from qiancheng.accounts.models import User
from qiancheng.catalog.vocabulary import ApplicantRelation, TrainingType
from qiancheng.clock import frozen_at
from qiancheng.evaluation.models import Certificate, CertificateKind, Evaluation
from qiancheng.funding.models import FundSource, PartyKind, ProofKind, SubsidyClaim
from qiancheng.funding.services.claims import EmploymentProof, add_employment_proof, approve_claim, file_claim
from qiancheng.funding.services.employment import add_calendar_months, employment_due, employment_rates
from qiancheng.funding.services.ledger import verify_ledger
from qiancheng.funding.services.payments import pay_claim
from qiancheng.funding.tests.money import funded, institution_user_of
from qiancheng.training.models import EnrolmentStatus, TrainingClass
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db
END = dt.date(2025, 9, 30)


def _project_class() -> TrainingClass:
    return builders.training_class(training_type=TrainingType.PROJECT, project=builders.project(), end_date=END)


def _project_claim(actor: User, training: TrainingClass, fund: object) -> SubsidyClaim:
    enrolment = builders.enrolment(training, status=EnrolmentStatus.COMPLETED, left_on=END,
                                   applicant_relation=ApplicantRelation.EMPLOYEE)
    builders.attended(enrolment)
    evaluation = Evaluation.objects.create(enrolment=enrolment, person=enrolment.person, passed=True,
                                           evaluated_on=END, evaluator="项目考核组")
    Certificate.objects.create(number=f"PT-{enrolment.pk}", kind=CertificateKind.PROJECT_TRAINING,
                               person=enrolment.person, project=training.project, issuer="南宁市人社局",
                               issued_on=END, evaluation=evaluation)
    uscc = training.institution.uscc
    return file_claim(actor, enrolment, fund, PartyKind.INSTITUTION, uscc, PartyKind.INSTITUTION, uscc)


def test_calendar_months_keep_the_day_or_take_the_months_last() -> None:
    assert add_calendar_months(dt.date(2025, 11, 30), 3) == dt.date(2026, 2, 28)
    assert add_calendar_months(dt.date(2023, 11, 30), 3) == dt.date(2024, 2, 29)
    assert add_calendar_months(dt.date(2025, 9, 30), 3) == dt.date(2025, 12, 30)
    assert add_calendar_months(dt.date(2026, 1, 31), -3) == dt.date(2025, 10, 31)


def test_due_late_proof_approval_payment_and_rates(province_official: User, nanning_official: User,
                                                   liuzhou_official: User) -> None:
    training = _project_class()
    fund = funded(province_official, "100000.00", source=FundSource.SPECIAL_ACCOUNT)
    employed, not_yet = _project_claim(province_official, training, fund), _project_claim(province_official, training,
                                                                                         fund)
    assert employment_due(nanning_official, dt.date(2025, 12, 29)) == []
    due = employment_due(nanning_official, dt.date(2025, 12, 30))
    assert [(d.claim.pk, d.due_on, d.late) for d in due] == [(employed.pk, dt.date(2025, 12, 30), False),
                                                              (not_yet.pk, dt.date(2025, 12, 30), False)]
    assert employment_due(liuzhou_official, dt.date(2026, 3, 1)) == []  # another city's trainees
    late = employment_due(nanning_official, dt.date(2026, 1, 31))
    assert all(d.late for d in late) and late[0].late_from == dt.date(2026, 1, 31)
    assert not any(d.late for d in employment_due(nanning_official, dt.date(2026, 1, 30)))

    claimant = institution_user_of(training)
    with frozen_at(dt.date(2026, 1, 5)):
        # The engine decides as of the programme's today: a proof dated today is fine, 3 months have passed.
        proved = add_employment_proof(claimant, employed, EmploymentProof(ProofKind.LABOUR_CONTRACT,
                                                                           dt.date(2026, 1, 5)))
        assert proved.eligible and (proved.employment_amount, proved.total_amount) == (Decimal("200.00"),
                                                                                     Decimal("800.00"))
        assert [d.claim.pk for d in employment_due(nanning_official)] == [not_yet.pk]
        approve_claim(nanning_official, employed)
        payment = pay_claim(nanning_official, employed, "pay-employed")
    assert payment.amount == Decimal("800.00")
    rates = employment_rates(nanning_official, dt.date(2026, 1, 5))
    assert [(r.key, r.employed, r.eligible, r.rate) for r in rates.per_class] == [(training.pk, 1, 2, Decimal("0.5000"))]
    assert [(r.key, r.rate) for r in rates.per_institution] == [(training.institution_id, Decimal("0.5000"))]
    assert employment_rates(liuzhou_official, dt.date(2026, 1, 5)).per_class == []
    assert verify_ledger().ok
