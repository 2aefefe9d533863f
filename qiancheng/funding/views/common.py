"""What every money page shares: the role sets, how a refusal is shown, and how a decision reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import get_scoped_or_404
from qiancheng.funding.models import PartyKind, SubsidyClaim
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.policy.rules import ALL_RULES
from qiancheng.web.language import in_page_language

OFFICIALS = frozenset({Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL})
CLAIMANTS = frozenset({Role.INSTITUTION, Role.ENTERPRISE})
CLAIM_READERS = OFFICIALS | CLAIMANTS | {Role.TRAINEE}


def refused(request: HttpRequest, refusal: FundingRefused, prefix: str = "") -> None:
    """Show the service's own reason, in the page's language, as the page's error message."""
    messages.error(request, f"{prefix}{in_page_language(refusal.message_zh, refusal.message_en)}")


def claim_action(request: HttpRequest, number: str, act: Callable[[SubsidyClaim], str], *,
                 form: Form | None = None, invalid: str = "") -> HttpResponse:
    """What every action on a claim's page does: find the claim in the user's scope (404 otherwise), refuse
    an invalid form with `invalid`, run the service through `act` (which returns the success message),
    show the service's refusal if it refuses, and go back to the claim's page."""
    claim = get_scoped_or_404(SubsidyClaim, request.user, number=number)
    if form is not None and not form.is_valid():
        messages.error(request, invalid)
    else:
        try:
            done = act(claim)
        except FundingRefused as refusal:
            refused(request, refusal)
        else:
            messages.success(request, done)
    return redirect("funding:claim_detail", number=claim.number)


@dataclass(frozen=True)
class MoneyCheck:
    """Check your answers before one money action that no list page covers (a claim approved on its own
    page, a 5.2c top-up, a 3.6 advance): what it is, the amount, the fund account, and whether the money is
    reserved or paid. Nothing happens until the confirm button posts `hidden` to `confirm_url`."""

    heading: str
    lead: str
    subject: str
    amount: Decimal
    fund: Any
    movement: str
    confirm_url: str
    confirm_label: str
    confirm_testid: str
    back_url: str
    hidden: dict[str, str] = field(default_factory=dict)
    note: str = ""
    claims: tuple[SubsidyClaim, ...] = ()


def render_money_check(request: HttpRequest, check: MoneyCheck) -> HttpResponse:
    """The one page every `MoneyCheck` shows (funding/money_check.html, with _claims_summary's list)."""
    return render(request, "funding/money_check.html", {"check": check, "claims": check.claims,
                                                       "total": check.amount})


@dataclass(frozen=True)
class DeniedRule:
    rule_id: str
    clause: str
    title: str


def denied_rules(claim: SubsidyClaim) -> list[DeniedRule]:
    """The rules the stored decision names, with their clause IDs, read from the engine's own rule table."""
    found = []
    for rule_id in filter(None, (part.strip() for part in claim.denied_by.split(";"))):
        rule = ALL_RULES.get(rule_id)
        found.append(DeniedRule(rule_id, rule.clause if rule else "", rule.title_zh if rule else rule_id))
    return found


def user_party(user: Any) -> tuple[str, str] | None:
    """The party (kind, ref) the signed-in user claims as (3.6), or None for officials."""
    if user.role == Role.INSTITUTION and user.institution_id:
        return PartyKind.INSTITUTION, user.institution.uscc
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return PartyKind.ENTERPRISE, user.enterprise.uscc
    if user.role == Role.TRAINEE and user.person_id:
        return PartyKind.INDIVIDUAL, user.person_id
    return None
