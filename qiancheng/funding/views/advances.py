"""Credit payment (信用支付, 3.6): part of a class's training subsidy advanced to an institution in good
standing when the class is approved, netted by the claim payments, the unearned rest recovered."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.scope import get_scoped_or_404, scoped
from qiancheng.clock import today
from qiancheng.funding.forms import AdvanceGrantForm, ReasonForm
from qiancheng.funding.models import Advance, AdvanceStatus, FundAccount
from qiancheng.funding.services.advances import (
    ADVANCE_CLASS_STATES,
    advance_eligibility,
    expected_training_subsidy,
    grant_advance,
    recover_unearned_advance,
    settle_advance,
    terms_on,
)
from qiancheng.funding.services.claims import fund_account_for_class
from qiancheng.funding.services.ledger import FEN
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.views.claims import rule_fund
from qiancheng.funding.views.common import OFFICIALS, MoneyCheck, refused, render_money_check
from qiancheng.training.models import TrainingClass
from qiancheng.web.language import in_page_language
from qiancheng.web.listing import Filter, Sort, listing

CLASSES_SHOWN = 100


@dataclass(frozen=True)
class Candidate:
    """An approved class without an advance: whether its institution qualifies today, and how much."""

    training: TrainingClass
    fund: FundAccount | None
    amount: Decimal | None
    refusal: str  # why no advance can be granted ("" when one can)
    idempotency_key: str


def _candidate(training: TrainingClass) -> Candidate:
    key = uuid.uuid4().hex  # drawn with the page: a double click grants one advance
    on = today()
    refusal = advance_eligibility(training.institution, on)
    if refusal is not None:
        return Candidate(training, None, None, in_page_language(refusal.zh, refusal.en), key)
    try:
        source = rule_fund(training)
        fund = fund_account_for_class(training, source)
        amount = (expected_training_subsidy(training, source) * terms_on(on).share).quantize(FEN, ROUND_HALF_UP)
    except FundingRefused as refused_:
        return Candidate(training, None, None, in_page_language(refused_.message_zh, refused_.message_en), key)
    return Candidate(training, fund, amount, "", key)


@require_safe
@signed_in_as(OFFICIALS)
def advances(request: HttpRequest) -> HttpResponse:
    """`/money/advances/`: approved classes that may get an advance, and the advances with what is netted."""
    classes = (scoped(TrainingClass.objects.filter(status__in=ADVANCE_CLASS_STATES, advances__isnull=True),
                      request.user).select_related("institution").order_by("start_date", "pk")[:CLASSES_SHOWN])
    granted = scoped(Advance.objects.select_related("training_class", "institution", "fund_account"), request.user)
    listed = listing(request, granted, search=("training_class__name", "institution__name"),
                     search_label=_("班级或机构名称"), filters=[Filter("status", _("状态"), AdvanceStatus.choices)],
                     sorts=[Sort("newest", _("最新在前"), ("-granted_at", "-pk"))], subtotal="amount")
    context = {"candidates": [_candidate(training) for training in classes], "advances": listed.rows,
               "listed": listed,
               "terms": terms_on(today()), "reason_form": ReasonForm(), "granted": AdvanceStatus.GRANTED,
               "unearned": AdvanceStatus.UNEARNED}
    return render(request, "funding/advances.html", context)


@require_POST
@signed_in_as(OFFICIALS, hide=True)
def grant_check(request: HttpRequest, class_pk: int) -> HttpResponse:
    """Check your answers before an advance: the class and institution, the amount, the account it is paid
    from, and that it is paid out now (netted by the claims later). Nothing is granted by this step; the
    page's key goes on to the confirm, so a double click there still grants once."""
    training = get_scoped_or_404(TrainingClass.objects.select_related("institution"), request.user, pk=class_pk)
    form = AdvanceGrantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("页面已过期，请刷新后再试。"))
        return redirect("funding:advances")
    candidate = _candidate(training)
    if candidate.refusal or candidate.amount is None:
        messages.error(request, candidate.refusal)
        return redirect("funding:advances")
    return render_money_check(request, MoneyCheck(
        heading=_("核对信用支付垫付"),
        lead=_("确认后，下列金额即从资金账户支付给培训机构（3.6 先垫后补）；结业后由该班的申领款抵扣，未抵扣完的部分立案追回。"),
        subject=_("班级 %(name)s（%(start)s – %(end)s） · %(institution)s") % {
            "name": training.name, "start": training.start_date, "end": training.end_date,
            "institution": training.institution.name},
        amount=candidate.amount, fund=candidate.fund, movement=_("支付（现在垫付给培训机构）"),
        confirm_url=reverse("funding:grant_advance", args=[training.pk]),
        confirm_label=_("确认垫付 %(amount)s 元") % {"amount": f"{candidate.amount:,.2f}"},
        confirm_testid="confirm-grant-advance", back_url=reverse("funding:advances"),
        hidden={"idempotency_key": form.cleaned_data["idempotency_key"]}))


@require_POST
@signed_in_as(OFFICIALS, hide=True)
def grant(request: HttpRequest, class_pk: int) -> HttpResponse:
    """The deliberate grant `grant_check` asked for; the message names the class, institution and amount."""
    training = get_scoped_or_404(TrainingClass, request.user, pk=class_pk)
    form = AdvanceGrantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("页面已过期，请刷新后再试。"))
        return redirect("funding:advances")
    try:
        fund = fund_account_for_class(training, rule_fund(training))
        advance = grant_advance(request.user, training, fund, form.cleaned_data["idempotency_key"])
    except FundingRefused as refusal:
        refused(request, refusal)
    else:
        messages.success(request, _("已为班级 %(name)s 向%(institution)s垫付 %(amount)s 元。") % {
            "name": training.name, "institution": training.institution.name, "amount": f"{advance.amount:,.2f}"})
    return redirect("funding:advances")


@require_POST
@signed_in_as(OFFICIALS, hide=True)
def settle(request: HttpRequest, pk: int) -> HttpResponse:
    advance = get_scoped_or_404(Advance, request.user, pk=pk)
    try:
        advance = settle_advance(request.user, advance)
    except FundingRefused as refusal:
        refused(request, refusal)
    else:
        messages.success(request, _("垫付已结算：%(status)s。") % {"status": advance.get_status_display()})
    return redirect("funding:advances")


@require_POST
@signed_in_as(OFFICIALS, hide=True)
def recover(request: HttpRequest, pk: int) -> HttpResponse:
    advance = get_scoped_or_404(Advance, request.user, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("追回须说明理由。"))
        return redirect("funding:advances")
    try:
        case = recover_unearned_advance(request.user, advance, form.cleaned_data["reason"])
    except FundingRefused as refusal:
        refused(request, refusal)
        return redirect("funding:advances")
    messages.success(request, _("已立案追回未结清的垫付 %(amount)s 元。") % {"amount": f"{case.amount_owed:,.2f}"})
    return redirect("funding:recoveries")

