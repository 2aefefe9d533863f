"""Recovery cases (6d): a paid claim found wrong is owed back, repaid into its fund, or written off."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from qiancheng.accounts.models import AuditEntry, User
from qiancheng.evaluation.models import Certificate, CertificateStatus
from qiancheng.evaluation.services import revoke_certificate
from qiancheng.funding.models import (
    ClaimStatus,
    LedgerEntry,
    RecoveryCase,
    RecoveryReason,
    RecoveryRepayment,
    RecoveryStatus,
    SubsidyClaim,
)
from qiancheng.funding.services.funds import balances
from qiancheng.funding.services.ledger import RECEIVABLE, verify_ledger
from qiancheng.funding.services.recovery import (
    open_recovery,
    record_repayment,
    recovery_for_revoked_certificate,
    write_off_recovery,
)
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.tests.money import filed_claim, finished_class, funded, paid_claim, paid_for_enrolment

pytestmark = pytest.mark.django_db


def _receivable(fund_id: int) -> Decimal:
    entries = LedgerEntry.objects.filter(fund_id=fund_id, account=RECEIVABLE)
    return sum((e.debit - e.credit for e in entries), Decimal("0.00"))


def test_a_paid_claim_is_recovered_and_repaid_into_its_fund(province_official: User, nanning_official: User) -> None:
    fund = funded(province_official, "10000.00")
    claim = paid_claim(nanning_official, fund)
    paid_before = balances(fund).paid
    case = open_recovery(nanning_official, claim, RecoveryReason.FRAUD, "虚假考勤 / attendance forged")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RECOVERED and not claim.counts
    assert (case.amount_owed, case.debtor_kind, case.debtor_ref) == (claim.total_amount, claim.claimant,
                                                                      claim.claimant_ref)
    assert _receivable(fund.pk) == claim.total_amount
    assert verify_ledger().ok, verify_ledger().problems

    part = Decimal("100.00")
    case = record_repayment(nanning_official, case, part, "BANK-001")
    assert (case.status, case.repaid) == (RecoveryStatus.PARTLY_REPAID, part)
    assert balances(fund).paid == paid_before - part
    # The same voucher again is recorded once; another amount under it is refused.
    assert record_repayment(nanning_official, case, part, "BANK-001").repaid == part
    with pytest.raises(FundingRefused) as reused:
        record_repayment(nanning_official, case, Decimal("5.00"), "BANK-001")
    assert reused.value.code == "voucher_reused"
    with pytest.raises(FundingRefused) as above:
        record_repayment(nanning_official, case, case.outstanding + Decimal("0.01"), "BANK-002")
    assert above.value.code == "above_owed"
    case = record_repayment(nanning_official, case, case.outstanding, "BANK-003")
    assert case.status == RecoveryStatus.CLOSED and case.outstanding == 0
    assert RecoveryRepayment.objects.filter(case=case).count() == 2
    assert balances(fund).paid == paid_before - claim.total_amount
    assert _receivable(fund.pk) == 0
    report = verify_ledger()
    assert report.ok, report.problems
    assert AuditEntry.objects.filter(action="recovery.repaid").count() == 2


def test_only_a_paid_claim_of_ones_own_city_is_recovered(province_official: User, nanning_official: User,
                                                          liuzhou_official: User) -> None:
    fund = funded(province_official, "10000.00")
    claim = paid_claim(province_official, fund)
    with pytest.raises(FundingRefused) as other_city:
        open_recovery(liuzhou_official, claim, RecoveryReason.FRAUD, "柳州查处")
    assert other_city.value.status == 403
    pending = filed_claim(province_official, paid_for_enrolment(finished_class()), fund)
    with pytest.raises(FundingRefused) as not_paid:
        open_recovery(nanning_official, pending, RecoveryReason.FRAUD, "未支付")
    assert not_paid.value.code == "not_paid"
    with pytest.raises(FundingRefused) as too_much:
        open_recovery(nanning_official, claim, RecoveryReason.OTHER, "多付", amount=claim.total_amount + 1)
    assert too_much.value.code == "above_paid"
    with pytest.raises(FundingRefused):
        open_recovery(nanning_official, claim, RecoveryReason.FRAUD, "  ")
    case = open_recovery(nanning_official, claim, RecoveryReason.OTHER, "多付部分", amount=Decimal("50.00"))
    with pytest.raises(FundingRefused) as twice:
        open_recovery(nanning_official, claim, RecoveryReason.FRAUD, "再次")
    assert twice.value.code == "not_paid"
    with pytest.raises(FundingRefused) as liuzhou_repays:
        record_repayment(liuzhou_official, case, Decimal("1.00"), "LZ-1")
    assert liuzhou_repays.value.status == 403
    assert verify_ledger().ok


def test_the_province_writes_off_what_cannot_be_recovered(province_official: User, nanning_official: User) -> None:
    fund = funded(province_official, "10000.00")
    case = open_recovery(nanning_official, paid_claim(nanning_official, fund), RecoveryReason.FRAUD, "骗补")
    record_repayment(nanning_official, case, Decimal("10.00"), "V1")
    with pytest.raises(FundingRefused) as city:
        write_off_recovery(nanning_official, case, "无力偿还")
    assert city.value.status == 403
    case = write_off_recovery(province_official, case, "机构已注销 / institution dissolved")
    assert case.status == RecoveryStatus.WRITTEN_OFF and case.written_off == case.amount_owed - Decimal("10.00")
    assert _receivable(fund.pk) == 0
    with pytest.raises(FundingRefused) as closed:
        record_repayment(nanning_official, case, Decimal("1.00"), "V2")
    assert closed.value.code == "case_closed"
    assert verify_ledger().ok


def test_a_revoked_certificate_recovers_the_claims_paid_on_it(province_official: User, nanning_official: User) -> None:
    fund = funded(province_official, "10000.00")
    claim = paid_claim(nanning_official, fund)
    certificate = Certificate.objects.get(evaluation__enrolment=claim.enrolment_id)
    with pytest.raises(FundingRefused) as valid:
        recovery_for_revoked_certificate(nanning_official, certificate)
    assert valid.value.code == "certificate_valid"
    # Revoking opens the recovery itself; running the recovery again opens nothing more.
    revoke_certificate(nanning_official, certificate, "冒名顶替考试 / impersonation", dt.date(2025, 11, 1))
    cases = RecoveryCase.objects.filter(claim=claim)
    assert [(c.claim_id, c.reason_kind, c.certificate_id) for c in cases] == [
        (claim.pk, RecoveryReason.CERTIFICATE_REVOKED, certificate.pk)]
    assert recovery_for_revoked_certificate(nanning_official, certificate) == []
    assert SubsidyClaim.objects.get(pk=claim.pk).status == ClaimStatus.RECOVERED
    assert verify_ledger().ok


def test_a_crash_while_recovering_undoes_the_revocation(province_official: User, nanning_official: User,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Revocation and its recoveries are one transaction: a failure in the second leaves the certificate valid
    and the claim paid, never a revoked certificate whose paid claims nobody recovers."""
    fund = funded(province_official, "10000.00")
    claim = paid_claim(nanning_official, fund)
    certificate = Certificate.objects.get(evaluation__enrolment=claim.enrolment_id)

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the process died between the revocation and its recovery")

    monkeypatch.setattr("qiancheng.funding.services.recovery.open_recovery", crash)
    with pytest.raises(RuntimeError):
        revoke_certificate(nanning_official, certificate, "冒名顶替考试 / impersonation", dt.date(2025, 11, 1))
    certificate.refresh_from_db()
    assert certificate.status != CertificateStatus.REVOKED
    assert SubsidyClaim.objects.get(pk=claim.pk).status == ClaimStatus.PAID
    assert not RecoveryCase.objects.filter(claim=claim).exists()
    assert not AuditEntry.objects.filter(action="certificate.revoked").exists()
    monkeypatch.undo()
    revoke_certificate(nanning_official, certificate, "冒名顶替考试 / impersonation", dt.date(2025, 11, 1))
    assert SubsidyClaim.objects.get(pk=claim.pk).status == ClaimStatus.RECOVERED
    assert verify_ledger().ok


def test_verify_ledger_notices_a_receivable_that_disagrees_with_the_cases(province_official: User) -> None:
    fund = funded(province_official, "10000.00")
    case = open_recovery(province_official, paid_claim(province_official, fund), RecoveryReason.FRAUD, "骗补")
    # A case whose repaid amount was changed behind the services' back no longer matches its receivable.
    type(case).objects.filter(pk=case.pk).update(repaid=Decimal("1.00"), status=RecoveryStatus.PARTLY_REPAID)
    report = verify_ledger()
    assert not report.ok and any("receivable" in problem for problem in report.problems)
