"""Closed vocabularies shared along the flow (people → training → evaluation → funding).

Values are spelled exactly as `qiancheng/policy/data/EXCHANGE.md` spells them, so a claim frame built from the
database and one read from an exchange file compare equal without translation.
"""

from django.db import models
from django.db.models import F
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _

from qiancheng.web.language import chinese


class TrainingType(models.TextChoices):
    """The four training types of the plan (三、培训类型)."""

    OCCUPATIONAL = "occupational", _("职业（工种）技能培训")  # 3.1: occupation + level
    SPECIAL_ABILITY = "special_ability", _("专项职业能力培训")  # 3.2: item, ≥ 28 hours
    ENTREPRENEURSHIP = "entrepreneurship", _("创业培训")  # 3.3: course kind
    PROJECT = "project", _("项目制培训")  # 3.4a: an approved project


class SkillLevel(models.IntegerChoices):
    """Vocational skill levels; a smaller number is a higher level (RULES.md, 3.5d)."""

    LEVEL_1 = 1, _("一级/高级技师")
    LEVEL_2 = 2, _("二级/技师")
    LEVEL_3 = 3, _("三级/高级工")
    LEVEL_4 = 4, _("四级/中级工")
    LEVEL_5 = 5, _("五级/初级工")


class ApplicantRelation(models.TextChoices):
    """A project-class trainee's link to the applicant enterprise (3.4e)."""

    EMPLOYEE = "employee", _("本企业职工（含劳务派遣）")
    PROSPECTIVE_HIRE = "prospective_hire", _("拟招用人员")
    NONE = "none", _("无")  # not a project class, or no link (3.4e denies the claim)


def chinese_part(label: object) -> str:
    """A choice label in Chinese whatever the page's language (spreadsheet words are Chinese)."""
    return chinese(label)


def money(**options: object) -> models.DecimalField:
    """A money column: yuan as exact decimals, 2 places, up to 999,999,999,999.99."""
    return models.DecimalField(max_digits=14, decimal_places=2, **options)  # type: ignore[arg-type]


def in_fen(amount: F) -> Round:
    """An amount in whole fen, for CHECK constraints that add money up.

    SQLite stores DECIMAL columns as binary floats, where 0.10 + 0.20 > 0.30; comparing sums rounded
    to whole fen is exact on SQLite and on PostgreSQL's numeric alike.
    """
    return Round(amount * 100)
