"""Replaying claims under other parameters: how many decisions and how much money change."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import polars as pl

c = pl.col


@dataclass(frozen=True)
class Comparison:
    claims: int
    changed: pl.DataFrame  # claim_id, eligible/total before and after, denied_by before and after
    newly_eligible: int
    newly_denied: int
    total_before: Decimal
    total_after: Decimal


def compare_runs(before: pl.DataFrame, after: pl.DataFrame) -> Comparison:
    joined = before.join(after, on="claim_id", suffix="_after")
    changed = joined.filter(
        (c("eligible") != c("eligible_after")) | (c("total_amount") != c("total_amount_after"))
        | (c("denied_by") != c("denied_by_after"))
    ).select("claim_id", "eligible", "eligible_after", "total_amount", "total_amount_after", "denied_by",
             "denied_by_after")
    return Comparison(
        claims=joined.height,
        changed=changed,
        newly_eligible=changed.filter(~c("eligible") & c("eligible_after")).height,
        newly_denied=changed.filter(c("eligible") & ~c("eligible_after")).height,
        total_before=_sum(before["total_amount"]),
        total_after=_sum(after["total_amount"]),
    )


def _sum(amounts: pl.Series) -> Decimal:
    # Amounts are exact decimal strings; sum them as Decimal, never as floats.
    return sum((Decimal(value) for value in amounts.to_list()), Decimal("0.00"))


def describe_comparison(comparison: Comparison) -> str:
    difference = comparison.total_after - comparison.total_before
    return (
        f"对比 / compare: {comparison.claims} 项申请中 {comparison.changed.height} 项判定变化 / decisions changed "
        f"(新增符合 newly eligible {comparison.newly_eligible}, 新增不符合 newly denied {comparison.newly_denied}); "
        f"金额 / money {comparison.total_before} → {comparison.total_after} ({difference:+})"
    )
