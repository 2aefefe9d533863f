"""Appeals (申诉) against a rejected claim: once per claim, decided by an official who did not reject it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class AppealStatus(models.TextChoices):
    FILED = "filed", _("待复核")
    UPHELD = "upheld", _("申诉成立")  # the rejection is overturned; the claim is approved
    DISMISSED = "dismissed", _("申诉驳回")  # the rejection stands


class Appeal(models.Model):
    claim = models.ForeignKey("funding.SubsidyClaim", on_delete=models.PROTECT, related_name="appeals")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField()
    reason = models.TextField()
    # Who rejected the claim, kept on the appeal: the deciding official must be someone else.
    rejected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    status = models.CharField(max_length=16, choices=AppealStatus.choices, default=AppealStatus.FILED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, default="")
    claim_status_after = models.CharField(max_length=16, blank=True, default="",
                                          help_text="the claim's status the decision left")

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = "申诉 appeal"
        constraints = [
            models.UniqueConstraint(fields=["claim"], name="appeal_once_per_claim"),
            models.CheckConstraint(condition=Q(status__in=AppealStatus.values), name="appeal_status_valid"),
            models.CheckConstraint(condition=~Q(reason=""), name="appeal_reason_given"),
            models.CheckConstraint(
                condition=Q(status=AppealStatus.FILED, decided_by__isnull=True, decided_at__isnull=True)
                | ~Q(status=AppealStatus.FILED) & Q(decided_by__isnull=False, decided_at__isnull=False)
                & ~Q(decision_reason=""),
                name="appeal_decision_complete",
            ),
            # A different official decides (the database says so too).
            models.CheckConstraint(condition=Q(decided_by__isnull=True) | Q(rejected_by__isnull=True)
                                   | ~Q(decided_by=F("rejected_by")), name="appeal_decided_by_another_official"),
        ]

    def __str__(self) -> str:
        return f"appeal {self.claim_id} {self.status}"


class AppealDocument(models.Model):
    """A document the appellant attached, kept in the database with its digest."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="documents")
    name = models.CharField(max_length=255)
    content = models.BinaryField()
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["pk"]
        verbose_name = "申诉材料 appeal document"

    def __str__(self) -> str:
        return self.name
