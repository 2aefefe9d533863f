"""State changes of project training (项目制培训, 3.4a-3.4d), from the enterprise's draft to the joint
confirmation of effect.

Each function takes the acting user, checks the actor's right (wrong actor → PermissionDenied), checks the
project's state (wrong state → ValidationError, in Chinese and English), runs in one transaction and
writes the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qiancheng.accounts.audit import record_event, snapshot
from qiancheng.accounts.models import Role
from qiancheng.clock import today
from qiancheng.demand.models import Enterprise
from qiancheng.projects.models import (
    DeliveryApplication,
    DeliveryApplicationStatus,
    Project,
    ProjectStatus,
    TraineeLink,
)
from qiancheng.projects.progress import training_done
from qiancheng.providers.models import Institution
from qiancheng.providers.services import opening_refusal

if TYPE_CHECKING:
    from qiancheng.accounts.models import User
    from qiancheng.catalog.models import ProgrammeTag

# 3.4a: 申报培训人数、技能要求、培训内容、培训时长、培训方式、预期效果 (and 3.4e: whom it trains)
APPLICATION_FIELDS = (
    "title", "headcount", "skill_requirements", "content", "duration_hours", "method", "expected_effect",
    "trainee_link",
)
_FIELD_LABELS = {
    "title": ("项目名称", "title"),
    "skill_requirements": ("技能要求", "skill requirements"),
    "content": ("培训内容", "content"),
    "method": ("培训方式", "method"),
    "expected_effect": ("预期效果", "expected effect"),
}
STATE_FIELDS = ("status", "code", "reviewed_by_id", "review_note", "published_on")
CONFIRM_FIELDS = ("city_confirmed_effect", "city_confirmed_on", "applicant_confirmed_effect", "applicant_confirmed_on")


class ProjectDecision(StrEnum):
    """What the city bureau may decide on a submitted project (3.4b)."""

    APPROVE = "approve"  # enters the catalogue with a code, to be published
    REJECT = "reject"  # refused, with the reason


def _state_error(project: Project, wanted: str) -> ValidationError:
    return ValidationError(
        f"项目状态为“{project.get_status_display()}”，须为“{ProjectStatus(wanted).label}” / the project is "
        f"{project.status}, it must be {wanted}",
        code="wrong_state",
    )


def _require_applicant(actor: User | None, enterprise_id: int) -> None:
    if actor is None or actor.role != Role.ENTERPRISE or actor.enterprise_id != enterprise_id:
        raise PermissionDenied("只有申报企业本身可以操作 / only the applicant enterprise itself may do this")


def _require_city_official(actor: User | None, city_id: str) -> None:
    # 3.4b: 由当地人社部门审核 — the project's own city bureau
    if actor is None or actor.role != Role.CITY_OFFICIAL or actor.city_id != city_id:
        raise PermissionDenied("只有项目所在市人社局可以操作 / only the project's city official may do this")


def application_refusals(fields: dict[str, Any]) -> list[str]:
    """What a project application lacks (3.4a, 3.4e), each reason in both languages."""
    problems = []
    for name, (zh, en) in _FIELD_LABELS.items():
        if not str(fields.get(name) or "").strip():
            problems.append(f"{zh}不能为空（第3.4条(一)） / {en} is required (clause 3.4a)")
    for name, zh, en in (("headcount", "培训人数", "headcount"), ("duration_hours", "培训时长", "duration")):
        value = fields.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            problems.append(f"{zh}须为正整数（第3.4条(一)） / {en} must be a whole number above 0 (clause 3.4a)")
    if fields.get("trainee_link") not in TraineeLink.values:
        problems.append(
            "须说明培训对象为本企业职工或拟招用人员（第3.4条(五)） / the trainees' link to the applicant "
            "(employees, prospective hires or both) is required (clause 3.4e)"
        )
    return problems


def _refuse(problems: list[str], code: str) -> None:
    if problems:
        raise ValidationError([ValidationError(problem, code=code) for problem in problems])


def _checked_application(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(APPLICATION_FIELDS)
    if unknown:
        raise ValidationError(f"未知字段 {sorted(unknown)} / unknown fields {sorted(unknown)}", code="unknown_field")
    _refuse(application_refusals(fields), "incomplete")
    return {name: value.strip() if isinstance(value, str) else value for name, value in fields.items()}


def _tag_codes(project: Project) -> list[str]:
    return sorted(project.programme_tags.values_list("code", flat=True))


def draft_project(actor: User, enterprise: Enterprise, *, programme_tags: Iterable[ProgrammeTag] | None = None,
                  **fields: Any) -> Project:
    """The enterprise writes its project application (3.4a); it stays a draft until submitted.

    `programme_tags` are the key-task programmes of clause 4 the project serves (optional).
    """
    _require_applicant(actor, enterprise.pk)
    cleaned = _checked_application(fields)
    with transaction.atomic():
        project = Project.objects.create(applicant=enterprise, city_id=enterprise.city_id, **cleaned)
        if programme_tags is not None:
            project.programme_tags.set(list(programme_tags))
        after = snapshot(project, (*APPLICATION_FIELDS, "status"))
        if programme_tags is not None:
            after["programme_tags"] = _tag_codes(project)
        record_event(actor, "project.drafted", project, after=after)
    return project


def update_draft(actor: User, project: Project, *, programme_tags: Iterable[ProgrammeTag] | None = None,
                 **fields: Any) -> Project:
    """The applicant rewrites its application while it is still a draft (3.4a); every field is given again."""
    _require_applicant(actor, project.applicant_id)
    cleaned = _checked_application(fields)
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.status != ProjectStatus.DRAFT:
            raise _state_error(locked, ProjectStatus.DRAFT)
        before = {**snapshot(locked, APPLICATION_FIELDS), "programme_tags": _tag_codes(locked)}
        for name, value in cleaned.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*cleaned, "updated_at"])
        if programme_tags is not None:
            locked.programme_tags.set(list(programme_tags))
        after = {**snapshot(locked, APPLICATION_FIELDS), "programme_tags": _tag_codes(locked)}
        record_event(actor, "project.draft_updated", locked, before=before, after=after)
    return locked


def submit_project(actor: User, project: Project) -> Project:
    """The applicant sends its complete application to its city bureau (3.4a → 3.4b)."""
    _require_applicant(actor, project.applicant_id)
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.status != ProjectStatus.DRAFT:
            raise _state_error(locked, ProjectStatus.DRAFT)
        _refuse(application_refusals({name: getattr(locked, name) for name in APPLICATION_FIELDS}), "incomplete")
        before = snapshot(locked, STATE_FIELDS)
        locked.status = ProjectStatus.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["status", "submitted_at", "updated_at"])
        record_event(actor, "project.submitted", locked, before=before, after=snapshot(locked, STATE_FIELDS))
    return locked


def _next_code(project: Project) -> str:
    """The catalogue code: XM + city + year + serial, e.g. XM450100-2026-0007."""
    prefix = f"XM{project.city_id}-{today().year}-"
    codes = Project.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    serials = [int(code.removeprefix(prefix)) for code in codes if code.removeprefix(prefix).isdigit()]
    return f"{prefix}{max(serials, default=0) + 1:04d}"


def review_project(actor: User, project: Project, decision: str, reason: str) -> Project:
    """The city bureau approves (the project gets its catalogue code) or rejects with a reason (3.4b)."""
    _require_city_official(actor, project.city_id)
    try:
        decision = ProjectDecision(decision)
    except ValueError as exc:
        raise ValidationError(
            f"审核结论 {decision!r} 无效，须为 approve 或 reject / decision must be approve or reject",
            code="decision",
        ) from exc
    if decision == ProjectDecision.REJECT and not reason.strip():
        raise ValidationError("不予批准须说明理由 / a rejection needs a reason", code="reason_required")
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.status != ProjectStatus.SUBMITTED:
            raise _state_error(locked, ProjectStatus.SUBMITTED)
        before = snapshot(locked, STATE_FIELDS)
        if decision == ProjectDecision.APPROVE:
            locked.status = ProjectStatus.APPROVED
            locked.code = _next_code(locked)
        else:
            locked.status = ProjectStatus.REJECTED
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.review_note = reason.strip()
        locked.save(update_fields=["status", "code", "reviewed_by", "reviewed_at", "review_note", "updated_at"])
        record_event(actor, f"project.{locked.status}", locked, before=before,
                     after=snapshot(locked, STATE_FIELDS), reason=reason.strip())
    return locked


def publish_project(actor: User, project: Project) -> Project:
    """The bureau puts an approved project in the public catalogue (3.4b: 向社会公布)."""
    _require_city_official(actor, project.city_id)
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.status != ProjectStatus.APPROVED:
            raise _state_error(locked, ProjectStatus.APPROVED)
        before = snapshot(locked, STATE_FIELDS)
        locked.status = ProjectStatus.PUBLISHED
        locked.published_on = today()
        locked.save(update_fields=["status", "published_on", "updated_at"])
        record_event(actor, "project.published", locked, before=before, after=snapshot(locked, STATE_FIELDS))
    return locked


def _open_for_delivery(project: Project) -> None:
    if project.status != ProjectStatus.PUBLISHED:
        raise _state_error(project, ProjectStatus.PUBLISHED)
    if project.chosen_institution_id is not None:
        raise ValidationError("该项目已选定承训机构 / an institution has already been chosen for this project",
                              code="already_chosen")


def apply_to_deliver(actor: User, institution: Institution, project: Project, statement: str) -> DeliveryApplication:
    """An institution of the project's city applies, voluntarily, to deliver a published project (3.4c)."""
    if actor is None or actor.role != Role.INSTITUTION or actor.institution_id != institution.pk:
        raise PermissionDenied("只有该机构本身可以申请承训 / only the institution itself may apply")
    if institution.city_id != project.city_id:
        raise PermissionDenied("只有项目所在市的机构可以申请承训 / only an institution of the project's city may apply")
    if not statement.strip():
        raise ValidationError("须说明如何满足公布的条件 / the statement of how the institution meets the "
                              "published conditions is required", code="statement_required")
    # 3.4c: 具备合法资质、信用良好 — an expired, suspended or blacklisted institution may not apply
    refusal = opening_refusal(institution, today())
    if refusal is not None:
        raise refusal.error()
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        _open_for_delivery(locked)
        if DeliveryApplication.objects.filter(project=locked, institution=institution).exists():
            raise ValidationError("本机构已申请承训该项目 / this institution has already applied for the project",
                                  code="already_applied")
        application = DeliveryApplication.objects.create(
            project=locked, institution=institution, statement=statement.strip()
        )
        record_event(actor, "project.delivery_applied", application,
                     after=snapshot(application, ("project_id", "institution_id", "status")))
    return application


def choose_institution(actor: User, project: Project, application: DeliveryApplication, reason: str) -> Project:
    """The bureau chooses one applicant institution on merit and says why (3.4c: 择优确定)."""
    _require_city_official(actor, project.city_id)
    if application.project_id != project.pk:
        raise ValidationError("该承训申请不属于本项目 / the application is for another project", code="wrong_project")
    if not reason.strip():
        raise ValidationError("选定承训机构须说明理由 / choosing an institution needs a reason", code="reason_required")
    on = today()
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        _open_for_delivery(locked)
        chosen = DeliveryApplication.objects.select_for_update().select_related("institution").get(pk=application.pk)
        if chosen.status != DeliveryApplicationStatus.APPLIED:
            raise ValidationError(
                f"承训申请状态为“{chosen.get_status_display()}” / the application is {chosen.status}, not applied",
                code="application_state",
            )
        # 3.4c: qualification and credit are checked again on the day of the choice
        refusal = opening_refusal(chosen.institution, on)
        if refusal is not None:
            raise refusal.error()
        before = snapshot(locked, ("chosen_institution_id", "choice_reason"))
        now = timezone.now()
        chosen.status, chosen.decided_at = DeliveryApplicationStatus.CHOSEN, now
        chosen.save(update_fields=["status", "decided_at"])
        DeliveryApplication.objects.filter(project=locked, status=DeliveryApplicationStatus.APPLIED).exclude(
            pk=chosen.pk).update(status=DeliveryApplicationStatus.NOT_CHOSEN, decided_at=now)
        locked.chosen_institution_id = chosen.institution_id
        locked.choice_reason = reason.strip()
        locked.save(update_fields=["chosen_institution", "choice_reason", "updated_at"])
        record_event(actor, "project.institution_chosen", locked, before=before,
                     after=snapshot(locked, ("chosen_institution_id", "choice_reason")), reason=reason.strip())
    return locked


def confirm_effect(actor: User, project: Project, met: bool, note: str) -> Project:
    """The bureau or the applicant records whether the training's effect was met (3.4d: 共同确认).

    Either side may correct its answer until both have confirmed "met"; after that certificates may be
    issued and the confirmation no longer changes.
    """
    if actor is not None and actor.role == Role.CITY_OFFICIAL:
        _require_city_official(actor, project.city_id)
        side = "city"
    else:
        _require_applicant(actor, project.applicant_id)
        side = "applicant"
    if not met and not note.strip():
        raise ValidationError("确认未达到效果须说明原因 / saying the effect was not met needs a note",
                              code="note_required")
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.status not in (ProjectStatus.PUBLISHED, ProjectStatus.CLOSED) or locked.chosen_institution_id is None:
            raise ValidationError("项目尚未选定承训机构，不能确认效果 / the effect can be confirmed only after an "
                                  "institution was chosen to deliver the project", code="not_delivered")
        if locked.effect_confirmed:
            raise ValidationError("双方已共同确认效果，不能更改 / both sides have confirmed the effect; it no longer "
                                  "changes", code="already_confirmed")
        # 3.4d: 培训结束后……共同确认 — the effect is confirmed after the training, never while a class runs.
        if not training_done(locked):
            raise ValidationError("培训尚未结束，不能确认效果（第3.4条(四)）/ the training is not over yet; the "
                                  "effect is confirmed after it (clause 3.4d)", code="training_not_over")
        before = snapshot(locked, CONFIRM_FIELDS)
        setattr(locked, f"{side}_confirmed_effect", met)
        setattr(locked, f"{side}_confirmed_on", today() if met else None)
        locked.save(update_fields=[f"{side}_confirmed_effect", f"{side}_confirmed_on", "updated_at"])
        record_event(actor, f"project.effect_{'met' if met else 'not_met'}_{side}", locked, before=before,
                     after=snapshot(locked, CONFIRM_FIELDS), reason=note.strip())
    return locked


def project_certificates_allowed(project: Project) -> bool:
    """3.4d: 项目制培训合格证书 only after the bureau and the applicant both confirmed the effect met."""
    return project.effect_confirmed
