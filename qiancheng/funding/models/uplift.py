"""Each city's AI uplift (4.2): a dated fraction the province records with the city's document."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

# 4.2: 人工智能职业培训补贴标准可上浮不超过20%.
MAX_AI_UPLIFT = Decimal("0.20")


class CityAiUplift(models.Model):
    """From `valid_from` on, the city's AI occupations are subsidised at standard x (1 + uplift), until the
    city's next entry. The online decisions read the entry in force on the training's end date."""

    city = models.ForeignKey("catalog.City", on_delete=models.PROTECT, related_name="+")
    uplift = models.DecimalField(max_digits=5, decimal_places=4, help_text="0.20 = 20%")
    valid_from = models.DateField()
    document = models.CharField(max_length=255, help_text="文号 / the city's document that sets it")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["city", "-valid_from"]
        verbose_name = "人工智能职业补贴上浮 AI uplift"
        constraints = [
            models.CheckConstraint(condition=Q(uplift__gte=0, uplift__lte=MAX_AI_UPLIFT), name="ai_uplift_within_4_2"),
            models.CheckConstraint(condition=~Q(document=""), name="ai_uplift_has_document"),
            models.UniqueConstraint(fields=["city", "valid_from"], name="ai_uplift_one_per_city_and_day"),
        ]

    def __str__(self) -> str:
        return f"{self.city_id} +{self.uplift} from {self.valid_from}"
