"""`/insight/statistics/` (6a 统计分析): the figures of the reader's scope with filters, the breakdowns as tables and
charts, each table as the .xlsx of a provincial report; `/insight/industry-plan/`: an industry's plan (6) against
its trainings (docs/statistics.md "The statistics page", "Industry departments")."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.models import Role
from qiancheng.catalog.models import City, Industry
from qiancheng.clock import today
from qiancheng.insight import industry_plans, statistics
from qiancheng.insight.statistics_forms import EXPORT_TABLES, IndustryPlanForm, StatisticsFilterForm
from qiancheng.web.refusals import refusal_text
from qiancheng.web.table_xlsx import WAN, TableFile, table_xlsx

PROVINCE_UNIT = "广西壮族自治区人力资源和社会保障厅"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(request: HttpRequest) -> tuple[StatisticsFilterForm, statistics.Page]:
    scope = statistics.scope_of(request.user)
    asked = statistics.Filters(year=today().year, city=request.GET.get("city") or None,
                               county=request.GET.get("county") or None,
                               industry=request.GET.get("industry") or None)
    form = StatisticsFilterForm(scope, request.GET or None)
    try:
        asked.within(scope)  # another city, county or industry is out of scope: the same 404 as a missing record
        return form, statistics.page(scope, form.filters())
    except statistics.OutOfScope as elsewhere:
        raise Http404 from elsewhere


def chart(table: statistics.Breakdown) -> dict[str, Any]:
    """One bar series for `{% bar_chart %}` (ADR 0006): trainings per row (subtotals left out)."""
    rows = table.detail_rows
    return {"labels": [row.label for row in rows], "values": [row.figures.trainings for row in rows]}


@require_http_methods(["GET", "HEAD"])
@signed_in_as(statistics.READERS)
def statistics_page(request: HttpRequest) -> HttpResponse:
    form, page = _page(request)
    return render(request, "insight/statistics.html", {
        "form": form, "page": page, "query": request.GET.urlencode(),
        "province": page.scope.province, "city_scope": page.scope.city, "industry_scope": page.scope.industry,
        "trend_chart": chart(page.table("month")), "ranking_chart": chart(page.table("city")),
    })


def unit_of(scope: statistics.Scope) -> str:
    """填报单位: the province's department, the city's bureau, or the industry's department."""
    if scope.city:
        return f"{City.objects.get(code=scope.city).name}人力资源和社会保障局"
    if scope.industry:
        return f"{Industry.objects.get(code=scope.industry).name}行业主管部门"
    return PROVINCE_UNIT


def period_of(filters: statistics.Filters) -> str:
    first, last = filters.period()
    return f"{first.isoformat()} 至 {last.isoformat()}"


def filters_text(filters: statistics.Filters) -> str:
    """The filters other than the period, as the report's header states them."""
    asked = [f"{name}={value}" for name, value in (
        ("city", filters.city), ("county", filters.county), ("training_type", filters.training_type),
        ("training_form", filters.training_form), ("fund", filters.fund), ("occupation", filters.occupation),
        ("industry", filters.industry), ("key_group", filters.key_group), ("programme_tag", filters.programme_tag),
        ("institution", filters.institution)) if value is not None]
    return "；".join(asked) or "无 none"


COLUMNS = ("项目 Item", "培训人次 Trainings", "重点群体人次 Key groups", "重点群体占比% Key-group share %",
           "培训人数 People", "补贴金额（万元）Subsidy (10k CNY)")


def _values(label: str, figures: statistics.Figures) -> tuple[Any, ...]:
    share = figures.cell.share_decimal
    return (label, figures.trainings, figures.key_group, None if share is None else share * 100, figures.people,
            figures.amount_wan)


def statistics_file(user: Any, scope: statistics.Scope, table: statistics.Breakdown) -> bytes:
    """One breakdown as the .xlsx a provincial report uses: header block, rows with subtotals, totals, notes."""
    return table_xlsx(TableFile(
        sheet=table.title, title=f"补贴性职业技能培训统计表（{table.title}）Subsidised training statistics",
        header=[("填报单位 Unit", unit_of(scope)), ("统计期间 Period", period_of(table.filters)),
                ("筛选条件 Filters", filters_text(table.filters)),
                ("填报人 Compiler", user.get_full_name() or user.username),
                ("填报日期 Date", today().isoformat()), ("金额单位 Amount unit", "万元 10,000 CNY")],
        columns=COLUMNS,
        rows=[_values(row.label, row.figures) for row in table.rows],
        subtotal_rows=frozenset(index for index, row in enumerate(table.rows) if row.subtotal),
        totals=_values("合计 Total", table.total),
        number_formats={3: "0.0", 5: WAN},
        notes=("口径：一人次为一条计数状态（待审、已核准、已支付）且经决策引擎判定符合条件的补贴申领，按培训结束日期所在年月、"
               "申领所属城市统计（docs/statistics.md）。", "合计的培训人数按人去重，可能少于各行之和。"),
    ))


@require_http_methods(["GET", "HEAD"])
@signed_in_as(statistics.READERS)
def statistics_export(request: HttpRequest) -> HttpResponse:
    name = request.GET.get("table", "city")
    if name not in EXPORT_TABLES:
        raise Http404
    _form, page = _page(request)
    table = page.table(name)
    response = HttpResponse(statistics_file(request.user, page.scope, table), content_type=XLSX)
    first, last = table.filters.period()
    response["Content-Disposition"] = f'attachment; filename="statistics-{name}-{first}-{last}.xlsx"'
    return response


# ---------------------------------------------------------------- an industry's plan (6)


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in_as(industry_plans.READERS)
def industry_plan(request: HttpRequest) -> HttpResponse:
    """The department files its plan and sees it against its trainings; the province picks an industry."""
    user = request.user
    department = user.role == Role.INDUSTRY_DEPARTMENT
    form = IndustryPlanForm(request.POST or None, initial={"year": today().year}) if department else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                industry_plans.file_plan(user, form.cleaned_data["year"], form.cleaned_data["lines"],
                                         form.cleaned_data["document"])
            except ValidationError as refusal:
                form.add_error(None, refusal_text(refusal))
            else:
                messages.success(request, _("行业培训计划已报送。"))
                return redirect(f"{request.path}?year={form.cleaned_data['year']}")
    try:
        year = int(request.GET.get("year") or today().year)
    except ValueError:
        year = today().year
    year = min(max(year, 2000), 2100)
    industries = Industry.objects.order_by("sort_order", "code")
    code = user.industry_id if department else (request.GET.get("industry") or "")
    if not department and not code:
        code = industries.values_list("code", flat=True).first() or ""
    progress = None
    if code:
        try:
            progress = industry_plans.progress(user, code, year)
        except statistics.OutOfScope as elsewhere:
            raise Http404 from elsewhere
    return render(request, "insight/statistics_industry_plan.html", {
        "form": form, "progress": progress, "year": year, "department": department,
        "industries": industries if not department else None, "industry_code": code,
        "filings": industry_plans.plans(user).filter(industry_id=code).order_by("-year", "-filed_at")[:20]
        if code else [],
    })
