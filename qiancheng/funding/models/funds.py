"""Fund accounts (资金账户): one budget line per source, year and holder, with cached balances."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from qiancheng.catalog.vocabulary import in_fen, money


class FundSource(models.TextChoices):
    """Where the money comes from (五、培训资金)."""

    EMPLOYMENT_SUBSIDY = "employment_subsidy", _("就业补助资金")  # 5.1, 4.1
    SPECIAL_ACCOUNT = "special_account", _("职业技能提升行动专账资金")  # 5.2a
    UNEMPLOYMENT_INSURANCE = "unemployment_insurance", _("失业保险基金")  # 5.3
    OTHER = "other", _("其他资金")  # 5.4: enterprise education funds, social capital


# The funds a subsidy claim may ask (RULES.md "Inputs"); 5.4 money is recorded on the class, not claimed.
CLAIM_FUNDS = (FundSource.EMPLOYMENT_SUBSIDY, FundSource.SPECIAL_ACCOUNT, FundSource.UNEMPLOYMENT_INSURANCE)


class FundAccount(models.Model):
    """The money of one source for one year, held by the province, a city, or a park (4.1).

    The three balances are a cache of the ledger (LedgerEntry rows of this account), kept in step by
    the funding service in the same transaction as each posting and reconcilable from the ledger at any
    time. The CHECK constraints are the last line of defence: whatever a service does, the database
    refuses a negative balance and never lets reserved + paid exceed what was allocated.
    """

    source = models.CharField(max_length=32, choices=FundSource.choices)
    city = models.ForeignKey(
        "catalog.City", null=True, blank=True, on_delete=models.PROTECT, related_name="fund_accounts",
        help_text="empty = the province's own account",
    )
    park = models.ForeignKey(
        "catalog.IndustrialPark", null=True, blank=True, on_delete=models.PROTECT, related_name="fund_accounts",
        help_text="4.1: a border/port industrial park's own allocation (its city, when known, in city)",
    )
    year = models.PositiveSmallIntegerField()
    allocated = money(default=Decimal("0.00"))
    reserved = money(default=Decimal("0.00"))
    paid = money(default=Decimal("0.00"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "source", "city_id"]
        verbose_name = "资金账户 fund account"
        constraints = [
            models.CheckConstraint(condition=Q(source__in=FundSource.values), name="fund_source_valid"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="fund_year_plausible"),
            models.CheckConstraint(
                condition=Q(allocated__gte=0, reserved__gte=0, paid__gte=0), name="fund_balances_not_negative"
            ),
            # available = allocated - reserved - paid is never negative: no overspending, ever.
            models.CheckConstraint(
                condition=LessThanOrEqual(in_fen(F("reserved") + F("paid")), in_fen(F("allocated"))),
                name="fund_reserved_plus_paid_within_allocated",
            ),
            # NULLs never collide in a UNIQUE index, so each holder level gets its own partial constraint.
            models.UniqueConstraint(
                fields=["source", "year"],
                condition=Q(city__isnull=True, park__isnull=True),
                name="fund_one_province_account",
            ),
            models.UniqueConstraint(
                fields=["source", "city", "year"],
                condition=Q(city__isnull=False, park__isnull=True),
                name="fund_one_city_account",
            ),
            models.UniqueConstraint(
                fields=["source", "park", "year"], condition=Q(park__isnull=False), name="fund_one_park_account"
            ),
        ]

    def __str__(self) -> str:
        # A park is named by its code (4.1): its id alone would not tell an official whose money ran out.
        holder = f"park:{self.park.code}" if self.park_id else self.city_id or "province"
        return f"{self.year} {self.source} {holder}"

    @property
    def available(self) -> Decimal:
        return self.allocated - self.reserved - self.paid
