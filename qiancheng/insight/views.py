"""`/insight/progress/`: the year's targets, trainings against the calendar and the key-group share (1a, 2.1b);
the province records a target below them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import get_scoped_or_404, public, scoped
from qiancheng.clock import today
from qiancheng.funding.views.lists import city_filter
from qiancheng.insight import figures, industry_plans, optional_target_views, rating
from qiancheng.insight.forms import (
    RatingAppealForm,
    RatingDecisionForm,
    TargetForm,
    YearForm,
)
from qiancheng.insight.models import RatingAppeal, RatingAppealStatus, RatingSnapshot, Target
from qiancheng.insight.services import (
    decide_rating_appeal,
    explain,
    file_rating_appeal,
    set_target,
    stars_in_force,
)
from qiancheng.policy.params import plan_figures
from qiancheng.web.listing import Filter, Sort, listing


def default_year() -> int:
    """Today's year, kept within the plan's years."""
    years = plan_figures().target_years()
    return min(max(today().year, years[0]), years[-1])


def _one_language(refusal: ValidationError | PermissionDenied) -> str:
    """A service's "中文 / English" reason, in the page's language only."""
    text = refusal.messages[0] if isinstance(refusal, ValidationError) else str(refusal)
    zh, _sep, en = text.partition(" / ")
    return (en or zh) if get_language() == "en" else zh


def _percent(share: Any) -> str:
    return "" if share is None else f"{share * 100:.1f}"


def charts(report: figures.Report) -> dict[str, Any]:
    """The two bar charts' data (`{% bar_chart %}`, ADR 0006): trainings as a share of each city's target, and each
    city's key-group share, both in per cent."""
    with_target = [row for row in report.cities if row.target is not None]
    return {
        "progress": {"labels": [row.name for row in with_target],
                     "values": [str(row.percent_of_target) for row in with_target]},
        "share": {"labels": [row.name for row in report.cities if row.achieved.trainings],
                  "values": [_percent(row.achieved.share_decimal) for row in report.cities if row.achieved.trainings]},
    }


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in_as(figures.READERS)
def progress(request: HttpRequest) -> HttpResponse:
    province = request.user.role == Role.PROVINCE_OFFICIAL
    chosen = YearForm(request.GET or None)
    year = chosen.cleaned_data["year"] if chosen.is_bound and chosen.is_valid() else default_year()
    form = None
    if province:
        form = TargetForm(request.POST or None, initial={"year": year, "valid_from": today()})
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("只有自治区人社厅可以设定培训目标。"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = set_target(request.user, data["year"], data["city"].code if data["city"] else None,
                                   data["count"], data["document"], data["valid_from"])
            except (ValidationError, PermissionDenied) as refusal:
                messages.error(request, _one_language(refusal))
            else:
                messages.success(request, _("已记录%(year)s年%(where)s目标%(count)s人次（%(doc)s），自%(day)s起生效。") % {
                    "year": entry.year, "where": entry.city.name if entry.city else _("全区"),
                    "count": f"{entry.count:,}", "doc": entry.document, "day": entry.valid_from.isoformat()})
                return redirect(f"{reverse('insight:progress')}?year={entry.year}")
    report = figures.report(request.user, year)
    history = scoped(Target.objects.select_related("city", "set_by"), request.user).filter(year=year)
    return render(request, "insight/progress.html", {
        "report": report, "year": year, "years": plan_figures().target_years(), "form": form,
        "history": history.order_by("city_id", "-valid_from", "-pk"), "charts": charts(report),
        "months": range(1, 13), "min_percent": _percent(report.min_share),
        "elapsed_percent": _percent(figures.decimal_of(report.elapsed)),
        "programme_achieved": figures.programme_achieved() if province else None,
        # 6: each industry's plan in force against its actuals (the province reads every industry's).
        "industry_plans": industry_plans.overview(request.user, year) if province else [],
        # 1a: the province's optional targets per training type or programme, read by the province and the cities.
        **optional_target_views.progress_context(request.user, year),
    })


# ---------------------------------------------------------------- star ratings (1c)

RATING_READERS = frozenset({Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL, Role.INSTITUTION})
COMPONENT_LABELS = {
    "pass_rate": gettext_lazy("考核合格率"), "employment_rate": gettext_lazy("三个月就业率"),
    "attendance_integrity": gettext_lazy("出勤达标率"), "completion": gettext_lazy("结业率"),
}


def _rows(snapshot: RatingSnapshot) -> list[dict[str, Any]]:
    """Each rate of a snapshot: its counts, the institution's rate, the city's, the shrunk rate and its weight."""
    explained = explain(snapshot)
    rows = []
    for name in rating.COMPONENTS:
        top, bottom = rating.COUNTS[name]
        part = explained.components[name]
        rows.append({"name": name, "label": COMPONENT_LABELS[name], "numerator": snapshot.inputs[top],
                     "denominator": snapshot.inputs[bottom], **{key: _pct(value) for key, value in part.items()}})
    return rows


def _pct(value: str | None) -> str:
    return "" if value is None else f"{Decimal(value) * 100:.1f}"


@public
@require_http_methods(["GET", "HEAD"])
def star_rating_formula(request: HttpRequest) -> HttpResponse:
    """`/insight/star-rating/`: the published formula and the parameters in force, for anyone (1c)."""
    parameters = rating.parameters_on(today())
    weights = [{"label": COMPONENT_LABELS[name], "weight": _pct(str(parameters.weights[name]
                                                                    / sum(parameters.weights.values())))}
               for name in rating.COMPONENTS]
    cuts = [{"stars": stars, "lowest": parameters.cut_points[stars]} for stars in (5, 4, 3, 2)]
    return render(request, "insight/star_rating.html", {
        "parameters": parameters, "weights": weights, "cuts": cuts,
        "versions": rating.rating_parameters(),
    })


@require_http_methods(["GET", "HEAD"])
@signed_in_as(RATING_READERS)
def ratings(request: HttpRequest) -> HttpResponse:
    """`/insight/rating/`: an institution's own ratings with their inputs; a city's or the province's, 50 a
    page, searched by institution, filtered by month, city (province) and stars."""
    rows = scoped(RatingSnapshot.objects.select_related("institution", "city"), request.user)
    months = sorted(set(rows.values_list("period", flat=True)), reverse=True)
    filters = [Filter("month", _("评定月份"), [(f"{each:%Y-%m}", f"{each:%Y-%m}") for each in months],
                      where={f"{each:%Y-%m}": Q(period=each) for each in months}),
               *city_filter(request.user),
               Filter("stars", _("星级"), [(n, n) for n in range(1, 6)])]
    listed = listing(request, rows, search=("institution__name",), search_label=_("机构名称"), filters=filters,
                     sorts=[Sort("latest", _("最近月份在前"), ("-period", "city_id", "-score", "institution_id")),
                            Sort("score", _("得分从高到低"), ("-score", "-period", "institution_id"))])
    own = request.user.role == Role.INSTITUTION
    latest = rows.order_by("-period").first() if own else None
    return render(request, "insight/ratings.html", {
        "rows": listed.rows, "listed": listed,
        "own": own, "latest": latest, "components": _rows(latest) if latest else None,
    })


@require_http_methods(["GET", "HEAD"])
@signed_in_as(RATING_READERS)
def rating_detail(request: HttpRequest, snapshot_id: int) -> HttpResponse:
    """`/insight/rating/<id>/`: one snapshot explained: every input, the city's rates, the parameters; its appeal."""
    snapshot = get_scoped_or_404(RatingSnapshot.objects.select_related("institution", "city"), request.user,
                                 pk=snapshot_id)
    appeal = RatingAppeal.objects.filter(snapshot=snapshot).select_related("decided_by").first()
    own = request.user.role == Role.INSTITUTION
    return render(request, "insight/rating_detail.html", {
        "snapshot": snapshot, "components": _rows(snapshot), "explained": explain(snapshot), "appeal": appeal,
        "appeal_form": RatingAppealForm() if own and appeal is None else None,
        "decision_form": RatingDecisionForm() if not own and appeal is not None
        and appeal.status == RatingAppealStatus.PENDING else None,
        "stars_in_force": stars_in_force(snapshot),
    })


@require_http_methods(["POST"])
@signed_in_as({Role.INSTITUTION}, hide=True)  # another party: the same 404 as a missing rating
def rating_appeal(request: HttpRequest, snapshot_id: int) -> HttpResponse:
    """POST `/insight/rating/<id>/appeal/`: the institution appeals the month's rating, once (1c)."""
    snapshot = get_scoped_or_404(RatingSnapshot, request.user, pk=snapshot_id)
    form = RatingAppealForm(request.POST)
    if form.is_valid():
        try:
            file_rating_appeal(request.user, snapshot, form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as refusal:
            messages.error(request, _one_language(refusal))
        else:
            messages.success(request, _("申诉已提交，由所在市人社局复核。"))
    else:
        messages.error(request, _("请填写申诉理由。"))
    return redirect("insight:rating_detail", snapshot_id=snapshot.pk)


@require_http_methods(["POST"])
@signed_in_as({Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL})
def rating_appeal_decision(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """POST `/insight/rating-appeal/<id>/decision/`: an official other than the rater decides the appeal (1c)."""
    appeal = get_scoped_or_404(RatingAppeal, request.user, pk=appeal_id)
    form = RatingDecisionForm(request.POST)
    if form.is_valid():
        try:
            decide_rating_appeal(request.user, appeal, form.cleaned_data["revised_stars"], form.cleaned_data["note"])
        except (ValidationError, PermissionDenied) as refusal:
            messages.error(request, _one_language(refusal))
        else:
            messages.success(request, _("申诉已复核。"))
    else:
        messages.error(request, _("请填写复核意见。"))
    return redirect("insight:rating_detail", snapshot_id=appeal.snapshot_id)
