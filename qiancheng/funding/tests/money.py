"""Builders for the money tests: an enrolment the system can pay for (6c), and funded accounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from qiancheng.evaluation.models import Certificate, CertificateKind, Evaluation
from qiancheng.funding.models import FundAccount, FundSource, PartyKind
from qiancheng.funding.services.claims import Parties
from qiancheng.funding.services.funds import allocate
from qiancheng.training.models import AttendanceRecord, Enrolment, EnrolmentStatus, TrainingClass
from qiancheng.training.tests import builders


def finished_class(**fields: Any) -> TrainingClass:
    """An occupational level-4 class in 南宁 that ended on 2025-09-30."""
    return builders.training_class(**fields)


def paid_for_enrolment(training: TrainingClass, *, passed: bool = True, attended: bool = True,
                       evaluated: bool = True, certified: bool = True, trainee: Any = None) -> Enrolment:
    """An enrolment with what 6c asks to be in the system: attendance, evaluation, certificate."""
    enrolment = builders.enrolment(training, trainee, status=EnrolmentStatus.COMPLETED, left_on=training.end_date)
    if attended:
        AttendanceRecord.objects.create(enrolment=enrolment, person=enrolment.person, session_date=training.start_date,
                                        present=True, hours=Decimal("8.0"))
    if evaluated:
        evaluation = Evaluation.objects.create(enrolment=enrolment, person=enrolment.person, passed=passed,
                                               score=Decimal("80") if passed else Decimal("40"),
                                               evaluated_on=training.end_date, evaluator="南宁市职业技能鉴定中心")
        if passed and certified:
            Certificate.objects.create(
                number=f"CERT-{enrolment.pk}", kind=CertificateKind.VOCATIONAL_SKILL_LEVEL, person=enrolment.person,
                occupation=training.occupation, level=training.level, issuer="南宁市职业技能鉴定中心",
                issued_on=training.end_date + dt.timedelta(days=10), evaluation=evaluation,
            )
    return enrolment


def institution_parties(training: TrainingClass) -> Parties:
    """3.6: the institution advanced the cost and claims it."""
    uscc = training.institution.uscc
    return Parties(PartyKind.INSTITUTION, uscc, PartyKind.INSTITUTION, uscc)


def funded(actor: Any, amount: str, *, city: Any = None, year: int = 2025,
           source: str = FundSource.EMPLOYMENT_SUBSIDY) -> FundAccount:
    return allocate(actor, source, year, Decimal(amount), "桂人社发〔2025〕1号", city=city or builders.city())


def institution_user_of(training: TrainingClass) -> Any:
    """A login of the class's institution (the claimant of institution_parties)."""
    from qiancheng.accounts.models import Role, User

    return User.objects.create(username=f"inst-{training.institution_id}-{training.pk}", role=Role.INSTITUTION,
                               institution=training.institution)


def filed_claim(actor: Any, enrolment: Enrolment, fund: FundAccount) -> Any:
    from qiancheng.funding.services.claims import file_claim

    parties = institution_parties(enrolment.training_class)
    return file_claim(actor, enrolment, fund, parties.advanced_by, parties.advanced_by_ref, parties.claimant,
                      parties.claimant_ref)


def paid_claim(actor: Any, fund: FundAccount, training: TrainingClass | None = None, key: str = "") -> Any:
    """A claim filed by the institution, approved and paid by `actor` (a reviewer)."""
    from qiancheng.funding.services.claims import approve_claim
    from qiancheng.funding.services.payments import pay_claim

    claim = filed_claim(actor, paid_for_enrolment(training or finished_class()), fund)
    approve_claim(actor, claim)
    pay_claim(actor, claim, key or f"pay-{claim.number}")
    claim.refresh_from_db()
    return claim
