"""What a reader sees of the money: the fund accounts' totals of allocated / reserved / paid / available, per
fund source and in all, and their stacked chart (the fund dashboard and the officials' home pages); and the
claim and payment figures the home pages and the review queue share, so each is computed once here.

Two "paid" figures exist and are different things, named apart on every page (docs/statistics.md):
- **paid to claimants** (`paid_to_claimants`, 已拨付申领人): the payments sent and not reversed, top-ups
  included; a payment stays counted when its claim is later recovered (the money did go out);
- **net paid from the accounts** (`Totals.paid`, the ledger's `fund.paid`, 账户净支出): what left the fund
  accounts, the advances of 3.6 included and the repayments of recovery cases (6d) taken back out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import scoped
from qiancheng.catalog.parks import parks_in_force
from qiancheng.clock import today
from qiancheng.funding.models import (
    ClaimStatus,
    FundAccount,
    FundSource,
    Payment,
    PaymentStatus,
    SubsidyClaim,
)

# Funds are read by officials only: institutions and trainees see their own claims and payments instead.
FUND_READERS = frozenset({Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL})

ZERO = Decimal("0.00")


@dataclass
class Totals:
    label: str
    allocated: Decimal = ZERO
    reserved: Decimal = ZERO
    paid: Decimal = ZERO
    available: Decimal = ZERO

    def add(self, fund: FundAccount) -> None:
        self.allocated += fund.allocated
        self.reserved += fund.reserved
        self.paid += fund.paid
        self.available += fund.available


@dataclass
class FundSummary:
    """What a reader sees of the money: one total, a total per source, and the chart's data."""

    total: Totals
    by_source: list[Totals] = field(default_factory=list)

    def chart_data(self) -> dict[str, Any]:
        return stacked_chart(self.by_source)


def stacked_chart(rows: list[Totals]) -> dict[str, Any]:
    """Stacked bars: reserved, paid and available add up to what was allocated (money as text, exact)."""
    return {
        "labels": [row.label for row in rows],
        "series": [
            {"name": _("账户净支出"), "values": [f"{row.paid:.2f}" for row in rows]},
            {"name": _("已预留"), "values": [f"{row.reserved:.2f}" for row in rows]},
            {"name": _("可用"), "values": [f"{row.available:.2f}" for row in rows]},
        ],
    }


def visible_funds(user: Any) -> Any:
    """Province: every account; a city official: the city's own (its parks included); others: none."""
    if getattr(user, "role", None) not in FUND_READERS:
        return FundAccount.objects.none()
    return scoped(FundAccount.objects.select_related("city", "park"), user)


def park_totals(user: Any, year: int | None = None) -> list[Totals]:
    """4.1: each park's allocated, reserved, paid and available (its accounts of `year`, or of every year),
    a park on the list today with no account yet showing zeros; a city official sees the city's parks."""
    if getattr(user, "role", None) not in FUND_READERS:
        return []
    listed = parks_in_force(today())
    if user.role != Role.PROVINCE_OFFICIAL:
        listed = listed.filter(city=user.city_id)
    rows = {park.pk: Totals(park.name) for park in listed.order_by("code")}
    funds = visible_funds(user).filter(park__isnull=False).order_by("park__code", "year")
    for fund in funds.filter(year=year) if year is not None else funds:
        rows.setdefault(fund.park_id, Totals(fund.park.name)).add(fund)
    return list(rows.values())


def fund_summary(user: Any, year: int | None = None) -> FundSummary:
    """The totals and the per-source chart of the funds `user` may see: the province home page's block."""
    funds = visible_funds(user)
    if year is not None:
        funds = funds.filter(year=year)
    total = Totals(_("合计"))
    per_source = {source: Totals(str(label).split(" ")[0]) for source, label in FundSource.choices}
    for fund in funds:
        total.add(fund)
        per_source[fund.source].add(fund)
    return FundSummary(total=total, by_source=[row for row in per_source.values() if row.allocated])


def claims_awaiting_review(user: Any) -> QuerySet[SubsidyClaim]:
    """The review queue (补贴申领待审核): pending claims the official may act on (their city; the province all).
    A claim sent back for documents waits on its claimant, not on the official, until it is resubmitted."""
    return scoped(SubsidyClaim.objects.filter(status=ClaimStatus.PENDING, documents_requested_at__isnull=True), user)


def claims_sent_back(user: Any) -> QuerySet[SubsidyClaim]:
    """Pending claims sent back to their claimant for documents (退回补充材料): pending, not in the queue."""
    return scoped(SubsidyClaim.objects.filter(status=ClaimStatus.PENDING, documents_requested_at__isnull=False), user)


def paid_to_claimants(user: Any) -> Decimal:
    """Money sent to claimants (已拨付申领人): every payment not reversed, in `user`'s scope."""
    total = scoped(Payment.objects.filter(status=PaymentStatus.PAID), user).aggregate(total=Sum("amount"))["total"]
    return total if total is not None else ZERO
