"""The employment subsidy (5.2c) for the city: who is due a proof, who is late, and employment rates."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from qiancheng.accounts.guards import signed_in_as
from qiancheng.clock import today
from qiancheng.funding.services.employment import (
    EmploymentDue,
    EmploymentRate,
    employment_due,
    employment_rates,
    grace_on,
)
from qiancheng.funding.views.common import OFFICIALS
from qiancheng.web.listing import listing_of

# Four lists on one page, each paged (50 rows) and searched on its own: the late and the due claims by claim
# number, institution or class; the rates by class or institution name (web.listing's prefixes).
LATE, DUE, CLASSES, INSTITUTIONS = "l-", "d-", "c-", "i-"
SEARCHES = tuple(f"{prefix}q" for prefix in (LATE, DUE, CLASSES, INSTITUTIONS))


def _due_matches(each: EmploymentDue, text: str) -> bool:
    claim = each.claim
    institution = claim.institution.name if claim.institution_id else ""
    return any(text.lower() in value.lower() for value in (
        claim.number, institution, claim.enrolment.training_class.name))


def _rate_matches(rate: EmploymentRate, text: str) -> bool:
    return text.lower() in rate.label.lower() or text == str(rate.key)


def _listed(request: HttpRequest, items: list[Any], prefix: str, label: str, matches: Any) -> Any:
    return listing_of(request, items, matches=matches, search_label=label, prefix=prefix,
                      keep=[name for name in SEARCHES if not name.startswith(prefix)])


def _chart(rates: list[EmploymentRate]) -> dict[str, Any]:
    """Per cent employed, for the bar chart (a rate, not money: a float is what the chart draws)."""
    shown = [rate for rate in rates if rate.rate is not None]
    return {"labels": [rate.label for rate in shown], "values": [round(float(rate.rate) * 100, 1) for rate in shown]}


@require_safe
@signed_in_as(OFFICIALS)
def employment(request: HttpRequest) -> HttpResponse:
    """`/money/employment/`: claims waiting for their proof of employment (late ones first) and the rates."""
    on = today()
    due = employment_due(request.user, on)
    rates = employment_rates(request.user, on)
    late = [each for each in due if each.late]
    waiting = [each for each in due if not each.late]
    by_claim = _("按申领编号、机构或班级查找")
    listed_late = _listed(request, late, LATE, by_claim, _due_matches)
    listed_due = _listed(request, waiting, DUE, by_claim, _due_matches)
    listed_classes = _listed(request, rates.per_class, CLASSES, _("按班级查找"), _rate_matches)
    listed_institutions = _listed(request, rates.per_institution, INSTITUTIONS, _("按机构查找"), _rate_matches)
    context = {
        "on": on, "grace": grace_on(on),
        "late": listed_late.rows, "late_count": len(late), "due": listed_due.rows, "due_count": len(waiting),
        "listed_late": listed_late, "listed_due": listed_due, "listed_classes": listed_classes,
        "listed_institutions": listed_institutions,
        "per_class": listed_classes.rows, "per_institution": listed_institutions.rows,
        "class_chart": _chart(rates.per_class), "institution_chart": _chart(rates.per_institution),
    }
    return render(request, "funding/employment.html", context)
