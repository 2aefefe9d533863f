"""The fund dashboard (资金看板): allocated / reserved / paid / available per fund, city, park and year."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.models import Role
from qiancheng.funding.forms import AllocationForm
from qiancheng.funding.models import FundAccount
from qiancheng.funding.services.funds import allocate
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.summary import Totals, fund_summary, stacked_chart, visible_funds
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
        totals = Totals(f"{fund.year} {fund.get_source_display().split(' ')[0]} {_holder(fund)}")
        totals.add(fund)
        rows.append({"fund": fund, "holder": _holder(fund), "totals": totals})
    summary = fund_summary(request.user, int(year) if year.isdigit() else None)
    province = request.user.role == Role.PROVINCE_OFFICIAL
    context = {
        "rows": rows, "summary": summary, "chart": stacked_chart([row["totals"] for row in rows]),
        "years": years, "year": year, "form": AllocationForm() if province else None,
    }
    return render(request, "funding/funds.html", context)


@require_POST
@signed_in_as({Role.PROVINCE_OFFICIAL})
def allocate_funds(request: HttpRequest) -> HttpResponse:
    """The province records an allocation (下达) with its document reference, through the ledger."""
    form = AllocationForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else name
            messages.error(request, f"{label}：{' '.join(errors)}")
        return redirect("funding:funds")
    data = form.cleaned_data
    try:
        fund = allocate(request.user, data["source"], data["year"], data["amount"], data["document_ref"],
                        city=data["city"], park=data["park"])
    except FundingRefused as refusal:
        refused(request, refusal)
    else:
        messages.success(request, _("已下达 %(amount)s 元到 %(fund)s。") % {"amount": f"{data['amount']:,.2f}",
                                                                         "fund": _holder(fund)})
    return redirect("funding:funds")
