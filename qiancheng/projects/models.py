"""Project training (项目制培训, 3.4): from an enterprise's application to the joint confirmation of effect."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ProjectStatus(models.TextChoices):
    """3.4b: draft → submitted → approved/rejected → published → closed."""

    DRAFT = "draft", _("草稿")  # the applicant is still writing it
    SUBMITTED = "submitted", _("已提交")  # waiting for the city bureau's review
    APPROVED = "approved", _("已批准")  # approved, not yet in the public catalogue
    REJECTED = "rejected", _("未批准")  # refused, with the reviewer's reason
    PUBLISHED = "published", _("已发布")  # in the public catalogue; institutions may apply; classes run
    CLOSED = "closed", _("已结束")  # taken out of the catalogue; no new classes


class TraineeLink(models.TextChoices):
    """3.4e: whom the project trains, relative to the applicant."""

    EMPLOYEES = "employees", _("本企业职工")
    PROSPECTIVE_HIRES = "prospective_hires", _("拟招用人员")
    BOTH = "both", _("两者")


class Project(models.Model):
    """3.4a: an application by a key industry, park or enterprise for training with no national standard."""

    code = models.CharField(
        max_length=32, unique=True, null=True, blank=True, help_text="catalogue ID, given on approval"
    )
    applicant = models.ForeignKey("demand.Enterprise", on_delete=models.PROTECT, related_name="projects")
    city = models.ForeignKey("catalog.City", on_delete=models.PROTECT, related_name="projects")
    title = models.CharField(max_length=128)
    headcount = models.PositiveIntegerField()
    skill_requirements = models.TextField()
    content = models.TextField()
    duration_hours = models.PositiveIntegerField()
    method = models.CharField(max_length=128, help_text="培训方式, e.g. 线下集中 + 岗位实操")
    expected_effect = models.TextField()
    trainee_link = models.CharField(max_length=24, choices=TraineeLink.choices)
    programme_tags = models.ManyToManyField("catalog.ProgrammeTag", blank=True, related_name="projects")
    status = models.CharField(max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True, default="")
    published_on = models.DateField(null=True, blank=True)
    # 3.4c: the institution chosen on merit among those that applied, and why.
    chosen_institution = models.ForeignKey(
        "providers.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    choice_reason = models.TextField(blank=True, default="")
    # 3.4d: both the bureau and the applicant confirm the effect before certificates are issued.
    city_confirmed_effect = models.BooleanField(default=False)
    city_confirmed_on = models.DateField(null=True, blank=True)
    applicant_confirmed_effect = models.BooleanField(default=False)
    applicant_confirmed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "项目制培训项目 project"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ProjectStatus.values), name="project_status_valid"),
            models.CheckConstraint(condition=Q(trainee_link__in=TraineeLink.values), name="project_link_valid"),
            models.CheckConstraint(condition=Q(headcount__gt=0), name="project_headcount_positive"),
            models.CheckConstraint(condition=Q(duration_hours__gt=0), name="project_duration_positive"),
            models.CheckConstraint(
                condition=~Q(status__in=[ProjectStatus.APPROVED, ProjectStatus.PUBLISHED, ProjectStatus.CLOSED])
                | Q(code__isnull=False),
                name="project_approved_has_code",
            ),
            models.CheckConstraint(
                condition=~Q(status=ProjectStatus.REJECTED) | ~Q(review_note=""),
                name="project_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(chosen_institution__isnull=True)
                | Q(status__in=[ProjectStatus.PUBLISHED, ProjectStatus.CLOSED]) & ~Q(choice_reason=""),
                name="project_choice_published_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(city_confirmed_effect=True, city_confirmed_on__isnull=False)
                | Q(city_confirmed_effect=False, city_confirmed_on__isnull=True),
                name="project_city_confirmation_dated",
            ),
            models.CheckConstraint(
                condition=Q(applicant_confirmed_effect=True, applicant_confirmed_on__isnull=False)
                | Q(applicant_confirmed_effect=False, applicant_confirmed_on__isnull=True),
                name="project_applicant_confirmation_dated",
            ),
            models.CheckConstraint(
                condition=Q(city_confirmed_effect=False, applicant_confirmed_effect=False)
                | Q(status__in=[ProjectStatus.PUBLISHED, ProjectStatus.CLOSED], chosen_institution__isnull=False),
                name="project_confirmed_only_after_delivery",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code or '—'} {self.title}"

    @property
    def effect_confirmed(self) -> bool:
        """3.4d: both parties confirmed; project-training certificates may be issued."""
        return self.city_confirmed_effect and self.applicant_confirmed_effect


class DeliveryApplicationStatus(models.TextChoices):
    """An institution's voluntary application to deliver a published project (3.4c)."""

    APPLIED = "applied", _("已申请")  # waiting for the bureau's choice
    CHOSEN = "chosen", _("已选定")  # the bureau chose this institution
    NOT_CHOSEN = "not_chosen", _("未选定")  # another institution was chosen
    WITHDRAWN = "withdrawn", _("已撤回")  # the institution took its application back


class DeliveryApplication(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="delivery_applications")
    institution = models.ForeignKey(
        "providers.Institution", on_delete=models.PROTECT, related_name="delivery_applications"
    )
    statement = models.TextField(help_text="how the institution meets the published conditions")
    status = models.CharField(
        max_length=16, choices=DeliveryApplicationStatus.choices, default=DeliveryApplicationStatus.APPLIED
    )
    applied_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project_id", "applied_at"]
        verbose_name = "承训申请 delivery application"
        constraints = [
            models.UniqueConstraint(fields=["project", "institution"], name="delivery_application_once"),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(status=DeliveryApplicationStatus.CHOSEN),
                name="delivery_one_chosen_per_project",
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryApplicationStatus.values), name="delivery_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} ← {self.institution_id} ({self.status})"
