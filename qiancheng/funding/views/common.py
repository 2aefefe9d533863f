"""What every money page shares: who may open it, how a refusal is shown, and how a decision reads."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import NOT_FOUND_MESSAGE
from qiancheng.funding.models import PartyKind, SubsidyClaim
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.policy.rules import ALL_RULES

OFFICIALS = frozenset({Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL})
CLAIMANTS = frozenset({Role.INSTITUTION, Role.ENTERPRISE})
CLAIM_READERS = OFFICIALS | CLAIMANTS | {Role.TRAINEE}


def signed_in_as(roles: Iterable[str], *, hide: bool = False) -> Callable:
    """Anonymous users go to the login page; another role gets 403, or 404 where a URL names a record
    (`hide`): an id in the URL must not tell a wrong role that the record exists."""
    allowed = frozenset(roles)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.role not in allowed:
                if hide:
                    raise Http404(NOT_FOUND_MESSAGE)
                raise PermissionDenied("无权访问该页面 / not allowed to open this page")
            return view(request, *args, **kwargs)

        return login_required(guarded)

    return decorate


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
