"""Closed vocabularies shared along the flow (people → training → evaluation → funding).

Values are spelled exactly as `shared/policy/EXCHANGE.md` spells them, so a claim frame built from the
database and one read from an exchange file compare equal without translation.
"""

import re

from django.db import models
from django.db.models import F
from django.db.models.functions import Round


class TrainingType(models.TextChoices):
    """The four training types of the plan (三、培训类型)."""

    OCCUPATIONAL = "occupational", "职业（工种）技能培训 Occupational skills"  # 3.1: occupation + level
    SPECIAL_ABILITY = "special_ability", "专项职业能力培训 Special vocational ability"  # 3.2: item, ≥ 28 hours
    ENTREPRENEURSHIP = "entrepreneurship", "创业培训 Entrepreneurship"  # 3.3: course kind
    PROJECT = "project", "项目制培训 Project training"  # 3.4a: an approved project


class SkillLevel(models.IntegerChoices):
    """Vocational skill levels; a smaller number is a higher level (RULES.md, 3.5d)."""

    LEVEL_1 = 1, "一级/高级技师 Level 1 (senior technician)"
    LEVEL_2 = 2, "二级/技师 Level 2 (technician)"
    LEVEL_3 = 3, "三级/高级工 Level 3 (senior worker)"
    LEVEL_4 = 4, "四级/中级工 Level 4 (intermediate worker)"
    LEVEL_5 = 5, "五级/初级工 Level 5 (junior worker)"


class ApplicantRelation(models.TextChoices):
    """A project-class trainee's link to the applicant enterprise (3.4e)."""

    EMPLOYEE = "employee", "本企业职工（含劳务派遣）Employee, dispatched workers included"
    PROSPECTIVE_HIRE = "prospective_hire", "拟招用人员 Prospective hire"
    NONE = "none", "无 None"  # not a project class, or no link (3.4e denies the claim)


def chinese_part(label: str) -> str:
    """The Chinese part of a bilingual label ("拟招用人员 Prospective hire" → "拟招用人员")."""
    return re.sub(r"[A-Za-z].*$", "", str(label)).strip()


def money(**options: object) -> models.DecimalField:
    """A money column: yuan as exact decimals, 2 places, up to 999,999,999,999.99."""
    return models.DecimalField(max_digits=14, decimal_places=2, **options)  # type: ignore[arg-type]


def in_fen(amount: F) -> Round:
    """An amount in whole fen, for CHECK constraints that add money up.

    SQLite stores DECIMAL columns as binary floats, where 0.10 + 0.20 > 0.30; comparing sums rounded
    to whole fen is exact on SQLite and on PostgreSQL's numeric alike.
    """
    return Round(amount * 100)
