"""Money that moves only when a second official agrees (四眼复核): payment batches and allocations above
the threshold wait for a different official of the same scope, who approves or refuses with a reason."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from qiancheng.catalog.vocabulary import money
from qiancheng.funding.models.funds import FundSource


class SecondCheck(models.TextChoices):
    """Where a payment batch or an allocation stands."""

    AWAITING = "awaiting_second", _("待复核")  # prepared, above the threshold
    DONE = "done", _("已执行")  # paid / allocated (at once below the threshold, or after the second official)
    REFUSED = "refused", _("已退回")  # the second official refused it, with a reason; nothing moved


def _four_eyes_constraints(prefix: str) -> list[models.BaseConstraint]:
    """The same person can never be both: the database refuses a second official equal to the first."""
    return [
        models.CheckConstraint(condition=Q(status__in=SecondCheck.values), name=f"{prefix}_status_valid"),
        models.CheckConstraint(condition=~Q(second_official=F("prepared_by")), name=f"{prefix}_two_officials"),
        models.CheckConstraint(
            condition=~Q(status=SecondCheck.REFUSED) | Q(second_official__isnull=False) & ~Q(refusal_reason=""),
            name=f"{prefix}_refusal_by_second_with_reason",
        ),
    ]


class SecondChecked(models.Model):
    """Who prepared a movement of money, where it stands, and the second official who approved or refused it
    (with the reason): the same fields on a payment batch and an allocation request."""

    status = models.CharField(max_length=16, choices=SecondCheck.choices)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(auto_now_add=True)
    second_official = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True, default="")

    class Meta:
        abstract = True


class PaymentBatch(SecondChecked):
    """One payment batch (拨付批次): the claims chosen, their total as shown to the first official, and who
    prepared and who (above the threshold) approved it. Payments carry `reference` as their batch_ref."""

    reference = models.CharField(max_length=64, unique=True)
    city = models.ForeignKey("catalog.City", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             help_text="the preparing official's city; empty = a province batch")
    claims = models.ManyToManyField("funding.SubsidyClaim", related_name="payment_batches")
    count = models.PositiveIntegerField()
    total = money()

    class Meta:
        ordering = ["-prepared_at", "-pk"]
        verbose_name = "拨付批次 payment batch"
        constraints = _four_eyes_constraints("payment_batch")

    def __str__(self) -> str:
        return self.reference


class AllocationRequest(SecondChecked):
    """An allocation (下达) above the threshold, waiting for a second province official."""

    source = models.CharField(max_length=32, choices=FundSource.choices)
    year = models.PositiveSmallIntegerField()
    city = models.ForeignKey("catalog.City", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    park = models.ForeignKey("catalog.IndustrialPark", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    amount = money()
    document_ref = models.CharField(max_length=128)
    fund_account = models.ForeignKey("funding.FundAccount", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", help_text="set when allocated")

    class Meta:
        ordering = ["-prepared_at", "-pk"]
        verbose_name = "待复核的资金下达 allocation awaiting a second official"
        constraints = [
            *_four_eyes_constraints("allocation_request"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_request_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.year} {self.amount} {self.status}"
