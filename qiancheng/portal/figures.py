"""Headline figures of the programme as one user may see them (the home pages' numbers).

Every count goes through `scoped`, so the same function gives the province all of Guangxi, a city
official their city, an institution its own classes and a trainee their own record. Empty tables give
zeros. The claim figures the review queue and the fund dashboard also show come from their one function in
`funding.summary` (awaiting review, sent back, paid to claimants), so a page never shows two numbers under
one name (docs/statistics.md "One function per figure").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from qiancheng.accounts.scope import scoped
from qiancheng.evaluation.models import Certificate, CertificateStatus
from qiancheng.funding.models import ClaimStatus, SubsidyClaim
from qiancheng.funding.summary import claims_awaiting_review, claims_sent_back, paid_to_claimants
from qiancheng.people.models import Person
from qiancheng.providers.models import Institution
from qiancheng.training.models import Enrolment, TrainingClass

ZERO = Decimal("0.00")

# The row of pending claims sent back to their claimant: pending, but not in the review queue (their own row,
# so the "待审核" row equals the queue's count).
SENT_BACK = "sent_back"


@dataclass(frozen=True)
class ClaimCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class HeadlineFigures:
    people: int
    institutions: int
    classes: int
    enrolments: int
    certificates: int  # valid ones; revoked certificates are no longer held
    # Every status in the order of ClaimStatus, zeros included; pending is split in two rows: awaiting review
    # (the queue's count) and, after it, sent back for documents (SENT_BACK).
    claims_by_status: list[ClaimCount]
    amount_approved: Decimal  # total of claims approved, paid or not yet (status approved or paid)
    amount_paid: Decimal  # paid to claimants: payments not reversed (funding.summary.paid_to_claimants)

    @property
    def claims(self) -> int:
        return sum(each.count for each in self.claims_by_status)

    def chart_data(self) -> dict[str, Any]:
        """What the home page's bar chart draws (`{% bar_chart %}`, drawn on the server: ADR 0006)."""
        return {
            "labels": [each.label for each in self.claims_by_status],
            "values": [each.count for each in self.claims_by_status],
        }


def claim_counts(user: Any) -> list[ClaimCount]:
    """The claims of `user`'s scope per status; pending as awaiting review and sent back (see SENT_BACK)."""
    by_status = dict(scoped(SubsidyClaim.objects.all(), user).order_by().values_list("status").annotate(n=Count("pk")))
    # Pending is counted by the queue's own functions (funding.summary), never by this grouping.
    rows: list[ClaimCount] = []
    for status in ClaimStatus:
        if status == ClaimStatus.PENDING:
            rows.append(ClaimCount(status=status.value, label=str(status.label),
                                   count=claims_awaiting_review(user).count()))
            rows.append(ClaimCount(status=SENT_BACK, label=str(_("已退回补充材料")),
                                   count=claims_sent_back(user).count()))
        else:
            rows.append(ClaimCount(status=status.value, label=str(status.label), count=by_status.get(status.value, 0)))
    return rows


def headline_figures(user: Any) -> HeadlineFigures:
    claims = scoped(SubsidyClaim.objects.all(), user)
    approved = claims.filter(status__in=[ClaimStatus.APPROVED, ClaimStatus.PAID]).aggregate(
        total=Sum("total_amount")
    )["total"]
    return HeadlineFigures(
        people=scoped(Person.objects.all(), user).count(),
        institutions=scoped(Institution.objects.all(), user).count(),
        classes=scoped(TrainingClass.objects.all(), user).count(),
        enrolments=scoped(Enrolment.objects.all(), user).count(),
        certificates=scoped(Certificate.objects.filter(status=CertificateStatus.VALID), user).count(),
        claims_by_status=claim_counts(user),
        amount_approved=approved if approved is not None else ZERO,
        amount_paid=paid_to_claimants(user),
    )
