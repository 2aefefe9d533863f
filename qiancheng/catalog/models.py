"""Reference data: divisions, occupations, items, courses, industries, parks, programme tags.

The catalog helper completes this module (more models, data loading, sources). The three models
below are fixed so that other apps can point at them: a city is its 6-digit division code.
"""

from django.db import models


class City(models.Model):
    """A prefecture-level city (地级市) of Guangxi, e.g. 450100 南宁市."""

    code = models.CharField(max_length=6, primary_key=True)
    name = models.CharField(max_length=32, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "地级市 city"

    def __str__(self) -> str:
        return self.name


class County(models.Model):
    """A county-level division (县级区划); historical codes stay, flagged, because ID numbers keep them."""

    code = models.CharField(max_length=6, primary_key=True)
    name = models.CharField(max_length=32)
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="counties")
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "县级区划 county"

    def __str__(self) -> str:
        return self.name


class Occupation(models.Model):
    """An occupation of the 2022 national classification (职业分类大典), e.g. 4-04-05-05 人工智能训练师."""

    code = models.CharField(max_length=16, primary_key=True)
    name = models.CharField(max_length=64, db_index=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "职业 occupation"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
