"""Opening a class: the institution applies, the class's city approves or refuses (3.1-3.4).

The national practice ("开班申请、过程检查、结业考核") is the model: an application carries the plan,
the teachers, the venue, the assessment plan and the cost split (5.4); the city checks it before the
first lesson, so that nobody trains for weeks in a class whose subsidy was never possible.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from qiancheng.accounts.audit import record_event, snapshot
from qiancheng.accounts.models import Role
from qiancheng.catalog.models import (
    CourseKind,
    IndustrialPark,
    Industry,
    Occupation,
    ProgrammeTag,
    SpecialAbilityItem,
)
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.clock import today
from qiancheng.policy.params import plan_figures
from qiancheng.projects.models import Project, ProjectStatus
from qiancheng.providers.models import Institution, InstitutionScope, Teacher
from qiancheng.providers.services import Refusal, opening_refusal
from qiancheng.training.models import ClassStatus, TrainingClass, default_training_form

if TYPE_CHECKING:
    from qiancheng.accounts.models import User

REVIEW_FIELDS = ("status", "reviewed_by_id", "reviewed_at", "review_note")
# A class in one of these states holds its teachers and trainees for its dates.
ACTIVE_STATES = (ClassStatus.SUBMITTED, ClassStatus.APPROVED, ClassStatus.IN_PROGRESS)


@dataclass
class ClassPlan:
    """What an institution states when it applies to open a class."""

    name: str
    training_type: str
    start_date: date
    end_date: date
    class_hours: int
    occupation: Occupation | None = None
    level: int | None = None
    item: SpecialAbilityItem | None = None
    course_kind: CourseKind | None = None
    project: Project | None = None
    # 4.1: the border/port park the class is delivered for (a project class: its applicant's park by default)
    park: IndustrialPark | None = None
    # 2.1 / 2.2: the form of training; "" takes the type's default (models.default_training_form)
    training_form: str = ""
    # 1a "1+19": the industry the class trains for, if the institution states it
    industry: Industry | None = None
    teaching_plan: str = ""
    assessment_plan: str = ""
    venue: str = ""
    # 5.4: 政府补一点、企业出一点、个人拿一点
    cost_government: Decimal = Decimal("0")
    cost_enterprise: Decimal = Decimal("0")
    cost_individual: Decimal = Decimal("0")
    teachers: list[Teacher] = field(default_factory=list)
    programme_tags: list[ProgrammeTag] = field(default_factory=list)


def _fail(refusals: list[Refusal]) -> None:
    if refusals:
        raise ValidationError([refusal.error() for refusal in refusals])


def subject_refusals(training_type: str, hours: int, occupation: Occupation | None, level: int | None,
                     end_date: date) -> list[Refusal]:
    """The rules on what a class teaches that decide approval (3.1, 3.2)."""
    refusals = []
    # 3.2: 专项职业能力培训……培训课时不少于……课时 (the figure in force on the class's last day, as the engine reads it)
    minimum = plan_figures().min_hours(end_date)
    if training_type == TrainingType.SPECIAL_ABILITY and hours < minimum:
        refusals.append(Refusal(
            "3.2", f"专项职业能力培训不少于{minimum}课时（第3.2条），本班仅{hours}课时",
            f"special vocational ability training needs at least {minimum} class hours (clause 3.2); "
            f"this class has {hours}",
        ))
    # 3.1: 按国家职业标准开展 — only the levels the occupation's standard has
    if training_type == TrainingType.OCCUPATIONAL and occupation is not None and not occupation.allows_level(level or 0):
        refusals.append(Refusal(
            "3.1", f"职业“{occupation.name}”没有{level}级（第3.1条）",
            f"occupation {occupation.code} has no level {level} (clause 3.1)",
        ))
    return refusals


def teacher_refusals(teachers: Iterable[Teacher], institution: Institution, start: date, end: date,
                     excluding: int | None = None) -> list[Refusal]:
    """A teacher belongs to the institution, is active, and teaches no overlapping class."""
    refusals = []
    for teacher in teachers:
        if teacher.institution_id != institution.pk or not teacher.is_active:
            refusals.append(Refusal("teacher_not_ours", f"教师{teacher.name}不是本机构在职师资",
                                    f"teacher {teacher.pk} is not an active teacher of this institution"))
            continue
        clash = (TrainingClass.objects.filter(teachers=teacher, status__in=ACTIVE_STATES,
                                              start_date__lte=end, end_date__gte=start)
                 .exclude(pk=excluding).first())
        if clash is not None:
            refusals.append(Refusal(
                "teacher_overlap", f"教师{teacher.name}在{clash.start_date}至{clash.end_date}已任教“{clash.name}”，时间重叠",
                f"teacher {teacher.pk} already teaches class {clash.pk} from {clash.start_date} to {clash.end_date}",
            ))
    return refusals


def _scope_refusal(institution: Institution, plan: ClassPlan) -> Refusal | None:
    """The institution teaches only what its qualification covers; a project class, only its chosen project."""
    if plan.training_type == TrainingType.PROJECT:
        project = plan.project
        if project is None or project.chosen_institution_id != institution.pk or project.status != ProjectStatus.PUBLISHED:
            return Refusal("project_not_chosen", "本机构不是该已发布项目选定的承训机构（第3.4条(三)）",
                           "the institution is not the chosen deliverer of this published project (clause 3.4c)")
        return None
    scopes = InstitutionScope.objects.filter(institution=institution, training_type=plan.training_type)
    if plan.training_type == TrainingType.OCCUPATIONAL:
        # max_level is the highest level (smallest number) the institution may train to.
        covered = scopes.filter(occupation=plan.occupation, max_level__lte=plan.level or 0).exists()
    elif plan.training_type == TrainingType.SPECIAL_ABILITY:
        covered = scopes.filter(item=plan.item).exists()
    else:
        covered = scopes.filter(course_kind=plan.course_kind).exists()
    if covered:
        return None
    return Refusal("outside_scope", "不在本机构认定的培训范围内", "outside the institution's approved training scope")


def apply_for_class(actor: User, institution: Institution, plan: ClassPlan) -> TrainingClass:
    """The institution applies to open a class; it waits, submitted, for its city's decision."""
    if actor.role != Role.INSTITUTION or actor.institution_id != institution.pk:
        raise PermissionDenied("只有该机构本身可以申请开班 / only the institution itself may apply to open a class")
    refusals = [r for r in (opening_refusal(institution, plan.start_date), _scope_refusal(institution, plan)) if r]
    refusals += subject_refusals(plan.training_type, plan.class_hours, plan.occupation, plan.level, plan.end_date)
    refusals += teacher_refusals(plan.teachers, institution, plan.start_date, plan.end_date)
    park = delivered_for_park(plan)
    park_refusal = _park_refusal(park, institution, plan.start_date)
    _fail(refusals + ([park_refusal] if park_refusal else []))
    with transaction.atomic():
        training = TrainingClass(
            name=plan.name, institution=institution, city_id=institution.city_id, training_type=plan.training_type,
            occupation=plan.occupation, level=plan.level, item=plan.item, course_kind=plan.course_kind,
            project=plan.project, park=park, start_date=plan.start_date, end_date=plan.end_date,
            training_form=plan.training_form or default_training_form(plan.training_type), industry=plan.industry,
            class_hours=plan.class_hours, teaching_plan=plan.teaching_plan, assessment_plan=plan.assessment_plan, venue=plan.venue,
            cost_government=plan.cost_government, cost_enterprise=plan.cost_enterprise,
            cost_individual=plan.cost_individual,
            cost_total=plan.cost_government + plan.cost_enterprise + plan.cost_individual,
            status=ClassStatus.SUBMITTED, submitted_at=timezone.now(),
        )
        training.full_clean(exclude=["programme_tags", "teachers"])
        training.save()
        training.teachers.set(plan.teachers)
        training.programme_tags.set(plan.programme_tags)
        record_event(actor, "class.submitted", training, after=snapshot(training, (
            "name", "training_type", "occupation_id", "level", "item_id", "course_kind_id", "project_id",
            "park_id", "training_form", "industry_id", "start_date", "end_date", "class_hours", "cost_total",
            "status")))
    return training


def delivered_for_park(plan: ClassPlan) -> IndustrialPark | None:
    """The park a class is delivered for (4.1): the one the application names, else, for a project class,
    the park of the enterprise that applied for the project (3.4a: "重点园区……申请培训项目")."""
    if plan.park is not None:
        return IndustrialPark.objects.get(pk=plan.park.pk)  # the list as it is now, not as the caller read it
    if plan.training_type == TrainingType.PROJECT and plan.project is not None:
        return plan.project.applicant.park
    return None


def _park_refusal(park: IndustrialPark | None, institution: Institution, start: date) -> Refusal | None:
    """4.1: a park on the supported list when the class starts, in the class's city (whose officials review
    its claims and see the park's account)."""
    if park is None:
        return None
    if not park.in_force_on(start):
        return Refusal("park_not_listed", f"园区“{park.name}”在开班日{start}不在沿边临港产业园区支持名单内（第4.1条）",
                       f"park {park.code} is not on the supported list on the class's first day {start} (clause 4.1)")
    if park.city_id != institution.city_id:
        return Refusal("park_other_city", f"园区“{park.name}”不在本机构所在市，不能为其开班（第4.1条）",
                       f"park {park.code} is not in the institution's city (clause 4.1)")
    return None


def _require_class_city_official(actor: User, training: TrainingClass) -> None:
    if actor.role != Role.CITY_OFFICIAL or actor.city_id != training.city_id:
        raise PermissionDenied("只有本班所在市人社局可以审核 / only the class's own city official may review it")


def _locked_submitted(training: TrainingClass) -> TrainingClass:
    locked = TrainingClass.objects.select_for_update().get(pk=training.pk)
    if locked.status != ClassStatus.SUBMITTED:
        raise ValidationError(f"班级状态为“{locked.get_status_display()}”，不在待审核中 / the class is not awaiting review",
                              code="not_submitted")
    return locked


def approval_refusals(training: TrainingClass) -> list[Refusal]:
    """Every reason the class may not be approved as it stands (empty: it may)."""
    refusals = [r for r in (opening_refusal(training.institution, training.start_date),) if r]
    refusals += subject_refusals(training.training_type, training.class_hours, training.occupation, training.level,
                                 training.end_date)
    refusals += teacher_refusals(training.teachers.all(), training.institution, training.start_date,
                                 training.end_date, excluding=training.pk)
    return refusals


def approve_class(actor: User, training: TrainingClass) -> TrainingClass:
    """The city approves the class; refused with every reason when a rule stands in the way (3.1, 3.2)."""
    _require_class_city_official(actor, training)
    with transaction.atomic():
        locked = _locked_submitted(training)
        _fail(approval_refusals(locked))
        before = snapshot(locked, REVIEW_FIELDS)
        locked.status, locked.reviewed_by, locked.reviewed_at = ClassStatus.APPROVED, actor, timezone.now()
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
        record_event(actor, "class.approved", locked, before=before, after=snapshot(locked, REVIEW_FIELDS))
    return locked


def refuse_class(actor: User, training: TrainingClass, reason: str) -> TrainingClass:
    """The city refuses the class, saying why."""
    _require_class_city_official(actor, training)
    if not reason.strip():
        raise ValidationError("不予批准须说明理由 / a refusal needs a reason", code="reason_required")
    with transaction.atomic():
        locked = _locked_submitted(training)
        before = snapshot(locked, REVIEW_FIELDS)
        locked.status, locked.reviewed_by, locked.reviewed_at = ClassStatus.REFUSED, actor, timezone.now()
        locked.review_note = reason.strip()
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note", "updated_at"])
        record_event(actor, "class.refused", locked, before=before, after=snapshot(locked, REVIEW_FIELDS),
                     reason=locked.review_note)
    return locked


FINISHING_STATES = (ClassStatus.APPROVED, ClassStatus.IN_PROGRESS)


def finish_class(actor: User, training: TrainingClass) -> TrainingClass:
    """结业: once its last day has come, the class's institution (or its city official) closes the class.

    Trainees still on the roster have completed it (those who withdrew stay withdrawn); evaluation and
    claims follow (6c: a claim is only made for a finished class). Closing twice changes nothing more.
    """
    from qiancheng.training.models import Enrolment, EnrolmentStatus
    from qiancheng.training.services.enrolment import require_class_staff

    require_class_staff(actor, training)
    with transaction.atomic():
        locked = TrainingClass.objects.select_for_update().get(pk=training.pk)
        if locked.status == ClassStatus.FINISHED:
            return locked
        if locked.status not in FINISHING_STATES:
            raise ValidationError(f"班级状态为“{locked.get_status_display()}”，不能结业 / only an approved or running "
                                  "class is closed", code="not_running")
        if today() < locked.end_date:
            raise ValidationError(f"结业日期为{locked.end_date}，尚未到结业日 / the class ends on {locked.end_date}",
                                  code="not_ended")
        on_roster = Enrolment.objects.filter(training_class=locked, status=EnrolmentStatus.ENROLLED)
        completed = on_roster.filter(enrolled_on__lte=locked.end_date).update(
            status=EnrolmentStatus.COMPLETED, left_on=locked.end_date)
        # Enrolment after the last day is refused now (`require_open`), but rows from before that rule may
        # exist: a completion may not precede its enrolment (enrolment_left_on_iff_left), so theirs is
        # dated on the enrolment day. The 6c gates on attendance still decide whether they can be claimed.
        late = on_roster.filter(enrolled_on__gt=locked.end_date).update(
            status=EnrolmentStatus.COMPLETED, left_on=F("enrolled_on"))
        before = {"status": locked.status}
        locked.status = ClassStatus.FINISHED
        locked.save(update_fields=["status", "updated_at"])
        record_event(actor, "class.finished", locked, before=before,
                     after={"status": locked.status, "completed": completed + late,
                            "enrolled_after_last_day": late})
    return locked
