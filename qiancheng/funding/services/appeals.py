"""Appeals (申诉) against a rejected claim: once, by its claimant, decided by a different official.

The claimant (the institution or enterprise through its account, or the trainee) appeals a rejection
with a reason and documents. A city official of the claim's city who did not reject the claim (or the
province) decides. Upholding the appeal puts the claim back before the decision engine: if the engine
finds it eligible it is approved and its money reserved; if not, the appeal cannot be upheld and the
official dismisses it with the engine's reasons. The appeal and its outcome stay on the record.

Lock order (ADR 0003): claim row → appeal row → audit chain → fund rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from qiancheng.accounts.audit import record_event
from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import scoped
from qiancheng.funding.models import (
    COUNTING_STATUSES,
    Appeal,
    AppealDocument,
    AppealStatus,
    ClaimStatus,
    SubsidyClaim,
)
from qiancheng.funding.services.claim_status import move_claim
from qiancheng.funding.services.claims import REVIEWER_ROLES, approve_decided, decide, is_claimant
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.web.tabular import sniffed_content_type

MAX_DOCUMENTS = 10
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def _check_documents(documents: Sequence[tuple[str, bytes]]) -> None:
    if len(documents) > MAX_DOCUMENTS:
        raise FundingRefused("too_many_documents", f"申诉材料最多{MAX_DOCUMENTS}份",
                             f"an appeal carries at most {MAX_DOCUMENTS} documents", status=422)
    for number, (name, content) in enumerate(documents, start=1):
        if not name.strip() or not content:
            raise FundingRefused("bad_document", f"第{number}份材料：须有文件名和内容",
                                 f"document {number}: needs a name and content", status=422)
        if len(content) > MAX_DOCUMENT_BYTES:
            raise FundingRefused("document_too_large", f"第{number}份材料“{name}”超过10MB",
                                 f"document {number} ({name}) is larger than 10 MB", status=422)
        # Judged by content, like an institution's documents: an executable named .pdf is refused.
        if sniffed_content_type(content) is None:
            raise FundingRefused("document_type", f"第{number}份材料“{name}”不是 PDF、JPEG 或 PNG（按文件内容判断）",
                                 f"document {number} ({name}) is not a PDF, JPEG or PNG (judged by its content)",
                                 status=422)


def file_appeal(actor: Any, claim: SubsidyClaim, reason: str, documents: Sequence[tuple[str, bytes]]) -> Appeal:
    """The claimant appeals the rejection of its claim, once, with a reason and its documents."""
    if not is_claimant(actor, claim) or not scoped(SubsidyClaim.objects.filter(pk=claim.pk), actor).exists():
        raise FundingRefused("forbidden", "只有申领方可以申诉", "only the claimant may appeal", status=403)
    if not reason.strip():
        raise FundingRefused("reason_missing", "申诉须说明理由", "an appeal needs a reason", status=422)
    _check_documents(documents)
    try:
        with transaction.atomic():
            current = SubsidyClaim.objects.select_for_update().get(pk=claim.pk)
            if current.status != ClaimStatus.REJECTED:
                raise FundingRefused("not_rejected", f"申领{current.number}当前状态为“{current.get_status_display()}”，"
                                     "只有未通过的申领可以申诉",
                                     f"claim {current.number} is {current.status}; only a rejected claim is appealed")
            if Appeal.objects.filter(claim=current).exists():
                raise FundingRefused("already_appealed", f"申领{current.number}已申诉过一次",
                                     f"claim {current.number} has already been appealed once")
            appeal = Appeal.objects.create(claim=current, filed_by=actor, filed_at=timezone.now(), reason=reason.strip(),
                                           rejected_by_id=current.reviewed_by_id, status=AppealStatus.FILED)
            for name, content in documents:
                AppealDocument.objects.create(appeal=appeal, name=name.strip()[:255], content=content,
                                              size_bytes=len(content), sha256=hashlib.sha256(content).hexdigest())
            record_event(actor, "appeal.filed", appeal, after={
                "claim": current.number, "documents": [[name, hashlib.sha256(content).hexdigest()]
                                                       for name, content in documents]}, reason=reason.strip())
    except IntegrityError as exc:
        # Two filings raced past the check; the UNIQUE on the claim let one in.
        raise FundingRefused("already_appealed", f"申领{claim.number}已申诉过一次",
                             f"claim {claim.number} has already been appealed once") from exc
    return appeal


def require_appeal_official(actor: Any, appeal: Appeal) -> None:
    """An official of the claim's city (or the province) who is not the one who rejected the claim."""
    if getattr(actor, "role", None) not in REVIEWER_ROLES or not scoped(
        Appeal.objects.filter(pk=appeal.pk), actor
    ).exists():
        raise FundingRefused("forbidden", "无权复核该申诉", "not allowed to decide this appeal", status=403)
    if appeal.rejected_by_id is not None and appeal.rejected_by_id == actor.pk:
        raise FundingRefused("same_official", "驳回该申领的人员不能复核其申诉",
                             "the official who rejected the claim may not decide its appeal", status=403)


def decide_appeal(actor: Any, appeal: Appeal, upheld: bool, reason: str, *, as_of: dt.date | None = None) -> Appeal:
    """Uphold or dismiss an appeal with a reason. Upheld: the claim is decided again by the engine (as of the
    programme's today) and, if eligible, approved with its money reserved; if the engine denies it, the appeal
    is refused as it stands (nothing is written) and must be dismissed with the engine's reasons."""
    require_appeal_official(actor, appeal)
    if not reason.strip():
        raise FundingRefused("reason_missing", "复核须说明理由", "an appeal decision needs a reason", status=422)
    with transaction.atomic():
        claim = SubsidyClaim.objects.select_for_update().get(pk=appeal.claim_id)
        current = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if current.status != AppealStatus.FILED:
            raise FundingRefused("already_decided", f"该申诉已复核：{current.get_status_display()}",
                                 f"the appeal has already been decided: {current.status}")
        if upheld:
            if SubsidyClaim.objects.filter(enrolment_id=claim.enrolment_id, status__in=COUNTING_STATUSES).exclude(
                    pk=claim.pk).exists():
                raise FundingRefused("already_claimed", "该培训已有另一笔有效申领，申诉不能使本申领恢复",
                                     "the training has another standing claim; this one cannot be restored")
            # Back before the engine, as if the claim had just been filed; approve_decided reserves the money.
            move_claim(claim, ClaimStatus.PENDING)
            decide(actor, SubsidyClaim.objects.filter(pk=claim.pk), as_of)
            claim.refresh_from_db()
            approve_decided(actor, claim, f"申诉成立 / appeal upheld: {reason.strip()}")
        current.status = AppealStatus.UPHELD if upheld else AppealStatus.DISMISSED
        current.decided_by, current.decided_at, current.decision_reason = actor, timezone.now(), reason.strip()
        current.claim_status_after = claim.status
        current.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "claim_status_after"])
        record_event(actor, "appeal.decided", current, before={"status": AppealStatus.FILED}, after={
            "status": current.status, "claim": claim.number, "claim_status": claim.status,
            "reserved": claim.total_amount if upheld else None}, reason=reason.strip())
    return current


def appeal_documents_for(actor: Any, appeal: Appeal) -> list[AppealDocument]:
    """The documents of an appeal the actor may see (the appellant, its city's officials, the province)."""
    if getattr(actor, "role", None) not in (*REVIEWER_ROLES, Role.INSTITUTION, Role.ENTERPRISE, Role.TRAINEE):
        return []
    return list(scoped(AppealDocument.objects.filter(appeal=appeal), actor).defer("content"))
