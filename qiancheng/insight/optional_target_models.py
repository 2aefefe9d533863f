"""Optional targets (1a: 可按培训类型、专项培训设定目标): the subsidised trainings (人次) the province aims at in a year for
one training type (3.1–3.4) or one programme of clause 4 (a `catalog.ProgrammeTag`: the 4.x special programmes, the
AI and advanced-manufacturing pilots). An industry's target is its department's plan (`plan_models`), not one of these.

Set by a province official with the document's number, from a day; never edited: a change is a new entry from a
later day, and the newest entry in force on a day counts (as `Target`). The one writer is
`insight.optional_targets.set_optional_target`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from qiancheng.catalog.vocabulary import TrainingType


class OptionalTarget(models.Model):
    """From `valid_from` on, `count` trainings is the province's target of `year` for one training type or one
    programme tag (exactly one of the two), until a later entry for the same year and subject."""

    year = models.PositiveSmallIntegerField()
    training_type = models.CharField(max_length=20, choices=TrainingType.choices, blank=True, default="")
    programme_tag = models.ForeignKey("catalog.ProgrammeTag", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    count = models.PositiveIntegerField(help_text="人次 / subsidised trainings (docs/statistics.md)")
    document = models.CharField(max_length=255, help_text="文号 / the document that sets it")
    valid_from = models.DateField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year", "training_type", "programme_tag", "-valid_from", "-pk"]
        verbose_name = "分类培训目标 optional target"
        constraints = [
            models.CheckConstraint(condition=Q(count__gt=0), name="optional_target_count_positive"),
            models.CheckConstraint(condition=~Q(document=""), name="optional_target_has_document"),
            # One subject: a training type, or a programme tag, never both and never neither.
            models.CheckConstraint(
                condition=Q(training_type__in=TrainingType.values, programme_tag__isnull=True)
                | Q(training_type="", programme_tag__isnull=False),
                name="optional_target_one_subject"),
            models.UniqueConstraint(fields=["year", "training_type", "valid_from"], condition=~Q(training_type=""),
                                    name="optional_target_one_per_type_year_day"),
            models.UniqueConstraint(fields=["year", "programme_tag", "valid_from"],
                                    condition=Q(programme_tag__isnull=False),
                                    name="optional_target_one_per_tag_year_day"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.training_type or self.programme_tag_id} {self.count} from {self.valid_from}"
