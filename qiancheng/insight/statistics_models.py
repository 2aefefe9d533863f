"""The statistics' pre-aggregate (issue 11 item 7, docs/statistics.md "The pre-aggregate"): what the statistics page,
its API and the officials' progress blocks read instead of the claims, so that they answer in milliseconds over a
province of millions of claims.

Three tables, all written by one service (`insight.statistics_refresh.refresh`), in one transaction per refresh, from
the counted claims (`insight.figures.counted_claims`, the one definition of 人次), so they always agree with each other
and are exactly what a count of the claims gave at the refresh:

- `CountedTraining`: one row per counted claim, with every dimension the page filters or breaks down by written out
  (no join left to do). The source of the two tables below, and of the distinct people of a filter combination the
  people table does not hold.
- `DailyTrainings`: per day (the training's end date) × every dimension, the trainings, the key-group trainings and
  the subsidy decided. Any filter and any breakdown of trainings, key groups and money is a sum over these rows.
- `PeopleCount`: distinct people, which cannot be added up from days: per year, per period (the year or one month),
  per scope (the province, one city, one industry: the page as each reader first opens it), per breakdown.

`AggregatedYear` says when each year was last refreshed (the page's "数据更新于"); `StatisticsRefresh` is the
refresh's job (queued, running, done, failed) on the task queue (ADR 0005).

The dimensions are stored as plain codes, not foreign keys: the aggregate must never hold a catalogue row or an
institution in place, and it is rebuilt from the claims whenever in doubt (`qiancheng refresh_statistics --full`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

AMOUNT = {"max_digits": 16, "decimal_places": 2}


class _Dimensions(models.Model):
    """The columns the statistics filter and group by; the same names on both fact tables, so one filter function
    narrows either (statistics._narrowed)."""

    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    day = models.DateField(help_text="the training's end date (docs/statistics.md: its year and month count)")
    city = models.CharField(max_length=6, blank=True, default="", help_text="the claim's city")
    county = models.CharField(max_length=6, blank=True, default="", help_text="the trainee's county of ID (户籍)")
    training_type = models.CharField(max_length=24)
    training_form = models.CharField(max_length=24, blank=True, default="", help_text="the class's; '' not recorded")
    fund = models.CharField(max_length=32)
    category = models.CharField(max_length=32, blank=True, default="", help_text="the person's category at enrolment")
    key_group = models.BooleanField(help_text="category is one of policy.vocabulary.KEY_GROUPS (2.1b)")
    occupation = models.CharField(max_length=16, blank=True, default="")
    industry = models.CharField(max_length=32, blank=True, default="", help_text="the class's; '' not recorded")
    institution = models.IntegerField(null=True, blank=True)
    programme_tags = models.CharField(max_length=512, blank=True, default="",
                                      help_text="the class's programme tags as ',a,b,' ('' none)")

    class Meta:
        abstract = True


class CountedTraining(_Dimensions):
    """One counted claim (一人次) as of the last refresh of its year."""

    claim_id = models.BigIntegerField()
    person_key = models.CharField(max_length=64)
    amount = models.DecimalField(**AMOUNT, help_text="the decided total_amount, yuan")

    class Meta:
        verbose_name = "统计明细（按申领）counted training"
        indexes = [models.Index(fields=["year", "month"], name="insight_counted_year_month")]

    def __str__(self) -> str:
        return f"claim {self.claim_id} ({self.day})"


class DailyTrainings(_Dimensions):
    """Trainings of one day and one combination of the dimensions."""

    trainings = models.PositiveIntegerField()
    key_group_trainings = models.PositiveIntegerField()
    amount = models.DecimalField(**AMOUNT, help_text="yuan")

    class Meta:
        verbose_name = "每日培训汇总 daily trainings"
        indexes = [models.Index(fields=["year", "month"], name="insight_daily_year_month")]

    def __str__(self) -> str:
        return f"{self.day} {self.city}: {self.trainings}"


class PeopleCount(models.Model):
    """Distinct people of a year (month 0) or one month, in one scope, per value of one breakdown (dimension ''
    is the whole selection)."""

    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField(help_text="0: the whole year")
    scope = models.CharField(max_length=48, blank=True, default="",
                             help_text="'' the province; 'city:<code>'; 'industry:<code>'")
    dimension = models.CharField(max_length=24, blank=True, default="", help_text="'' the total; else a breakdown")
    key = models.CharField(max_length=32, blank=True, default="", help_text="the breakdown's value; '' not recorded")
    people = models.PositiveIntegerField()

    class Meta:
        verbose_name = "培训人数汇总 people count"
        indexes = [models.Index(fields=["year", "month", "scope", "dimension"], name="insight_people_lookup")]

    def __str__(self) -> str:
        return f"{self.year}-{self.month} {self.scope} {self.dimension}={self.key}: {self.people}"


class AggregatedYear(models.Model):
    """A year of the pre-aggregate: when it was last refreshed and how many trainings it then held."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    refreshed_at = models.DateTimeField()
    trainings = models.PositiveIntegerField()
    refresh = models.ForeignKey("insight.StatisticsRefresh", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "已汇总年度 aggregated year"

    def __str__(self) -> str:
        return f"{self.year} as of {self.refreshed_at:%Y-%m-%d %H:%M}"


class StatisticsRefreshStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("汇总中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("未完成")


class StatisticsRefresh(models.Model):
    """One refresh of the pre-aggregate: which years (empty: every year, rebuilt from scratch), why, and how it went."""

    years = models.JSONField(default=list, blank=True, help_text="the years refreshed; [] with every_year")
    every_year = models.BooleanField(default=False, help_text="a full rebuild: every year, from scratch")
    trigger = models.CharField(max_length=32, help_text="claims_changed, periodic, rebuild, ...")
    status = models.CharField(max_length=8, choices=StatisticsRefreshStatus.choices,
                              default=StatisticsRefreshStatus.QUEUED)
    requested_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True, default="")
    trainings = models.PositiveIntegerField(default=0, help_text="counted claims written")
    daily_rows = models.PositiveIntegerField(default=0)
    people_rows = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = "统计汇总刷新 statistics refresh"
        indexes = [models.Index(fields=["status", "requested_at"], name="insight_refresh_status")]

    def __str__(self) -> str:
        return f"refresh {self.pk} ({'every year' if self.every_year else self.years}): {self.status}"
