"""The fund dashboard (资金看板): allocated / reserved / paid / available per fund, city, park and year."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import NOT_FOUND_MESSAGE
from qiancheng.funding.forms import AllocationForm
from qiancheng.funding.models import AllocationRequest, FundAccount, FundSource, SecondCheck
from qiancheng.funding.services.four_eyes import (
    approve_allocation,
    check_allocation_request,
    four_eyes_threshold,
    needs_second_official,
    refuse_allocation,
    request_allocation,
)
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.summary import fund_summary, park_totals, visible_funds
from qiancheng.funding.views.common import OFFICIALS, refused
from qiancheng.funding.views.lists import city_filter
from qiancheng.web.listing import Filter, Listing, Sort, listing
from qiancheng.web.refusals import valid_or_messages


def _holder(fund: FundAccount) -> str:
    if fund.park_id:
        return fund.park.name
    return fund.city.name if fund.city_id else _("自治区本级")




def _fund_listing(request: HttpRequest, funds: QuerySet) -> Listing:
    """The accounts 50 a page (the province holds one per source, city, park and year: over a hundred),
    searched by city or park, filtered by year, source and (province) city."""
    years = sorted(set(funds.values_list("year", flat=True)), reverse=True)
    filters = [Filter("year", _("年度"), [(each, each) for each in years]),
               Filter("source", _("资金来源"), FundSource.choices), *city_filter(request.user)]
    sorts = [Sort("newest", _("最新年度在前"), ("-year", "source", "city_id", "park_id")),
             Sort("by_city", _("按城市分组"), ("city_id", "park_id", "-year", "source")),
             Sort("allocated_desc", _("下达金额从高到低"), ("-allocated", "-year", "pk"))]
    return listing(request, funds, search=("city__name", "park__name"), search_label=_("城市或园区名称"),
                   filters=filters, sorts=sorts, subtotal="allocated")


@require_safe
@signed_in_as(OFFICIALS)
def fund_dashboard(request: HttpRequest) -> HttpResponse:
    """`/money/funds/`: the totals and their chart by source, the province's allocation form (at the top,
    where it is used), then every visible fund account with its balances, paged."""
    listed = _fund_listing(request, visible_funds(request.user))
    year = next((each.selected for each in listed.filters if each.name == "year"), "")
    rows = [{"fund": fund, "holder": _holder(fund)} for fund in listed.rows]
    summary = fund_summary(request.user, int(year) if year else None)
    province = request.user.role == Role.PROVINCE_OFFICIAL
    context = {
        "rows": rows, "listed": listed, "summary": summary, "chart": summary.chart_data(),
        "form": AllocationForm() if province else None,
        "parks": park_totals(request.user, int(year) if year else None),
        "awaiting": AllocationRequest.objects.filter(status=SecondCheck.AWAITING).select_related(
            "city", "park", "prepared_by") if province else [],
    }
    return render(request, "funding/funds.html", context)


def _allocation_form_or_errors(request: HttpRequest) -> AllocationForm | None:
    return valid_or_messages(request, AllocationForm(request.POST))


@require_POST
@signed_in_as({Role.PROVINCE_OFFICIAL})
def allocate_funds(request: HttpRequest) -> HttpResponse:
    """Check your answers before an allocation (下达): the account, the amount, its document, and whether a
    second province official must approve it. Nothing is allocated by this step."""
    form = _allocation_form_or_errors(request)
    if form is None:
        return redirect("funding:funds")
    data = form.cleaned_data
    try:
        check_allocation_request(request.user, data["source"], data["year"], data["amount"], data["document_ref"],
                                 city=data["city"], park=data["park"])
    except FundingRefused as refusal:
        refused(request, refusal)
        return redirect("funding:funds")
    holder = data["park"].name if data["park"] else (data["city"].name if data["city"] else _("自治区本级"))
    return render(request, "funding/allocation_check.html", {
        "form": form, "data": data, "holder": holder, "source": FundSource(data["source"]).label,
        "threshold": four_eyes_threshold(), "waits": needs_second_official(data["amount"])})


@require_POST
@signed_in_as({Role.PROVINCE_OFFICIAL})
def allocate_confirm(request: HttpRequest) -> HttpResponse:
    """The deliberate click: allocated at once up to the threshold, else left for a second province official."""
    form = _allocation_form_or_errors(request)
    if form is None:
        return redirect("funding:funds")
    data = form.cleaned_data
    try:
        done = request_allocation(request.user, data["source"], data["year"], data["amount"], data["document_ref"],
                                  city=data["city"], park=data["park"])
    except FundingRefused as refusal:
        refused(request, refusal)
        return redirect("funding:funds")
    if isinstance(done, AllocationRequest):
        messages.warning(request, _("下达 %(amount)s 元超过复核金额，已提交，待另一名自治区工作人员复核。")
                         % {"amount": f"{data['amount']:,.2f}"})
    else:
        messages.success(request, _("已下达 %(amount)s 元到 %(fund)s。") % {"amount": f"{data['amount']:,.2f}",
                                                                         "fund": _holder(done)})
    return redirect("funding:funds")


@require_POST
@signed_in_as({Role.PROVINCE_OFFICIAL}, hide=True)
def decide_allocation(request: HttpRequest, pk: int) -> HttpResponse:
    """A second province official approves (the money is allocated) or refuses, with a reason, an allocation
    awaiting review; the dashboard's list shows its amount, account and document before the click."""
    waiting = AllocationRequest.objects.filter(pk=pk).first()
    if waiting is None:
        raise Http404(NOT_FOUND_MESSAGE)
    try:
        if request.POST.get("decision") == "approve":
            done = approve_allocation(request.user, waiting)
            messages.success(request, _("已复核并下达 %(amount)s 元到 %(fund)s。")
                             % {"amount": f"{done.amount:,.2f}", "fund": _holder(done.fund_account)})
        else:
            refuse_allocation(request.user, waiting, request.POST.get("reason", ""))
            messages.success(request, _("已退回该资金下达，未下达任何资金。"))
    except FundingRefused as refusal:
        refused(request, refusal)
    return redirect("funding:funds")
