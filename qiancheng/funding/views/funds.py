"""The fund dashboard (资金看板): allocated / reserved / paid / available per fund, city, park and year."""

from __future__ import annotations

from django.contrib import messages
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
from qiancheng.funding.summary import Totals, fund_summary, park_totals, stacked_chart, visible_funds
from qiancheng.funding.views.common import OFFICIALS, refused


def _holder(fund: FundAccount) -> str:
    if fund.park_id:
        return fund.park.name
    return fund.city.name if fund.city_id else _("自治区本级")




@require_safe
@signed_in_as(OFFICIALS)
def fund_dashboard(request: HttpRequest) -> HttpResponse:
    """`/money/funds/`: every visible fund account with its balances, a stacked chart, the province's form."""
    funds = visible_funds(request.user).order_by("-year", "source", "city_id", "park_id")
    years = sorted(set(funds.values_list("year", flat=True)), reverse=True)
    year = request.GET.get("year", "")
    if year.isdigit():
        funds = funds.filter(year=int(year))
    rows = []
    for fund in funds:
        totals = Totals(f"{fund.year} {fund.get_source_display()} {_holder(fund)}")
        totals.add(fund)
        rows.append({"fund": fund, "holder": _holder(fund), "totals": totals})
    summary = fund_summary(request.user, int(year) if year.isdigit() else None)
    province = request.user.role == Role.PROVINCE_OFFICIAL
    context = {
        "rows": rows, "summary": summary, "chart": stacked_chart([row["totals"] for row in rows]),
        "years": years, "year": year, "form": AllocationForm() if province else None,
        "parks": park_totals(request.user, int(year) if year.isdigit() else None),
        "awaiting": AllocationRequest.objects.filter(status=SecondCheck.AWAITING).select_related(
            "city", "park", "prepared_by") if province else [],
    }
    return render(request, "funding/funds.html", context)


def _allocation_form_or_errors(request: HttpRequest) -> AllocationForm | None:
    form = AllocationForm(request.POST)
    if form.is_valid():
        return form
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else name
        messages.error(request, f"{label}：{' '.join(errors)}")
    return None


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
