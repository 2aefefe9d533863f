"""Demand pages (1c, 4.1): enterprise registration, the enterprise's workspace, the city's review,
census rounds and their reports. Views read through the city scope and call demand/services.py only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from qiancheng.accounts.audit import client_ip
from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.lockout import registration_throttled
from qiancheng.accounts.models import Role, User
from qiancheng.accounts.scope import get_scoped_or_404, public, scoped
from qiancheng.clock import days_since, today
from qiancheng.demand import report_file, services
from qiancheng.demand.forms import (
    RegistrationForm,
    RegistryFactsForm,
    ReportForm,
    ReviewForm,
    RoundForm,
    UploadForm,
    show_service_errors,
)
from qiancheng.demand.models import CensusRound, DemandReport, Enterprise, EnterpriseStatus
from qiancheng.people.masking import mask_phone
from qiancheng.web.language import in_page_language
from qiancheng.web.refusals import refusal_text
from qiancheng.web.tabular import MAX_UPLOAD_BYTES

OFFICIALS = (Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL)
ROUND_READERS = (*OFFICIALS, Role.ENTERPRISE)
LIST_SHOWN = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---- Public registration ----

@public
@sensitive_post_parameters("password", "password_again")
@never_cache
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """`/demand/register/`: an enterprise registers with its own login, then waits for its city."""
    if request.user.is_authenticated and request.user.role == Role.ENTERPRISE:
        return redirect("demand:mine")
    form = RegistrationForm(request.POST or None)
    # Each attempt costs an argon2 hash: the same per-address budget as institution registration.
    if request.method == "POST" and registration_throttled(client_ip(request)):
        return render(request, "demand/register.html", {"form": RegistrationForm(), "throttled": True}, status=429)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = services.register_enterprise_with_account(
                request, username=data["username"], password=data["password"], name=data["name"],
                uscc=data["uscc"], city=data["city"], park=data["park"], contact_name=data["contact_name"],
                legal_representative=data["legal_representative"], phone=data["phone"], address=data["address"])
        except ValidationError as refusal:
            show_service_errors(form, refusal)
        else:
            login(request, account, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("注册申请已提交，请等待所在市人社局审核。"))
            return redirect("demand:mine")
    status = 422 if request.method == "POST" else 200
    return render(request, "demand/register.html", {"form": form}, status=status)


# ---- The enterprise's workspace ----

def _rounds_for(user: User) -> QuerySet:
    return scoped(CensusRound, user).select_related("city", "park")


def _reports(user: User) -> QuerySet:
    return scoped(DemandReport, user).select_related("census_round", "enterprise", "occupation", "item", "county",
                                                      "industry")


def _mine(request: HttpRequest, facts_form: RegistryFactsForm | None = None, status: int = 200) -> HttpResponse:
    enterprise = get_scoped_or_404(Enterprise.objects.select_related("city", "park"), request.user,
                                   pk=request.user.enterprise_id)
    day = today()
    return render(request, "demand/mine.html", {
        "enterprise": enterprise,
        "phone_masked": mask_phone(enterprise.phone) if enterprise.phone else "",
        "approved": enterprise.status == EnterpriseStatus.APPROVED,
        "open_rounds": _rounds_for(request.user).filter(period_from__lte=day, period_to__gte=day),
        "reports": _reports(request.user).order_by("-census_round__period_from", "pk")[:LIST_SHOWN],
        # The enterprise's own facts: it sees its phone as it wrote it, to correct it.
        "facts_form": facts_form or RegistryFactsForm(initial={
            "legal_representative": enterprise.legal_representative, "phone": enterprise.phone,
            "address": enterprise.address}),
    }, status=status)


@signed_in_as({Role.ENTERPRISE})
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    """`/demand/mine/`: the enterprise's status, registry facts, the rounds open to it, and its demand reports."""
    return _mine(request)


@signed_in_as({Role.ENTERPRISE})
@require_POST
def registry_facts(request: HttpRequest) -> HttpResponse:
    """The enterprise's legal representative, phone and address (risk compares them, 6d)."""
    enterprise = get_scoped_or_404(Enterprise, request.user, pk=request.user.enterprise_id)
    form = RegistryFactsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_enterprise_facts(request.user, enterprise, legal_representative=data["legal_representative"],
                                             phone=data["phone"], address=data["address"])
        except ValidationError as refusal:
            show_service_errors(form, refusal)
        else:
            messages.success(request, _("登记信息已更新。"))
            return redirect("demand:mine")
    return _mine(request, form, status=422)


# ---- Census rounds ----

@signed_in_as(ROUND_READERS)
@require_safe
def rounds(request: HttpRequest) -> HttpResponse:
    """`/demand/rounds/`: the rounds the user sees; officials open one here."""
    return render(request, "demand/rounds.html", {
        "rounds": _rounds_for(request.user)[:LIST_SHOWN],
        "form": RoundForm() if request.user.role in OFFICIALS else None,
    })


@signed_in_as(OFFICIALS)
@require_POST
def round_open(request: HttpRequest) -> HttpResponse:
    form = RoundForm(request.POST)
    if form.is_valid():
        try:
            census = services.open_round(request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as refusal:
            form.add_error(None, refusal_text(refusal))
        else:
            messages.success(request, _("需求普查已发起。"))
            return redirect("demand:round", pk=census.pk)
    return render(request, "demand/rounds.html", {"rounds": _rounds_for(request.user)[:LIST_SHOWN], "form": form},
                  status=422)


def _round_page(request: HttpRequest, census: CensusRound, status: int = 200, **extra: Any) -> HttpResponse:
    user = request.user
    enterprise = user.enterprise if user.role == Role.ENTERPRISE else None
    context = {
        "census": census,
        "reports": _reports(user).filter(census_round=census).order_by("enterprise__name", "pk")[:LIST_SHOWN],
        "may_report": enterprise is not None and enterprise.status == EnterpriseStatus.APPROVED
        and census.period_from <= today() <= census.period_to,
        "report_form": extra.get("report_form") or ReportForm(),
        "upload_form": extra.get("upload_form") or UploadForm(),
        "row_problems": extra.get("row_problems") or [],
    }
    return render(request, "demand/round.html", context, status=status)


@signed_in_as(ROUND_READERS, hide=True)
@require_safe
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """`/demand/rounds/<pk>/`: a round and the reports the user sees in it; an enterprise reports here."""
    return _round_page(request, get_scoped_or_404(CensusRound.objects.select_related("city", "park"), request.user, pk=pk))


@signed_in_as({Role.ENTERPRISE}, hide=True)
@require_POST
def report_add(request: HttpRequest, pk: int) -> HttpResponse:
    """One need by the form; the checks are the service's, shown beside the fields."""
    census = get_scoped_or_404(CensusRound, request.user, pk=pk)
    form = ReportForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        one = services.ReportInput(
            occupation=data["occupation"], level=data["level"], item=data["item"].code if data["item"] else None,
            content=data["content"], headcount=data["headcount"],
            wage_offered=data["wage_offered"], county=data["county"], industry=data["industry"].code,
            deadline=data["deadline"], will_hire=data["will_hire"] == "yes")
        try:
            services.submit_reports(request.user, census, request.user.enterprise, [one])
        except services.ReportsRefused as refused:
            for problem in refused.problems:
                form.add_error(problem.field if problem.field in form.fields else None,
                               in_page_language(problem.zh, problem.en))
        except (ValidationError, PermissionDenied) as refusal:
            form.add_error(None, refusal_text(refusal))
        else:
            messages.success(request, _("需求已填报。"))
            return redirect("demand:round", pk=census.pk)
    return _round_page(request, census, status=422, report_form=form)


@signed_in_as({Role.ENTERPRISE}, hide=True)
@require_POST
def report_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """The templated .xlsx: every row checked; one bad row and nothing is written."""
    census = get_scoped_or_404(CensusRound, request.user, pk=pk)
    form = UploadForm(request.POST, request.FILES)
    problems: list[str] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = report_file.read_reports(upload.name, upload.read(MAX_UPLOAD_BYTES + 1))
            result = services.submit_reports(request.user, census, request.user.enterprise, rows)
        except services.ReportsRefused as refused:
            problems = [report_file.describe(problem) for problem in refused.problems]
        except (ValidationError, PermissionDenied) as refusal:
            form.add_error("file", refusal_text(refusal))
        else:
            messages.success(request, _("已导入：新增%(created)d项，更新%(updated)d项，未变%(unchanged)d项。") % {
                "created": len(result.created), "updated": len(result.updated), "unchanged": result.unchanged})
            return redirect("demand:round", pk=census.pk)
    return _round_page(request, census, status=422, upload_form=form, row_problems=problems)


@signed_in_as(ROUND_READERS)
@require_safe
def template_download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(report_file.demand_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="demand-template.xlsx"'
    return response


# ---- The city's review of enterprises ----

def pending_enterprises(user: Any) -> QuerySet:
    """Registrations waiting for this official, oldest first (the queue registry's input)."""
    return scoped(Enterprise, user).filter(status=EnterpriseStatus.APPLIED).order_by("submitted_at", "pk")


@signed_in_as(OFFICIALS)
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    """`/demand/queue/`: enterprises waiting for their city, with how many days each has waited."""
    rows = [{"enterprise": each, "waited": days_since(each.submitted_at or each.created_at)}
            for each in pending_enterprises(request.user).select_related("city", "park")]
    return render(request, "demand/queue.html", {"rows": rows})


def _enterprise_page(request: HttpRequest, enterprise: Enterprise, form: ReviewForm | None = None,
                     status: int = 200) -> HttpResponse:
    return render(request, "demand/enterprise.html", {
        "enterprise": enterprise,
        # An organisation's phone is often its owner's mobile: shown masked, as a person's (catalog.registry_facts).
        "phone_masked": mask_phone(enterprise.phone) if enterprise.phone else "",
        "reports": _reports(request.user).filter(enterprise=enterprise).order_by("-census_round__period_from", "pk"),
        "may_review": request.user.role == Role.CITY_OFFICIAL and enterprise.status == EnterpriseStatus.APPLIED,
        "form": form or ReviewForm(),
    }, status=status)


@signed_in_as(OFFICIALS, hide=True)
@require_safe
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """`/demand/enterprises/<pk>/`: an enterprise, its review, its demand reports."""
    return _enterprise_page(request, get_scoped_or_404(Enterprise.objects.select_related("city", "park"),
                                                       request.user, pk=pk))


@signed_in_as({Role.CITY_OFFICIAL}, hide=True)
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = get_scoped_or_404(Enterprise, request.user, pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review_enterprise(request.user, enterprise, form.cleaned_data["decision"],
                                       form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as refusal:
            form.add_error(None, refusal_text(refusal))
        else:
            messages.success(request, _("审核结论已保存。"))
            return redirect("demand:queue")
    return _enterprise_page(request, enterprise, form, status=422)
