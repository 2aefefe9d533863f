"""Recovery (追回, 6d): money paid that was not owed, the cases, and the repayments recorded on them."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import get_scoped_or_404, scoped
from qiancheng.funding.forms import RecoveryForm, RepaymentForm
from qiancheng.funding.models import RecoveryCase, SubsidyClaim
from qiancheng.funding.services.recovery import open_recovery, record_repayment, write_off_recovery
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
               "totals": totals, "repayment_form": RepaymentForm(),
               "may_write_off": request.user.role == Role.PROVINCE_OFFICIAL}
    return render(request, "funding/recoveries.html", context)


@require_POST
@signed_in_as(OFFICIALS, hide=True)
def open_claim_recovery(request: HttpRequest, number: str) -> HttpResponse:
    """Open a recovery case on a paid claim (6d): the claim becomes recovered and the debt is booked."""
    claim = get_scoped_or_404(SubsidyClaim, request.user, number=number)
    form = RecoveryForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择追回原因并说明。"))
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
        messages.error(request, _("请填写还款金额和缴款凭证号。"))
        return redirect("funding:recoveries")
    try:
        case = record_repayment(request.user, case, form.cleaned_data["amount"], form.cleaned_data["document_ref"])
    except FundingRefused as refusal:
        refused(request, refusal)
    else:
        messages.success(request, _("已记录还款，尚欠 %(left)s 元。") % {"left": f"{case.outstanding:,.2f}"})
    return redirect("funding:recoveries")


@require_POST
@signed_in_as({Role.PROVINCE_OFFICIAL}, hide=True)
def write_off_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Check your answers before a write-off (核销): the case, its claim, what was owed and repaid, the amount
    that will be written off, and the reason. Nothing is written off by this step."""
    case = get_scoped_or_404(RecoveryCase.objects.select_related("claim__person", "advance__training_class"),
                             request.user, pk=pk)
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, _("核销须说明理由。"))
        return redirect("funding:recoveries")
    return render(request, "funding/write_off_check.html", {"case": case, "reason": reason})


@require_POST
@signed_in_as({Role.PROVINCE_OFFICIAL}, hide=True)
def write_off(request: HttpRequest, pk: int) -> HttpResponse:
    """The deliberate write-off the check page asked for; the message names the case, its claim and amount."""
    case = get_scoped_or_404(RecoveryCase, request.user, pk=pk)
    before = case.outstanding
    try:
        case = write_off_recovery(request.user, case, request.POST.get("reason", ""))
    except FundingRefused as refusal:
        refused(request, refusal)
    else:
        what = case.claim.number if case.claim_id else _("垫付")
        messages.success(request, _("追回案件 #%(pk)d（%(what)s）已核销 %(amount)s 元。")
                         % {"pk": case.pk, "what": what, "amount": f"{before:,.2f}"})
    return redirect("funding:recoveries")
