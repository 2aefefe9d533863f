"""Subsidy claims and payments: what the database refuses, whatever a service does."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.funding.models import (
    ClaimOrigin,
    ClaimStatus,
    FundSource,
    PartyKind,
    Payment,
    PaymentStatus,
    ProofKind,
    SubsidyClaim,
)
from qiancheng.training.models import Enrolment
from qiancheng.training.tests import builders
from qiancheng.training.tests.builders import refused

pytestmark = pytest.mark.django_db

_numbers = iter(range(1, 10_000))


def _claim(source: Enrolment, **fields: object) -> SubsidyClaim:
    """A system claim copying its facts from the enrolment, as the submitting service does."""
    enrolment, training = source, source.training_class
    values: dict[str, object] = {
        "number": f"C{next(_numbers):05d}",
        "enrolment": enrolment,
        "person": enrolment.person,
        "training_type": training.training_type,
        "occupation": training.occupation,
        "level": training.level,
        "item": training.item,
        "course_kind": training.course_kind,
        "project": training.project,
        "class_hours": training.class_hours,
        "start_date": training.start_date,
        "end_date": training.end_date,
        "passed": True,
        "person_category": enrolment.category,
        "receiving_unemployment_benefit": False,
        "has_business_licence": False,
        "fund": FundSource.EMPLOYMENT_SUBSIDY,
        "city": training.city,
        "institution": training.institution,
        "advanced_by": PartyKind.INSTITUTION,
        "advanced_by_ref": training.institution.uscc,
        "claimant": PartyKind.INSTITUTION,
        "claimant_ref": training.institution.uscc,
        "status": ClaimStatus.PENDING,
    }
    values.update(fields)
    return SubsidyClaim.objects.create(**values)


def _decided(eligible: bool = True, training: str = "1200.00", employment: str = "0.00") -> dict[str, object]:
    total = Decimal(training) + Decimal(employment)
    return {
        "eligible": eligible, "training_amount": Decimal(training), "employment_amount": Decimal(employment),
        "total_amount": total, "decided_at": timezone.now(), "denied_by": "" if eligible else "3.5a",
        "param_set_id": "packaged-2025", "rule_version": "1",
    }


def test_a_second_counting_claim_for_one_enrolment_is_refused_whatever_the_fund() -> None:
    enrolment = builders.enrolment()
    _claim(enrolment)
    with refused():
        _claim(enrolment, fund=FundSource.UNEMPLOYMENT_INSURANCE)
    with refused():
        _claim(enrolment, status=ClaimStatus.APPROVED, **_decided())


def test_after_a_rejected_or_withdrawn_claim_a_new_claim_may_count() -> None:
    enrolment = builders.enrolment()
    _claim(enrolment, status=ClaimStatus.REJECTED, **_decided(eligible=False, training="0.00"))
    _claim(enrolment, status=ClaimStatus.WITHDRAWN)
    _claim(enrolment, status=ClaimStatus.DRAFT)
    _claim(enrolment)  # the one counting claim


def test_a_draft_becoming_a_second_counting_claim_is_refused() -> None:
    enrolment = builders.enrolment()
    _claim(enrolment)
    draft = _claim(enrolment, status=ClaimStatus.DRAFT)
    with refused():
        SubsidyClaim.objects.filter(pk=draft.pk).update(status=ClaimStatus.PENDING)


def test_5_2d_one_counting_project_subsidy_per_person_and_project_across_classes_and_funds() -> None:
    project = builders.project()
    trainee = builders.person()
    first = builders.training_class(training_type=TrainingType.PROJECT, project=project)
    second = builders.training_class(training_type=TrainingType.PROJECT, project=project)
    _claim(builders.enrolment(first, trainee), fund=FundSource.SPECIAL_ACCOUNT)
    with refused():
        _claim(builders.enrolment(second, trainee), fund=FundSource.EMPLOYMENT_SUBSIDY)


def test_imported_history_may_hold_what_was_paid_under_earlier_rules() -> None:
    # 3.5b counts history from before the system; it has no enrolment and may break today's 5.2d.
    project, trainee = builders.project(), builders.person()
    for number in ("H1", "H2"):
        SubsidyClaim.objects.create(
            number=number, origin=ClaimOrigin.IMPORTED, person=trainee, training_type=TrainingType.PROJECT,
            project=project, end_date=date(2023, 6, 30), fund=FundSource.SPECIAL_ACCOUNT, status=ClaimStatus.PAID,
        )
    assert SubsidyClaim.objects.filter(person=trainee).count() == 2


def test_a_system_claim_carries_every_fact_the_engine_reads() -> None:
    for missing in ({"enrolment": None}, {"passed": None}, {"claimant_ref": ""}, {"person_category": ""}):
        with refused():
            _claim(builders.enrolment(), **missing)


def test_the_claim_subject_matches_its_type() -> None:
    with refused():
        _claim(builders.enrolment(), level=None)


def test_an_employment_proof_has_kind_and_date_together() -> None:
    with refused():
        _claim(builders.enrolment(), employment_proof_kind=ProofKind.LABOUR_CONTRACT)
    with refused():
        _claim(builders.enrolment(), employment_proof_date=date(2026, 1, 1))
    _claim(builders.enrolment(), employment_proof_kind=ProofKind.WAGE_STATEMENT, employment_proof_date=date(2026, 1, 1))


def test_a_decision_adds_up_and_a_denial_carries_no_money_and_names_its_rules() -> None:
    _claim(builders.enrolment(), **_decided(training="600.00", employment="200.00"))
    with refused():
        _claim(builders.enrolment(), **{**_decided(), "total_amount": Decimal("1200.01")})
    with refused():
        _claim(builders.enrolment(), **{**_decided(), "training_amount": None})
    with refused():
        _claim(builders.enrolment(), **_decided(eligible=False))  # denied yet 1200.00
    with refused():
        _claim(builders.enrolment(), **{**_decided(eligible=False, training="0.00"), "denied_by": ""})
    with refused():
        _claim(builders.enrolment(), **{**_decided(), "denied_by": "3.2"})  # eligible yet a failed rule


def test_nothing_is_approved_or_paid_without_an_eligible_decision() -> None:
    with refused():
        _claim(builders.enrolment(), status=ClaimStatus.APPROVED)
    with refused():
        _claim(builders.enrolment(), status=ClaimStatus.PAID, **_decided(eligible=False, training="0.00"))
    _claim(builders.enrolment(), status=ClaimStatus.APPROVED, **_decided())


def _payment(claim: SubsidyClaim, key: str, **fields: object) -> Payment:
    values: dict[str, object] = {
        "claim": claim, "person": claim.person, "amount": claim.total_amount, "paid_at": timezone.now(),
        "idempotency_key": key, "created_by": builders.official(),
    }
    values.update(fields)
    return Payment.objects.create(**values)


def test_a_claim_is_never_paid_twice_but_a_reversed_payment_may_be_redone() -> None:
    claim = _claim(builders.enrolment(), status=ClaimStatus.PAID, **_decided())
    first = _payment(claim, "run-1/C1")
    with refused():
        _payment(claim, "run-2/C1")
    with refused():
        _payment(claim, "run-1/C1", status=PaymentStatus.REVERSED, reversed_at=timezone.now(), reversal_reason="r")
    Payment.objects.filter(pk=first.pk).update(
        status=PaymentStatus.REVERSED, reversed_at=timezone.now(), reversal_reason="账户已销户 / account closed"
    )
    _payment(claim, "run-3/C1")


def test_a_payment_is_positive_and_a_reversal_is_dated_with_a_reason() -> None:
    claim = _claim(builders.enrolment(), status=ClaimStatus.PAID, **_decided())
    with refused():
        _payment(claim, "k1", amount=Decimal("0.00"))
    with refused():
        _payment(claim, "k2", status=PaymentStatus.REVERSED, reversed_at=timezone.now())
