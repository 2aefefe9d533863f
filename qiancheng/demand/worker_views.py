"""The worker side of demand (1c, 1b): a trainee's skill gaps and their consent to be contacted by enterprises, and
the city's page to report a gap on a worker's behalf. Views read through the scope and call worker_services only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.models import Role, User
from qiancheng.accounts.scope import get_scoped_or_404, scoped
from qiancheng.demand import worker_services
from qiancheng.demand.worker_forms import ConsentForm, OnBehalfForm, WorkerNeedForm
from qiancheng.demand.worker_models import ContactConsent, WorkerNeed
from qiancheng.people import crypto
from qiancheng.people.models import Person
from qiancheng.web.refusals import refusal_text

LIST_SHOWN = 500


def _needs(user: User) -> QuerySet[WorkerNeed]:
    return scoped(WorkerNeed, user).select_related("occupation", "county", "person").order_by("-updated_at", "pk")


def _own_person(user: User) -> Person:
    return get_scoped_or_404(Person, user, pk=user.person_id)


@signed_in_as({Role.TRAINEE})
@require_http_methods(["GET", "HEAD", "POST"])
def my_needs(request: HttpRequest) -> HttpResponse:
    """`/demand/my-skills/`: the trainee's own skill gaps and training willingness, and a form to add or change one."""
    person = _own_person(request.user)
    form = WorkerNeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = worker_services.report_worker_need(
                request.user, person, occupation_code=data["occupation"], level=data["level"],
                county_code=data["county"], willingness=data["willingness"])
        except (ValidationError, PermissionDenied) as refusal:
            form.add_error(None, refusal_text(refusal))
        else:
            messages.success(request, _("已保存。") if result.changed else _("与已填报的相同，未作改动。"))
            return redirect("demand:my_needs")
    status = 422 if request.method == "POST" else 200
    return render(request, "demand/my_needs.html", {"form": form, "needs": _needs(request.user)[:LIST_SHOWN]},
                  status=status)


@signed_in_as({Role.TRAINEE})
@require_http_methods(["GET", "HEAD"])
def consent(request: HttpRequest) -> HttpResponse:
    """`/demand/consent/`: whether enterprises may contact the trainee, the history, and the buttons to change it."""
    person = _own_person(request.user)
    current = worker_services.consent_in_force(person)
    return render(request, "demand/consent.html", {
        "current": current, "form": ConsentForm(initial={"scope": current.scope if current else None}),
        "history": scoped(ContactConsent, request.user).filter(person=person)[:LIST_SHOWN],
    })


@signed_in_as({Role.TRAINEE})
@require_POST
def consent_give(request: HttpRequest) -> HttpResponse:
    form = ConsentForm(request.POST)
    if form.is_valid():
        worker_services.give_consent(request.user, _own_person(request.user), form.cleaned_data["scope"])
        messages.success(request, _("已授权。您可以随时撤回。"))
        return redirect("demand:consent")
    person = _own_person(request.user)
    return render(request, "demand/consent.html", {
        "current": worker_services.consent_in_force(person), "form": form,
        "history": scoped(ContactConsent, request.user).filter(person=person)[:LIST_SHOWN],
    }, status=422)


@signed_in_as({Role.TRAINEE})
@require_POST
def consent_withdraw(request: HttpRequest) -> HttpResponse:
    withdrawn = worker_services.withdraw_consent(request.user, _own_person(request.user))
    messages.success(request, _("已撤回授权，企业将不再看到您。") if withdrawn else _("您没有生效中的授权。"))
    return redirect("demand:consent")


@sensitive_post_parameters("id_number")
@signed_in_as({Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL})
@require_http_methods(["GET", "HEAD", "POST"])
def worker_needs(request: HttpRequest) -> HttpResponse:
    """`/demand/worker-needs/`: the gaps workers of the city reported, and (a city official) the form to report one
    on a worker's behalf, as a community or job centre does (1c)."""
    may_report = request.user.role == Role.CITY_OFFICIAL
    form = OnBehalfForm(request.POST or None) if may_report else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("只有市人社局可以代为填报"))
        if form.is_valid():
            data = form.cleaned_data
            person = Person.objects.filter(
                person_key__in=crypto.person_key_candidates(data["id_number"].strip().upper())).first()
            if person is None:
                form.add_error("id_number", _("未找到该劳动者，请先登记"))
            else:
                try:
                    worker_services.report_worker_need(
                        request.user, person, occupation_code=data["occupation"], level=data["level"],
                        county_code=data["county"], willingness=data["willingness"])
                except (ValidationError, PermissionDenied) as refusal:
                    form.add_error(None, refusal_text(refusal))
                else:
                    messages.success(request, _("已代为填报。"))
                    return redirect("demand:worker_needs")
    status = 422 if request.method == "POST" else 200
    return render(request, "demand/worker_needs.html", {"form": form, "needs": _needs(request.user)[:LIST_SHOWN]},
                  status=status)
