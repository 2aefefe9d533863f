"""Follow-up after a class (跟踪服务, 1e: "培训—就业—跟踪服务"长效机制, beyond 5.2c's one employment proof): each
trainee's employment status 3, 6 and 12 months after the class ends, recorded by the institution, the city or the
trainee. Imported by `training.models`, so Django sees it as the training app's model."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The checkpoints the issue names (1e asks for follow-up; the plan gives no months, so they are these three).
FOLLOW_UP_MONTHS = (3, 6, 12)


class EmploymentStatus(models.TextChoices):
    """Where the trainee stands at a checkpoint; the first two count as employed."""

    EMPLOYED = "employed", _("受雇就业")
    SELF_EMPLOYED = "self_employed", _("自主创业或灵活就业")
    NOT_EMPLOYED = "not_employed", _("未就业")
    UNREACHABLE = "unreachable", _("无法联系")


EMPLOYED_STATUSES = (EmploymentStatus.EMPLOYED, EmploymentStatus.SELF_EMPLOYED)


class RecorderRole(models.TextChoices):
    INSTITUTION = "institution", _("培训机构")
    CITY = "city", _("市人社局")
    TRAINEE = "trainee", _("学员本人")


class EmploymentFollowUp(models.Model):
    """One trainee's status at one checkpoint after one class; recorded again, it is replaced (audited)."""

    enrolment = models.ForeignKey("training.Enrolment", on_delete=models.PROTECT, related_name="follow_ups")
    # Repeats enrolment.person so the row lives beside its person when the database is distributed.
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, db_column="person_key", related_name="+")
    months = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=EmploymentStatus.choices)
    employer = models.CharField(max_length=128, blank=True, default="", help_text="用人单位或经营项目")
    observed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorder_role = models.CharField(max_length=16, choices=RecorderRole.choices)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["enrolment_id", "months"]
        verbose_name = "就业跟踪 employment follow-up"
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "months"], name="follow_up_once_per_checkpoint"),
            models.CheckConstraint(condition=Q(months__in=FOLLOW_UP_MONTHS), name="follow_up_months_3_6_12"),
            models.CheckConstraint(condition=Q(status__in=EmploymentStatus.values), name="follow_up_status_valid"),
            models.CheckConstraint(condition=Q(recorder_role__in=RecorderRole.values), name="follow_up_recorder_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} +{self.months}m {self.status}"
