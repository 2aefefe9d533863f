"""Enterprises and industrial parks that report skills demand (1c, 4.1) and apply for projects (3.4a);
census rounds (技能需求普查, 1c) and the demand reports filed in them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

# Sanity bounds, not rules of the plan: a typo of 1,000,000 workers or a monthly wage of a million yuan is
# refused rather than believed.
HEADCOUNT_MAX = 100_000
WAGE_MAX = 1_000_000
CONTENT_MAX = 200


class EnterpriseStatus(models.TextChoices):
    """Where an enterprise's registration stands with its city (1c: 各市审核)."""

    APPLIED = "applied", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("不予通过")


class Enterprise(models.Model):
    """An employer (企业) or a park's operating company (园区运营主体); identified by its USCC."""

    name = models.CharField(max_length=128)
    uscc = models.CharField(max_length=18, unique=True, help_text="统一社会信用代码 GB 32100")
    city = models.ForeignKey("catalog.City", on_delete=models.PROTECT, related_name="enterprises")
    # 4.1: parks report demand and hold their own fund allocations.
    park = models.ForeignKey(
        "catalog.IndustrialPark", null=True, blank=True, on_delete=models.PROTECT, related_name="enterprises"
    )
    is_park_operator = models.BooleanField(default=False, help_text="operates the park it belongs to")
    # Enterprises entered by officials or the synthetic province are known already; only self-registration
    # (demand.services.register_enterprise) starts as "applied" and waits for its city.
    status = models.CharField(max_length=16, choices=EnterpriseStatus.choices, default=EnterpriseStatus.APPROVED)
    contact_name = models.CharField(max_length=64, blank=True, default="")
    # Registry facts the risk signals compare with institutions' (6d: an employer linked to the institution
    # whose trainees it "employs"); an organisation's, not a person's, so kept in clear.
    address = models.CharField(max_length=256, blank=True, default="")
    legal_representative = models.CharField(max_length=64, blank=True, default="", help_text="法定代表人")
    phone = models.CharField(max_length=32, blank=True, default="", help_text="单位联系电话")
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status_reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["city_id", "name"]
        verbose_name = "企业 enterprise"
        constraints = [
            models.CheckConstraint(condition=Exact(Length("uscc"), 18), name="enterprise_uscc_18_chars"),
            models.CheckConstraint(
                condition=Q(is_park_operator=False) | Q(park__isnull=False), name="enterprise_operator_has_park"
            ),
            # one operating company per park, so "the park applied" names one party (3.6: who advanced)
            models.UniqueConstraint(fields=["park"], condition=Q(is_park_operator=True), name="one_operator_per_park"),
            models.CheckConstraint(condition=Q(status__in=EnterpriseStatus.values), name="enterprise_status_valid"),
            # a refusal always says why
            models.CheckConstraint(
                condition=~Q(status=EnterpriseStatus.REJECTED) | ~Q(status_reason=""),
                name="enterprise_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RoundScope(models.TextChoices):
    """Who a census round asks (1c: province-wide; 4.1: a park's own census)."""

    PROVINCE = "province", _("全区")
    CITY = "city", _("一个市")
    PARK = "park", _("一个园区")


class CensusRound(models.Model):
    """A census round (技能需求普查, 1c, 4.1): a period and a scope, opened by an official."""

    title = models.CharField(max_length=128)
    period_from = models.DateField()
    period_to = models.DateField()
    scope = models.CharField(max_length=16, choices=RoundScope.choices)
    city = models.ForeignKey("catalog.City", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    park = models.ForeignKey(
        "catalog.IndustrialPark", null=True, blank=True, on_delete=models.PROTECT, related_name="census_rounds"
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_from", "-pk"]
        verbose_name = "需求普查轮次 census round"
        constraints = [
            models.CheckConstraint(condition=Q(period_to__gte=F("period_from")), name="census_period_not_reversed"),
            # the scope names exactly what it covers: nothing for the province, a city, or a park
            models.CheckConstraint(
                condition=Q(scope=RoundScope.PROVINCE, city__isnull=True, park__isnull=True)
                | Q(scope=RoundScope.CITY, city__isnull=False, park__isnull=True)
                | Q(scope=RoundScope.PARK, city__isnull=True, park__isnull=False),
                name="census_scope_names_its_area",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DemandReport(models.Model):
    """One need an enterprise reports in a round: an occupation at a level, or, where no national standard
    exists, one of Guangxi's special-ability items (专项职业能力, 3.2) or a project-training content (3.4),
    with headcount, wage, place, industry and deadline (1c)."""

    census_round = models.ForeignKey(CensusRound, on_delete=models.PROTECT, related_name="reports")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="demand_reports")
    occupation = models.ForeignKey(
        "catalog.Occupation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    # Where no occupation standard exists, the province's special-ability item answers the need (3.2; issue 10
    # item 7: demand points at the catalogue's entries, as classes and brands do).
    item = models.ForeignKey(
        "catalog.SpecialAbilityItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    content = models.CharField(max_length=CONTENT_MAX, blank=True, default="", help_text="无国家标准时的培训内容 / project content")
    headcount = models.PositiveIntegerField()
    wage_offered = models.DecimalField(max_digits=9, decimal_places=2, help_text="元/月 yuan a month")
    county = models.ForeignKey("catalog.County", on_delete=models.PROTECT, related_name="+")
    industry = models.ForeignKey("catalog.Industry", on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField()
    will_hire = models.BooleanField()
    # What one need is (occupation-level, item or content, and county), so a re-upload updates instead of adding.
    need_key = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["census_round_id", "enterprise_id", "pk"]
        verbose_name = "需求填报 demand report"
        constraints = [
            models.UniqueConstraint(fields=["census_round", "enterprise", "need_key"], name="one_report_per_need"),
            # an occupation with a level, or a special-ability item, or a content: exactly one of the three
            models.CheckConstraint(
                condition=Q(occupation__isnull=False, level__gte=1, level__lte=5, item__isnull=True, content="")
                | Q(occupation__isnull=True, level__isnull=True, item__isnull=False, content="")
                | Q(occupation__isnull=True, level__isnull=True, item__isnull=True) & ~Q(content=""),
                name="demand_occupation_item_or_content",
            ),
            models.CheckConstraint(condition=Q(headcount__gte=1, headcount__lte=HEADCOUNT_MAX),
                                   name="demand_headcount_range"),
            models.CheckConstraint(condition=Q(wage_offered__gte=0, wage_offered__lte=WAGE_MAX),
                                   name="demand_wage_range"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.occupation_id or self.item_id or self.content} ×{self.headcount}"


class DemandReportVersion(models.Model):
    """What a demand report said from `recorded_at` on (1c 动态需求数据库): one row when it is created and one
    for every change, written by `demand.services.submit_reports`, never edited, so the demand on any past
    date can be asked (`demand_on`). The need itself (occupation and level, item or content, county) never
    changes, it is the report's `need_key`; what may change is below."""

    report = models.ForeignKey(DemandReport, on_delete=models.PROTECT, related_name="versions")
    headcount = models.PositiveIntegerField()
    wage_offered = models.DecimalField(max_digits=9, decimal_places=2)
    industry = models.ForeignKey("catalog.Industry", on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField()
    will_hire = models.BooleanField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["report_id", "recorded_at", "pk"]
        verbose_name = "需求填报版本 demand report version"
        indexes = [models.Index(fields=["report", "recorded_at"], name="demand_version_report_at")]
        constraints = [
            models.CheckConstraint(condition=Q(headcount__gte=1, headcount__lte=HEADCOUNT_MAX),
                                   name="demand_version_headcount_range"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} ×{self.headcount} @ {self.recorded_at:%Y-%m-%d}"


# The worker side (skill gaps, consent to be contacted) lives in its own module; importing it here registers it.
from qiancheng.demand.worker_models import (  # noqa: E402, F401
    ConsentScope,
    ContactConsent,
    ReportedBy,
    Willingness,
    WorkerNeed,
    WorkerNeedVersion,
)
