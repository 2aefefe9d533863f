"""Payments (拨付) of approved claims: a claim is never paid twice (6c)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qiancheng.catalog.vocabulary import money


class PaymentStatus(models.TextChoices):
    PAID = "paid", _("已支付")  # money sent to the claimant's account
    REVERSED = "reversed", _("已冲回")  # the bank returned it or the payment was made in error


class PaymentPart(models.TextChoices):
    """What a payment pays of its claim: the claim's decided total, or a later 5.2c top-up."""

    CLAIM = "claim", _("申领补贴")
    EMPLOYMENT_TOPUP = "employment_topup", _("就业补贴补拨")


class Payment(models.Model):
    claim = models.ForeignKey("funding.SubsidyClaim", on_delete=models.PROTECT, related_name="payments")
    # The claim's person, repeated so payments sit beside the person's claims when distributed.
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, db_column="person_key", related_name="+")
    amount = money()
    part = models.CharField(max_length=24, choices=PaymentPart.choices, default=PaymentPart.CLAIM)
    paid_at = models.DateTimeField()
    batch_ref = models.CharField(max_length=64, blank=True, default="", help_text="payment batch / bank file")
    # A retried payment run carrying the same key finds the first payment instead of paying twice.
    idempotency_key = models.CharField(max_length=128, unique=True)
    ledger_transaction = models.OneToOneField(
        "funding.LedgerTransaction", null=True, blank=True, on_delete=models.PROTECT, related_name="payment"
    )
    # 3.6 credit payment: the part of the claim's total already paid as the class's advance, netted here
    # (amount + advance_applied = the claim's total).
    advance = models.ForeignKey(
        "funding.Advance", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    advance_applied = money(default=0)
    status = models.CharField(max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.PAID)
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversal_reason = models.TextField(blank=True, default="")
    # A payment the bank sent back (退票): the bank's date and its reference for the return.
    returned_on = models.DateField(null=True, blank=True)
    return_bank_ref = models.CharField(max_length=64, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-paid_at"]
        verbose_name = "拨付 payment"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=PaymentStatus.values), name="payment_status_valid"),
            models.CheckConstraint(
                condition=Q(advance__isnull=True, advance_applied=0) | Q(advance__isnull=False, advance_applied__gt=0),
                name="payment_advance_applied_iff_advance",
            ),
            models.CheckConstraint(
                condition=Q(status=PaymentStatus.PAID, reversed_at__isnull=True)
                | Q(status=PaymentStatus.REVERSED, reversed_at__isnull=False) & ~Q(reversal_reason=""),
                name="payment_reversal_dated_with_reason",
            ),
            models.CheckConstraint(condition=Q(part__in=PaymentPart.values), name="payment_part_valid"),
            # A claim is never paid twice: one standing payment per claim and part (its total, and at most
            # one 5.2c top-up); a reversed one may be redone.
            models.UniqueConstraint(
                fields=["claim", "part"], condition=Q(status=PaymentStatus.PAID), name="payment_once_per_claim_part"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.amount} {self.status}"
