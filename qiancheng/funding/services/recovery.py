"""Recovery (追回, 6d): a payment found wrong becomes a case of money owed back to its fund.

A case is opened for a paid claim (fraud, a certificate revoked later, another finding) or for the
unearned part of an advance (3.6, `advances.recover_unearned_advance`). The debt is in the ledger as a
receivable of the fund; each repayment puts the money back into the fund's available balance and
lowers the receivable; the province may write off what cannot be recovered, with its reason.

Lock order (ADR 0003): claim row (or advance row) → recovery case row → audit chain → fund rows.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from qiancheng.accounts.audit import record_event
from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import scoped
from qiancheng.evaluation.models import Certificate, CertificateStatus
from qiancheng.funding.models import (
    Advance,
    ClaimStatus,
    RecoveryCase,
    RecoveryReason,
    RecoveryRepayment,
    RecoveryStatus,
    SubsidyClaim,
    TransactionKind,
)
from qiancheng.funding.services.claim_status import move_claim
from qiancheng.funding.services.claims import REVIEWER_ROLES, require_reviewer
from qiancheng.funding.services.ledger import (
    ASSESSED,
    AVAILABLE,
    FEN,
    PAID,
    RECEIVABLE,
    Entry,
    post_transaction,
    transfer,
)
from qiancheng.funding.services.refusal import FundingRefused

# The reasons an official gives for a claim; an advance's unearned part has its own path.
CLAIM_REASONS = (RecoveryReason.FRAUD, RecoveryReason.CERTIFICATE_REVOKED, RecoveryReason.OTHER)


def _money_to_fen(amount: Any, what_zh: str, what_en: str) -> Decimal:
    if not isinstance(amount, Decimal) or amount <= 0 or amount != amount.quantize(FEN):
        raise FundingRefused("bad_amount", f"{what_zh}须为大于零、精确到分的金额",
                             f"{what_en} must be a positive amount to the fen", status=422)
    return amount


def require_case_officer(actor: Any, case: RecoveryCase) -> None:
    """City officials act on their own city's cases, the province on any."""
    if getattr(actor, "role", None) not in REVIEWER_ROLES or not scoped(
        RecoveryCase.objects.filter(pk=case.pk), actor
    ).exists():
        raise FundingRefused("forbidden", "无权处理该追回案件", "not allowed to act on this recovery case", status=403)


def open_case(actor: Any, *, claim: SubsidyClaim | None = None, advance: Advance | None = None,
              debtor_kind: str, debtor_ref: str, amount: Decimal, reason_kind: str, reason: str,
              certificate: Certificate | None = None) -> RecoveryCase:
    """Write the case and its receivable (Dr recovery.receivable / Cr recovery.assessed). The caller holds
    the claim's or the advance's row lock and runs inside its transaction."""
    fund = claim.fund_account if claim is not None else advance.fund_account  # type: ignore[union-attr]
    city_id = claim.city_id if claim is not None else advance.training_class.city_id  # type: ignore[union-attr]
    case = RecoveryCase.objects.create(
        claim=claim, advance=advance, certificate=certificate, fund_account=fund, city_id=city_id,
        debtor_kind=debtor_kind, debtor_ref=debtor_ref, amount_owed=amount, reason_kind=reason_kind,
        reason=reason, status=RecoveryStatus.OPEN, opened_by=actor, opened_at=timezone.now(),
    )
    record_event(actor, "recovery.opened", case, after={
        "claim": claim.number if claim else None, "advance": advance.pk if advance else None,
        "debtor_kind": debtor_kind, "amount_owed": amount, "reason_kind": reason_kind,
    }, reason=reason)
    post_transaction(
        actor, TransactionKind.RECOVERY, transfer(fund, amount, debit=RECEIVABLE, credit=ASSESSED),
        memo=f"追回立案 #{case.pk} / recovery case opened", claim=claim, idempotency_key=f"recovery:open:{case.pk}",
    )
    return case


def open_recovery(actor: Any, claim: SubsidyClaim, reason_kind: str, reason: str,
                  amount: Decimal | None = None, *, certificate: Certificate | None = None) -> RecoveryCase:
    """Open a recovery case for a paid claim (6d): the claimant owes back `amount` (default: all that was
    paid for the claim, its advance share included); the claim becomes `recovered` (EXCHANGE.md status)
    and no longer counts toward any limit."""
    require_reviewer(actor, claim)
    if reason_kind not in CLAIM_REASONS:
        raise FundingRefused("bad_reason_kind", f"追回原因类型无效：{reason_kind}",
                             f"unknown recovery reason for a claim: {reason_kind}", status=422)
    if not reason.strip():
        raise FundingRefused("reason_missing", "追回须说明理由", "a recovery needs a reason", status=422)
    with transaction.atomic():
        current = SubsidyClaim.objects.select_for_update().get(pk=claim.pk)
        if current.status != ClaimStatus.PAID:
            raise FundingRefused("not_paid", f"申领{current.number}当前状态为“{current.get_status_display()}”，"
                                 "只有已支付的申领可以追回",
                                 f"claim {current.number} is {current.status}; only a paid claim is recovered")
        paid_for_claim = current.total_amount or Decimal("0.00")
        owed = paid_for_claim if amount is None else _money_to_fen(amount, "追回金额", "the amount owed")
        if owed > paid_for_claim or owed <= 0:
            raise FundingRefused("above_paid", f"追回金额{owed}超过该申领已支付的{paid_for_claim}",
                                 f"the amount owed {owed} is more than the {paid_for_claim} paid for the claim",
                                 status=422)
        case = open_case(actor, claim=current, debtor_kind=current.claimant, debtor_ref=current.claimant_ref,
                         amount=owed, reason_kind=reason_kind, reason=reason.strip(), certificate=certificate)
        before = move_claim(current, ClaimStatus.RECOVERED)
        record_event(actor, "claim.recovered", current, before={"status": before},
                     after={"status": current.status, "recovery_case": case.pk}, reason=reason.strip())
    return case


def record_repayment(actor: Any, case: RecoveryCase, amount: Decimal, document_ref: str) -> RecoveryCase:
    """Record money paid back on a case, by its bank voucher: Dr fund.paid / Cr fund.available (the money
    is in the fund again) and Dr recovery.assessed / Cr recovery.receivable. Never more than is still owed;
    the same voucher sent twice is recorded once (a different amount under it is refused)."""
    require_case_officer(actor, case)
    amount = _money_to_fen(amount, "还款金额", "a repayment")
    voucher = document_ref.strip()
    if not voucher:
        raise FundingRefused("document_ref_missing", "还款须注明缴款凭证号", "a repayment needs its voucher number",
                             status=422)
    with transaction.atomic():
        current = RecoveryCase.objects.select_for_update().select_related("fund_account").get(pk=case.pk)
        # Under the case's lock: a double-submitted voucher waits here, then finds the first one.
        earlier = RecoveryRepayment.objects.filter(case=current, document_ref=voucher).first()
        if earlier is not None:
            if earlier.amount != amount:
                raise FundingRefused("voucher_reused", f"凭证{voucher}已按{earlier.amount}元入账",
                                     f"voucher {voucher} was already recorded for {earlier.amount}")
            return current
        if current.status not in (RecoveryStatus.OPEN, RecoveryStatus.PARTLY_REPAID):
            raise FundingRefused("case_closed", f"追回案件#{current.pk}已{current.get_status_display()}",
                                 f"recovery case #{current.pk} is {current.status}")
        if amount > current.outstanding:
            raise FundingRefused("above_owed", f"还款{amount}元超过尚欠的{current.outstanding}元",
                                 f"a repayment of {amount} is more than the {current.outstanding} still owed",
                                 status=422)
        fund = current.fund_account
        posting = post_transaction(
            actor, TransactionKind.RECOVERY,
            [Entry(PAID, fund, debit=amount), Entry(AVAILABLE, fund, credit=amount),
             Entry(ASSESSED, fund, debit=amount), Entry(RECEIVABLE, fund, credit=amount)],
            memo=f"追回还款 #{current.pk} / recovery repayment", document_ref=voucher, claim=current.claim,
            idempotency_key=f"recovery:repay:{current.pk}:{voucher}",
        )
        RecoveryRepayment.objects.create(case=current, amount=amount, document_ref=voucher, ledger_transaction=posting,
                                         recorded_by=actor, recorded_at=timezone.now())
        before = {"status": current.status, "repaid": current.repaid}
        current.repaid += amount
        if current.outstanding == 0:
            current.status, current.closed_at = RecoveryStatus.CLOSED, timezone.now()
        else:
            current.status = RecoveryStatus.PARTLY_REPAID
        current.save(update_fields=["repaid", "status", "closed_at"])
        record_event(actor, "recovery.repaid", current, before=before, after={
            "status": current.status, "repaid": current.repaid, "amount": amount, "document_ref": voucher})
    return current


def write_off_recovery(actor: Any, case: RecoveryCase, reason: str) -> RecoveryCase:
    """The province writes off what a case can no longer recover (核销), with its reason: Dr
    recovery.assessed / Cr recovery.receivable; the money stays paid."""
    if getattr(actor, "role", None) != Role.PROVINCE_OFFICIAL:
        raise FundingRefused("forbidden", "只有自治区人社厅可以核销追回款", "only the province may write off a recovery",
                             status=403)
    if not reason.strip():
        raise FundingRefused("reason_missing", "核销须说明理由", "a write-off needs a reason", status=422)
    with transaction.atomic():
        current = RecoveryCase.objects.select_for_update().select_related("fund_account").get(pk=case.pk)
        if current.status not in (RecoveryStatus.OPEN, RecoveryStatus.PARTLY_REPAID):
            raise FundingRefused("case_closed", f"追回案件#{current.pk}已{current.get_status_display()}",
                                 f"recovery case #{current.pk} is {current.status}")
        rest = current.outstanding
        before = {"status": current.status, "written_off": current.written_off}
        post_transaction(actor, TransactionKind.RECOVERY,
                         transfer(current.fund_account, rest, debit=ASSESSED, credit=RECEIVABLE),
                         memo=f"追回核销 #{current.pk} / recovery written off", claim=current.claim,
                         idempotency_key=f"recovery:write_off:{current.pk}")
        current.written_off += rest
        current.status, current.closed_at = RecoveryStatus.WRITTEN_OFF, timezone.now()
        current.written_off_by, current.write_off_reason = actor, reason.strip()
        current.save(update_fields=["written_off", "status", "closed_at", "written_off_by", "write_off_reason"])
        record_event(actor, "recovery.written_off", current, before=before,
                     after={"status": current.status, "written_off": current.written_off}, reason=reason.strip())
    return current


def claims_paid_on(certificate: Certificate) -> QuerySet[SubsidyClaim]:
    """The paid claims that rested on this certificate: those of the enrolment it was issued for."""
    if certificate.evaluation_id is None:
        return SubsidyClaim.objects.none()
    return SubsidyClaim.objects.filter(enrolment_id=certificate.evaluation.enrolment_id, status=ClaimStatus.PAID,
                                       passed=True).order_by("pk")


def recovery_for_revoked_certificate(actor: Any, certificate: Certificate) -> list[RecoveryCase]:
    """A certificate revoked after payment (6d, 6c): every paid claim that rested on it is recovered in full
    from its claimant. Runs inside `evaluation.services.revoke_certificate`'s transaction (registered as a
    revocation consequence by `FundingConfig.ready`); a claim already in recovery is left as it is, so
    calling it twice opens nothing new."""
    certificate.refresh_from_db()
    if certificate.status != CertificateStatus.REVOKED:
        raise FundingRefused("certificate_valid", f"证书{certificate.number}未被撤销",
                             f"certificate {certificate.number} is not revoked", status=422)
    reason = f"证书{certificate.number}已撤销：{certificate.revoked_reason} / certificate revoked"
    return [open_recovery(actor, claim, RecoveryReason.CERTIFICATE_REVOKED, reason, certificate=certificate)
            for claim in claims_paid_on(certificate)]


def lock_claims_paid_on(certificate: Certificate) -> list[SubsidyClaim]:
    """Lock, in primary-key order, the claims a revocation will recover, before the revocation's audit entry
    (ADR 0003: claim row → audit chain)."""
    return list(claims_paid_on(certificate).select_for_update())


def recover_on_revocation(actor: Any, certificate: Certificate) -> list[RecoveryCase]:
    """`recovery_for_revoked_certificate` as a revocation consequence: a refusal is told in the revocation's own
    terms (a ValidationError, which its page and API already show), and undoes the revocation."""
    try:
        return recovery_for_revoked_certificate(actor, certificate)
    except FundingRefused as refusal:
        raise ValidationError(f"{refusal.message_zh} / {refusal.message_en}", code=refusal.code) from refusal


def revocation_summary(certificate: Certificate) -> str:
    """What the revocation did to money, for the page that revoked: the recovery cases opened on the certificate
    (they are listed on the money pages, /money/recoveries/)."""
    opened = RecoveryCase.objects.filter(certificate=certificate).count()
    return gettext("已支付的补贴立案追回 %(count)s 件。") % {"count": opened}
