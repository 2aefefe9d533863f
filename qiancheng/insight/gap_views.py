"""`/insight/demand-gap/`: the dynamic demand database's gap table (1c), its chart, its .xlsx and the reports no
class has answered (docs/statistics.md "Demand gap")."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.models import Role
from qiancheng.clock import days_since, today
from qiancheng.insight import demand_gap
from qiancheng.insight.forms import GapFilterForm
from qiancheng.web.listing import BY_NUMBER_OR_NAME, listing, listing_of
from qiancheng.web.table_xlsx import TableFile, table_xlsx

TOP = 10
# The gap table and the unanswered reports page (50 rows) and search on their own, the period kept.
GAP, WAITING = "g-", "w-"
PERIOD = ("date_from", "date_to", "city")
PROVINCE_UNIT = "广西壮族自治区人力资源和社会保障厅"


def _table(request: HttpRequest) -> tuple[GapFilterForm, demand_gap.GapTable, str]:
    form = GapFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    problem = ""
    city = data.get("city")
    try:
        table = demand_gap.gap_table(request.user, data.get("date_from"), data.get("date_to"),
                                     city_code=city.code if city else None)
    except LookupError as elsewhere:
        raise Http404 from elsewhere
    except demand_gap.GapRefused as refusal:
        problem = refusal.en if get_language() == "en" else refusal.zh
        table = demand_gap.gap_table(request.user, city_code=city.code if city else None)
    return form, table, problem


def _row_matches(row: demand_gap.GapRow, text: str) -> bool:
    """Search by number (the occupation's or item's code, the city's code) or by name."""
    return any(text.lower() in value.lower() for value in (
        row.occupation_code, row.item_code, row.occupation_name, row.city_code, row.city_name))


def chart(table: demand_gap.GapTable) -> dict[str, Any]:
    """The largest positive gaps, for `{% bar_chart %}` (drawn on the server: ADR 0006)."""
    top = [row for row in table.rows if row.gap > 0][:TOP]
    return {"labels": [_("%(occupation)s%(level)s级 %(city)s") % {
        "occupation": row.occupation_name, "level": row.level, "city": row.city_name} for row in top],
        "values": [row.gap for row in top]}


@require_http_methods(["GET", "HEAD"])
@signed_in_as(demand_gap.READERS)
def demand_gap_page(request: HttpRequest) -> HttpResponse:
    form, table, problem = _table(request)
    listed_gap = listing_of(request, table.rows, matches=_row_matches, search_label=BY_NUMBER_OR_NAME,
                            prefix=GAP, keep=(*PERIOD, f"{WAITING}q"))
    listed_waiting = listing(request, demand_gap.unanswered_reports(request.user)
                             .select_related("enterprise", "occupation", "county", "enterprise__city"),
                             search=("pk", "enterprise__uscc", "enterprise__name", "occupation__code", "occupation__name"),
                             search_label=BY_NUMBER_OR_NAME, prefix=WAITING, keep=(*PERIOD, f"{GAP}q"))
    waiting = [(report, days_since(report.filed_at)) for report in listed_waiting.rows]
    return render(request, "insight/demand_gap.html", {
        "form": form, "table": table, "rows": listed_gap.rows, "listed_gap": listed_gap,
        "listed_waiting": listed_waiting, "totals": table.totals, "problem": problem, "chart": chart(table),
        "province": request.user.role == Role.PROVINCE_OFFICIAL, "query": request.GET.urlencode(),
        "waiting": waiting, "answer_days": demand_gap.answer_days_on(today()),
    })


COLUMNS = ("职业编码 Occupation code", "职业 Occupation", "等级 Level", "城市 City", "需求填报数 Reports",
           "需求人数 Demand", "取证人数 Certified", "就业人数 Placed", "缺口 Gap")


def gap_file(user: Any, table: demand_gap.GapTable) -> bytes:
    """The gap table as the .xlsx officials send on: unit, period, compiler and date above, totals below."""
    unit = f"{table.city.name}人力资源和社会保障局" if table.city else PROVINCE_UNIT
    totals = table.totals
    return table_xlsx(TableFile(
        sheet="需求缺口", title="技能需求缺口表 Skills-demand gap (1c 动态需求数据库)",
        header=[("填报单位 Unit", unit),
                ("统计期间 Period", f"{table.date_from.isoformat()} 至 {table.date_to.isoformat()}"),
                ("需求截至 Demand as of", table.as_of.isoformat()),
                ("编制人 Compiler", user.get_full_name() or user.username),
                ("编制日期 Compiled on", today().isoformat()),
                ("口径 Definition", "缺口 = 需求人数 − 取证人数 − 就业人数（docs/statistics.md）")],
        columns=COLUMNS,
        rows=[(row.occupation_code, row.occupation_name, row.level, row.city_name, row.reports, row.demand,
               row.certified, row.placed, row.gap) for row in table.rows],
        totals=("合计 Total", None, None, None, totals["reports"], totals["demand"], totals["certified"],
                totals["placed"], totals["gap"]),
    ))


@require_http_methods(["GET", "HEAD"])
@signed_in_as(demand_gap.READERS)
def demand_gap_export(request: HttpRequest) -> HttpResponse:
    _form, table, _problem = _table(request)
    response = HttpResponse(gap_file(request.user, table),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = (
        f'attachment; filename="demand-gap-{table.date_from.isoformat()}-{table.date_to.isoformat()}.xlsx"')
    return response
