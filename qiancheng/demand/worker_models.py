"""The worker side of the census (1c: 技能需求普查 asks workers too) and the consent that lets enterprises find
the trained (1b: matching): a worker's skill gap and training willingness, its dated versions, and the explicit,
revocable consent to be contacted. Imported by `demand.models`, so Django sees them as the demand app's models."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Willingness(models.TextChoices):
    """Whether the worker would take a training for the gap (1c asks 培训意愿)."""

    WILLING = "willing", _("愿意参加培训")
    UNDECIDED = "undecided", _("视情况而定")
    UNWILLING = "unwilling", _("暂不参加")


class ReportedBy(models.TextChoices):
    """Who filed the gap: the worker, or their community or job centre on their behalf (1c)."""

    SELF = "self", _("本人填报")
    ON_BEHALF = "on_behalf", _("社区或就业服务机构代报")


class WorkerNeed(models.Model):
    """One skill gap of one worker: the occupation and level they want, where (county), and whether they would
    train. The same occupation-level again updates it (a new version), as an enterprise's need does."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, db_column="person_key",
                               related_name="worker_needs")
    occupation = models.ForeignKey("catalog.Occupation", on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField()
    county = models.ForeignKey("catalog.County", on_delete=models.PROTECT, related_name="+")
    willingness = models.CharField(max_length=16, choices=Willingness.choices)
    reported_by = models.CharField(max_length=16, choices=ReportedBy.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["person_id", "occupation_id", "level"]
        verbose_name = "劳动者技能需求 worker skill gap"
        constraints = [
            models.UniqueConstraint(fields=["person", "occupation", "level"], name="one_worker_need_per_level"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="worker_need_level_1_to_5"),
            models.CheckConstraint(condition=Q(willingness__in=Willingness.values), name="worker_need_willingness_valid"),
            models.CheckConstraint(condition=Q(reported_by__in=ReportedBy.values), name="worker_need_reported_by_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id[:8]} {self.occupation_id}/{self.level}"


class WorkerNeedVersion(models.Model):
    """What a worker's gap said from `recorded_at` on (1c 动态需求数据库), never edited: one row at creation and
    one for every change, like `DemandReportVersion`."""

    need = models.ForeignKey(WorkerNeed, on_delete=models.PROTECT, related_name="versions")
    county = models.ForeignKey("catalog.County", on_delete=models.PROTECT, related_name="+")
    willingness = models.CharField(max_length=16, choices=Willingness.choices)
    reported_by = models.CharField(max_length=16, choices=ReportedBy.choices)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["need_id", "recorded_at", "pk"]
        verbose_name = "劳动者技能需求版本 worker skill gap version"
        indexes = [models.Index(fields=["need", "recorded_at"], name="worker_need_version_at")]

    def __str__(self) -> str:
        return f"{self.need_id} {self.willingness} @ {self.recorded_at:%Y-%m-%d}"


class ConsentScope(models.TextChoices):
    """What an enterprise may see of a consenting person (PIPL: only what the person agreed to)."""

    PROFILE = "profile", _("企业可查看本人遮蔽后的姓名和证书")
    PHONE = "phone", _("企业还可查看本人手机号")


class ContactConsent(models.Model):
    """A trained person's explicit consent to be contacted by enterprises about jobs (1b), from `given_at` until
    `withdrawn_at`. Never edited but to record the withdrawal; consenting again is a new row, so the history of
    who agreed to what, when, stays."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, db_column="person_key",
                               related_name="contact_consents")
    scope = models.CharField(max_length=16, choices=ConsentScope.choices)
    given_at = models.DateTimeField()
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        ordering = ["person_id", "-given_at", "-pk"]
        verbose_name = "联系授权 contact consent"
        constraints = [
            # one consent in force per person: withdrawing closes it, consenting again opens a new one
            models.UniqueConstraint(fields=["person"], condition=Q(withdrawn_at__isnull=True),
                                    name="one_consent_in_force"),
            models.CheckConstraint(condition=Q(scope__in=ConsentScope.values), name="consent_scope_valid"),
            models.CheckConstraint(condition=Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True)
                                   | Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False,
                                       withdrawn_at__gte=F("given_at")),
                                   name="consent_withdrawal_dated_and_signed"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id[:8]} {self.scope} {'withdrawn' if self.withdrawn_at else 'in force'}"
