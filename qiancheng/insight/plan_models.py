"""An industry's training plan (6: 支持行业主管部门分领域制定培训计划并配合实施): the subsidised trainings (人次) an
industry department plans for a year, by occupation. Filed by the department (`insight.industry_plans.file_plan`),
never edited: a change is a new filing, and the newest filing of the industry and year is the plan in force."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class IndustryPlan(models.Model):
    industry = models.ForeignKey("catalog.Industry", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    document = models.CharField(max_length=255, help_text="文号 / the department's document")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField()

    class Meta:
        ordering = ["year", "industry", "-filed_at", "-pk"]
        verbose_name = "行业培训计划 industry training plan"
        constraints = [models.CheckConstraint(condition=~Q(document=""), name="industry_plan_has_document")]

    def __str__(self) -> str:
        return f"{self.industry_id} {self.year} ({self.filed_at:%Y-%m-%d})"


class IndustryPlanLine(models.Model):
    """The trainings planned for one occupation in a filed plan."""

    plan = models.ForeignKey(IndustryPlan, on_delete=models.PROTECT, related_name="lines")
    occupation = models.ForeignKey("catalog.Occupation", on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField(help_text="人次 / subsidised trainings (docs/statistics.md)")

    class Meta:
        ordering = ["plan", "occupation"]
        verbose_name = "行业培训计划明细 industry plan line"
        constraints = [
            models.CheckConstraint(condition=Q(count__gt=0), name="industry_plan_line_count_positive"),
            models.UniqueConstraint(fields=["plan", "occupation"], name="industry_plan_one_line_per_occupation"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.occupation_id} {self.count}"
