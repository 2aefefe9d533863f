"""Recovery cases (追回, 6d): money paid that was not owed, who owes it back, and what has come back."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import Exact, LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from qiancheng.catalog.vocabulary import in_fen, money
from qiancheng.funding.models.claims import PartyKind


class RecoveryReason(models.TextChoices):
    FRAUD = "fraud", _("骗取补贴")  # 6d
    CERTIFICATE_REVOKED = "certificate_revoked", _("证书被撤销")
    UNEARNED_ADVANCE = "unearned_advance", _("垫付未结清")  # 3.6
    OTHER = "other", _("其他")


class RecoveryStatus(models.TextChoices):
    OPEN = "open", _("待追回")
    PARTLY_REPAID = "partly_repaid", _("部分追回")
    CLOSED = "closed", _("已追回")  # repaid in full
    WRITTEN_OFF = "written_off", _("已核销")  # the rest written off by the province, with a reason


class RecoveryCase(models.Model):
    """Money to come back into `fund_account`: of one paid claim, or of one advance's unearned part."""

    claim = models.ForeignKey("funding.SubsidyClaim", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="recovery_cases")
    advance = models.ForeignKey("funding.Advance", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="recovery_cases")
    certificate = models.ForeignKey("evaluation.Certificate", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", help_text="the revoked certificate, when that is the reason")
    fund_account = models.ForeignKey("funding.FundAccount", on_delete=models.PROTECT, related_name="recovery_cases")
    city = models.ForeignKey("catalog.City", on_delete=models.PROTECT, related_name="+")
    debtor_kind = models.CharField(max_length=16, choices=PartyKind.choices)
    debtor_ref = models.CharField(max_length=64, help_text="USCC, or person_key for an individual")
    amount_owed = money()
    repaid = money(default=Decimal("0.00"))
    written_off = money(default=Decimal("0.00"))
    reason_kind = models.CharField(max_length=24, choices=RecoveryReason.choices)
    reason = models.TextField()
    status = models.CharField(max_length=16, choices=RecoveryStatus.choices, default=RecoveryStatus.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    written_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    write_off_reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = "追回案件 recovery case"
        constraints = [
            models.CheckConstraint(condition=Q(claim__isnull=False, advance__isnull=True)
                                   | Q(claim__isnull=True, advance__isnull=False), name="recovery_of_claim_xor_advance"),
            # One case per paid claim and per advance: a second finding adds to the reason, not to the debt.
            models.UniqueConstraint(fields=["claim"], condition=Q(claim__isnull=False), name="recovery_once_per_claim"),
            models.UniqueConstraint(fields=["advance"], condition=Q(advance__isnull=False),
                                    name="recovery_once_per_advance"),
            models.CheckConstraint(condition=Q(reason_kind__in=RecoveryReason.values), name="recovery_reason_valid"),
            models.CheckConstraint(condition=Q(status__in=RecoveryStatus.values), name="recovery_status_valid"),
            models.CheckConstraint(condition=Q(debtor_kind__in=PartyKind.values) & ~Q(debtor_ref=""),
                                   name="recovery_debtor_named"),
            models.CheckConstraint(condition=Q(amount_owed__gt=0, repaid__gte=0, written_off__gte=0),
                                   name="recovery_amounts_sane"),
            # Never more comes back (or is written off) than was owed.
            models.CheckConstraint(
                condition=LessThanOrEqual(in_fen(F("repaid") + F("written_off")), in_fen(F("amount_owed"))),
                name="recovery_within_owed",
            ),
            models.CheckConstraint(
                condition=~Q(status=RecoveryStatus.CLOSED)
                | Exact(in_fen(F("repaid")), in_fen(F("amount_owed"))) & Q(closed_at__isnull=False),
                name="recovery_closed_when_repaid",
            ),
            models.CheckConstraint(
                condition=~Q(status=RecoveryStatus.WRITTEN_OFF)
                | Q(written_off__gt=0, written_off_by__isnull=False, closed_at__isnull=False) & ~Q(write_off_reason=""),
                name="recovery_write_off_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"recovery #{self.pk} {self.amount_owed} {self.status}"

    @property
    def outstanding(self) -> Decimal:
        """Still owed: neither repaid nor written off."""
        return self.amount_owed - self.repaid - self.written_off


class RecoveryRepayment(models.Model):
    """One repayment, by its bank voucher: a voucher is recorded once per case, however often it is sent."""

    case = models.ForeignKey(RecoveryCase, on_delete=models.PROTECT, related_name="repayments")
    amount = money()
    document_ref = models.CharField(max_length=128, help_text="bank voucher / 缴款凭证号")
    ledger_transaction = models.OneToOneField("funding.LedgerTransaction", on_delete=models.PROTECT,
                                              related_name="recovery_repayment")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = "追回还款 recovery repayment"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="repayment_amount_positive"),
            models.UniqueConstraint(fields=["case", "document_ref"], name="repayment_voucher_once_per_case"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.amount} {self.document_ref}"
