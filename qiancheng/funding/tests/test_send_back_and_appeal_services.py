"""Send back for documents, resubmit; appeal a rejection once, decided by another official."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qiancheng.accounts.models import AuditEntry, Role, User
from qiancheng.funding.models import Appeal, AppealDocument, AppealStatus, ClaimStatus, SubsidyClaim
from qiancheng.funding.services.appeals import decide_appeal, file_appeal
from qiancheng.funding.services.claims import approve_claim, reject_claim, resubmit_claim, send_back_claim
from qiancheng.funding.services.funds import balances
from qiancheng.funding.services.ledger import verify_ledger
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.tests.money import (
    filed_claim,
    finished_class,
    funded,
    institution_user_of,
    paid_for_enrolment,
)

pytestmark = pytest.mark.django_db


def _claim(province: User) -> tuple[SubsidyClaim, User]:
    training = finished_class()
    fund = funded(province, "10000.00")
    return filed_claim(province, paid_for_enrolment(training), fund), institution_user_of(training)


def test_a_claim_sent_back_stays_counted_and_waits_for_the_claimant(province_official: User,
                                                                     nanning_official: User,
                                                                     liuzhou_official: User) -> None:
    claim, claimant = _claim(province_official)
    with pytest.raises(FundingRefused) as liuzhou:
        send_back_claim(liuzhou_official, claim, "缺少发票")
    assert liuzhou.value.status == 403
    with pytest.raises(FundingRefused):
        send_back_claim(nanning_official, claim, " ")
    sent = send_back_claim(nanning_official, claim, "请补充培训费发票 / invoice missing")
    assert sent.status == ClaimStatus.PENDING and sent.counts and sent.awaiting_documents
    assert sent.documents_requested_by == nanning_official
    with pytest.raises(FundingRefused) as waiting:
        approve_claim(nanning_official, claim)
    assert waiting.value.code == "awaiting_documents"
    with pytest.raises(FundingRefused) as not_claimant:
        resubmit_claim(nanning_official, claim, "已补充")
    assert not_claimant.value.status == 403
    again = resubmit_claim(claimant, claim, "已上传发票 / invoice uploaded")
    assert not again.awaiting_documents and again.documents_request_reason == "" and again.eligible
    assert AuditEntry.objects.filter(action="claim.resubmitted", target_pk=str(claim.pk)).exists()
    with pytest.raises(FundingRefused) as twice:
        resubmit_claim(claimant, claim, "再次")
    assert twice.value.code == "not_sent_back"
    assert approve_claim(nanning_official, claim).status == ClaimStatus.APPROVED


def test_a_rejection_clears_a_pending_request_for_documents(province_official: User, nanning_official: User) -> None:
    claim, _ = _claim(province_official)
    send_back_claim(nanning_official, claim, "缺材料")
    rejected = reject_claim(nanning_official, claim, "逾期未补充 / documents never came")
    assert rejected.status == ClaimStatus.REJECTED and rejected.documents_requested_at is None


def test_an_upheld_appeal_is_decided_by_another_official_and_reserves_the_money(province_official: User,
                                                                                 nanning_official: User,
                                                                                 liuzhou_official: User) -> None:
    claim, claimant = _claim(province_official)
    fund = claim.fund_account
    reject_claim(nanning_official, claim, "考勤存疑 / attendance doubtful")
    with pytest.raises(FundingRefused) as not_claimant:
        file_appeal(nanning_official, claim, "不服", [])
    assert not_claimant.value.status == 403
    appeal = file_appeal(claimant, claim, "考勤记录完整 / attendance is complete", [("考勤表.pdf", b"%PDF-1.4 ...")])
    assert AppealDocument.objects.get(appeal=appeal).size_bytes == len(b"%PDF-1.4 ...")
    with pytest.raises(FundingRefused) as once:
        file_appeal(claimant, claim, "再次申诉", [])
    assert once.value.code == "already_appealed"
    with pytest.raises(FundingRefused) as same:
        decide_appeal(nanning_official, appeal, True, "复核")
    assert same.value.code == "same_official"
    with pytest.raises(FundingRefused) as liuzhou:
        decide_appeal(liuzhou_official, appeal, True, "复核")
    assert liuzhou.value.status == 403
    colleague = User.objects.create(username="nanning-2", role=Role.CITY_OFFICIAL, city=nanning_official.city)
    decided = decide_appeal(colleague, appeal, True, "考勤表核实无误 / attendance verified")
    claim.refresh_from_db()
    assert decided.status == AppealStatus.UPHELD and decided.claim_status_after == ClaimStatus.APPROVED
    assert claim.status == ClaimStatus.APPROVED and claim.reviewed_by == colleague
    assert balances(fund).reserved == claim.total_amount > 0
    with pytest.raises(FundingRefused) as twice:
        decide_appeal(province_official, appeal, False, "再议")
    assert twice.value.code == "already_decided"
    assert verify_ledger().ok


def test_an_appeal_document_is_judged_by_its_content(province_official: User, nanning_official: User) -> None:
    """An executable named .pdf is refused like an institution's document would be; nothing is filed."""
    claim, claimant = _claim(province_official)
    reject_claim(nanning_official, claim, "考勤存疑 / attendance doubtful")
    with pytest.raises(FundingRefused) as refused:
        file_appeal(claimant, claim, "考勤记录完整", [("考勤表.pdf", b"MZ\x90\x00 an executable")])
    assert refused.value.code == "document_type" and refused.value.status == 422
    assert not AppealDocument.objects.exists()
    appeal = file_appeal(claimant, claim, "考勤记录完整", [("考勤表.png", b"\x89PNG\r\n\x1a\n....")])
    assert appeal.documents.count() == 1


def test_a_dismissed_appeal_leaves_the_claim_rejected_on_the_record(province_official: User,
                                                                     nanning_official: User) -> None:
    claim, claimant = _claim(province_official)
    reject_claim(nanning_official, claim, "材料不全")
    appeal = file_appeal(claimant, claim, "材料已齐", [])
    decided = decide_appeal(province_official, appeal, False, "维持原决定 / rejection stands")
    claim.refresh_from_db()
    assert decided.status == AppealStatus.DISMISSED and claim.status == ClaimStatus.REJECTED
    assert Appeal.objects.filter(claim=claim).count() == 1
    assert AuditEntry.objects.filter(action="appeal.decided", target_pk=str(appeal.pk)).exists()
    assert balances(claim.fund_account).reserved == Decimal("0.00")


def test_only_a_rejected_claim_is_appealed(province_official: User) -> None:
    claim, claimant = _claim(province_official)
    with pytest.raises(FundingRefused) as pending:
        file_appeal(claimant, claim, "不服", [])
    assert pending.value.code == "not_rejected"
