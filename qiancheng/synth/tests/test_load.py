"""Loading the synthetic province into the database: once, sealed, consistent with the engine."""

from __future__ import annotations

import pytest
from django.db.models import Count

from qiancheng.accounts.models import AuditEntry
from qiancheng.evaluation.models import Certificate
from qiancheng.funding.models import ClaimOrigin, Payment, SubsidyClaim
from qiancheng.people import crypto
from qiancheng.people.models import Person
from qiancheng.people.services import ID_NUMBER, PHONE
from qiancheng.providers.models import Teacher
from qiancheng.synth.generator import generate_province
from qiancheng.synth.load import SynthError, ensure_province
from qiancheng.synth.models import SynthRun
from qiancheng.training.models import Enrolment, TrainingClass

PEOPLE, SEED = 400, 3


@pytest.fixture
def loaded(db: None) -> SynthRun:
    run, created = ensure_province(PEOPLE, SEED, progress=False)
    assert created
    return run


def test_rows_match_the_generated_province(loaded: SynthRun) -> None:
    province = generate_province(PEOPLE, SEED, loaded.as_of)
    assert Person.objects.count() == PEOPLE
    assert Enrolment.objects.count() == province.enrolments.height
    assert TrainingClass.objects.count() == province.classes.height
    system = SubsidyClaim.objects.filter(origin=ClaimOrigin.SYSTEM).count()
    assert system == province.claims.height
    assert SubsidyClaim.objects.filter(origin=ClaimOrigin.IMPORTED).count() == province.earlier_claims.height
    assert loaded.counts["people.Person"] == PEOPLE


def test_second_run_writes_nothing_and_another_seed_is_refused(loaded: SynthRun) -> None:
    claims = SubsidyClaim.objects.count()
    run, created = ensure_province(PEOPLE, SEED, progress=False)
    assert (run.pk, created) == (loaded.pk, False)
    assert SubsidyClaim.objects.count() == claims
    with pytest.raises(SynthError, match="--reset"):
        ensure_province(PEOPLE, SEED + 1, progress=False)


def test_reset_replaces_exactly_the_synthetic_rows(loaded: SynthRun) -> None:
    run, created = ensure_province(150, SEED + 1, reset=True, progress=False)
    assert created and run.pk != loaded.pk
    assert SynthRun.objects.count() == 1
    assert Person.objects.count() == 150
    assert SubsidyClaim.objects.filter(origin=ClaimOrigin.SYSTEM).count() == run.counts["funding.SubsidyClaim"] - (
        SubsidyClaim.objects.filter(origin=ClaimOrigin.IMPORTED).count())
    assert AuditEntry.objects.filter(action="synth.removed").count() == 1


def test_personal_data_is_sealed_and_opens_to_the_generated_values(loaded: SynthRun) -> None:
    province = generate_province(PEOPLE, SEED, loaded.as_of)
    by_key = dict(zip(crypto.person_keys(province.persons["id_number"].to_list()),
                      province.persons.select("id_number", "phone").iter_rows(), strict=True))
    for person in Person.objects.all()[:50]:
        number, phone = by_key[person.person_key]
        assert number not in person.id_number_enc and person.id_number_enc.startswith("v1.")
        assert crypto.decrypt(person.id_number_enc, purpose=ID_NUMBER) == number
        assert crypto.decrypt(person.phone_enc, purpose=PHONE) == phone
        assert person.id_number_masked == number[:6] + "*" * 8 + number[-4:]
    teacher_numbers = set(province.teachers["id_number"])
    for teacher in Teacher.objects.all()[:20]:
        assert crypto.decrypt(teacher.id_number_enc, purpose=ID_NUMBER) in teacher_numbers


def test_claims_carry_the_engine_decision(loaded: SynthRun) -> None:
    system = SubsidyClaim.objects.filter(origin=ClaimOrigin.SYSTEM)
    assert set(system.values_list("status", flat=True)) >= {"pending", "paid", "rejected"}
    # Nothing denied is approved or paid; every paid claim is paid exactly once, its whole amount.
    assert not system.filter(status__in=["approved", "paid"]).exclude(eligible=True).exists()
    paid = system.filter(status="paid")
    assert Payment.objects.count() == paid.count() > 0
    assert not paid.annotate(n=Count("payments")).exclude(n=1).exists()
    for claim in paid.select_related()[:20]:
        assert claim.payments.get().amount == claim.total_amount > 0
    denied = system.filter(eligible=False)
    assert denied.exists()
    assert not denied.filter(denied_by="").exists()
    assert set(system.exclude(eligible__isnull=True).values_list("rule_version", flat=True)) != {""}
    # Individuals are named by person_key in 3.6 references, never by the clear number.
    individual = system.filter(advanced_by="individual").first()
    assert individual is not None and len(individual.advanced_by_ref) == 64


def test_certificates_and_projects_follow_the_plan(loaded: SynthRun) -> None:
    project_certificates = Certificate.objects.filter(kind="project_training")
    for certificate in project_certificates.select_related("project")[:20]:
        project = certificate.project
        assert project.city_confirmed_effect and project.applicant_confirmed_effect  # 3.4d
        assert certificate.issued_on >= project.city_confirmed_on
    short = TrainingClass.objects.filter(training_type="special_ability", class_hours__lt=28)
    assert short.exists() and not short.filter(status__in=["approved", "in_progress", "finished"]).exists()  # 3.2


def test_money_is_in_the_ledger_and_officials_can_go_on(loaded: SynthRun, province_official) -> None:
    from qiancheng.funding.services.claims import approve_claim
    from qiancheng.funding.services.ledger import verify_ledger
    from qiancheng.funding.services.payments import pay_claim
    from qiancheng.funding.services.refusal import FundingRefused

    report = verify_ledger()
    assert report.ok, report.problems[:5]
    system = SubsidyClaim.objects.filter(origin=ClaimOrigin.SYSTEM)
    assert not system.filter(fund_account__isnull=True).exists()
    assert not Payment.objects.filter(ledger_transaction__isnull=True).exists()
    pending = system.filter(status="pending").order_by("end_date", "number")
    approved = None
    for claim in pending:
        try:
            approved = approve_claim(province_official, claim, "合成数据复核 / synthetic review")
            break
        except FundingRefused as refused:  # an ineligible pending claim is refused: try the next one
            assert refused.code == "not_eligible", refused
    assert approved is not None and approved.status == "approved"
    payment = pay_claim(province_official, approved, "test-synth-payment")
    assert payment.amount == approved.total_amount
    assert verify_ledger().ok
