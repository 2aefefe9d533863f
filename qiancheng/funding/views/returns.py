"""退票: a payment the bank sent back, recorded from its claim's page after a check-your-answers step."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.scope import get_scoped_or_404
from qiancheng.funding.forms import BankReturnForm
from qiancheng.funding.models import Payment
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.services.returns import record_bank_return
from qiancheng.funding.views.common import OFFICIALS, refused


def _payment(request: HttpRequest, pk: int) -> Payment:
    return get_scoped_or_404(Payment.objects.select_related("claim__person", "claim__fund_account"),
                             request.user, pk=pk)


def _bank_notice(request: HttpRequest, payment: Payment) -> dict[str, Any] | None:
    """The bank's return notice as the official typed it (the check page and the confirm read the same
    fields); None, with the message said, when something is missing."""
    form = BankReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写退票原因、银行退票凭证号和退票日期。"))
        return None
    return form.cleaned_data


@require_POST
@signed_in_as(OFFICIALS, hide=True)
def return_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Check your answers: the payment, what the return will do to the claim and the fund, and the bank's
    notice as typed. Nothing is recorded by this step."""
    payment = _payment(request, pk)
    facts = _bank_notice(request, payment)
    if facts is None:
        return redirect("funding:claim_detail", number=payment.claim.number)
    return render(request, "funding/return_check.html", {"payment": payment, "claim": payment.claim,
                                                         "facts": facts})


@require_POST
@signed_in_as(OFFICIALS, hide=True)
def record_return(request: HttpRequest, pk: int) -> HttpResponse:
    """The deliberate click of the check page; the message names the claim and the amount."""
    payment = _payment(request, pk)
    data = _bank_notice(request, payment)
    if data is None:
        return redirect("funding:claim_detail", number=payment.claim.number)
    try:
        record_bank_return(request.user, payment, reason=data["reason"], bank_ref=data["bank_ref"],
                           returned_on=data["returned_on"])
    except FundingRefused as refusal:
        refused(request, refusal)
    else:
        messages.success(request, _("已登记退票：申领 %(number)s 的 %(amount)s 元已冲回，申领回到“已核准”，可在新的支付批次"
                                    "中重新支付。") % {"number": payment.claim.number,
                                                 "amount": f"{payment.amount:,.2f}"})
    return redirect("funding:claim_detail", number=payment.claim.number)
