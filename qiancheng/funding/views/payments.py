"""Payment (拨付): approved claims paid in a batch, the batches, and the treasury's payment list."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Count, Max, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.scope import NOT_FOUND_MESSAGE, scoped
from qiancheng.funding.forms import PayBatchForm
from qiancheng.funding.models import Payment, PaymentBatch, PaymentStatus, SecondCheck, SubsidyClaim
from qiancheng.funding.services.four_eyes import four_eyes_threshold, needs_second_official
from qiancheng.funding.services.payment_batches import (
    BatchOutcome,
    amount_due,
    approve_payment_batch,
    awaiting_claims,
    payable,
    prepare_payment_batch,
    refuse_payment_batch,
)
from qiancheng.funding.services.payment_list import may_export_unmasked, payment_list_xlsx
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.views.common import OFFICIALS, refused
from qiancheng.web.listing import Sort, listing

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
READY_SHOWN = 500


def _ready(user: Any) -> Any:
    """Claims ready to pay in the user's scope, less those held in a batch awaiting its second official."""
    return scoped(SubsidyClaim.objects.filter(payable()).exclude(awaiting_claims()), user).select_related(
        "person", "institution", "fund_account")


@require_safe
@signed_in_as(OFFICIALS)
def payments(request: HttpRequest) -> HttpResponse:
    """`/money/payments/`: claims ready to pay (the heading's count and total follow the ticks), the batches
    awaiting a second official, and the batches paid. The form leads to the check page; nothing is paid here."""
    claims = list(_ready(request.user).order_by("reviewed_at", "pk")[:READY_SHOWN])
    form = PayBatchForm(initial={"idempotency_key": uuid.uuid4().hex}, numbers=[c.number for c in claims])
    grouped = (scoped(Payment.objects.all(), request.user).exclude(batch_ref="").values("batch_ref")
               .annotate(count=Count("pk"), total=Sum("amount"), paid_at=Max("paid_at")))
    listed = listing(request, grouped, search=("batch_ref",), search_label=_("批次号"),
                     sorts=[Sort("newest", _("最新在前"), ("-paid_at", "batch_ref"))])
    batches = listed.rows
    awaiting = scoped(PaymentBatch.objects.filter(status=SecondCheck.AWAITING), request.user).select_related(
        "prepared_by")
    context = {
        "claims": [{"claim": claim, "due": amount_due(claim)} for claim in claims], "form": form,
        "ready_total": sum((amount_due(c) for c in claims), start=Decimal("0.00")), "awaiting": awaiting,
        "batches": batches, "listed": listed, "unmasked_export": may_export_unmasked(request.user),
        "threshold": four_eyes_threshold(),
        "recorded": set(PaymentBatch.objects.filter(reference__in=[b["batch_ref"] for b in batches])
                        .values_list("reference", flat=True)),
    }
    return render(request, "funding/payments.html", context)


def _chosen(request: HttpRequest) -> tuple[str, list[SubsidyClaim]] | None:
    """The page's key and the ticked claims, in the user's scope, still ready to pay; None when nothing is."""
    form = PayBatchForm(request.POST, numbers=list(request.POST.getlist("claims")))
    if not form.is_valid():
        return None
    chosen = list(_ready(request.user).filter(number__in=form.cleaned_data["claims"]).order_by("reviewed_at", "pk"))
    return (form.cleaned_data["idempotency_key"], chosen) if chosen else None


@require_POST
@signed_in_as(OFFICIALS)
def payment_check(request: HttpRequest) -> HttpResponse:
    """Check your answers before paying: the count, the total, each claim, and whether the batch will wait
    for a second official (four-eyes above the threshold)."""
    chosen = _chosen(request)
    if chosen is None:
        messages.error(request, _("请选择要支付的申领。"))
        return redirect("funding:payments")
    key, claims = chosen
    total = sum((amount_due(claim) for claim in claims), start=Decimal("0.00"))
    return render(request, "funding/payment_check.html", {
        "claims": claims, "total": total, "key": key, "threshold": four_eyes_threshold(),
        "waits": needs_second_official(total)})


@require_POST
@signed_in_as(OFFICIALS)
def payment_confirm(request: HttpRequest) -> HttpResponse:
    """The deliberate click: the batch is recorded and paid (or left for a second official); the answer is the
    batch's page, which lists every claim it holds. The same form sent twice names the same batch."""
    form = PayBatchForm(request.POST, numbers=list(request.POST.getlist("claims")))
    if not form.is_valid():
        messages.error(request, _("请选择要支付的申领。"))
        return redirect("funding:payments")
    chosen = list(scoped(SubsidyClaim.objects.filter(number__in=form.cleaned_data["claims"]), request.user))
    try:
        outcome = prepare_payment_batch(request.user, chosen, form.cleaned_data["idempotency_key"])
    except FundingRefused as refusal:
        refused(request, refusal)
        return redirect("funding:payments")
    _report(request, outcome)
    return redirect("funding:payment_batch", batch_ref=outcome.batch.reference)


def _report(request: HttpRequest, outcome: BatchOutcome) -> None:
    """The result message names every claim the batch paid, or holds for its second official."""
    batch = outcome.batch
    if batch.status == SecondCheck.AWAITING:
        numbers = "、".join(batch.claims.order_by("pk").values_list("number", flat=True))
        messages.warning(request, _("支付批次 %(ref)s 合计 %(total)s 元，超过复核金额，待另一名工作人员复核后支付："
                                    "%(numbers)s。") % {"ref": batch.reference, "total": f"{batch.total:,.2f}",
                                                       "numbers": numbers})
    elif outcome.payments:
        messages.success(request, _("支付批次 %(ref)s：已支付 %(count)d 件，合计 %(total)s 元：%(numbers)s。")
                         % {"ref": batch.reference, "count": len(outcome.payments),
                            "total": f"{outcome.paid_total:,.2f}",
                            "numbers": "、".join(payment.claim.number for payment in outcome.payments)})
    for number, refusal in outcome.refusals.items():
        refused(request, refusal, prefix=f"{number}：")


@require_safe
@signed_in_as(OFFICIALS, hide=True)
def payment_batch(request: HttpRequest, batch_ref: str) -> HttpResponse:
    """`/money/payments/batches/<ref>/`: one batch with every claim it holds, who prepared it, who approved it;
    while it awaits its second official, the approve and refuse forms (not for the official who prepared it)."""
    batch = scoped(PaymentBatch.objects.select_related("prepared_by", "second_official"), request.user).filter(
        reference=batch_ref).first()
    if batch is None:
        raise Http404(NOT_FOUND_MESSAGE)
    claims = list(batch.claims.select_related("person", "institution").order_by("pk"))
    paid = {payment.claim_id: payment for payment in Payment.objects.filter(batch_ref=batch.reference)}
    rows = [{"claim": claim, "payment": paid.get(claim.pk)} for claim in claims]
    return render(request, "funding/payment_batch.html", {
        "batch": batch, "rows": rows, "paid_total": sum((p.amount for p in paid.values()), start=Decimal("0.00")),
        "may_decide": batch.status == SecondCheck.AWAITING and batch.prepared_by_id != request.user.pk,
        "threshold": four_eyes_threshold()})


def _scoped_batch(request: HttpRequest, batch_ref: str) -> PaymentBatch:
    batch = scoped(PaymentBatch.objects.all(), request.user).filter(reference=batch_ref).first()
    if batch is None:
        raise Http404(NOT_FOUND_MESSAGE)
    return batch


@require_POST
@signed_in_as(OFFICIALS, hide=True)
def approve_batch(request: HttpRequest, batch_ref: str) -> HttpResponse:
    """The second official's deliberate click on the batch's page (which shows its count, total and claims)."""
    batch = _scoped_batch(request, batch_ref)
    try:
        outcome = approve_payment_batch(request.user, batch)
    except FundingRefused as refusal:
        refused(request, refusal)
    else:
        _report(request, outcome)
    return redirect("funding:payment_batch", batch_ref=batch.reference)


@require_POST
@signed_in_as(OFFICIALS, hide=True)
def refuse_batch(request: HttpRequest, batch_ref: str) -> HttpResponse:
    batch = _scoped_batch(request, batch_ref)
    try:
        refuse_payment_batch(request.user, batch, request.POST.get("reason", ""))
    except FundingRefused as refusal:
        refused(request, refusal)
    else:
        messages.success(request, _("支付批次 %(ref)s 已退回，未支付任何申领。") % {"ref": batch.reference})
    return redirect("funding:payment_batch", batch_ref=batch.reference)


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
        content = payment_list_xlsx(request.user, batch_ref, unmasked=True, reason=request.POST.get("reason", ""),
                                    request=request)
    except FundingRefused as refusal:
        refused(request, refusal)
        return redirect("funding:payments")
    return _xlsx(content, f"payment-list-{batch_ref}-unmasked.xlsx")
