"""The city's review of claims: the queue with the engine's decisions, approval, rejection."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import get_scoped_or_404, scoped
from qiancheng.clock import days_since
from qiancheng.funding.forms import BulkApproveForm, NoteForm, ReasonForm
from qiancheng.funding.models import ClaimStatus, SubsidyClaim, TopupStatus
from qiancheng.funding.services.claims import (
    approve_claim,
    approve_claims,
    approve_employment_topup,
    refuse_employment_topup,
    reject_claim,
    send_back_claim,
)
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.services.stored_explain import explain_stored_claim
from qiancheng.funding.summary import claims_awaiting_review, claims_sent_back
from qiancheng.funding.views.common import (
    OFFICIALS,
    MoneyCheck,
    claim_action,
    denied_rules,
    refused,
    render_money_check,
)
from qiancheng.funding.views.lists import SEARCH_FIELDS, SEARCH_LABEL, claim_filters, queue_sorts
from qiancheng.policy.exchange import ExchangeError
from qiancheng.policy.explain import Explanation
from qiancheng.policy.params import ParameterError
from qiancheng.web.language import page_is_english
from qiancheng.web.listing import listing

QUEUE_SHOWN = 200  # the sent-back and top-up lists (short by nature)


def pending_claims(user: Any) -> QuerySet[SubsidyClaim]:
    """The review queue: the same claims the home pages count as awaiting review (one definition)."""
    return claims_awaiting_review(user)


def _age_days(claim: SubsidyClaim) -> int | None:
    return days_since(claim.submitted_at)


@require_safe
@signed_in_as(OFFICIALS)
def review_queue(request: HttpRequest) -> HttpResponse:
    """`/money/review/`: pending claims, oldest first, each with the decision the engine stored on it.

    Nothing is approved from this page: the bulk form (whose Enter key only reviews the selection) and each
    row's own form lead to the check page, `review_check`, and only its confirm button approves."""
    queue = pending_claims(request.user).select_related("person", "institution", "fund_account", "city")
    listed = listing(request, queue, search=SEARCH_FIELDS, search_label=SEARCH_LABEL,
                     filters=claim_filters(request.user, status=False), sorts=queue_sorts(request.user),
                     subtotal="total_amount")
    rows = [{"claim": claim, "age": _age_days(claim), "denied": denied_rules(claim)} for claim in listed.rows]
    sent_back = claims_sent_back(request.user).select_related("person").order_by("documents_requested_at", "pk")[:QUEUE_SHOWN]
    topups = scoped(SubsidyClaim.objects.filter(topup_status=TopupStatus.PENDING), request.user).select_related(
        "person").order_by("updated_at", "pk")[:QUEUE_SHOWN]
    return render(request, "funding/review_queue.html", {"rows": rows, "count": queue.count(), "listed": listed,
                                                         "note_form": NoteForm(), "sent_back": sent_back,
                                                         "topups": topups})


def _chosen(request: HttpRequest) -> tuple[list[SubsidyClaim], str] | None:
    """The ticked claims still pending in the official's queue (oldest first), and the note; None if none."""
    queue = pending_claims(request.user).select_related("person", "institution", "fund_account")
    form = BulkApproveForm(request.POST, numbers=list(queue.values_list("number", flat=True)))
    if not form.is_valid() or not form.chosen():
        return None
    chosen = list(queue.filter(number__in=form.chosen()).order_by("submitted_at", "pk"))
    return (chosen, form.cleaned_data.get("note") or "") if chosen else None


def _total(claims: list[SubsidyClaim]) -> Decimal:
    return sum((claim.total_amount or Decimal("0.00") for claim in claims), start=Decimal("0.00"))


@require_POST
@signed_in_as(OFFICIALS)
def review_check(request: HttpRequest) -> HttpResponse:
    """Check your answers before approving: the count, the total the decisions give, each claim ticked."""
    chosen = _chosen(request)
    if chosen is None:
        messages.error(request, _("请先选择要核准的申领。"))
        return redirect("funding:review_queue")
    claims, note = chosen
    return render(request, "funding/review_check.html", {"claims": claims, "note": note, "total": _total(claims)})


@require_POST
@signed_in_as(OFFICIALS)
def review_confirm(request: HttpRequest) -> HttpResponse:
    """The deliberate approval of the claims the check page listed, in one engine run; the result page names
    every claim approved and every claim refused, with its reason."""
    chosen = _chosen(request)
    if chosen is None:
        messages.error(request, _("所选申领已不在待审核队列中，没有核准任何申领。"))
        return redirect("funding:review_queue")
    claims, note = chosen
    try:
        approved, refusals = approve_claims(request.user, claims, note)
    except FundingRefused as refusal:
        refused(request, refusal)
        return redirect("funding:review_queue")
    if approved:
        messages.success(request, _("已核准 %(count)d 件申领：%(numbers)s。")
                         % {"count": len(approved), "numbers": "、".join(claim.number for claim in approved)})
    english = page_is_english()
    not_approved = [{"claim": claim, "reason": refusals[claim.number].message_en if english
                     else refusals[claim.number].message_zh} for claim in claims if claim.number in refusals]
    return render(request, "funding/review_result.html", {"approved": approved, "total": _total(approved),
                                                          "not_approved": not_approved, "note": note})


def _note(request: HttpRequest) -> str:
    form = NoteForm(request.POST)
    return form.cleaned_data["note"] if form.is_valid() else ""


@require_POST
@signed_in_as(OFFICIALS, hide=True)
def approve_check(request: HttpRequest, number: str) -> HttpResponse:
    """Check your answers before approving one claim from its own page: the claim, the amount its decision
    gives, the account that reserves it, the note. Nothing is approved by this step."""
    claim = get_scoped_or_404(SubsidyClaim.objects.select_related("person", "institution", "fund_account"),
                              request.user, number=number)
    if claim.status != ClaimStatus.PENDING or claim.documents_requested_at is not None:
        messages.error(request, _("该申领不在待审核状态，不能核准。"))
        return redirect("funding:claim_detail", number=claim.number)
    note = _note(request)
    amount = claim.total_amount or Decimal("0.00")
    return render_money_check(request, MoneyCheck(
        heading=_("核对后核准"),
        lead=_("确认后，判定引擎按最新记录重新判定；符合条件即核准，并在资金账户中预留下列金额（随支付批次拨付）；不符合的不核准，并说明原因。"),
        subject=_("申领 %(number)s · %(person)s") % {"number": claim.number, "person": claim.person.name},
        amount=amount, fund=claim.fund_account, movement=_("预留（核准时预留，支付批次拨付时付出）"),
        confirm_url=reverse("funding:approve", args=[claim.number]),
        confirm_label=_("确认核准申领 %(number)s，预留 %(amount)s 元") % {"number": claim.number,
                                                                       "amount": f"{amount:,.2f}"},
        confirm_testid="confirm-approve", back_url=reverse("funding:claim_detail", args=[claim.number]),
        hidden={"note": note}, note=note, claims=(claim,)))


@require_POST
@signed_in_as(OFFICIALS, hide=True)
def approve(request: HttpRequest, number: str) -> HttpResponse:
    """The deliberate approval `approve_check` asked for; the message names the claim and what was reserved."""
    note = _note(request)

    def act(claim: SubsidyClaim) -> str:
        done = approve_claim(request.user, claim, note)
        return _("申领 %(number)s 已核准，资金已预留。") % {"number": done.number}

    return claim_action(request, number, act)


@require_POST
@signed_in_as(OFFICIALS, hide=True)
def reject(request: HttpRequest, number: str) -> HttpResponse:
    form = ReasonForm(request.POST)

    def act(claim: SubsidyClaim) -> str:
        reject_claim(request.user, claim, form.cleaned_data["reason"])
        return _("申领 %(number)s 已驳回。") % {"number": claim.number}

    return claim_action(request, number, act, form=form, invalid=_("驳回须说明理由。"))


@require_POST
@signed_in_as(OFFICIALS, hide=True)
def send_back(request: HttpRequest, number: str) -> HttpResponse:
    """Ask the claimant for more documents (退回补充材料); the claim waits on them, still pending."""
    form = ReasonForm(request.POST)

    def act(claim: SubsidyClaim) -> str:
        send_back_claim(request.user, claim, form.cleaned_data["reason"])
        return _("申领 %(number)s 已退回补充材料。") % {"number": claim.number}

    return claim_action(request, number, act, form=form,
                        invalid=_("退回须说明需要补充的材料。"))


@require_POST
@signed_in_as(OFFICIALS, hide=True)
def topup_check(request: HttpRequest, number: str) -> HttpResponse:
    """Check your answers before approving a 5.2c top-up: the claim, the 200 CNY, the account that reserves
    it, and that it is paid with the next batch. Nothing is reserved by this step."""
    claim = get_scoped_or_404(SubsidyClaim.objects.select_related("person", "fund_account"), request.user,
                              number=number)
    if claim.topup_status != TopupStatus.PENDING:
        messages.error(request, _("该申领没有待审核的就业补贴。"))
        return redirect("funding:claim_detail", number=claim.number)
    reason = request.POST.get("reason", "").strip()
    amount = claim.topup_amount or Decimal("0.00")
    return render_money_check(request, MoneyCheck(
        heading=_("核对就业补贴追加"),
        lead=_("确认后，就业补贴（5.2c）在该申领的资金账户中预留，随下一支付批次拨付。"),
        subject=_("申领 %(number)s · %(person)s · 就业证明 %(proof)s %(date)s") % {
            "number": claim.number, "person": claim.person.name,
            "proof": claim.get_employment_proof_kind_display(), "date": claim.employment_proof_date},
        amount=amount, fund=claim.fund_account, movement=_("预留（随下一支付批次拨付）"),
        confirm_url=reverse("funding:topup", args=[claim.number]),
        confirm_label=_("确认核准就业补贴 %(amount)s 元") % {"amount": f"{amount:,.2f}"},
        confirm_testid="confirm-topup", back_url=reverse("funding:claim_detail", args=[claim.number]),
        hidden={"action": "approve", "reason": reason}, note=reason))


@require_POST
@signed_in_as(OFFICIALS, hide=True)
def topup(request: HttpRequest, number: str) -> HttpResponse:
    """5.2c after payment: approve the 200 CNY top-up a proof earned (reserved, paid with the next batch), or
    refuse it with a reason."""
    reason = request.POST.get("reason", "").strip()

    def act(claim: SubsidyClaim) -> str:
        if request.POST.get("action") == "approve":
            done = approve_employment_topup(request.user, claim, reason)
            return _("申领 %(number)s 的就业补贴 %(amount)s 元已核准，随下一支付批次拨付。") % {
                "number": done.number, "amount": done.topup_amount}
        refuse_employment_topup(request.user, claim, reason)
        return _("就业补贴不予核拨。")

    return claim_action(request, number, act)


@require_safe
@signed_in_as(OFFICIALS | {Role.INSTITUTION}, hide=True)
def explanation(request: HttpRequest, number: str) -> HttpResponse:
    """The engine's explanation of one claim, as a fragment the queue opens in place (HTMX): the failed
    rules with their clause text and the amount steps, from funding.services.stored_explain (no rule written here)."""
    claim = get_scoped_or_404(SubsidyClaim, request.user, number=number)
    try:
        explained: Explanation | None = explain_stored_claim(request.user, claim)
        problems: list[str] = []
    except ExchangeError as refusal:
        explained, problems = None, refusal.problems
    except ParameterError as refusal:
        explained, problems = None, [str(refusal)]
    english = page_is_english()
    failed = [{"rule": rule, "message": rule.message_en if english else rule.message_zh}
              for rule in (explained.rules if explained else []) if not rule.passed]
    return render(request, "funding/_explanation.html", {"claim": claim, "explanation": explained,
                                                         "failed": failed, "problems": problems})
