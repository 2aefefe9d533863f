"""Credit payment (信用支付, 3.6): part of a class's expected training subsidy paid when the class is approved."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from qiancheng.catalog.vocabulary import in_fen, money


class AdvanceStatus(models.TextChoices):
    GRANTED = "granted", _("已垫付")  # paid to the institution; claim payments net it as they come
    SETTLED = "settled", _("已结清")  # fully netted by the class's claim payments
    UNEARNED = "unearned", _("未结清")  # the class's claims are done and part of it was not earned
    RECOVERY = "recovery", _("追回中")  # the unearned part became a recovery case


class Advance(models.Model):
    """One advance per class: `amount` = share × the class's expected training subsidy, paid at approval.

    `applied` grows as the class's claim payments net the advance; what is left when the claims are done
    was not earned and is recovered (RecoveryCase).
    """

    training_class = models.ForeignKey("training.TrainingClass", on_delete=models.PROTECT, related_name="advances")
    institution = models.ForeignKey("providers.Institution", on_delete=models.PROTECT, related_name="advances")
    fund_account = models.ForeignKey("funding.FundAccount", on_delete=models.PROTECT, related_name="advances")
    expected_amount = money(help_text="the class's expected training subsidy (enrolments × the engine's standard)")
    share = models.DecimalField(max_digits=5, decimal_places=4)
    amount = money()
    applied = money(default=0)
    terms_source = models.CharField(max_length=255, help_text="where the share and the rating floor come from")
    # 1c, 3.6: the star-rating snapshot in force when the advance was granted (insight.RatingSnapshot's id, read
    # through providers.ratings; an id, not a foreign key, because insight sits above funding) and its stars.
    rating_snapshot_id = models.PositiveIntegerField(null=True, blank=True)
    rating_stars = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=AdvanceStatus.choices, default=AdvanceStatus.GRANTED)
    idempotency_key = models.CharField(max_length=128, unique=True)
    ledger_transaction = models.OneToOneField(
        "funding.LedgerTransaction", on_delete=models.PROTECT, related_name="advance"
    )
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField()
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = "信用支付垫付 advance (credit payment)"
        constraints = [
            # At most one advance per class, whatever happens to it afterwards.
            models.UniqueConstraint(fields=["training_class"], name="advance_once_per_class"),
            models.CheckConstraint(condition=Q(status__in=AdvanceStatus.values), name="advance_status_valid"),
            models.CheckConstraint(condition=Q(amount__gt=0, applied__gte=0, share__gt=0, share__lt=1),
                                   name="advance_amounts_positive"),
            models.CheckConstraint(condition=LessThanOrEqual(in_fen(F("applied")), in_fen(F("amount"))),
                                   name="advance_applied_within_amount"),
            models.CheckConstraint(condition=LessThanOrEqual(in_fen(F("amount")), in_fen(F("expected_amount"))),
                                   name="advance_within_expected"),
        ]

    def __str__(self) -> str:
        return f"advance {self.training_class_id} {self.amount} {self.status}"

    @property
    def outstanding(self) -> Decimal:
        """Advanced and not yet netted by a claim payment."""
        return self.amount - self.applied
