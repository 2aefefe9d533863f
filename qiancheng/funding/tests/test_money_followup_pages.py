"""The money pages of send-back, appeal, recovery, the unmasked list and the employment subsidy (5.2c).

Each page renders for its roles, refuses the others, hides another city's records behind the same 404,
and every POST changes state through the services.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from qiancheng.accounts.models import AuditEntry, User
from qiancheng.catalog.vocabulary import ApplicantRelation, TrainingType
from qiancheng.clock import frozen_at
from qiancheng.evaluation.models import Certificate, CertificateKind, Evaluation
from qiancheng.funding.models import (
    Appeal,
    AppealStatus,
    ClaimStatus,
    FundSource,
    PartyKind,
    RecoveryCase,
    RecoveryStatus,
    SubsidyClaim,
)
from qiancheng.funding.services.claims import approve_claim, file_claim, file_class_claims, reject_claim
from qiancheng.funding.services.payments import pay_claim
from qiancheng.funding.tests.money import finished_class, funded, institution_parties, paid_for_enrolment
from qiancheng.insight.tests.rating_records import rated as rated_by_snapshot
from qiancheng.training.models import EnrolmentStatus
from qiancheng.training.tests import builders
from qiancheng.web.queues import queues_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def eligible(persona_institution, institution_user: User, province_official: User) -> list[SubsidyClaim]:
    """Two eligible pending claims of the persona institution's finished 南宁 class."""
    training = finished_class(institution=persona_institution)
    for _ in range(2):
        paid_for_enrolment(training)
    fund = funded(province_official, "100000.00")
    claims, _ = file_class_claims(institution_user, training, fund, institution_parties(training))
    assert all(claim.eligible for claim in claims)
    return claims


# ---------------------------------------------------------------- send back, resubmit


def test_send_back_and_resubmit(client: Client, login, nanning_official, institution_user, eligible) -> None:
    claim, other = eligible
    login(client, nanning_official)
    client.post(f"/money/claims/{claim.number}/send-back/", {"reason": "请补充考勤表原件"})
    claim.refresh_from_db()
    assert claim.awaiting_documents and claim.documents_request_reason == "请补充考勤表原件"
    queue = client.get("/money/review/")
    assert [row["claim"].number for row in queue.context["rows"]] == [other.number]
    assert claim.number in queue.content.decode()  # listed among the claims sent back
    assert {s.key: s.count for s in queues_for(nanning_official)}["claims"] == 1

    login(client, institution_user)
    page = client.get(f"/money/claims/{claim.number}/").content.decode()
    assert "请补充考勤表原件" in page and "重新提交" in page
    client.post(f"/money/claims/{claim.number}/resubmit/", {"note": "已上传考勤表"})
    claim.refresh_from_db()
    assert not claim.awaiting_documents and claim.status == ClaimStatus.PENDING


def test_only_officials_send_back(client: Client, login, institution_user, liuzhou_official, eligible) -> None:
    claim = eligible[0]
    login(client, institution_user)
    assert client.post(f"/money/claims/{claim.number}/send-back/", {"reason": "x"}).status_code == 404
    login(client, liuzhou_official)
    assert client.post(f"/money/claims/{claim.number}/send-back/", {"reason": "x"}).status_code == 404
    claim.refresh_from_db()
    assert not claim.awaiting_documents


# ---------------------------------------------------------------- appeals


@pytest.fixture
def rejected(eligible: list[SubsidyClaim], nanning_official: User) -> SubsidyClaim:
    return reject_claim(nanning_official, eligible[0], "考勤记录存疑")


def test_the_claimant_appeals_with_documents(client: Client, login, institution_user, rejected) -> None:
    login(client, institution_user)
    assert "提交申诉" in client.get(f"/money/claims/{rejected.number}/").content.decode()
    upload = SimpleUploadedFile("考勤表.pdf", b"%PDF-1.4 attendance", content_type="application/pdf")
    client.post(f"/money/claims/{rejected.number}/appeal/", {"reason": "考勤表已补齐", "documents": [upload]})
    appeal = Appeal.objects.get()
    assert (appeal.claim_id, appeal.status, appeal.reason) == (rejected.pk, AppealStatus.FILED, "考勤表已补齐")
    assert list(appeal.documents.values_list("name", flat=True)) == ["考勤表.pdf"]
    # Once only: the form is gone and a second filing is refused.
    assert "提交申诉" not in client.get(f"/money/claims/{rejected.number}/").content.decode()
    client.post(f"/money/claims/{rejected.number}/appeal/", {"reason": "again"})
    assert Appeal.objects.count() == 1


def _appeal(client: Client, login, institution_user: User, claim: SubsidyClaim) -> Appeal:
    login(client, institution_user)
    client.post(f"/money/claims/{claim.number}/appeal/", {"reason": "考勤表已补齐",
                                                           "documents": [SimpleUploadedFile("a.pdf", b"%PDF-1.4 a")]})
    return Appeal.objects.get()


def test_the_official_who_rejected_cannot_decide_the_appeal(client: Client, login, institution_user,
                                                            nanning_official, rejected) -> None:
    appeal = _appeal(client, login, institution_user, rejected)
    login(client, nanning_official)
    queue = client.get("/money/appeals/").content.decode()
    assert rejected.number in queue
    page = client.get(f"/money/appeals/{appeal.pk}/").content.decode()
    assert "不能复核其申诉" in page and "a.pdf" in page
    answer = client.post(f"/money/appeals/{appeal.pk}/", {"outcome": "uphold", "reason": "同意"}, follow=True)
    assert "驳回该申领的人员不能复核其申诉" in answer.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.FILED


def test_another_official_upholds_the_appeal(client: Client, login, institution_user, province_official,
                                             rejected) -> None:
    appeal = _appeal(client, login, institution_user, rejected)
    login(client, province_official)
    assert "不能复核其申诉" not in client.get(f"/money/appeals/{appeal.pk}/").content.decode()
    client.post(f"/money/appeals/{appeal.pk}/", {"outcome": "uphold", "reason": "考勤表核实无误"})
    appeal.refresh_from_db()
    rejected.refresh_from_db()
    assert (appeal.status, appeal.decided_by_id, rejected.status) == (AppealStatus.UPHELD, province_official.pk,
                                                                      ClaimStatus.APPROVED)
    assert {s.key: s.count for s in queues_for(province_official)}["appeals"] == 0


def test_appeal_pages_refuse_other_roles_and_cities(client: Client, login, institution_user, liuzhou_official,
                                                    rejected) -> None:
    appeal = _appeal(client, login, institution_user, rejected)
    document = appeal.documents.get()
    assert client.get(f"/money/appeals/{appeal.pk}/").status_code == 404
    assert client.get("/money/appeals/").status_code == 403
    assert client.get(f"/money/appeals/documents/{document.pk}/").content == b"%PDF-1.4 a"
    login(client, liuzhou_official)
    assert client.get(f"/money/appeals/{appeal.pk}/").status_code == 404
    assert client.post(f"/money/appeals/{appeal.pk}/", {"outcome": "uphold", "reason": "x"}).status_code == 404
    assert client.get(f"/money/appeals/documents/{document.pk}/").status_code == 404
    assert rejected.number not in client.get("/money/appeals/").content.decode()


# ---------------------------------------------------------------- recovery and the unmasked list


@pytest.fixture
def paid(eligible: list[SubsidyClaim], nanning_official: User) -> SubsidyClaim:
    claim = approve_claim(nanning_official, eligible[0])
    pay_claim(nanning_official, claim, "pay-1", batch_ref="B-1")
    claim.refresh_from_db()
    return claim


def test_open_a_recovery_and_record_repayments(client: Client, login, nanning_official, liuzhou_official,
                                               paid) -> None:
    login(client, nanning_official)
    assert "立案追回" in client.get(f"/money/claims/{paid.number}/").content.decode()
    client.post(f"/money/claims/{paid.number}/recover/", {"reason_kind": "fraud", "reason": "冒名顶替",
                                                          "amount": "100.00"})
    case = RecoveryCase.objects.get()
    paid.refresh_from_db()
    assert (case.amount_owed, paid.status) == (Decimal("100.00"), ClaimStatus.RECOVERED)
    assert paid.number in client.get("/money/recoveries/").content.decode()
    for _ in range(2):  # the same voucher twice is recorded once
        client.post(f"/money/recoveries/{case.pk}/repay/", {"amount": "40.00", "document_ref": "V-001"})
    case.refresh_from_db()
    assert (case.repaid, case.status) == (Decimal("40.00"), RecoveryStatus.PARTLY_REPAID)
    login(client, liuzhou_official)
    assert client.post(f"/money/recoveries/{case.pk}/repay/", {"amount": "60.00",
                                                                 "document_ref": "V-002"}).status_code == 404
    assert paid.number not in client.get("/money/recoveries/").content.decode()
    case.refresh_from_db()
    assert case.repaid == Decimal("40.00")


def test_recoveries_are_for_officials(client: Client, login, institution_user, paid) -> None:
    login(client, institution_user)
    assert client.get("/money/recoveries/").status_code == 403
    assert client.post(f"/money/claims/{paid.number}/recover/", {"reason_kind": "fraud",
                                                                 "reason": "x"}).status_code == 404
    assert RecoveryCase.objects.count() == 0


def test_the_unmasked_list_is_the_provinces_and_logged(client: Client, login, nanning_official, province_official,
                                                       paid) -> None:
    login(client, nanning_official)
    assert "导出完整清单" not in client.get("/money/payments/").content.decode()
    refused = client.post("/money/payments/batches/B-1/unmasked.xlsx")
    assert refused.status_code == 302
    assert not AuditEntry.objects.filter(action="payments.list_exported_unmasked").exists()
    login(client, province_official)
    page = client.get("/money/payments/").content.decode()
    assert "导出完整清单" in page and "记入审计日志" in page
    no_reason = client.post("/money/payments/batches/B-1/unmasked.xlsx", {"reason": "  "})
    assert no_reason.status_code == 302
    assert not AuditEntry.objects.filter(action="payments.list_exported_unmasked").exists()
    export = client.post("/money/payments/batches/B-1/unmasked.xlsx", {"reason": "报送国库集中支付"},
                         REMOTE_ADDR="10.45.1.7")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    entry = AuditEntry.objects.get(action="payments.list_exported_unmasked")
    assert (entry.reason, entry.ip) == ("报送国库集中支付", "10.45.1.7")


# ---------------------------------------------------------------- 5.2c employment


END = dt.date(2025, 9, 30)


def _project_enrolment(training: Any) -> Any:
    """A project-training trainee who passed, with what 6c asks to be in the system."""
    enrolment = builders.enrolment(training, status=EnrolmentStatus.COMPLETED, left_on=END,
                                   applicant_relation=ApplicantRelation.EMPLOYEE)
    builders.attended(enrolment)
    evaluation = Evaluation.objects.create(enrolment=enrolment, person=enrolment.person, passed=True,
                                           evaluated_on=END, evaluator="项目考核组")
    Certificate.objects.create(number=f"PT-{enrolment.pk}", kind=CertificateKind.PROJECT_TRAINING,
                               person=enrolment.person, project=training.project, issuer="南宁市人社局",
                               issued_on=END, evaluation=evaluation)
    return enrolment


def _project_claim(actor: User, training: Any, fund: Any) -> SubsidyClaim:
    """A special-account project-training claim of a trainee who passed (5.2a/5.2c)."""
    uscc = training.institution.uscc
    return file_claim(actor, _project_enrolment(training), fund, PartyKind.INSTITUTION, uscc, PartyKind.INSTITUTION,
                      uscc)


def test_the_employment_page_lists_due_late_and_rates(client: Client, login, province_official, nanning_official,
                                                      liuzhou_official, institution_user, persona_institution) -> None:
    training = builders.training_class(training_type=TrainingType.PROJECT, project=builders.project(), end_date=END,
                                       institution=persona_institution, name="新能源汽车装调项目班")
    fund = funded(province_official, "100000.00", source=FundSource.SPECIAL_ACCOUNT)
    employed, waiting = (_project_claim(province_official, training, fund) for _ in range(2))
    login(client, institution_user)
    with frozen_at(dt.date(2026, 1, 5)):
        client.post(f"/money/claims/{employed.number}/employment-proof/",
                    {"kind": "labour_contract", "date": "2026-01-05"})
    employed.refresh_from_db()
    assert employed.employment_amount == Decimal("200.00")
    assert client.get("/money/employment/").status_code == 403

    login(client, nanning_official)
    with frozen_at(dt.date(2026, 1, 5)):
        page = client.get("/money/employment/")
    assert [each.claim.number for each in page.context["due"]] == [waiting.number] and page.context["late"] == []
    assert page.context["institution_chart"] == {"labels": [persona_institution.name], "values": [50.0]}
    assert "新能源汽车装调项目班" in page.content.decode() and 'id="employment-class-chart"' in page.content.decode()
    with frozen_at(dt.date(2026, 2, 1)):
        late = client.get("/money/employment/").context["late"]
    assert [each.claim.number for each in late] == [waiting.number]

    login(client, liuzhou_official)
    with frozen_at(dt.date(2026, 2, 1)):
        other = client.get("/money/employment/")
    assert other.context["late"] == [] and waiting.number not in other.content.decode()


# ---------------------------------------------------------------- the enterprise as claimant, the advance


def test_the_enterprise_claims_for_its_project_class(client: Client, login, enterprise_user, persona_enterprise,
                                                     province_official) -> None:
    project = builders.project(applicant=persona_enterprise)
    training = builders.training_class(training_type=TrainingType.PROJECT, project=project, end_date=END)
    funded(province_official, "100000.00", source=FundSource.SPECIAL_ACCOUNT)
    enrolment = _project_enrolment(training)
    login(client, enterprise_user)
    assert f"/money/classes/{training.pk}/claim/" in client.get("/money/claims/").content.decode()
    page = client.get(f"/money/classes/{training.pk}/claim/").content.decode()
    assert "职业技能提升行动专账资金" in page and persona_enterprise.name in page
    client.post(f"/money/classes/{training.pk}/claim/", {
        "source": FundSource.SPECIAL_ACCOUNT, "advanced_by": f"enterprise:{persona_enterprise.uscc}",
        "enrolments": [enrolment.pk], "confirm": "file"})
    claim = SubsidyClaim.objects.get(enrolment=enrolment)
    assert (claim.claimant, claim.claimant_ref, claim.advanced_by) == (
        PartyKind.ENTERPRISE, persona_enterprise.uscc, PartyKind.ENTERPRISE)


def test_the_class_claim_page_shows_the_credit_advance(client: Client, login, province_official, nanning_official,
                                                       persona_institution, institution_user) -> None:
    from qiancheng.funding.services.advances import grant_advance
    from qiancheng.training.models import ClassStatus, TrainingClass

    rated_by_snapshot(persona_institution)
    training = finished_class(institution=persona_institution, status=ClassStatus.APPROVED)
    paid_for_enrolment(training)
    fund = funded(province_official, "100000.00")
    with frozen_at(dt.date(2025, 9, 1)):
        advance = grant_advance(nanning_official, training, fund, "advance-1")
    TrainingClass.objects.filter(pk=training.pk).update(status=ClassStatus.FINISHED)
    login(client, institution_user)
    page = client.get(f"/money/classes/{training.pk}/claim/").content.decode()
    assert "信用支付" in page and f"{advance.amount:,.2f}" in page


def test_the_fund_summary_partial_renders_for_the_province_home(rf, province_official) -> None:
    from django.template.loader import render_to_string

    from qiancheng.funding.summary import fund_summary

    funded(province_official, "2500.00")
    html = render_to_string("funding/_fund_summary.html", {"fund_summary": fund_summary(province_official)})
    assert "0.25万元" in html and 'id="fund-summary-chart"' in html and 'href="/money/funds/"' in html


# ---------------------------------------------------------------- 3.6 credit payment


def test_grant_settle_and_recover_an_advance(client: Client, login, province_official, nanning_official,
                                             liuzhou_official, institution_user, persona_institution) -> None:
    from qiancheng.funding.models import Advance, AdvanceStatus, RecoveryReason
    from qiancheng.training.models import ClassStatus, TrainingClass

    rated_by_snapshot(persona_institution)
    training = finished_class(institution=persona_institution, status=ClassStatus.APPROVED, name="先垫付班")
    paid_for_enrolment(training)
    funded(province_official, "100000.00")
    login(client, institution_user)
    assert client.get("/money/advances/").status_code == 403
    login(client, liuzhou_official)
    assert "先垫付班" not in client.get("/money/advances/").content.decode()
    assert client.post(f"/money/advances/classes/{training.pk}/grant/",
                       {"idempotency_key": "b" * 32}).status_code == 404

    login(client, nanning_official)
    with frozen_at(dt.date(2025, 9, 1)):
        page = client.get("/money/advances/")
        candidate = page.context["candidates"][0]
        assert candidate.training.pk == training.pk and not candidate.refusal and candidate.amount > 0
        for _ in range(2):  # a double click grants once
            client.post(f"/money/advances/classes/{training.pk}/grant/", {"idempotency_key": candidate.idempotency_key})
    advance = Advance.objects.get()
    assert (advance.amount, advance.status) == (candidate.amount, AdvanceStatus.GRANTED)

    TrainingClass.objects.filter(pk=training.pk).update(status=ClassStatus.FINISHED)
    client.post(f"/money/advances/{advance.pk}/settle/")
    advance.refresh_from_db()
    assert advance.status == AdvanceStatus.UNEARNED  # no claim payment netted any of it
    client.post(f"/money/advances/{advance.pk}/recover/", {"reason": "学员未申领"})
    case = RecoveryCase.objects.get()
    assert (case.advance_id, case.reason_kind, case.amount_owed) == (advance.pk, RecoveryReason.UNEARNED_ADVANCE,
                                                                     advance.amount)


def test_a_proof_after_payment_is_a_topup_approved_and_paid_from_the_pages(
        client: Client, login, province_official, nanning_official, institution_user, persona_institution) -> None:
    from qiancheng.funding.models import Payment, TopupStatus

    training = builders.training_class(training_type=TrainingType.PROJECT, project=builders.project(), end_date=END,
                                       institution=persona_institution)
    fund = funded(province_official, "100000.00", source=FundSource.SPECIAL_ACCOUNT)
    claim = approve_claim(nanning_official, _project_claim(province_official, training, fund))
    pay_claim(nanning_official, claim, "pay-training")
    login(client, institution_user)
    assert "上传就业证明" in client.get(f"/money/claims/{claim.number}/").content.decode()
    with frozen_at(dt.date(2026, 1, 5)):
        client.post(f"/money/claims/{claim.number}/employment-proof/",
                    {"kind": "social_insurance_record", "date": "2026-01-05"})
    claim.refresh_from_db()
    assert (claim.topup_status, claim.topup_amount) == (TopupStatus.PENDING, Decimal("200.00"))

    login(client, nanning_official)
    assert claim.number in client.get("/money/review/").content.decode()
    client.post(f"/money/claims/{claim.number}/topup/", {"action": "approve", "reason": ""})
    claim.refresh_from_db()
    assert claim.topup_status == TopupStatus.APPROVED
    form = client.get("/money/payments/").context["form"]
    data = {"idempotency_key": form.initial["idempotency_key"], "claims": [claim.number]}
    assert [number for number, _ in form.fields["claims"].choices] == [claim.number]
    client.post("/money/payments/confirm/", data)
    client.post("/money/payments/confirm/", data)
    claim.refresh_from_db()
    assert claim.topup_status == TopupStatus.PAID
    assert sorted(Payment.objects.values_list("amount", flat=True)) == [Decimal("200.00"), Decimal("600.00")]
