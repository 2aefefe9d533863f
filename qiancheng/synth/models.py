"""The record of each synthetic province written into the database, so a re-run can find it."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SynthRunStatus(models.TextChoices):
    """Where a load of the synthetic province stands."""

    LOADING = "loading", _("写入中")  # rows are being written (a crash leaves this; --reset clears it)
    COMPLETED = "completed", _("已完成")  # every row is written; a re-run with the same seed reuses it


class SynthRun(models.Model):
    """One synthetic province in this database: its seed and size, and the row-id ranges it wrote.

    `written` maps a model label to the [first, last] primary keys inserted (persons: their count, since
    their keys are hashes), so `--reset` removes exactly the synthetic rows and nothing an official entered.
    """

    seed = models.BigIntegerField()
    people = models.PositiveIntegerField()
    as_of = models.DateField()
    status = models.CharField(max_length=16, choices=SynthRunStatus.choices, default=SynthRunStatus.LOADING)
    counts = models.JSONField(default=dict, blank=True)
    written = models.JSONField(default=dict, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "合成省份 synthetic province run"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=SynthRunStatus.values), name="synth_run_status_valid"),
            models.CheckConstraint(condition=Q(people__gte=1), name="synth_run_people_positive"),
        ]

    def __str__(self) -> str:
        return f"seed {self.seed}, {self.people} people ({self.status})"
