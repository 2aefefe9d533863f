"""Builders for the money tests: an enrolment the system can pay for (6c), and funded accounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from qiancheng.evaluation.models import Certificate, CertificateKind, Evaluation
from qiancheng.funding.models import FundAccount, FundSource, PartyKind
from qiancheng.funding.services.claims import Parties
from qiancheng.funding.services.funds import allocate
from qiancheng.training.models import Enrolment, EnrolmentStatus, TrainingClass
from qiancheng.training.tests import builders


def finished_class(**fields: Any) -> TrainingClass:
    """An occupational level-4 class in 南宁 that ended on 2025-09-30."""
    return builders.training_class(**fields)


def paid_for_enrolment(training: TrainingClass, *, passed: bool = True, attended: bool = True,
                       evaluated: bool = True, certified: bool = True, trainee: Any = None) -> Enrolment:
    """An enrolment with what 6c asks to be in the system: attendance of every class hour, evaluation, certificate."""
    enrolment = builders.enrolment(training, trainee, status=EnrolmentStatus.COMPLETED, left_on=training.end_date)
    if attended:
        builders.attended(enrolment)
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


def scope_records(city: Any, institution: Any, training: TrainingClass, fund: FundAccount, claim: Any,
                  clerk: Any) -> list[Any]:
    """One record of each issue-5 money model in a city, for the two-city scope tests
    (qiancheng/accounts/tests/two_cities.py): an advance, a recovery case and its repayment, an appeal and
    its document. Written through the ORM with every constraint active, like the rest of that world."""
    import hashlib

    from django.utils import timezone

    from qiancheng.funding.models import (
        Advance,
        Appeal,
        AppealDocument,
        LedgerTransaction,
        RecoveryCase,
        RecoveryReason,
        RecoveryRepayment,
        TransactionKind,
    )

    now = timezone.now()
    advance = Advance.objects.create(
        training_class=training, institution=institution, fund_account=fund, expected_amount=Decimal("1800.00"),
        share=Decimal("0.50"), amount=Decimal("900.00"), terms_source="local practice",
        idempotency_key=f"scope-advance-{training.pk}", granted_by=clerk, granted_at=now,
        ledger_transaction=LedgerTransaction.objects.create(kind=TransactionKind.ADVANCE, claim=claim, created_by=clerk),
    )
    case = RecoveryCase.objects.create(
        claim=claim, fund_account=fund, city=city, debtor_kind=PartyKind.INSTITUTION, debtor_ref=institution.uscc,
        amount_owed=Decimal("900.00"), reason_kind=RecoveryReason.FRAUD, reason="骗补", opened_by=clerk, opened_at=now,
    )
    repayment = RecoveryRepayment.objects.create(
        case=case, amount=Decimal("100.00"), document_ref=f"V-{case.pk}", recorded_by=clerk, recorded_at=now,
        ledger_transaction=LedgerTransaction.objects.create(kind=TransactionKind.RECOVERY, claim=claim,
                                                            created_by=clerk),
    )
    appeal = Appeal.objects.create(claim=claim, filed_by=clerk, filed_at=now, reason="材料齐全")
    document = AppealDocument.objects.create(appeal=appeal, name="证明.pdf", content=b"%PDF", size_bytes=4,
                                             sha256=hashlib.sha256(b"%PDF").hexdigest())
    return [advance, case, repayment, appeal, document]
