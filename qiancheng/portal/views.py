"""The shell's pages: a home page per role, the public landing page, and the error pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.http import require_safe

from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import public
from qiancheng.catalog.api import search_occupations
from qiancheng.funding.summary import fund_summary
from qiancheng.insight.figures import home_report
from qiancheng.portal.figures import headline_figures
from qiancheng.web.language import page_is_english
from qiancheng.web.navigation import public_links
from qiancheng.web.queues import queues_for

HOME_TEMPLATES = {
    Role.PROVINCE_OFFICIAL: "portal/home_province.html",
    Role.CITY_OFFICIAL: "portal/home_city.html",
    Role.INSTITUTION: "portal/home_institution.html",
    Role.ENTERPRISE: "portal/home_enterprise.html",
    Role.TRAINEE: "portal/home_trainee.html",
}


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """`/`: the public landing page, or the signed-in user's own home page."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "portal/landing.html", {"public_links": public_links()})
    if user.role == Role.INDUSTRY_DEPARTMENT:  # 6: its home is its industry's statistics (it sees no record)
        return redirect("insight:statistics")
    template = HOME_TEMPLATES.get(user.role, "portal/home_back_office.html")
    context: dict[str, Any] = {"figures": headline_figures(user) if user.role else None,
                               "queues": queues_for(user)}
    if user.role in (Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL):
        context["fund_summary"] = fund_summary(user)
        context["progress"] = home_report(user)  # 1a, 2.1b: the year against its target, the key-group share
    return render(request, template, context)


@require_safe
def queues(request: HttpRequest) -> HttpResponse:
    """`/queues/`: every review queue of the user's role, with its count and the age of its oldest item."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "portal/queues.html", {"queues": queues_for(request.user)})


OCCUPATIONS_SHOWN = 50


@public
@require_safe
def occupations(request: HttpRequest) -> HttpResponse:
    """`/occupations/`: the national occupational classification, searchable by anyone (public data).

    Typing in the box asks again through HTMX, which swaps in only the result list.
    """
    query = request.GET.get("q", "").strip()[:64]
    found = search_occupations(query)
    context = {"q": query, "count": found.count(), "occupations": found[:OCCUPATIONS_SHOWN],
               "shown": OCCUPATIONS_SHOWN}
    if request.headers.get("HX-Request") == "true":
        return render(request, "portal/_occupation_results.html", context)
    return render(request, "portal/occupations.html", context)


def _error(request: HttpRequest, status: int, template: str) -> HttpResponse:
    return render(request, template, {"status": status, "english": page_is_english()}, status=status)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "web/errors/403.html")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "web/errors/404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request's context: after a crash, the session or database may be what failed."""
    body = loader.get_template("web/errors/500.html").render({"status": 500, "english": page_is_english()})
    return HttpResponse(body, status=500)
