"""The employment subsidy (5.2c) for the city: who is due a proof, who is late, and employment rates."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from qiancheng.accounts.guards import signed_in_as
from qiancheng.clock import today
from qiancheng.funding.services.employment import EmploymentRate, employment_due, employment_rates, grace_on
from qiancheng.funding.views.common import OFFICIALS

ROWS_SHOWN = 300


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
    context = {
        "on": on, "grace": grace_on(on), "shown": ROWS_SHOWN,
        "late": late[:ROWS_SHOWN], "late_count": len(late), "due": waiting[:ROWS_SHOWN], "due_count": len(waiting),
        "per_class": rates.per_class, "per_institution": rates.per_institution,
        "class_chart": _chart(rates.per_class), "institution_chart": _chart(rates.per_institution),
    }
    return render(request, "funding/employment.html", context)
