"""End to end (4.1): a park's enterprise applies for a project, its class is delivered for the park, the
claims are filed, approved and paid in a payment batch, and the ledger debits the park's own account."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from qiancheng.accounts.models import Role, User
from qiancheng.catalog.parks import ParkEntry, add_park
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.clock import frozen_at
from qiancheng.evaluation.models import Certificate, CertificateKind, Evaluation
from qiancheng.funding.models import ClaimStatus, FundSource, LedgerEntry, TransactionKind
from qiancheng.funding.services.claims import approve_claims, file_class_claims, fund_account_for_class
from qiancheng.funding.services.funds import allocate, balances
from qiancheng.funding.services.ledger import PAID, RESERVED, verify_ledger
from qiancheng.funding.services.payments import pay_batch
from qiancheng.funding.tests.money import funded, institution_parties
from qiancheng.people.models import PersonCategory
from qiancheng.training.models import AttendanceRecord, ClassStatus, Enrolment, TrainingClass
from qiancheng.training.services.classes import ClassPlan, apply_for_class, approve_class, finish_class
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db
START, END = dt.date(2025, 10, 6), dt.date(2025, 10, 10)  # five days of 8 hours: 40 class hours


def _attended_every_hour(enrolment: Enrolment) -> None:
    """6c: attendance of every class hour, one 8-hour session a day."""
    for day in range(5):
        AttendanceRecord.objects.create(enrolment=enrolment, person=enrolment.person,
                                        session_date=START + dt.timedelta(days=day), present=True, hours=Decimal("8"))


def _passed_with_certificate(enrolment: Enrolment, training: TrainingClass) -> None:
    evaluation = Evaluation.objects.create(enrolment=enrolment, person=enrolment.person, passed=True,
                                           score=Decimal("85"), evaluated_on=END, evaluator="南宁市人社局与申请企业")
    Certificate.objects.create(number=f"PT-{enrolment.pk}", kind=CertificateKind.PROJECT_TRAINING,
                               person=enrolment.person, project=training.project, issuer="南宁市人力资源和社会保障局",
                               issued_on=END + dt.timedelta(days=5), evaluation=evaluation)


def test_a_parks_project_class_is_paid_from_the_parks_account(province_official: User,
                                                              nanning_official: User) -> None:
    park = add_park(province_official, "test_port", ParkEntry(
        name="测试临港园区", city=builders.city(), source_document="桂人社函〔2025〕99号（测试）",
        valid_from=dt.date(2025, 1, 1)))
    park_fund = allocate(province_official, FundSource.EMPLOYMENT_SUBSIDY, 2025, Decimal("10000000.00"),
                         "桂人社发〔2025〕4号", park=park)
    city_fund = funded(province_official, "100000.00")
    institution = builders.institution()
    institution_user = User.objects.create(username="park-school", role=Role.INSTITUTION, institution=institution)
    enterprise = builders.enterprise(park=park)  # an enterprise of the park applied for the project (3.4a)
    project = builders.project(applicant=enterprise, chosen_institution=institution, choice_reason="唯一申请的合格机构")

    with frozen_at(dt.date(2025, 9, 15)):
        training = apply_for_class(institution_user, institution, ClassPlan(
            name="临港装调项目班", training_type=TrainingType.PROJECT, start_date=START, end_date=END,
            class_hours=40, project=project))
        assert training.park == park  # delivered for the applicant's park without being told
        approve_class(nanning_official, training)
    enrolments = [builders.enrolment(training, category=category, applicant_relation="employee", enrolled_on=START)
                  for category in (PersonCategory.ENTERPRISE_EMPLOYEE, PersonCategory.RURAL_MIGRANT_WORKER)]
    for enrolment in enrolments:
        _attended_every_hour(enrolment)
    with frozen_at(END):
        training = finish_class(institution_user, training)
    assert training.status == ClassStatus.FINISHED
    for enrolment in enrolments:
        _passed_with_certificate(enrolment, training)

    fund = fund_account_for_class(training, FundSource.EMPLOYMENT_SUBSIDY)
    assert fund == park_fund
    with frozen_at(dt.date(2025, 11, 3)):
        claims, refused = file_class_claims(institution_user, training, fund, institution_parties(training))
        assert refused == {} and all(claim.eligible for claim in claims)
        approved, not_approved = approve_claims(nanning_official, claims)
        assert len(approved) == 2 and not_approved == {}
        payments, not_paid = pay_batch(nanning_official, approved, "PAY202511-450100-PARK")
    assert len(payments) == 2 and not_paid == {}

    total = sum((claim.total_amount for claim in claims), Decimal("0.00"))
    assert total > 0
    for claim in claims:
        claim.refresh_from_db()
        assert (claim.status, claim.fund_account_id) == (ClaimStatus.PAID, park_fund.pk)
    # The payments moved the park's reservation to paid: Dr fund.reserved / Cr fund.paid on the park's account.
    paid_entries = LedgerEntry.objects.filter(transaction__kind=TransactionKind.PAYMENT, fund=park_fund)
    assert paid_entries.filter(account=RESERVED).aggregate(total=Sum("debit"))["total"] == total
    assert paid_entries.filter(account=PAID).aggregate(total=Sum("credit"))["total"] == total
    park_balances = balances(park_fund)
    assert (park_balances.paid, park_balances.reserved) == (total, Decimal("0.00"))
    assert park_balances.available == Decimal("10000000.00") - total
    assert balances(city_fund).paid == Decimal("0.00") and not LedgerEntry.objects.filter(
        fund=city_fund).exclude(transaction__kind=TransactionKind.ALLOCATION).exists()
    assert verify_ledger().ok
