"""The sanctions register (6d): people and institutions barred after false advertising, subcontracting or fraud."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class BlacklistEntry(models.Model):
    """One listing of exactly one person or one institution, for a period (both days inclusive).

    6d checks the person and the delivering institution on the training's end date (RULES.md 6, 8).
    An entry is never deleted: lifting a listing early sets `listed_until`, so past decisions stay
    explainable. Every row is written by `qiancheng.sanctions.services` (list, lift), audited.

    The parties are named by string ("people.Person", "providers.Institution"): the register sits
    below both apps and imports neither. The table was `risk_blacklistentry` until the model moved
    here (sanctions migrations 0001-0002); audit entries written before the move name
    `risk.blacklistentry` as their target.
    """

    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_column="person_key",
        related_name="blacklist_entries",
    )
    institution = models.ForeignKey(
        "providers.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="blacklist_entries"
    )
    listed_from = models.DateField()
    listed_until = models.DateField(null=True, blank=True, help_text="last day listed; empty = still listed")
    reason = models.TextField()
    lifted_reason = models.TextField(blank=True, default="", help_text="why the listing was lifted early")
    lifted_document_ref = models.CharField(max_length=128, blank=True, default="", help_text="解除决定文号")
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    document_ref = models.CharField(max_length=128, blank=True, default="", help_text="处理决定文号")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-listed_from"]
        verbose_name = "黑名单 blacklist entry"
        constraints = [
            # EXCHANGE.md: a blacklist row names exactly one of a person and an institution.
            models.CheckConstraint(
                condition=Q(person__isnull=False, institution__isnull=True)
                | Q(person__isnull=True, institution__isnull=False),
                name="blacklist_exactly_one_party",
            ),
            models.CheckConstraint(
                condition=Q(listed_until__isnull=True) | Q(listed_until__gte=F("listed_from")),
                name="blacklist_until_not_before_from",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="blacklist_has_reason"),
            # A listing lifted early says who lifted it, when and why (the audit entry holds the same).
            models.CheckConstraint(
                condition=Q(lifted_by__isnull=True, lifted_at__isnull=True, lifted_reason="")
                | (Q(lifted_by__isnull=False, lifted_at__isnull=False, listed_until__isnull=False)
                   & ~Q(lifted_reason="")),
                name="blacklist_lifted_with_reason",
            ),
        ]

    def __str__(self) -> str:
        party = f"institution {self.institution_id}" if self.institution_id else f"person {str(self.person_id)[:8]}"
        return f"{party} {self.listed_from}–{self.listed_until or '…'}"

    def covers(self, day: date) -> bool:
        """Listed on `day`, first and last day included."""
        return self.listed_from <= day and (self.listed_until is None or day <= self.listed_until)
