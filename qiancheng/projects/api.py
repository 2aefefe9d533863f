"""`/api/v1/projects`: project training (3.4a-3.4d) under city scope; every change goes through the services."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status

from qiancheng.accounts.api_errors import ErrorOut
from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import NOT_FOUND_MESSAGE, get_scoped_or_404, scoped
from qiancheng.demand.models import Enterprise
from qiancheng.projects.models import DeliveryApplication, Project, ProjectStatus, TraineeLink
from qiancheng.projects.services import (
    ProjectDecision,
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

router = Router(tags=["projects 项目制培训"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ProjectOut(Schema):
    id: int
    code: str | None
    title: str
    city_code: str
    applicant_id: int
    applicant_name: str
    headcount: int
    skill_requirements: str
    content: str
    duration_hours: int
    method: str
    expected_effect: str
    trainee_link: str
    status: str
    status_label: str
    review_note: str
    published_on: dt.date | None
    chosen_institution_id: int | None
    choice_reason: str
    city_confirmed_effect: bool
    applicant_confirmed_effect: bool
    certificates_allowed: bool

    @staticmethod
    def of(project: Project) -> ProjectOut:
        return ProjectOut(
            id=project.pk, code=project.code, title=project.title, city_code=project.city_id,
            applicant_id=project.applicant_id, applicant_name=project.applicant.name, headcount=project.headcount,
            skill_requirements=project.skill_requirements, content=project.content,
            duration_hours=project.duration_hours, method=project.method, expected_effect=project.expected_effect,
            trainee_link=project.trainee_link, status=project.status, status_label=str(project.get_status_display()),
            review_note=project.review_note, published_on=project.published_on,
            chosen_institution_id=project.chosen_institution_id, choice_reason=project.choice_reason,
            city_confirmed_effect=project.city_confirmed_effect,
            applicant_confirmed_effect=project.applicant_confirmed_effect,
            certificates_allowed=project_certificates_allowed(project),
        )


class ProjectIn(Schema):
    """3.4a: the application's fields; 3.4e: whom it trains."""

    enterprise_id: int
    title: str
    headcount: int
    skill_requirements: str
    content: str
    duration_hours: int
    method: str
    expected_effect: str
    trainee_link: TraineeLink


class ProjectReviewIn(Schema):
    # Defaults so that the scope check answers first: another city's id is a 404 whatever the body.
    decision: ProjectDecision | None = None
    reason: str = ""


class ApplyIn(Schema):
    institution_id: int | None = None
    statement: str = ""


class ApplicationOut(Schema):
    id: int
    project_id: int
    institution_id: int
    institution_name: str
    statement: str
    status: str

    @staticmethod
    def of(application: DeliveryApplication) -> ApplicationOut:
        return ApplicationOut(
            id=application.pk, project_id=application.project_id, institution_id=application.institution_id,
            institution_name=application.institution.name, statement=application.statement,
            status=application.status,
        )


class ChooseIn(Schema):
    application_id: int | None = None
    reason: str = ""


class ConfirmIn(Schema):
    met: bool | None = None
    note: str = ""


def _project(request: HttpRequest, project_id: int) -> Project:
    return get_scoped_or_404(Project.objects.select_related("applicant"), request.auth, pk=project_id)


def _project_open_to(request: HttpRequest, project_id: int) -> Project:
    """An institution may apply to the published projects of its own city (the public catalogue, 3.4b)
    as well as see what its scope allows; everyone else sees only their scope, with the same 404."""
    user = request.auth
    queryset = Project.objects.select_related("applicant")
    if user.role == Role.INSTITUTION and user.institution_id is not None:
        open_here = Q(status=ProjectStatus.PUBLISHED, city_id=user.institution.city_id)
        queryset = queryset.filter(open_here | Q(pk__in=scoped(Project, user).values("pk")))
        found = queryset.filter(pk=project_id).first()
        if found is None:
            raise Http404(NOT_FOUND_MESSAGE)
        return found
    return get_scoped_or_404(queryset, user, pk=project_id)


@router.get("", response=list[ProjectOut], summary="项目列表 / projects you may see")
def list_projects(request: HttpRequest, status: str | None = Query(None, description="按状态筛选 / filter by status"),
                  limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000_000)) -> list[ProjectOut]:
    found = scoped(Project.objects.select_related("applicant"), request.auth).order_by("pk")
    if status is not None:
        found = found.filter(status=status)
    return [ProjectOut.of(project) for project in found[offset:offset + limit]]


@router.post("", response={201: ProjectOut, **ERRORS}, summary="企业填写项目申报（草稿）/ an enterprise drafts (3.4a)")
def create_project(request: HttpRequest, payload: ProjectIn) -> Status:
    enterprise = get_scoped_or_404(Enterprise, request.auth, pk=payload.enterprise_id)
    fields = payload.dict(exclude={"enterprise_id"})
    fields["trainee_link"] = str(payload.trainee_link.value)
    return Status(201, ProjectOut.of(draft_project(request.auth, enterprise, **fields)))


@router.get("/{int:project_id}", response={200: ProjectOut, 404: ErrorOut}, summary="项目详情 / one project")
def get_project(request: HttpRequest, project_id: int) -> ProjectOut:
    return ProjectOut.of(_project(request, project_id))


class DraftIn(Schema):
    """3.4a: the whole application again, as the page's edit form sends it."""

    title: str
    headcount: int
    skill_requirements: str
    content: str
    duration_hours: int
    method: str
    expected_effect: str
    trainee_link: TraineeLink


@router.put("/{int:project_id}", response={200: ProjectOut, **ERRORS},
            summary="修改申报草稿 / the applicant rewrites its draft (3.4a; every field given again)")
def put_draft(request: HttpRequest, project_id: int, payload: DraftIn) -> ProjectOut:
    fields = payload.dict()
    fields["trainee_link"] = str(payload.trainee_link.value)
    return ProjectOut.of(update_draft(request.auth, _project(request, project_id), **fields))


@router.post("/{int:project_id}/submit", response={200: ProjectOut, **ERRORS}, summary="提交审核 / submit (3.4a)")
def submit(request: HttpRequest, project_id: int) -> ProjectOut:
    return ProjectOut.of(submit_project(request.auth, _project(request, project_id)))


@router.post("/{int:project_id}/review", response={200: ProjectOut, **ERRORS},
             summary="市级审核：批准/不予批准 / the city's review (3.4b)")
def review(request: HttpRequest, project_id: int, payload: ProjectReviewIn) -> ProjectOut:
    project = _project(request, project_id)
    if payload.decision is None:
        raise ValidationError("请选择审核结论 / a decision is required (approve, reject)", code="decision")
    return ProjectOut.of(review_project(request.auth, project, payload.decision, payload.reason))


@router.post("/{int:project_id}/publish", response={200: ProjectOut, **ERRORS},
             summary="发布到项目目录 / publish in the catalogue (3.4b)")
def publish(request: HttpRequest, project_id: int) -> ProjectOut:
    return ProjectOut.of(publish_project(request.auth, _project(request, project_id)))


@router.get("/{int:project_id}/applications", response={200: list[ApplicationOut], 404: ErrorOut},
            summary="承训申请 / institutions' applications to deliver")
def list_applications(request: HttpRequest, project_id: int) -> list[ApplicationOut]:
    project = _project(request, project_id)
    found = scoped(project.delivery_applications.select_related("institution"), request.auth).order_by("pk")
    return [ApplicationOut.of(application) for application in found]


@router.post("/{int:project_id}/apply", response={201: ApplicationOut, **ERRORS},
             summary="机构申请承训 / an institution applies to deliver (3.4c)")
def apply(request: HttpRequest, project_id: int, payload: ApplyIn) -> Status:
    project = _project_open_to(request, project_id)
    user = request.auth
    if user.role != Role.INSTITUTION or user.institution is None:
        raise PermissionDenied("只有培训机构可以申请承训 / only an institution may apply")
    institution = user.institution
    return Status(201, ApplicationOut.of(apply_to_deliver(user, institution, project, payload.statement)))


@router.post("/{int:project_id}/choose", response={200: ProjectOut, **ERRORS},
             summary="择优选定承训机构 / the city chooses an institution (3.4c)")
def choose(request: HttpRequest, project_id: int, payload: ChooseIn) -> ProjectOut:
    project = _project(request, project_id)
    if payload.application_id is None:
        raise ValidationError("请选择承训申请 / an application_id is required", code="application")
    application = get_scoped_or_404(project.delivery_applications.all(), request.auth, pk=payload.application_id)
    return ProjectOut.of(choose_institution(request.auth, project, application, payload.reason))


@router.post("/{int:project_id}/confirm", response={200: ProjectOut, **ERRORS},
             summary="确认培训效果 / confirm the effect (3.4d)")
def confirm(request: HttpRequest, project_id: int, payload: ConfirmIn) -> ProjectOut:
    project = _project(request, project_id)
    if payload.met is None:
        raise ValidationError("请说明是否达到预期效果 / met (true or false) is required", code="met")
    return ProjectOut.of(confirm_effect(request.auth, project, payload.met, payload.note))
