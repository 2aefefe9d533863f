"""Appeals (申诉): the claimant appeals a rejected claim once; a different official decides."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.scope import get_scoped_or_404, scoped
from qiancheng.funding.forms import AppealDecisionForm, ReasonForm
from qiancheng.funding.models import Appeal, AppealDocument, AppealStatus, SubsidyClaim
from qiancheng.funding.services.appeals import (
    MAX_DOCUMENT_BYTES,
    MAX_DOCUMENTS,
    appeal_documents_for,
    decide_appeal,
    file_appeal,
)
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.views.common import CLAIM_READERS, OFFICIALS, denied_rules, refused
from qiancheng.web.listing import Filter, Sort, listing


def filed_appeals(user: Any) -> QuerySet[Appeal]:
    """Appeals waiting for a decision that the official may see (their city; the province all)."""
    return scoped(Appeal.objects.filter(status=AppealStatus.FILED), user)


@require_POST
@signed_in_as(CLAIM_READERS, hide=True)
def appeal(request: HttpRequest, number: str) -> HttpResponse:
    """The claimant appeals its rejected claim with a reason and its documents (uploaded files)."""
    claim = get_scoped_or_404(SubsidyClaim, request.user, number=number)
    form = ReasonForm(request.POST)
    uploads = request.FILES.getlist("documents")
    if not form.is_valid():
        messages.error(request, _("申诉须说明理由。"))
        return redirect("funding:claim_detail", number=claim.number)
    if len(uploads) > MAX_DOCUMENTS or any(upload.size > MAX_DOCUMENT_BYTES for upload in uploads):
        messages.error(request, _("申诉材料最多 %(count)d 份，每份不超过 10MB。")
                       % {"count": MAX_DOCUMENTS})
        return redirect("funding:claim_detail", number=claim.number)
    try:
        file_appeal(request.user, claim, form.cleaned_data["reason"],
                    [(upload.name, upload.read()) for upload in uploads])
    except FundingRefused as refusal:
        refused(request, refusal)
    else:
        messages.success(request, _("申诉已提交，将由另一名工作人员复核。"))
    return redirect("funding:claim_detail", number=claim.number)


@require_safe
@signed_in_as(OFFICIALS)
def appeal_queue(request: HttpRequest) -> HttpResponse:
    """`/money/appeals/`: appeals waiting for a decision (oldest first), and the ones decided."""
    appeals = scoped(Appeal.objects.select_related("claim__person", "claim__institution", "rejected_by",
                                                   "decided_by"), request.user)
    listed = listing(request, appeals.exclude(status=AppealStatus.FILED), search=("claim__number", "claim__person__name"),
                     search_label=_("申领编号或姓名"),
                     filters=[Filter("status", _("结果"), [c for c in AppealStatus.choices if c[0] != AppealStatus.FILED])],
                     sorts=[Sort("newest", _("最新在前"), ("-decided_at", "-pk"))])
    context = {
        "waiting": appeals.filter(status=AppealStatus.FILED).order_by("filed_at", "pk"),
        "decided": listed.rows, "listed": listed,
    }
    return render(request, "funding/appeal_queue.html", context)


@require_http_methods(["GET", "POST"])
@signed_in_as(OFFICIALS, hide=True)
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """`/money/appeals/<pk>/`: the appeal, the claim and its decision, the documents; uphold or dismiss.

    The official who rejected the claim sees the page but the service refuses their decision."""
    item = get_scoped_or_404(Appeal.objects.select_related("claim__person", "claim__institution", "rejected_by",
                                                           "decided_by", "filed_by"), request.user, pk=pk)
    form = AppealDecisionForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                decide_appeal(request.user, item, form.cleaned_data["outcome"] == "uphold", form.cleaned_data["reason"])
            except FundingRefused as refusal:
                refused(request, refusal)
            else:
                messages.success(request, _("申诉已裁决。"))
        else:
            messages.error(request, _("请选择裁决结果并说明理由。"))
        return redirect("funding:appeal_detail", pk=item.pk)
    context = {
        "appeal": item, "claim": item.claim, "denied": denied_rules(item.claim), "form": form,
        "documents": appeal_documents_for(request.user, item),
        "same_official": item.rejected_by_id is not None and item.rejected_by_id == request.user.pk,
    }
    return render(request, "funding/appeal_detail.html", context)


@require_safe
@signed_in_as(CLAIM_READERS, hide=True)
def appeal_document(request: HttpRequest, pk: int) -> HttpResponse:
    """One document of an appeal, for whoever may see the appeal (the appellant, its city, the province)."""
    document = get_scoped_or_404(AppealDocument, request.user, pk=pk)
    response = HttpResponse(bytes(document.content), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{document.sha256[:12]}-{document.pk}"'
    return response
