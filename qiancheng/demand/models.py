"""Enterprises and industrial parks that report skills demand (1c, 4.1) and apply for projects (3.4a)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact


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
        ]

    def __str__(self) -> str:
        return self.name
