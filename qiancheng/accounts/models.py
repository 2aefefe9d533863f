"""Users and their roles. The accounts helper extends this (scope, audit trail)."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    """What a user is in the programme; decides what they may see and do."""

    PROVINCE_OFFICIAL = "province_official", "自治区人社厅 Province official"  # all cities
    CITY_OFFICIAL = "city_official", "市人社局 City official"  # exactly one city
    INSTITUTION = "institution", "培训机构 Training institution"  # its own records
    ENTERPRISE = "enterprise", "企业/园区 Enterprise or park"  # its own records
    TRAINEE = "trainee", "劳动者 Trainee"  # self only


class User(AbstractUser):
    role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    city_code = models.CharField(max_length=6, blank=True, help_text="市级区划代码, e.g. 450100")
