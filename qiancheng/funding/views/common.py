"""What every money page shares: the role sets, how a refusal is shown, and how a decision reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from qiancheng.accounts.models import Role
from qiancheng.funding.models import PartyKind, SubsidyClaim
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.policy.rules import ALL_RULES

OFFICIALS = frozenset({Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL})
CLAIMANTS = frozenset({Role.INSTITUTION, Role.ENTERPRISE})
CLAIM_READERS = OFFICIALS | CLAIMANTS | {Role.TRAINEE}


def refused(request: HttpRequest, refusal: FundingRefused, prefix: str = "") -> None:
    """Show the service's own reason, in both languages, as the page's error message."""
    messages.error(request, f"{prefix}{refusal.message_zh} / {refusal.message_en}")


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
