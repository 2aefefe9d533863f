"""Payment (拨付): approved claims paid in a batch, the batches, and the treasury's payment list."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.db.models import Count, Max, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.scope import NOT_FOUND_MESSAGE, scoped
from qiancheng.clock import today
from qiancheng.funding.forms import PayBatchForm
from qiancheng.funding.models import ClaimStatus, Payment, PaymentStatus, SubsidyClaim, TopupStatus
from qiancheng.funding.services.payment_list import may_export_unmasked, payment_list_xlsx
from qiancheng.funding.services.payments import pay_batch
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.views.common import OFFICIALS, refused

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
READY_SHOWN = 500


def batch_ref_for(user: Any, key: str) -> str:
    """The batch's reference comes from the key drawn with the page: the same form sent twice names the
    same batch, and pay_batch pays each claim of a batch once (keys batch:<ref>:<claim>)."""
    holder = getattr(user, "city_id", None) or "GX"
    return f"{holder}-{today():%Y%m%d}-{key[:12]}"


def _ready(user: Any) -> Any:
    """Approved claims, and paid claims whose 5.2c top-up was approved (pay_claim pays the top-up then)."""
    ready = Q(status=ClaimStatus.APPROVED) | Q(status=ClaimStatus.PAID, topup_status=TopupStatus.APPROVED)
    return scoped(SubsidyClaim.objects.filter(ready), user).select_related("person", "institution", "fund_account")


@require_http_methods(["GET", "POST"])
@signed_in_as(OFFICIALS)
def payments(request: HttpRequest) -> HttpResponse:
    """`/money/payments/`: approved claims ready to pay, the pay-batch form, and the batches paid."""
    ready = _ready(request.user)
    if request.method == "POST":
        form = PayBatchForm(request.POST, numbers=list(request.POST.getlist("claims")))
        if not form.is_valid():
            messages.error(request, _("请选择要支付的申领。 / Choose the claims to pay."))
            return redirect("funding:payments")
        key = form.cleaned_data["idempotency_key"]
        batch_ref = batch_ref_for(request.user, key)
        # Claims of this batch already paid by an earlier click are included, so the answer repeats the first.
        chosen = list(scoped(SubsidyClaim.objects.filter(number__in=form.cleaned_data["claims"]), request.user))
        try:
            paid, refusals = pay_batch(request.user, chosen, batch_ref)
        except FundingRefused as refusal:
            refused(request, refusal)
        else:
            total = sum((payment.amount for payment in paid), start=0)
            messages.success(request, _("支付批次 %(ref)s：已支付 %(count)d 件，合计 %(total)s 元。")
                             % {"ref": batch_ref, "count": len(paid), "total": f"{total:,.2f}"})
            for number, refusal in refusals.items():
                refused(request, refusal, prefix=f"{number}：")
        return redirect("funding:payments")
    claims = list(ready.order_by("reviewed_at", "pk")[:READY_SHOWN])
    form = PayBatchForm(initial={"idempotency_key": uuid.uuid4().hex}, numbers=[c.number for c in claims])
    batches = (scoped(Payment.objects.all(), request.user).exclude(batch_ref="").values("batch_ref")
               .annotate(count=Count("pk"), total=Sum("amount"), paid_at=Max("paid_at")).order_by("-paid_at")[:100])
    context = {
        "claims": claims, "form": form, "ready_total": sum((_due(c) for c in claims), start=0),
        "batches": list(batches), "unmasked_export": may_export_unmasked(request.user),
    }
    return render(request, "funding/payments.html", context)


def _due(claim: SubsidyClaim) -> Any:
    return claim.topup_amount if claim.status == ClaimStatus.PAID else (claim.total_amount or 0)


def _batch_or_404(user: Any, batch_ref: str) -> None:
    """A batch the user sees no payment of does not exist for them (same 404 as an unknown reference)."""
    if not scoped(Payment.objects.filter(batch_ref=batch_ref, status=PaymentStatus.PAID), user).exists():
        raise Http404(NOT_FOUND_MESSAGE)


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
@signed_in_as(OFFICIALS, hide=True)
def payment_list(request: HttpRequest, batch_ref: str) -> HttpResponse:
    """The treasury's .xlsx of one batch, payees' ID numbers and bank accounts masked (export audited)."""
    _batch_or_404(request.user, batch_ref)
    return _xlsx(payment_list_xlsx(request.user, batch_ref), f"payment-list-{batch_ref}.xlsx")


@require_POST
@signed_in_as(OFFICIALS, hide=True)
def payment_list_unmasked(request: HttpRequest, batch_ref: str) -> HttpResponse:
    """The treasury's list with clear ID numbers and bank accounts: the province only (the service says so),
    each export logged in the audit trail with the people revealed."""
    _batch_or_404(request.user, batch_ref)
    try:
        content = payment_list_xlsx(request.user, batch_ref, unmasked=True)
    except FundingRefused as refusal:
        refused(request, refusal)
        return redirect("funding:payments")
    return _xlsx(content, f"payment-list-{batch_ref}-unmasked.xlsx")
