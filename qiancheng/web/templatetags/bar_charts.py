"""`{% bar_chart data label %}` and `{% stacked_bar_chart data label %}`: a chart drawn on the server as inline
SVG (qiancheng.web.bar_chart, ADR 0006), from the data the view builds for it.

    {% load bar_charts %}
    {% translate "各月培训人次的柱状图" as trend_label %}
    {% bar_chart trend_chart trend_label id="trend-chart" %}
    {% bar_chart charts.share share_label id="share-chart" unit="%" %}
    {% stacked_bar_chart chart fund_label id="fund-chart" %}

The chart is an `<svg role="img">` named by `label`, each bar with its `<title>` (the tooltip), its value
written beside it with thousands separated, and the same figures in a data table behind a disclosure.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import template
from django.utils import translation

from qiancheng.web import bar_chart
from qiancheng.web.templatetags.page_shell import wan_yuan

register = template.Library()


def _plain(unit: str) -> Callable[[Decimal], str]:
    return lambda value: bar_chart.plain(value, unit)


def _short_money(value: Decimal) -> str:
    """The money axis, shorter than the amounts: "6,000万" ("60.0M" in English), whole numbers of the unit."""
    if translation.get_language() == "en":
        return f"{value / 1_000_000:,.1f}M"
    return f"{value / 10_000:,.0f}万"


def _context(chart: bar_chart.Chart, label: str, id: str) -> dict[str, Any]:
    return {"chart": chart, "label": label, "id": id}


@register.inclusion_tag("web/_bar_chart.html", name="bar_chart")
def bar_chart_tag(data: dict[str, Any] | None, label: str, id: str = "", unit: str = "",
                  name: str = "") -> dict[str, Any]:
    """One series: `data` is {"labels": [...], "values": [...]}; `unit` follows each value ("%");
    `name` heads the data table's value column (the label's subject when empty)."""
    data = data or {}
    chart = bar_chart.build(data.get("labels", []), [(name, data.get("values", []))], _plain(unit))
    return _context(chart, label, id)


@register.inclusion_tag("web/_bar_chart.html")
def stacked_bar_chart(data: dict[str, Any] | None, label: str, id: str = "") -> dict[str, Any]:
    """Stacked money bars: `data` is {"labels": [...], "series": [{"name", "values"}]} (values as text, exact);
    amounts written in 万元 as the fund cards write them."""
    data = data or {}
    series = [(str(each["name"]), each["values"]) for each in data.get("series", [])]
    chart = bar_chart.build(data.get("labels", []), series, wan_yuan, horizontal=True, tick_fmt=_short_money)
    return _context(chart, label, id)

