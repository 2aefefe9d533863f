"""5.2c: special-account project training pays 200 CNY more per trainee employed three months after."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from qiancheng.accounts.models import AuditEntry, User
from qiancheng.catalog.vocabulary import ApplicantRelation, TrainingType
from qiancheng.evaluation.models import Certificate, CertificateKind, Evaluation
from qiancheng.funding.models import FundSource, PartyKind, ProofKind, SubsidyClaim
from qiancheng.funding.services.claims import EmploymentProof, add_employment_proof, approve_claim, file_claim
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.tests.money import funded
from qiancheng.training.models import EnrolmentStatus
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db
END = dt.date(2025, 9, 30)


def _project_claim(actor: User) -> SubsidyClaim:
    project = builders.project()
    training = builders.training_class(training_type=TrainingType.PROJECT, project=project, end_date=END)
    enrolment = builders.enrolment(training, status=EnrolmentStatus.COMPLETED, left_on=END,
                                   applicant_relation=ApplicantRelation.EMPLOYEE)
    builders.attended(enrolment)
    evaluation = Evaluation.objects.create(enrolment=enrolment, person=enrolment.person, passed=True,
                                           evaluated_on=END, evaluator="项目考核组")
    Certificate.objects.create(number=f"PT-{enrolment.pk}", kind=CertificateKind.PROJECT_TRAINING,
                               person=enrolment.person, project=project, issuer="南宁市人社局",
                               issued_on=END, evaluation=evaluation)
    fund = funded(actor, "100000.00", source=FundSource.SPECIAL_ACCOUNT)
    uscc = training.institution.uscc  # 5.2a: the organising institution claims
    return file_claim(actor, enrolment, fund, PartyKind.INSTITUTION, uscc, PartyKind.INSTITUTION, uscc)


def test_a_proof_three_months_after_adds_200_and_an_early_one_adds_nothing(province_official: User) -> None:
    claim = _project_claim(province_official)
    assert claim.eligible, claim.denied_by
    assert (claim.training_amount, claim.employment_amount) == (Decimal("600.00"), Decimal("0.00"))
    early = add_employment_proof(province_official, claim,
                                 EmploymentProof(ProofKind.LABOUR_CONTRACT, dt.date(2025, 12, 29)))
    assert early.employment_amount == Decimal("0.00") and early.total_amount == Decimal("600.00")
    due = add_employment_proof(province_official, claim,
                               EmploymentProof(ProofKind.SOCIAL_INSURANCE_RECORD, dt.date(2025, 12, 30)))
    assert (due.employment_amount, due.total_amount) == (Decimal("200.00"), Decimal("800.00"))
    approved = approve_claim(province_official, claim)
    assert approved.total_amount == Decimal("800.00")
    with pytest.raises(FundingRefused) as refused:
        add_employment_proof(province_official, claim, EmploymentProof(ProofKind.WAGE_STATEMENT, dt.date(2026, 1, 5)))
    assert refused.value.code == "not_pending"


def test_only_the_claimant_or_a_reviewer_adds_a_proof(province_official: User, outsider: User) -> None:
    claim = _project_claim(province_official)
    with pytest.raises(FundingRefused) as refused:
        add_employment_proof(outsider, claim, EmploymentProof(ProofKind.LABOUR_CONTRACT, dt.date(2026, 1, 5)))
    assert refused.value.code == "forbidden"
    with pytest.raises(FundingRefused):
        add_employment_proof(province_official, claim, EmploymentProof("photo", dt.date(2026, 1, 5)))


def test_the_proof_names_its_employer_and_the_commit_queues_one_risk_scan(
        province_official: User, django_capture_on_commit_callbacks) -> None:
    """The employer a proof names (its USCC) is kept for risk's linked-employer rule (6d); a wrong code is
    refused with nothing kept, and only a committed proof tells risk (web.imports_done)."""
    claim = _project_claim(province_official)
    with django_capture_on_commit_callbacks(execute=False) as refused_callbacks:
        with pytest.raises(FundingRefused) as refused:
            add_employment_proof(province_official, claim, EmploymentProof(
                ProofKind.LABOUR_CONTRACT, dt.date(2025, 12, 30), "91450100MA5K12340X"))
    assert refused.value.code == "bad_employer_uscc" and not refused_callbacks
    claim.refresh_from_db()
    assert (claim.employment_proof_kind, claim.employer_uscc) == ("", "")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        proved = add_employment_proof(province_official, claim, EmploymentProof(
            ProofKind.LABOUR_CONTRACT, dt.date(2025, 12, 30), " 91450100ma5k12340n "))
    assert proved.employer_uscc == "91450100MA5K12340N" and proved.employment_amount == Decimal("200.00")
    assert len(callbacks) == 1
    assert AuditEntry.objects.get(action="claim.employment_proof_added").after["employer_uscc"] == "91450100MA5K12340N"
