"""Pages of project training (项目制培训, 3.4a-e), for each role that takes part.

- public: the catalogue of published projects (3.4b: 向社会公布);
- enterprise: its applications (3.4a), drafts, submission, and its confirmation of the effect (3.4d);
- city official: review and publication (3.4b), the choice among institutions on merit (3.4c), its own
  confirmation of the effect (3.4d); the province official reads the same pages;
- institution: its applications to deliver published projects of its city (3.4c).

Views read through `qiancheng.accounts.scope` and change state only through `qiancheng.projects.services`.
A page with an id in its URL answers a wrong role, another city and a missing id with the same 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.models import AuditEntry, Role
from qiancheng.accounts.scope import NOT_FOUND_MESSAGE, get_scoped_or_404, public, scoped
from qiancheng.clock import days_since, today
from qiancheng.demand.models import Enterprise
from qiancheng.projects import progress
from qiancheng.projects.delivery import institution_records
from qiancheng.projects.forms import ChooseForm, ConfirmForm, DeliverForm, ProjectForm, ReviewForm
from qiancheng.projects.models import DeliveryApplication, DeliveryApplicationStatus, Project, ProjectStatus
from qiancheng.projects.services import (
    apply_to_deliver,
    choose_institution,
    confirm_effect,
    draft_project,
    project_certificates_allowed,
    publish_project,
    review_project,
    submit_project,
    update_draft,
)
from qiancheng.providers.models import Institution
from qiancheng.providers.ratings import RatingInForce, rating_in_force
from qiancheng.providers.services import opening_refusal
from qiancheng.web.refusals import refusal_text, show_refusal

CATALOGUE_SHOWN = 500
LIST_SHOWN = 500

ENTERPRISE = frozenset({Role.ENTERPRISE})
INSTITUTION = frozenset({Role.INSTITUTION})
CITY = frozenset({Role.CITY_OFFICIAL})
OFFICIALS = frozenset({Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL})
PARTIES = OFFICIALS | ENTERPRISE | INSTITUTION
CONFIRMING = CITY | ENTERPRISE

SAVE, SUBMIT = "save", "submit"


def visible_projects(user: Any) -> QuerySet[Project]:
    """What the user may open: its scope, and for an institution also the published projects of its
    city, which are public (3.4b) and open to its application (3.4c)."""
    projects = Project.objects.select_related("city", "applicant", "chosen_institution", "reviewed_by")
    if user.role == Role.INSTITUTION and user.institution_id is not None:
        open_here = Q(status=ProjectStatus.PUBLISHED, city_id=user.institution.city_id)
        return projects.filter(open_here | Q(pk__in=scoped(Project, user).values("pk")))
    return scoped(projects, user)


def _project(request: HttpRequest, pk: int) -> Project:
    found = visible_projects(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404(NOT_FOUND_MESSAGE)
    return found


def _own_enterprise(request: HttpRequest) -> Enterprise:
    return get_scoped_or_404(Enterprise, request.user, pk=request.user.enterprise_id)


# ---------------------------------------------------------------- public


@public
@require_safe
def catalogue(request: HttpRequest) -> HttpResponse:
    """`/projects/catalogue/`: every published project, for anyone (3.4b); drafts and reviews stay private.

    A signed-in institution sees, on the projects of its city still open, a link to apply (3.4c).
    """
    published = (
        Project.objects.filter(status=ProjectStatus.PUBLISHED)
        .select_related("city", "applicant")
        .order_by("city_id", "-published_on", "code")
    )
    user = request.user
    apply_city = (
        user.institution.city_id
        if user.is_authenticated and user.role == Role.INSTITUTION and user.institution_id is not None
        else None
    )
    context = {"count": published.count(), "projects": published[:CATALOGUE_SHOWN], "shown": CATALOGUE_SHOWN,
               "apply_city": apply_city}
    return render(request, "projects/catalogue.html", context)


# ---------------------------------------------------------------- enterprise (3.4a)


@require_safe
@signed_in_as(ENTERPRISE)
def mine(request: HttpRequest) -> HttpResponse:
    """`/projects/mine/`: the enterprise's own applications and where each stands."""
    projects = scoped(Project.objects.select_related("chosen_institution"), request.user).order_by("-created_at")
    return render(request, "projects/mine.html", {"projects": projects[:LIST_SHOWN]})


def _save_application(request: HttpRequest, form: ProjectForm, project: Project | None) -> Project:
    """Draft or update through the services, then submit when the applicant asked to (3.4a → 3.4b)."""
    tags = form.tags()
    if project is None:
        project = draft_project(request.user, _own_enterprise(request), programme_tags=tags, **form.application())
    else:
        project = update_draft(request.user, project, programme_tags=tags, **form.application())
    if request.POST.get("action") == SUBMIT:
        project = submit_project(request.user, project)
        messages.success(request, _("项目申报已提交，等待市人社局审核。"))
    else:
        messages.success(request, _("草稿已保存。"))
    return project


def _application_page(request: HttpRequest, project: Project | None) -> HttpResponse:
    if request.method == "POST":
        form = ProjectForm(request.POST)
        if form.is_valid():
            try:
                saved = _save_application(request, form, project)
            except ValidationError as error:
                show_refusal(request, error)
            else:
                return redirect("projects:detail", pk=saved.pk)
    else:
        form = ProjectForm.of(project) if project is not None else ProjectForm()
    enterprise = project.applicant if project is not None else _own_enterprise(request)
    return render(request, "projects/application.html",
                  {"form": form, "project": project, "enterprise": enterprise, "SAVE": SAVE, "SUBMIT": SUBMIT})


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in_as(ENTERPRISE)
def new(request: HttpRequest) -> HttpResponse:
    """`/projects/new/`: the application form (3.4a, 3.4e); saves a draft, or saves and submits."""
    return _application_page(request, None)


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in_as(ENTERPRISE, hide=True)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """`/projects/<pk>/edit/`: the applicant rewrites its draft."""
    project = get_scoped_or_404(Project.objects.select_related("applicant", "city"), request.user, pk=pk)
    if project.status != ProjectStatus.DRAFT:
        messages.error(request, _("只有草稿可以修改"))
        return redirect("projects:detail", pk=project.pk)
    return _application_page(request, project)


@require_POST
@signed_in_as(ENTERPRISE, hide=True)
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """POST `/projects/<pk>/submit/`: the draft goes to the city bureau (3.4a → 3.4b)."""
    project = get_scoped_or_404(Project, request.user, pk=pk)
    try:
        submit_project(request.user, project)
    except ValidationError as error:
        show_refusal(request, error)
    else:
        messages.success(request, _("项目申报已提交，等待市人社局审核。"))
    return redirect("projects:detail", pk=project.pk)


# ---------------------------------------------------------------- the project page


HISTORY_LABELS = {
    "project.drafted": gettext_lazy("起草申报"),
    "project.draft_updated": gettext_lazy("修改草稿"),
    "project.submitted": gettext_lazy("提交审核"),
    "project.approved": gettext_lazy("审核批准"),
    "project.rejected": gettext_lazy("不予批准"),
    "project.published": gettext_lazy("向社会公布"),
    "project.institution_chosen": gettext_lazy("选定承训机构"),
    "project.effect_met_city": gettext_lazy("市人社局确认达到培训效果"),
    "project.effect_not_met_city": gettext_lazy("市人社局确认未达到培训效果"),
    "project.effect_met_applicant": gettext_lazy("申报单位确认达到培训效果"),
    "project.effect_not_met_applicant": gettext_lazy("申报单位确认未达到培训效果"),
}


@dataclass(frozen=True)
class Step:
    at: dt.datetime | dt.date
    label: str
    who: str
    reason: str

    @property
    def when(self) -> str:
        """A moment to the minute in local time; a bare date (publication day) as a date."""
        if isinstance(self.at, dt.datetime):
            return timezone.localtime(self.at).strftime("%Y-%m-%d %H:%M")
        return self.at.isoformat()


def history(project: Project) -> list[Step]:
    """The project's steps from the audit trail; a record loaded without one shows the model's own dates."""
    entries = AuditEntry.objects.filter(target_model=Project._meta.label_lower, target_pk=str(project.pk))
    steps = [
        Step(entry.at, str(HISTORY_LABELS.get(entry.action, entry.action)),
             entry.actor.display_name if entry.actor else _("系统"), entry.reason)
        for entry in entries.select_related("actor").order_by("seq")
    ]
    if steps:
        return steps
    dated = [(project.created_at, HISTORY_LABELS["project.drafted"], ""),
             (project.submitted_at, HISTORY_LABELS["project.submitted"], ""),
             (project.reviewed_at, HISTORY_LABELS.get(f"project.{project.status}", _("审核")), project.review_note),
             (project.published_on, HISTORY_LABELS["project.published"], "")]
    return [Step(at, str(label), "", reason) for at, label, reason in dated if at is not None]


@dataclass(frozen=True)
class Merit:
    """What the city chooses on (3.4c 择优): the institution's standing and record, and its statement."""

    application: DeliveryApplication
    institution: Institution
    refusal: str  # why it may not be chosen today, or ""
    rating: RatingInForce | None  # 1c: the star-rating snapshot in force today (providers.ratings), None: unrated
    running_classes: int  # approved or in progress now: the load on its declared capacity
    running_trainees: int
    classes_delivered: int  # finished classes
    trainees_completed: int
    certificates: int  # valid certificates from its classes' evaluations


def merits(applications: QuerySet[DeliveryApplication]) -> list[Merit]:
    """The delivery applications with each institution's star rating, status, load and record (the record's
    figures are read from training and evaluation through `qiancheng.projects.delivery`)."""
    rows = list(applications.select_related("institution").order_by("applied_at", "pk"))
    records = institution_records(row.institution_id for row in rows)
    on = today()
    found = []
    for row in rows:
        refusal = opening_refusal(row.institution, on)
        record = records.get(row.institution_id, {})
        found.append(Merit(
            application=row, institution=row.institution, refusal=refusal_text(refusal.error()) if refusal else "",
            rating=rating_in_force(row.institution_id, on), running_classes=record.get("running_classes", 0), running_trainees=record.get("running_trainees", 0),
            classes_delivered=record.get("classes_delivered", 0),
            trainees_completed=record.get("trainees_completed", 0), certificates=record.get("certificates", 0),
        ))
    return found


def _detail_context(request: HttpRequest, project: Project) -> dict[str, Any]:
    user = request.user
    role = user.role
    done = progress.training_done(project)
    city_here = role == Role.CITY_OFFICIAL and user.city_id == project.city_id
    applicant_here = role == Role.ENTERPRISE and user.enterprise_id == project.applicant_id
    open_for_delivery = project.status == ProjectStatus.PUBLISHED and project.chosen_institution_id is None
    context: dict[str, Any] = {
        "project": project, "done": done, "city_here": city_here, "applicant_here": applicant_here,
        "certificates_allowed": project_certificates_allowed(project), "open_for_delivery": open_for_delivery,
        "classes": project.classes.select_related("institution").order_by("start_date", "pk") if role != Role.INSTITUTION else None,
    }
    if role in OFFICIALS or applicant_here or role == Role.INSTITUTION and project.chosen_institution_id == (
            user.institution_id):
        context["history"] = history(project)
    if role in OFFICIALS:
        context["merits"] = merits(scoped(project.delivery_applications.all(), user))
    if city_here:
        context["review_form"] = ReviewForm() if project.status == ProjectStatus.SUBMITTED else None
        context["choose_form"] = ChooseForm() if open_for_delivery else None
    if role == Role.INSTITUTION:
        mine = DeliveryApplication.objects.filter(project=project, institution_id=user.institution_id).first()
        context["my_application"] = mine
        context["deliver_form"] = DeliverForm() if open_for_delivery and mine is None else None
        refusal = opening_refusal(user.institution, today())
        context["deliver_refusal"] = refusal_text(refusal.error()) if refusal else ""  # the page's language only
    if (city_here or applicant_here) and done and not project.effect_confirmed:
        context["confirm_form"] = ConfirmForm()
    return context


@require_safe
@signed_in_as(PARTIES, hide=True)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """`/projects/<pk>/`: the project, its history and what the viewer may do next (3.4a-d)."""
    project = _project(request, pk)
    return render(request, "projects/detail.html", _detail_context(request, project))


# ---------------------------------------------------------------- city official (3.4b-d)


@require_POST
@signed_in_as(CITY, hide=True)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """POST `/projects/<pk>/review/`: approve, or refuse with a reason (3.4b)."""
    project = get_scoped_or_404(Project, request.user, pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择审核结论"))
        return redirect("projects:detail", pk=project.pk)
    try:
        reviewed = review_project(request.user, project, form.cleaned_data["decision"], form.cleaned_data["reason"])
    except ValidationError as error:
        show_refusal(request, error)
    else:
        if reviewed.status == ProjectStatus.APPROVED:
            messages.success(request, _("已批准，项目编号 %(code)s。发布后进入公开目录。") % {"code": reviewed.code})
        else:
            messages.success(request, _("已不予批准，理由已告知申报单位。"))
    return redirect("projects:detail", pk=project.pk)


@require_POST
@signed_in_as(CITY, hide=True)
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    """POST `/projects/<pk>/publish/`: the approved project enters the public catalogue (3.4b)."""
    project = get_scoped_or_404(Project, request.user, pk=pk)
    try:
        publish_project(request.user, project)
    except ValidationError as error:
        show_refusal(request, error)
    else:
        messages.success(request, _("项目已向社会公布，培训机构可申请承训。"))
    return redirect("projects:detail", pk=project.pk)


@require_POST
@signed_in_as(CITY, hide=True)
def choose(request: HttpRequest, pk: int) -> HttpResponse:
    """POST `/projects/<pk>/choose/`: one institution is chosen on merit, with the reason (3.4c)."""
    project = get_scoped_or_404(Project, request.user, pk=pk)
    form = ChooseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("选定承训机构须说明理由"))
        return redirect("projects:detail", pk=project.pk)
    application = get_scoped_or_404(project.delivery_applications.all(), request.user,
                                    pk=form.cleaned_data["application"])
    try:
        chosen = choose_institution(request.user, project, application, form.cleaned_data["reason"])
    except ValidationError as error:
        show_refusal(request, error)
    else:
        messages.success(request, _("已选定承训机构：%(name)s。") % {"name": chosen.chosen_institution.name})
    return redirect("projects:detail", pk=project.pk)


@require_POST
@signed_in_as(CONFIRMING, hide=True)
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """POST `/projects/<pk>/confirm/`: the city or the applicant says whether the effect was met (3.4d);
    the service refuses it while the training is not over (`qiancheng.projects.progress`), as for the API."""
    project = get_scoped_or_404(Project, request.user, pk=pk)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择是否达到预期效果"))
        return redirect("projects:detail", pk=project.pk)
    try:
        confirmed = confirm_effect(request.user, project, form.cleaned_data["met"], form.cleaned_data["note"])
    except ValidationError as error:
        show_refusal(request, error)
    else:
        if confirmed.effect_confirmed:
            messages.success(request, _("双方均已确认达到效果，可以颁发项目制培训合格证书。"))
        else:
            messages.success(request, _("已记录您的确认。"))
    return redirect("projects:detail", pk=project.pk)


@dataclass(frozen=True)
class Waiting:
    project: Project
    since: dt.date | dt.datetime | None
    days: int | None


QUEUES = {
    "review": (gettext_lazy("项目申报待审核"), progress.awaiting_review, "submitted_at"),
    "choice": (gettext_lazy("项目待选定承训机构"), progress.awaiting_choice, "first_applied"),
    "confirmation": (gettext_lazy("项目待确认培训效果"), progress.awaiting_city_confirmation, "training_ended"),
}


def _queue_page(request: HttpRequest, kind: str) -> HttpResponse:
    title, pending, since = QUEUES[kind]
    projects = pending(scoped(Project.objects.select_related("city", "applicant"), request.user))
    projects = projects.annotate(applications=Count(
        "delivery_applications", filter=Q(delivery_applications__status=DeliveryApplicationStatus.APPLIED)))
    rows = [Waiting(project, getattr(project, since), days_since(getattr(project, since)))
            for project in projects[:LIST_SHOWN]]
    return render(request, "projects/queue.html", {"title": title, "kind": kind, "rows": rows,
                                                   "count": projects.count(), "queues": QUEUES})


@require_safe
@signed_in_as(OFFICIALS)
def queue(request: HttpRequest) -> HttpResponse:
    """`/projects/queue/`: submitted applications awaiting review, and how long each has waited (3.4b)."""
    return _queue_page(request, "review")


@require_safe
@signed_in_as(OFFICIALS)
def choices(request: HttpRequest) -> HttpResponse:
    """`/projects/choices/`: published projects with applications and no institution chosen (3.4c)."""
    return _queue_page(request, "choice")


@require_safe
@signed_in_as(OFFICIALS)
def confirmations(request: HttpRequest) -> HttpResponse:
    """`/projects/confirmations/`: projects whose training is done, awaiting the city's confirmation (3.4d)."""
    return _queue_page(request, "confirmation")


# ---------------------------------------------------------------- institution (3.4c)


@require_POST
@signed_in_as(INSTITUTION, hide=True)
def deliver(request: HttpRequest, pk: int) -> HttpResponse:
    """POST `/projects/<pk>/deliver/`: the institution applies to deliver a published project (3.4c)."""
    project = _project(request, pk)
    form = DeliverForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("须说明如何满足公布的条件"))
        return redirect("projects:detail", pk=project.pk)
    institution = get_scoped_or_404(Institution, request.user, pk=request.user.institution_id)
    try:
        apply_to_deliver(request.user, institution, project, form.cleaned_data["statement"])
    except ValidationError as error:
        show_refusal(request, error)
    else:
        messages.success(request, _("承训申请已提交，等待市人社局择优选定。"))
    return redirect("projects:detail", pk=project.pk)


@require_safe
@signed_in_as(INSTITUTION)
def deliveries(request: HttpRequest) -> HttpResponse:
    """`/projects/deliveries/`: the institution's applications to deliver projects and their outcome."""
    applications = scoped(
        DeliveryApplication.objects.select_related("project", "project__city", "project__applicant"), request.user
    ).order_by("-applied_at")
    return render(request, "projects/deliveries.html", {"applications": applications[:LIST_SHOWN]})
