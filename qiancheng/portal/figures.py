"""Headline figures of the programme as one user may see them (the home pages' numbers).

Every count goes through `scoped`, so the same function gives the province all of Guangxi, a city
official their city, an institution its own classes and a trainee their own record. Empty tables give
zeros.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from qiancheng.accounts.scope import scoped
from qiancheng.evaluation.models import Certificate, CertificateStatus
from qiancheng.funding.models import ClaimStatus, Payment, PaymentStatus, SubsidyClaim
from qiancheng.people.models import Person
from qiancheng.providers.models import Institution
from qiancheng.training.models import Enrolment, TrainingClass

ZERO = Decimal("0.00")


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
    claims_by_status: list[ClaimCount]  # every status, in the order of ClaimStatus, zeros included
    amount_approved: Decimal  # total of claims approved, paid or not yet (status approved or paid)
    amount_paid: Decimal  # money actually sent: payments not reversed

    @property
    def claims(self) -> int:
        return sum(each.count for each in self.claims_by_status)

    def chart_data(self) -> dict[str, Any]:
        """What the home page's bar chart draws (ECharts reads it from a json_script block)."""
        return {
            "labels": [each.label for each in self.claims_by_status],
            "values": [each.count for each in self.claims_by_status],
        }


def headline_figures(user: Any) -> HeadlineFigures:
    claims = scoped(SubsidyClaim.objects.all(), user)
    by_status = dict(claims.order_by().values_list("status").annotate(n=Count("pk")))
    approved = claims.filter(status__in=[ClaimStatus.APPROVED, ClaimStatus.PAID]).aggregate(
        total=Sum("total_amount")
    )["total"]
    paid = scoped(Payment.objects.filter(status=PaymentStatus.PAID), user).aggregate(total=Sum("amount"))["total"]
    return HeadlineFigures(
        people=scoped(Person.objects.all(), user).count(),
        institutions=scoped(Institution.objects.all(), user).count(),
        classes=scoped(TrainingClass.objects.all(), user).count(),
        enrolments=scoped(Enrolment.objects.all(), user).count(),
        certificates=scoped(Certificate.objects.filter(status=CertificateStatus.VALID), user).count(),
        claims_by_status=[
            ClaimCount(status=status.value, label=str(status.label), count=by_status.get(status.value, 0))
            for status in ClaimStatus
        ],
        amount_approved=approved if approved is not None else ZERO,
        amount_paid=paid if paid is not None else ZERO,
    )
