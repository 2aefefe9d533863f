"""`/insight/demand-gap/history/`: one row of the gap table through time (1c 动态需求数据库: trends by month, and
each dated change on its day), read by `demand_gap.gap_history` (docs/statistics.md "Demand gap")."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from qiancheng.accounts.guards import signed_in_as
from qiancheng.insight import demand_gap


def _day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _level(text: str | None) -> int | None:
    return int(text) if text in {"1", "2", "3", "4", "5"} else None


@require_http_methods(["GET", "HEAD"])
@signed_in_as(demand_gap.READERS)
def demand_gap_history_page(request: HttpRequest) -> HttpResponse:
    """?occupation=&level= or ?item=, with city (the province names one; a city official reads its own) and the
    window (date_from, date_to; this year to date when absent)."""
    query = request.GET
    try:
        history = demand_gap.gap_history(
            request.user, city_code=query.get("city") or None, date_from=_day(query.get("date_from")),
            date_to=_day(query.get("date_to")), occupation_code=query.get("occupation") or None,
            level=_level(query.get("level")), item_code=query.get("item") or None)
    except LookupError as elsewhere:
        raise Http404 from elsewhere
    except demand_gap.GapRefused as refusal:
        return render(request, "insight/demand_gap_history.html", {
            "problem": refusal.en if get_language() == "en" else refusal.zh}, status=422)
    return render(request, "insight/demand_gap_history.html", {"history": history})
