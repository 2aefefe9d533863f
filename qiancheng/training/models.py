"""Classes (培训班), real-name enrolment (实名制) and attendance: the facts a claim is decided on (6c)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from qiancheng.catalog.vocabulary import ApplicantRelation, SkillLevel, TrainingType, in_fen, money
from qiancheng.people.models import PersonCategory


def subject_matches_type() -> Q:
    """Exactly the subject its training type needs (3.1-3.4); the other subject fields stay empty.

    Shared by every model that names what was trained with the fields occupation, level, item,
    course_kind and project (classes, claims).
    """
    no_occupation = Q(occupation__isnull=True, level__isnull=True)
    no_item = Q(item__isnull=True)
    no_course = Q(course_kind__isnull=True)
    no_project = Q(project__isnull=True)
    occupational = Q(training_type=TrainingType.OCCUPATIONAL, occupation__isnull=False, level__isnull=False, level__gte=1, level__lte=5)
    return (
        occupational & no_item & no_course & no_project
        | Q(training_type=TrainingType.SPECIAL_ABILITY, item__isnull=False) & no_occupation & no_course & no_project
        | Q(training_type=TrainingType.ENTREPRENEURSHIP, course_kind__isnull=False)
        & no_occupation
        & no_item
        & no_project
        | Q(training_type=TrainingType.PROJECT, project__isnull=False) & no_occupation & no_item & no_course
    )


class ClassStatus(models.TextChoices):
    """A class from the institution's draft to its end."""

    DRAFT = "draft", _("草稿")  # the institution is preparing the plan
    SUBMITTED = "submitted", _("待审核")  # waiting for the city bureau's approval
    APPROVED = "approved", _("已批准")  # may start on its start date
    REFUSED = "refused", _("未批准")  # refused at review, with the reason
    IN_PROGRESS = "in_progress", _("培训中")  # started; attendance is being recorded
    FINISHED = "finished", _("已结业")  # ended; evaluation and claims follow
    CANCELLED = "cancelled", _("已取消")  # withdrawn before it finished


class TrainingForm(models.TextChoices):
    """The form of training of 二、培训对象 (2.1a for key groups, 2.2 for enterprise employees), recorded on
    every class opened from the statistics release on; older classes have none ("")."""

    EMPLOYMENT_SKILLS = "employment_skills", _("就业技能培训")  # 2.1a
    PRE_JOB = "pre_job", _("岗前培训")  # 2.1a
    JOB_TRANSFER = "job_transfer", _("转岗培训")  # 2.2
    SKILL_UPGRADE = "skill_upgrade", _("岗位技能提升培训")  # 2.2


def default_training_form(training_type: str) -> str:
    """The form a class of `training_type` has when the institution states none, where the type makes it plain:
    an occupational or special-ability class open to anyone trains for a job (就业技能培训, 2.1a). An
    entrepreneurship course is none of the four; a project class trains a company's own staff or recruits,
    which only the institution can say (岗前 or 岗位技能提升), so it stays unstated."""
    if training_type in (TrainingType.OCCUPATIONAL, TrainingType.SPECIAL_ABILITY):
        return TrainingForm.EMPLOYMENT_SKILLS
    return ""


# A class in one of these states has been approved (3.2 applies to all of them).
APPROVED_STATES = (ClassStatus.APPROVED, ClassStatus.IN_PROGRESS, ClassStatus.FINISHED)


class TrainingClass(models.Model):
    name = models.CharField(max_length=128)
    institution = models.ForeignKey("providers.Institution", on_delete=models.PROTECT, related_name="classes")
    city = models.ForeignKey("catalog.City", on_delete=models.PROTECT, related_name="classes")
    training_type = models.CharField(max_length=24, choices=TrainingType.choices)
    # What is taught: exactly the field(s) its training type needs (3.1-3.4), the others empty.
    occupation = models.ForeignKey(
        "catalog.Occupation", null=True, blank=True, on_delete=models.PROTECT, related_name="classes"
    )
    level = models.PositiveSmallIntegerField(choices=SkillLevel.choices, null=True, blank=True)
    item = models.ForeignKey(
        "catalog.SpecialAbilityItem", null=True, blank=True, on_delete=models.PROTECT, related_name="classes"
    )
    course_kind = models.ForeignKey(
        "catalog.CourseKind", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.PROTECT, related_name="classes"
    )
    # 4.1: the border/port park the class is delivered for; that park's own allocation pays its claims.
    park = models.ForeignKey(
        "catalog.IndustrialPark", null=True, blank=True, on_delete=models.PROTECT, related_name="classes"
    )
    # 2.1 / 2.2: the form of training ("" on classes opened before it was recorded), for the statistics (6a).
    training_form = models.CharField(max_length=24, choices=TrainingForm.choices, blank=True, default="")
    # 1a "1+19": the industry the class trains for, when the institution states it (the industry
    # department's statistics and plan read it, 6a).
    industry = models.ForeignKey("catalog.Industry", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    start_date = models.DateField()
    end_date = models.DateField()
    class_hours = models.PositiveIntegerField(help_text="课时")
    teaching_plan = models.TextField(blank=True, default="")
    assessment_plan = models.TextField(blank=True, default="")
    venue = models.CharField(max_length=256, blank=True, default="")
    # 5.4: 政府补一点、企业出一点、个人拿一点 — the parts add up to the total.
    cost_total = money(default=0)
    cost_government = money(default=0)
    cost_enterprise = money(default=0)
    cost_individual = money(default=0)
    programme_tags = models.ManyToManyField("catalog.ProgrammeTag", blank=True, related_name="classes")
    teachers = models.ManyToManyField("providers.Teacher", blank=True, related_name="classes")
    status = models.CharField(max_length=16, choices=ClassStatus.choices, default=ClassStatus.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = "培训班 training class"
        indexes = [models.Index(fields=["city", "status", "end_date"], name="class_city_status_end")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ClassStatus.values), name="class_status_valid"),
            models.CheckConstraint(condition=Q(training_form__in=["", *TrainingForm.values]),
                                   name="class_training_form_valid"),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="class_ends_after_start"),
            models.CheckConstraint(condition=Q(class_hours__gte=0), name="class_hours_not_negative"),
            models.CheckConstraint(condition=subject_matches_type(), name="class_subject_matches_type"),
            # 3.2's minimum class hours is a dated figure (policy plan_figures.yaml), so the one writer of an
            # approval (services.classes) checks it, not a constraint that would state the number a second time.
            models.CheckConstraint(
                condition=Q(cost_total__gte=0, cost_government__gte=0, cost_enterprise__gte=0, cost_individual__gte=0),
                name="class_costs_not_negative",
            ),
            models.CheckConstraint(
                condition=Exact(
                    in_fen(F("cost_government") + F("cost_enterprise") + F("cost_individual")), in_fen(F("cost_total"))
                ),
                name="class_cost_split_adds_up",
            ),
            models.CheckConstraint(
                condition=~Q(status=ClassStatus.REFUSED) | ~Q(review_note=""), name="class_refusal_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start_date}–{self.end_date})"


class EnrolmentStatus(models.TextChoices):
    """A trainee's place in a class."""

    ENROLLED = "enrolled", _("在册")  # on the roster
    WITHDRAWN = "withdrawn", _("已退出")  # left before the end; no claim
    COMPLETED = "completed", _("已结业")  # attended to the end; may be evaluated


class Enrolment(models.Model):
    """A real-name place (实名制) of one person in one class, with the facts as they were at enrolment."""

    training_class = models.ForeignKey(TrainingClass, on_delete=models.PROTECT, related_name="enrolments")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, db_column="person_key", related_name="enrolments"
    )
    # 2.1a: the category at enrolment, and what shows it (kind and number, e.g. 失业登记证 4501…) and its date.
    category = models.CharField(max_length=32, choices=PersonCategory.choices)
    category_evidence = models.CharField(max_length=256, blank=True, default="")
    category_evidence_date = models.DateField(null=True, blank=True)
    # 5.3: receiving unemployment-insurance benefit at enrolment routes the claim to the UI fund; the
    # evidence is the benefit's document (e.g. 失业保险金核定通知 and its number) and its date.
    receiving_unemployment_benefit = models.BooleanField(default=False)
    benefit_evidence = models.CharField(max_length=128, blank=True, default="")
    benefit_evidence_date = models.DateField(null=True, blank=True)
    # 3.3: the business licence seen at enrolment (its USCC and date of issue); IYB/EYB claims read it.
    business_licence_uscc = models.CharField(max_length=18, blank=True, default="")
    business_licence_issued_on = models.DateField(null=True, blank=True)
    # 3.4e: project classes only; other classes keep "none". The evidence is e.g. the labour contract
    # or the hiring agreement (kind and number) and its date.
    applicant_relation = models.CharField(
        max_length=24, choices=ApplicantRelation.choices, default=ApplicantRelation.NONE
    )
    relation_evidence = models.CharField(max_length=128, blank=True, default="")
    relation_evidence_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED)
    enrolled_on = models.DateField()
    left_on = models.DateField(null=True, blank=True, help_text="withdrawal or completion date")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["training_class_id", "enrolled_on"]
        verbose_name = "学员报名 enrolment"
        constraints = [
            models.UniqueConstraint(fields=["training_class", "person"], name="enrolment_once_per_class"),
            models.CheckConstraint(condition=Q(status__in=EnrolmentStatus.values), name="enrolment_status_valid"),
            models.CheckConstraint(condition=Q(category__in=PersonCategory.values), name="enrolment_category_valid"),
            models.CheckConstraint(
                condition=Q(applicant_relation__in=ApplicantRelation.values), name="enrolment_relation_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=EnrolmentStatus.ENROLLED, left_on__isnull=True)
                | ~Q(status=EnrolmentStatus.ENROLLED) & Q(left_on__isnull=False, left_on__gte=F("enrolled_on")),
                name="enrolment_left_on_iff_left",
            ),
            # 3.3: a licence is its USCC with its date of issue, or nothing (the service checks the USCC).
            models.CheckConstraint(
                condition=Q(business_licence_uscc="", business_licence_issued_on__isnull=True)
                | ~Q(business_licence_uscc="") & Q(business_licence_issued_on__isnull=False),
                name="enrolment_licence_uscc_with_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.training_class_id}/{self.person_id[:8]}"


class AttendanceRecord(models.Model):
    """One session day of one trainee: the evidence behind a claim's class hours (6c)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="attendance")
    # Repeats enrolment.person so attendance is stored beside its person when the database is distributed.
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, db_column="person_key", related_name="+")
    session_date = models.DateField()
    present = models.BooleanField()
    hours = models.DecimalField(max_digits=4, decimal_places=1, default=0)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["enrolment_id", "session_date"]
        verbose_name = "考勤 attendance record"
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "session_date"], name="attendance_once_per_day"),
            models.CheckConstraint(
                condition=Q(hours__gte=0, hours__lte=24) & (Q(present=True) | Q(hours=0)),
                name="attendance_hours_0_24_and_absent_is_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.session_date} {'✓' if self.present else '✗'}"


class ImportStatus(models.TextChoices):
    """An uploaded roster's way from file to enrolments (STYLE 8: imports are jobs)."""

    RECEIVED = "received", _("已接收")  # the file passed the upload checks; rows not yet checked
    VALIDATED = "validated", _("已校验")  # every row checked; good rows wait for an official to apply
    APPLIED = "applied", _("已导入")  # the good rows are enrolled (one transaction)
    REJECTED = "rejected", _("已拒收")  # the file was refused, or the official discarded the job


class ImportJob(models.Model):
    """One uploaded roster (.xlsx) for one class: its checks, its bad rows and, once applied, its enrolments.

    Good rows wait here between validation and apply with their personal data sealed (ADR 0001): the
    clear ID number and phone never reach the database.
    """

    training_class = models.ForeignKey(TrainingClass, on_delete=models.PROTECT, related_name="import_jobs")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveIntegerField(default=0)
    # The uploaded file, sealed like the good rows (it holds clear ID numbers), only while it waits for the
    # task queue's worker to check it (ADR 0005); emptied in the transaction that records the check.
    sealed_upload = models.TextField(blank=True, default="")
    # The django-tasks result that checks this upload: the page and the API read its state as the progress.
    check_task_id = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.RECEIVED)
    row_count = models.PositiveIntegerField(default=0)
    good_count = models.PositiveIntegerField(default=0)
    bad_count = models.PositiveIntegerField(default=0)
    applied_count = models.PositiveIntegerField(default=0, help_text="persons newly enrolled by the apply")
    # [{"row", "column", "code", "zh", "en"}], row numbers as the spreadsheet shows them (header = 1)
    problems = models.JSONField(default=list, blank=True)
    good_rows = models.JSONField(default=list, blank=True)
    rejection_reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "名册导入 roster import job"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ImportStatus.values), name="import_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=ImportStatus.REJECTED) | ~Q(rejection_reason=""), name="import_rejection_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status=ImportStatus.APPLIED) | Q(applied_at__isnull=False), name="import_applied_has_time"
            ),
            models.CheckConstraint(
                condition=Q(good_count__lte=F("row_count"), bad_count__lte=F("row_count")),
                name="import_counts_within_rows",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"


class AttendanceThreshold(models.Model):
    """A city's own minimum attendance rate from a date on (local practice; the plan sets none).

    Without an entry for its city, a class takes the province-wide default in
    `training/services/attendance.py` (80% from 2025-01-01). A new value is a new row from a later date;
    earlier classes keep the value in force on their last day.
    """

    city = models.ForeignKey("catalog.City", on_delete=models.PROTECT, related_name="attendance_thresholds")
    effective_from = models.DateField()
    rate = models.DecimalField(max_digits=3, decimal_places=2, help_text="0.50-1.00")
    source = models.CharField(max_length=256, help_text="the city's document, e.g. 南人社发〔2025〕12号")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["city", "-effective_from"]
        verbose_name = "出勤率阈值 attendance threshold"
        constraints = [
            models.UniqueConstraint(fields=["city", "effective_from"], name="attendance_threshold_one_per_day"),
            models.CheckConstraint(condition=Q(rate__gte=0.5, rate__lte=1), name="attendance_threshold_rate_range"),
            models.CheckConstraint(condition=~Q(source=""), name="attendance_threshold_has_source"),
        ]

    def __str__(self) -> str:
        return f"{self.city_id} {self.rate} from {self.effective_from}"


# Follow-up after a class (1e) lives in its own module; importing it here registers it.
from qiancheng.training.follow_up_models import (  # noqa: E402, F401
    EMPLOYED_STATUSES,
    FOLLOW_UP_MONTHS,
    EmploymentFollowUp,
    EmploymentStatus,
    RecorderRole,
)
