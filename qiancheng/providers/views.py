"""Institution pages (1c, 3.4c): public registration, the institution's workspace, the city's review.

Views only read through the city scope and call services; every rule is in providers/services.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from qiancheng.accounts.audit import client_ip
from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.lockout import registration_throttled
from qiancheng.accounts.models import AuditEntry, Role, User
from qiancheng.accounts.scope import get_scoped_or_404, public, scoped
from qiancheng.clock import days_since, today
from qiancheng.people.masking import mask_phone
from qiancheng.providers import services
from qiancheng.providers.forms import (
    CapacityForm,
    DisciplineForm,
    DocumentForm,
    RegistrationForm,
    RegistryFactsForm,
    RenewalForm,
    ResubmitForm,
    ReviewForm,
    TeacherForm,
    VenueForm,
    initial_scopes,
)
from qiancheng.providers.models import (
    DOCUMENT_MAX_BYTES,
    Institution,
    InstitutionDocument,
    InstitutionStatus,
    Teacher,
    Venue,
)
from qiancheng.sanctions import services as sanctions
from qiancheng.web.refusals import show_refusal

OFFICIALS = (Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL)
LIST_SHOWN = 500
# 1c sets no fixed term; three years is the default the reviewing official may change.
DEFAULT_VALIDITY_YEARS = 3


# ---- Public registration ----

@public
@sensitive_post_parameters("password", "password_again")
@never_cache
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """`/institutions/register/`: an institution applies (1c) and gets its own login, then lands on its workspace."""
    if request.user.is_authenticated and request.user.role == Role.INSTITUTION:
        return redirect("providers:mine")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and registration_throttled(client_ip(request)):
        return render(request, "providers/register.html", {"form": RegistrationForm(), "throttled": True}, status=429)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = services.register_institution_with_account(
                request, username=data["username"], password=data["password"], name=data["name"],
                uscc=data["uscc"], kind=data["kind"], city=data["city"], address=data["address"],
                contact_name=data["contact_name"], capacity=data["capacity"], requested_scopes=form.scope_requests(),
                legal_representative=data["legal_representative"], phone=data["phone"])
        except ValidationError as refusal:
            form.show_service_errors(refusal)
        else:
            login(request, account, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("注册申请已提交，请等待所在市人社局审核。"))
            return redirect("providers:mine")
    status = 422 if request.method == "POST" else 200
    return render(request, "providers/register.html", {"form": form}, status=status)


# ---- The institution's workspace ----

def _own_institution(user: User) -> Institution:
    return get_scoped_or_404(Institution.objects.select_related("city"), user, pk=user.institution_id)


def _scope_labels(institution: Institution) -> list[str]:
    return [services.describe_scope(services.ScopeRequest.of(data)) for data in institution.requested_scopes]


def _granted_scopes(institution: Institution) -> QuerySet:
    return institution.scopes.select_related("occupation", "item", "course_kind").order_by("training_type", "pk")


HISTORY_ACTIONS = {
    "institution.registered": gettext_lazy("提交注册申请"),
    "institution.resubmitted": gettext_lazy("补正后重新提交"),
    "institution.registry_facts_changed": gettext_lazy("更新登记信息（法定代表人、联系电话、地址）"),
    "institution.renewal_applied": gettext_lazy("申请续期认定"),
    "institution.approve": gettext_lazy("批准认定"),
    "institution.ask_changes": gettext_lazy("要求补正"),
    "institution.reject": gettext_lazy("不予通过"),
    "institution.suspended": gettext_lazy("暂停资质"),
    "institution.reinstated": gettext_lazy("恢复资质"),
    "institution.blacklisted": gettext_lazy("列入黑名单"),
}


def _history(institution: Institution) -> list[dict[str, Any]]:
    """The application's review history, from the audit trail (who decided what, when, and why)."""
    entries = AuditEntry.objects.filter(target_model="providers.institution", target_pk=str(institution.pk),
                                        action__in=list(HISTORY_ACTIONS)).order_by("seq")
    return [{"at": entry.at, "action": HISTORY_ACTIONS[entry.action], "actor": entry.actor_label,
             "reason": entry.reason} for entry in entries]


def _workspace(request: HttpRequest, status: int = 200, **forms: Any) -> HttpResponse:
    institution = _own_institution(request.user)
    context = {
        "institution": institution,
        "phone_masked": mask_phone(institution.phone) if institution.phone else "",
        "shown_status": institution.shown_status(today()),
        "shown_status_label": institution.shown_status_label(today()),
        "requested": _scope_labels(institution),
        "granted": _granted_scopes(institution),
        "documents": scoped(InstitutionDocument, request.user).filter(institution=institution).defer("content"),
        # An expired institution updates its documents for its renewal, as an applicant does.
        "documents_open": institution.status in (InstitutionStatus.APPLIED, InstitutionStatus.CHANGES_REQUESTED)
        or institution.shown_status(today()) == InstitutionStatus.EXPIRED,
        "venues": scoped(Venue, request.user).filter(institution=institution),
        "teachers": scoped(Teacher, request.user).filter(institution=institution, is_active=True),
        "history": _history(institution),
        "document_form": forms.get("document_form") or DocumentForm(),
        "venue_form": forms.get("venue_form") or VenueForm(),
        "teacher_form": forms.get("teacher_form") or TeacherForm(),
        "capacity_form": forms.get("capacity_form") or CapacityForm(initial={"capacity": institution.capacity}),
        "renewal_form": forms.get("renewal_form") or RenewalForm(),
        "resubmit_form": forms.get("resubmit_form") or ResubmitForm(initial={
            "name": institution.name, "address": institution.address, "contact_name": institution.contact_name,
            "legal_representative": institution.legal_representative, "phone": institution.phone,
            **initial_scopes(institution.requested_scopes)}),
        # The institution's own facts: it sees its phone as it wrote it, to correct it.
        "facts_form": forms.get("facts_form") or RegistryFactsForm(initial={
            "legal_representative": institution.legal_representative, "phone": institution.phone,
            "address": institution.address}),
    }
    return render(request, "providers/mine.html", context, status=status)


@signed_in_as({Role.INSTITUTION})
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    """`/institutions/mine/`: the institution's status, profile, scopes, documents, venues, capacity, teachers."""
    return _workspace(request)


def _form_post(request: HttpRequest, form_name: str, form: Any, act: Callable[[dict[str, Any]], str]) -> HttpResponse:
    """Run `act` with the cleaned form; on success say so and go back, else show the form's errors."""
    if form.is_valid():
        try:
            done = act(form.cleaned_data)
        except ValidationError as refusal:
            if hasattr(refusal, "error_dict"):
                for field, errors in refusal.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, refusal)
        else:
            messages.success(request, done)
            return redirect("providers:mine")
    return _workspace(request, status=422, **{form_name: form})


@signed_in_as({Role.INSTITUTION})
@require_POST
def capacity(request: HttpRequest) -> HttpResponse:
    institution = _own_institution(request.user)

    def act(data: dict[str, Any]) -> str:
        services.set_capacity(request.user, institution, data["capacity"])
        return _("培训能力已更新。")

    return _form_post(request, "capacity_form", CapacityForm(request.POST), act)


@signed_in_as({Role.INSTITUTION})
@require_POST
def document_upload(request: HttpRequest) -> HttpResponse:
    institution = _own_institution(request.user)

    def act(data: dict[str, Any]) -> str:
        upload = data["file"]
        content = upload.read(DOCUMENT_MAX_BYTES + 1)
        document = services.upload_document(request.user, institution, kind=data["kind"], file_name=upload.name,
                                            content=content)
        return _("已上传：%(name)s") % {"name": document.file_name}

    return _form_post(request, "document_form", DocumentForm(request.POST, request.FILES), act)


@signed_in_as({Role.INSTITUTION})
@require_POST
def venue_add(request: HttpRequest) -> HttpResponse:
    institution = _own_institution(request.user)

    def act(data: dict[str, Any]) -> str:
        venue = services.add_venue(request.user, institution, name=data["name"], address=data["address"],
                                   area_m2=data["area_m2"], seats=data["seats"])
        return _("已登记场地：%(name)s") % {"name": venue.name}

    return _form_post(request, "venue_form", VenueForm(request.POST), act)


@signed_in_as({Role.INSTITUTION})
@require_POST
def teacher_add(request: HttpRequest) -> HttpResponse:
    institution = _own_institution(request.user)

    def act(data: dict[str, Any]) -> str:
        teacher = services.add_teacher(request.user, institution, id_number=data["id_number"], name=data["name"],
                                       qualifications=data["qualifications"])
        return _("已登记教师：%(name)s") % {"name": teacher.name}

    return _form_post(request, "teacher_form", TeacherForm(request.POST), act)


@signed_in_as({Role.INSTITUTION})
@require_POST
def resubmit(request: HttpRequest) -> HttpResponse:
    institution = _own_institution(request.user)
    form = ResubmitForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.resubmit_institution(request.user, institution, name=data["name"], address=data["address"],
                                          contact_name=data["contact_name"], requested_scopes=form.scope_requests(),
                                          legal_representative=data["legal_representative"], phone=data["phone"])
        except ValidationError as refusal:
            form.show_service_errors(refusal)
        else:
            messages.success(request, _("已重新提交，等待所在市人社局审核。"))
            return redirect("providers:mine")
    return _workspace(request, status=422, resubmit_form=form)


@signed_in_as({Role.INSTITUTION})
@require_POST
def registry_facts(request: HttpRequest) -> HttpResponse:
    """The institution's legal representative, phone and address (risk compares them, 6d)."""
    institution = _own_institution(request.user)

    def act(data: dict[str, Any]) -> str:
        services.update_registry_facts(request.user, institution, legal_representative=data["legal_representative"],
                                       phone=data["phone"], address=data["address"])
        return _("登记信息已更新。")

    return _form_post(request, "facts_form", RegistryFactsForm(request.POST), act)


@signed_in_as({Role.INSTITUTION})
@require_POST
def renew(request: HttpRequest) -> HttpResponse:
    """An expired institution applies for renewal; the city reviews it like an application (1c)."""
    institution = _own_institution(request.user)

    def act(data: dict[str, Any]) -> str:
        services.apply_for_renewal(request.user, institution, data["note"])
        return _("续期申请已提交，等待所在市人社局审核。")

    return _form_post(request, "renewal_form", RenewalForm(request.POST), act)


@login_required
@require_POST
def document_remove(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_scoped_or_404(InstitutionDocument.objects.defer("content"), request.user, pk=pk)
    try:
        services.remove_document(request.user, document)
        messages.success(request, _("已删除资料：%(name)s") % {"name": document.file_name})
    except (ValidationError, PermissionDenied) as refusal:
        show_refusal(request, refusal)
    return redirect("providers:mine")


@login_required
@require_POST
def venue_remove(request: HttpRequest, pk: int) -> HttpResponse:
    venue = get_scoped_or_404(Venue, request.user, pk=pk)
    try:
        services.remove_venue(request.user, venue)
        messages.success(request, _("已删除场地：%(name)s") % {"name": venue.name})
    except (ValidationError, PermissionDenied) as refusal:
        show_refusal(request, refusal)
    return redirect("providers:mine")


@login_required
@require_POST
def teacher_release(request: HttpRequest, pk: int) -> HttpResponse:
    teacher = get_scoped_or_404(Teacher, request.user, pk=pk)
    try:
        services.release_teacher(request.user, teacher)
        messages.success(request, _("已解除师资：%(name)s") % {"name": teacher.name})
    except (ValidationError, PermissionDenied) as refusal:
        show_refusal(request, refusal)
    return redirect("providers:mine")


@login_required
@require_safe
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The file as uploaded, for its institution or a reviewing official; the download is audited."""
    document = get_scoped_or_404(InstitutionDocument.objects.select_related("institution"), request.user, pk=pk)
    content = services.download_document(request.user, document, request=request)
    response = HttpResponse(content, content_type=document.content_type)
    response["Content-Disposition"] = _attachment(document.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _attachment(file_name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename*=UTF-8''{quote(file_name)}"


# ---- The city's pages ----

def _expired_q(on: date) -> Q:
    return Q(status=InstitutionStatus.EXPIRED) | Q(status=InstitutionStatus.APPROVED, approved_until__lt=on)


@signed_in_as(OFFICIALS)
@require_safe
def institution_list(request: HttpRequest) -> HttpResponse:
    """`/institutions/`: the city's institutions (the province sees all), filtered by status as shown today."""
    found = scoped(Institution, request.user).select_related("city").order_by("city_id", "name")
    wanted = request.GET.get("status", "")
    on = today()
    if wanted == InstitutionStatus.EXPIRED:
        found = found.filter(_expired_q(on))
    elif wanted == InstitutionStatus.APPROVED:
        found = found.filter(status=InstitutionStatus.APPROVED, approved_until__gte=on)
    elif wanted in InstitutionStatus.values:
        found = found.filter(status=wanted)
    else:
        wanted = ""
    rows = [(each, each.shown_status_label(on)) for each in found[:LIST_SHOWN]]
    return render(request, "providers/list.html", {
        "rows": rows, "count": found.count(), "shown": LIST_SHOWN, "status": wanted,
        "statuses": InstitutionStatus.choices})


def pending_institutions(user: Any) -> QuerySet:
    """Applications waiting for this official: applied or resubmitted, oldest first (the queue registry's input)."""
    return scoped(Institution, user).filter(status=InstitutionStatus.APPLIED).order_by("submitted_at", "pk")


@signed_in_as(OFFICIALS)
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    """`/institutions/queue/`: pending applications with how many days each has waited."""
    pending = list(pending_institutions(request.user).select_related("city"))
    resubmitted = set(AuditEntry.objects.filter(
        action="institution.resubmitted", target_model="providers.institution",
        target_pk__in=[str(each.pk) for each in pending]).values_list("target_pk", flat=True))
    # A renewal: an application of an institution that was approved before (1c re-certification).
    renewals = set(AuditEntry.objects.filter(
        action="institution.approve", target_model="providers.institution",
        target_pk__in=[str(each.pk) for each in pending]).values_list("target_pk", flat=True))
    rows = [{"institution": each, "resubmitted": str(each.pk) in resubmitted, "renewal": str(each.pk) in renewals,
             "waited": days_since(each.submitted_at or each.created_at)} for each in pending]
    return render(request, "providers/queue.html", {"rows": rows})


def _years_ahead(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _detail(request: HttpRequest, institution: Institution, status: int = 200, **forms: Any) -> HttpResponse:
    labels = _scope_labels(institution)
    default_until = _years_ahead(today(), DEFAULT_VALIDITY_YEARS)
    user = request.user
    may_act = user.role == Role.CITY_OFFICIAL and user.city_id == institution.city_id
    context = {
        "institution": institution,
        # An organisation's phone is often its owner's mobile: shown masked, as a person's (catalog.registry_facts).
        "phone_masked": mask_phone(institution.phone) if institution.phone else "",
        "shown_status_label": institution.shown_status_label(today()),
        "requested": labels,
        "granted": _granted_scopes(institution),
        "documents": scoped(InstitutionDocument, user).filter(institution=institution).defer("content"),
        "venues": scoped(Venue, user).filter(institution=institution),
        "teachers": scoped(Teacher, user).filter(institution=institution, is_active=True),
        "history": _history(institution),
        "may_review": may_act and institution.status == InstitutionStatus.APPLIED,
        "may_suspend": may_act and institution.status == InstitutionStatus.APPROVED,
        "may_reinstate": may_act and institution.status == InstitutionStatus.SUSPENDED,
        "may_blacklist": may_act and institution.status != InstitutionStatus.BLACKLISTED,
        "review_form": forms.get("review_form") or ReviewForm(scope_labels=labels, default_until=default_until),
        "discipline_form": forms.get("discipline_form") or DisciplineForm(),
    }
    return render(request, "providers/detail.html", context, status=status)


@login_required
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """`/institutions/<pk>/`: everything the institution submitted, with the review and discipline forms."""
    institution = get_scoped_or_404(Institution.objects.select_related("city"), request.user, pk=pk)
    if request.user.role == Role.INSTITUTION:
        return redirect("providers:mine")
    return _detail(request, institution)


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve until a date granting the ticked scopes, ask for changes, or reject; each with a reason (1c)."""
    institution = get_scoped_or_404(Institution.objects.select_related("city"), request.user, pk=pk)
    labels = _scope_labels(institution)
    form = ReviewForm(request.POST, scope_labels=labels, default_until=_years_ahead(today(), DEFAULT_VALIDITY_YEARS))
    decision = request.POST.get("decision", "")
    if form.is_valid():
        data = form.cleaned_data
        try:
            if decision not in {each.value for each in services.ReviewDecision}:
                raise ValidationError(_("请选择审核结论"), code="decision")
            services.review_institution(request.user, institution, decision, data["reason"],
                                        approved_until=data["approved_until"], granted=data["granted"])
        except ValidationError as refusal:
            form.add_error("approved_until" if refusal.code == "approved_until" else None, refusal)
        except PermissionDenied as refusal:
            show_refusal(request, refusal)
            return redirect("providers:detail", pk=institution.pk)
        else:
            messages.success(request, _("审核结论已保存：%(name)s") % {"name": institution.name})
            return redirect("providers:queue")
    return _detail(request, institution, status=422, review_form=form)


DISCIPLINE = {
    "suspend": (services.suspend_institution, gettext_lazy("已暂停该机构的资质。")),
    "reinstate": (services.reinstate_institution, gettext_lazy("已恢复该机构的资质。")),
}


@login_required
@require_POST
def discipline(request: HttpRequest, pk: int) -> HttpResponse:
    """Suspend, reinstate or blacklist (6d), with a reason."""
    institution = get_scoped_or_404(Institution.objects.select_related("city"), request.user, pk=pk)
    form = DisciplineForm(request.POST)
    action = request.POST.get("action", "")
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "blacklist":
                sanctions.list_institution(request.user, institution, data["reason"], data["document_ref"])
                done = _("已将该机构列入黑名单。")
            elif action in DISCIPLINE:
                act, said = DISCIPLINE[action]
                act(request.user, institution, data["reason"])
                done = str(said)
            else:
                raise ValidationError(_("未知的操作"), code="action")
        except ValidationError as refusal:
            form.add_error(None, refusal)
        except PermissionDenied as refusal:
            show_refusal(request, refusal)
            return redirect("providers:detail", pk=institution.pk)
        else:
            messages.success(request, done)
            return redirect("providers:detail", pk=institution.pk)
    return _detail(request, institution, status=422, discipline_form=form)
