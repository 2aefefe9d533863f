"""Recovery (追回, 6d): money paid that was not owed, the cases, and the repayments recorded on them."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.scope import get_scoped_or_404, scoped
from qiancheng.funding.forms import RecoveryForm, RepaymentForm
from qiancheng.funding.models import RecoveryCase, SubsidyClaim
from qiancheng.funding.services.recovery import open_recovery, record_repayment
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.views.common import OFFICIALS, refused

CASES_SHOWN = 200


@require_safe
@signed_in_as(OFFICIALS)
def recovery_list(request: HttpRequest) -> HttpResponse:
    """`/money/recoveries/`: every case in scope with what is owed, repaid and outstanding; repayment forms."""
    cases = scoped(RecoveryCase.objects.select_related("claim", "advance__training_class", "fund_account"),
                   request.user)
    totals = cases.aggregate(owed=Sum("amount_owed"), repaid=Sum("repaid"), written_off=Sum("written_off"))
    context = {"cases": cases.order_by("-opened_at", "-pk")[:CASES_SHOWN], "count": cases.count(),
               "totals": totals, "repayment_form": RepaymentForm()}
    return render(request, "funding/recoveries.html", context)


@require_POST
@signed_in_as(OFFICIALS, hide=True)
def open_claim_recovery(request: HttpRequest, number: str) -> HttpResponse:
    """Open a recovery case on a paid claim (6d): the claim becomes recovered and the debt is booked."""
    claim = get_scoped_or_404(SubsidyClaim, request.user, number=number)
    form = RecoveryForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择追回原因并说明。 / Choose the reason and explain it."))
        return redirect("funding:claim_detail", number=claim.number)
    data = form.cleaned_data
    try:
        case = open_recovery(request.user, claim, data["reason_kind"], data["reason"], data["amount"])
    except FundingRefused as refusal:
        refused(request, refusal)
        return redirect("funding:claim_detail", number=claim.number)
    messages.success(request, _("已立案追回 %(amount)s 元。") % {"amount": f"{case.amount_owed:,.2f}"})
    return redirect("funding:recoveries")


@require_POST
@signed_in_as(OFFICIALS, hide=True)
def repayment(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a repayment on a case by its bank voucher (the same voucher twice is recorded once)."""
    case = get_scoped_or_404(RecoveryCase, request.user, pk=pk)
    form = RepaymentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写还款金额和缴款凭证号。 / Give the amount and the voucher number."))
        return redirect("funding:recoveries")
    try:
        case = record_repayment(request.user, case, form.cleaned_data["amount"], form.cleaned_data["document_ref"])
    except FundingRefused as refusal:
        refused(request, refusal)
    else:
        messages.success(request, _("已记录还款，尚欠 %(left)s 元。") % {"left": f"{case.outstanding:,.2f}"})
    return redirect("funding:recoveries")
