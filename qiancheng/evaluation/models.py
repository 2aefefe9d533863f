"""Evaluations (技能评价) and the certificates they yield; certificates are history for 3.5d."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from qiancheng.catalog.vocabulary import SkillLevel


class Evaluation(models.Model):
    """One assessment of one enrolment; a resit is another evaluation on another day."""

    enrolment = models.ForeignKey("training.Enrolment", on_delete=models.PROTECT, related_name="evaluations")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, db_column="person_key", related_name="+")
    passed = models.BooleanField()
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    evaluated_on = models.DateField()
    evaluator = models.CharField(max_length=128, help_text="评价机构 the body that assessed")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["enrolment_id", "evaluated_on"]
        verbose_name = "评价 evaluation"
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "evaluated_on"], name="evaluation_once_per_day"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100), name="evaluation_score_0_to_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.evaluated_on} {'pass' if self.passed else 'fail'}"


class CertificateKind(models.TextChoices):
    """What a certificate attests; each kind names its subject with different fields."""

    VOCATIONAL_SKILL_LEVEL = "vocational_skill_level", _("职业技能等级证书")  # occupation+level
    SPECIAL_ABILITY = "special_ability", _("专项职业能力证书")  # item
    ENTREPRENEURSHIP = "entrepreneurship", _("创业培训合格证书")  # course kind
    PROJECT_TRAINING = "project_training", _("项目制培训合格证书")  # project, after 3.4d
    # 4.6: 一培双考双证 — e.g. the civil-aviation drone licence issued beside the skill certificate.
    OTHER_AUTHORITY = "other_authority", _("其他部门证书")


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("有效")  # held; counts for 3.5d and verifies publicly
    REVOKED = "revoked", _("已撤销")  # withdrawn (e.g. fraud, 6d); no longer held from revoked_on


def _subject_matches_kind() -> Q:
    """Each kind names its subject with its own field(s); the other subject fields stay empty."""
    no_occupation = Q(occupation__isnull=True, level__isnull=True)
    no_item = Q(item__isnull=True)
    no_course = Q(course_kind__isnull=True)
    no_project = Q(project__isnull=True)
    skill_level = Q(kind=CertificateKind.VOCATIONAL_SKILL_LEVEL, occupation__isnull=False, level__isnull=False, level__gte=1, level__lte=5)
    return (
        skill_level & no_item & no_course & no_project
        | Q(kind=CertificateKind.SPECIAL_ABILITY, item__isnull=False) & no_occupation & no_course & no_project
        | Q(kind=CertificateKind.ENTREPRENEURSHIP, course_kind__isnull=False)
        & no_occupation
        & no_item
        & no_project
        | Q(kind=CertificateKind.PROJECT_TRAINING, project__isnull=False) & no_occupation & no_item & no_course
        # another authority's certificate may name an occupation (the drone licence does) but needs a title
        | Q(kind=CertificateKind.OTHER_AUTHORITY) & ~Q(title="")
    )


class Certificate(models.Model):
    """A certificate held by a person. One evaluation may yield two (4.2 一试双证, 4.6 一培双考双证)."""

    number = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=32, choices=CertificateKind.choices)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, db_column="person_key", related_name="certificates"
    )
    occupation = models.ForeignKey(
        "catalog.Occupation", null=True, blank=True, on_delete=models.PROTECT, related_name="certificates"
    )
    level = models.PositiveSmallIntegerField(choices=SkillLevel.choices, null=True, blank=True)
    item = models.ForeignKey(
        "catalog.SpecialAbilityItem", null=True, blank=True, on_delete=models.PROTECT, related_name="certificates"
    )
    course_kind = models.ForeignKey(
        "catalog.CourseKind", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.PROTECT, related_name="certificates"
    )
    title = models.CharField(max_length=128, blank=True, default="", help_text="as printed, for other kinds")
    issuer = models.CharField(max_length=128, help_text="发证机构")
    issued_on = models.DateField()
    evaluation = models.ForeignKey(
        Evaluation, null=True, blank=True, on_delete=models.PROTECT, related_name="certificates"
    )
    status = models.CharField(max_length=16, choices=CertificateStatus.choices, default=CertificateStatus.VALID)
    revoked_on = models.DateField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "number"]
        verbose_name = "证书 certificate"
        indexes = [models.Index(fields=["person", "occupation", "level"], name="certificate_person_subject")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CertificateKind.values), name="certificate_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=CertificateStatus.values), name="certificate_status_valid"
            ),
            models.CheckConstraint(condition=_subject_matches_kind(), name="certificate_subject_matches_kind"),
            models.CheckConstraint(
                condition=Q(status=CertificateStatus.VALID, revoked_on__isnull=True)
                | Q(status=CertificateStatus.REVOKED, revoked_on__isnull=False, revoked_on__gte=F("issued_on")) & ~Q(revoked_reason=""),
                name="certificate_revocation_dated_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.get_kind_display()})"
