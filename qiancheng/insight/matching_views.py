"""Matching pages (1b): a trainee's "为我推荐", an enterprise's "候选人" and a city's "供需匹配" (with the matched share).
The answers are insight.matching's; views only show them."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import NOT_FOUND_MESSAGE, scoped
from qiancheng.demand.models import DemandReport
from qiancheng.insight import matching
from qiancheng.web.refusals import refusal_text

OFFICIALS = (Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL)


def percent(share: Decimal | None) -> str:
    """0.4567 → "45.7%"; no demand → "—"."""
    return "—" if share is None else f"{share * 100:.1f}%"


@signed_in_as({Role.TRAINEE})
@require_safe
def for_me(request: HttpRequest) -> HttpResponse:
    """`/insight/for-me/`: classes and projects that fit the trainee's reported gaps, with what they may still claim."""
    found = matching.recommendations(request.user)
    return render(request, "insight/for_me.html", {"found": found, "entitlement": found.entitlement})


@signed_in_as({Role.ENTERPRISE})
@require_safe
def candidate_reports(request: HttpRequest) -> HttpResponse:
    """`/insight/candidates/`: the enterprise's demand reports of an occupation and level or of a special-ability
    item, each a link to its candidates."""
    reports = (scoped(DemandReport, request.user).filter(matching.ANSWERABLE)
               .select_related("occupation", "item", "county", "census_round").order_by("-pk")[:matching.LIST_MAX])
    return render(request, "insight/candidate_reports.html", {"reports": reports})


@signed_in_as({Role.ENTERPRISE}, hide=True)
@require_safe
def candidates(request: HttpRequest, report_id: int) -> HttpResponse:
    """`/insight/candidates/<report>/`: consenting holders of a matching certificate (masked; phone per consent)."""
    report, rows = matching.candidates(request.user, report_id)
    return render(request, "insight/candidates.html", {"report": report, "candidates": rows,
                                                       "revealed": request.session.pop("revealed_phone", None)})


@signed_in_as({Role.ENTERPRISE}, hide=True)
@require_POST
def candidate_phone(request: HttpRequest, report_id: int, candidate_id: int) -> HttpResponse:
    """Show one candidate's phone once, where their consent allows it; the read is audited."""
    try:
        phone = matching.reveal_candidate_phone(request.user, report_id, candidate_id,
                                                request.POST.get("reason", "")[:200])
    except LookupError as missing:
        raise Http404(NOT_FOUND_MESSAGE) from missing
    except (ValidationError, PermissionDenied) as refusal:
        messages.error(request, refusal_text(refusal))
    else:
        # Kept for the next page only (popped there), never in the URL.
        request.session["revealed_phone"] = {"candidate": candidate_id, "phone": phone}
    return redirect("insight:candidates", report_id=report_id)


@signed_in_as(OFFICIALS)
@require_safe
def city_matching(request: HttpRequest) -> HttpResponse:
    """`/insight/matching/`: demand no class answers, classes no demand asks for, and the matched share."""
    overview = matching.city_overview(request.user)
    return render(request, "insight/matching.html", {"overview": overview, "share": overview.share,
                                                     "share_percent": percent(overview.share.share)})
