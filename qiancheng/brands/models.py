"""Training brands (培训品牌, 1d): "地方名（企业名）+职业（工种）名称+培训", proposed by a city and published
by the province. What a brand achieved (trainees, pass and employment rates) is never stored here: it is
computed from its classes' enrolments, certificates and employment proofs (brands/figures.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

NAME_MAX = 64
REASON_MAX = 2000


class BrandStatus(models.TextChoices):
    """Where a brand stands: the city proposed it, the province published it or declined (with a reason)."""

    PROPOSED = "proposed", _("待发布")
    PUBLISHED = "published", _("已发布")
    DECLINED = "declined", _("不予发布")


class TrainingBrand(models.Model):
    """One brand; its name was checked against 1d's pattern when proposed (brands/naming.py), and the
    parts the check found are kept: the place (a county, or the city itself) or the enterprise, and the
    occupation or the special-ability item (工种) it trains."""

    name = models.CharField(max_length=NAME_MAX)
    city = models.ForeignKey("catalog.City", on_delete=models.PROTECT, related_name="+")
    # The place part: a county of the city, or none when the name uses the city itself (or an enterprise).
    county = models.ForeignKey("catalog.County", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey("demand.Enterprise", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    place_text = models.CharField(max_length=NAME_MAX, help_text="the name's place or enterprise part as written")
    occupation = models.ForeignKey("catalog.Occupation", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    item = models.ForeignKey("catalog.SpecialAbilityItem", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    description = models.TextField(blank=True, default="")
    classes = models.ManyToManyField("training.TrainingClass", blank=True, related_name="+")
    status = models.CharField(max_length=16, choices=BrandStatus.choices, default=BrandStatus.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["city_id", "name"]
        verbose_name = "培训品牌 training brand"
        constraints = [
            # one brand per name; brands are addressed by their id, never by the name
            models.UniqueConstraint(fields=["name"], name="brand_name_unique"),
            models.CheckConstraint(condition=Q(status__in=BrandStatus.values), name="brand_status_valid"),
            # what it trains: an occupation or a special-ability item, exactly one
            models.CheckConstraint(condition=Q(occupation__isnull=False, item__isnull=True)
                                   | Q(occupation__isnull=True, item__isnull=False), name="brand_trains_one_thing"),
            # the place part is a county or the city, or an enterprise, never both
            models.CheckConstraint(condition=Q(county__isnull=True) | Q(enterprise__isnull=True),
                                   name="brand_place_or_enterprise"),
            models.CheckConstraint(condition=~Q(status=BrandStatus.DECLINED) | ~Q(decision_reason=""),
                                   name="brand_decline_has_reason"),
            models.CheckConstraint(condition=Q(status=BrandStatus.PROPOSED, decided_at__isnull=True)
                                   | ~Q(status=BrandStatus.PROPOSED) & Q(decided_at__isnull=False),
                                   name="brand_decision_dated"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def trade_name(self) -> str:
        return self.occupation.name if self.occupation_id else self.item.name
