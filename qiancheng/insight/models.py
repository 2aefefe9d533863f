"""Targets (1a): the subsidised trainings (人次) a year should reach, for the province or one city.

The plan states the province's yearly targets once (policy/parameters/plan_figures.yaml, 1a); the province
splits a year's target among the cities by a document (文件, 文号), and may raise its own. An entry is never
edited: a change is a new entry from a later day, so the target in force on any past day can be shown again.
The one writer is `insight.services.set_target`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Target(models.Model):
    """From `valid_from` on, `count` trainings is the target of `year` for `city` (None: the whole province),
    until a later entry of the same year and city."""

    year = models.PositiveSmallIntegerField()
    city = models.ForeignKey("catalog.City", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField(help_text="人次 / subsidised trainings (docs/statistics.md)")
    document = models.CharField(max_length=255, help_text="文号 / the document that sets it")
    valid_from = models.DateField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year", "city", "-valid_from", "-pk"]
        verbose_name = "培训目标 target"
        constraints = [
            models.CheckConstraint(condition=Q(count__gt=0), name="target_count_positive"),
            models.CheckConstraint(condition=~Q(document=""), name="target_has_document"),
            models.UniqueConstraint(fields=["year", "city", "valid_from"], name="target_one_per_city_year_day"),
            models.UniqueConstraint(fields=["year", "valid_from"], condition=Q(city__isnull=True),
                                    name="target_one_province_per_year_day"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.city_id or 'province'} {self.count} from {self.valid_from}"

    def in_force_on(self, day: dt.date) -> bool:
        return self.valid_from <= day


class RatingSnapshot(models.Model):
    """An institution's star rating for one month (1c), with every input and the parameters it was computed with,
    so that it can be explained and computed again (docs/star-rating.md). Written once per institution and month
    by `insight.services.rate_month`; in force from its rating day until the next month's snapshot."""

    institution = models.ForeignKey("providers.Institution", on_delete=models.PROTECT, related_name="+")
    city = models.ForeignKey("catalog.City", on_delete=models.PROTECT, related_name="+")
    period = models.DateField(help_text="the rating month's first day")
    rating_day = models.DateField(help_text="the last day of the window: the month's last day, or the day rated")
    stars = models.PositiveSmallIntegerField()
    score = models.DecimalField(max_digits=5, decimal_places=2)
    inputs = models.JSONField()
    parameter_version = models.CharField(max_length=32)
    parameters = models.JSONField()
    computed_at = models.DateTimeField()
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["-period", "city_id", "institution_id"]
        verbose_name = "星级评定 star rating"
        constraints = [
            models.UniqueConstraint(fields=["institution", "period"], name="rating_once_per_institution_month"),
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="rating_stars_1_to_5"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="rating_score_0_to_100"),
        ]
        indexes = [models.Index(fields=["institution", "rating_day"], name="rating_institution_day")]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.period:%Y-%m} {self.stars}★"


class RatingAppealStatus(models.TextChoices):
    PENDING = "pending", _("待复核")
    UPHELD = "upheld", _("维持原星级")
    REVISED = "revised", _("改定星级")


class RatingAppeal(models.Model):
    """An institution's appeal against its rating of one month (1c): once per snapshot (so once per period), with a
    reason, decided by an official of its city (or the province) other than the one who computed the rating. A
    revised appeal sets the stars in force for that month; the snapshot keeps what the formula gave."""

    snapshot = models.OneToOneField(RatingSnapshot, on_delete=models.PROTECT, related_name="appeal")
    institution = models.ForeignKey("providers.Institution", on_delete=models.PROTECT, related_name="+")
    city = models.ForeignKey("catalog.City", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=RatingAppealStatus.choices, default=RatingAppealStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, default="")
    revised_stars = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["filed_at", "pk"]
        verbose_name = "星级申诉 rating appeal"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RatingAppealStatus.values), name="rating_appeal_status_valid"),
            models.CheckConstraint(condition=~Q(reason=""), name="rating_appeal_has_reason"),
            models.CheckConstraint(
                condition=Q(status=RatingAppealStatus.PENDING, decided_by__isnull=True, decided_at__isnull=True)
                | ~Q(status=RatingAppealStatus.PENDING) & Q(decided_by__isnull=False, decided_at__isnull=False)
                & ~Q(decision_note=""),
                name="rating_appeal_decided_iff_not_pending"),
            models.CheckConstraint(
                condition=Q(status=RatingAppealStatus.REVISED, revised_stars__gte=1, revised_stars__lte=5)
                | ~Q(status=RatingAppealStatus.REVISED) & Q(revised_stars__isnull=True),
                name="rating_appeal_revised_stars"),
            models.CheckConstraint(condition=~Q(decided_by=F("filed_by")), name="rating_appeal_not_own_decision"),
        ]

    def __str__(self) -> str:
        return f"appeal {self.snapshot_id} {self.status}"


class ParameterDraft(models.Model):
    """A province official's draft of changed decision parameters (R4 what-if): a list of changes laid over the
    packaged parameters and replayed over stored claims (`insight.what_if`). A draft never decides a real claim:
    nothing reads it but the replay; the parameters in force change only by their own dated path (the packaged
    YAML, a city's uplift entry on /money/ai-uplift/). The one writer is `insight.what_if`."""

    title = models.CharField(max_length=120)
    changes = models.JSONField(default=list, help_text="checked changes, see insight/what_if.py CHANGE_KINDS")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "参数草案 parameter draft"
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="parameter_draft_has_title")]

    def __str__(self) -> str:
        return f"draft {self.pk} {self.title}"


class WhatIfReplayStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("测算中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("未完成")


class WhatIfReplay(models.Model):
    """One replay of a draft over a period, run on the task queue (ADR 0005) and kept with its result, so the
    page and the API answer at once and read it when the worker is done (`insight.what_if.queue_replay`). The
    changes replayed are copied here: the draft may change afterwards, the result stays what it was."""

    draft = models.ForeignKey(ParameterDraft, on_delete=models.PROTECT, related_name="replays")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    date_from = models.DateField()
    date_to = models.DateField()
    changes = models.JSONField(default=list, help_text="the draft's changes when the replay was asked for")
    status = models.CharField(max_length=8, choices=WhatIfReplayStatus.choices, default=WhatIfReplayStatus.QUEUED)
    stage = models.CharField(max_length=16, blank=True, default="", help_text="the last stage finished")
    task_id = models.CharField(max_length=64, blank=True, default="")
    claims = models.PositiveIntegerField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True, help_text="insight.what_if.Replay.to_json()")
    problem_zh = models.TextField(blank=True, default="")
    problem_en = models.TextField(blank=True, default="")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = "参数测算任务 what-if replay"
        constraints = [models.CheckConstraint(condition=Q(date_from__lte=F("date_to")),
                                              name="what_if_replay_period_ordered")]

    def __str__(self) -> str:
        return f"replay {self.pk} of draft {self.draft_id} {self.status}"


# An industry department's training plan (6) and the province's optional targets per training type or programme (1a)
# live in their own modules; importing them here registers them.
from qiancheng.insight.optional_target_models import OptionalTarget  # noqa: E402, F401
from qiancheng.insight.plan_models import IndustryPlan, IndustryPlanLine  # noqa: E402, F401

# The statistics' pre-aggregate (issue 11 item 7) lives in its own module; importing it here registers it.
from qiancheng.insight.statistics_models import (  # noqa: E402, F401
    AggregatedYear,
    CountedTraining,
    DailyTrainings,
    PeopleCount,
    StatisticsRefresh,
)
