"""Reference data: divisions, occupations, items, courses, industries, parks, programme tags.

Two kinds of data live here (see docs/catalog.md and data/SOURCES.md):
- published reference data (cities, counties, occupations' code/name/groups, course kinds, programme
  tags): `load_catalog()` keeps it equal to the files shipped in `data/`;
- editable lists (special-ability items, industries, parks, and an occupation's levels and AI flag):
  shipped rows are inserted once, then officials own them and the loader never overwrites them.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from qiancheng.catalog.levels import LEVEL_SETS, SKILL_LEVELS, validate_level_set
from qiancheng.clock import today
from qiancheng.policy.params import plan_figures


def plan_min_hours() -> int:
    """3.2: the fewest class hours a special-ability training may have today (plan_figures.yaml)."""
    return plan_figures().min_hours(today())


class City(models.Model):
    """A prefecture-level city (地级市) of Guangxi, e.g. 450100 南宁市."""

    code = models.CharField("代码 code", max_length=6, primary_key=True)
    name = models.CharField("名称 name", max_length=32, unique=True)
    name_en = models.CharField("英文名 English name", max_length=32, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "地级市 city"
        verbose_name_plural = "地级市 cities"

    def __str__(self) -> str:
        return self.name


class County(models.Model):
    """A county-level division (县级区划); historical codes stay, flagged, because ID numbers keep them."""

    code = models.CharField("代码 code", max_length=6, primary_key=True)
    name = models.CharField("名称 name", max_length=32)
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="counties", verbose_name="所属市 city"
    )
    is_current = models.BooleanField(
        "现行 current",
        default=True,
        help_text="否 = 已停用的历史代码，仍见于身份证号 / no = a withdrawn code still found in ID numbers",
    )
    successor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name="承继区划 successor",
        help_text="承继此历史代码的现行区划 / the current division that continues this withdrawn code",
    )
    in_use = models.CharField(
        "使用年份 years in use", max_length=16, blank=True, help_text="e.g. 2002-2021; empty end = still in use"
    )
    note = models.TextField("说明 note", blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "县级区划 county"
        verbose_name_plural = "县级区划 counties"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(successor__isnull=True) | models.Q(is_current=False),
                name="catalog_county_only_historical_has_successor",
            ),
        ]

    def __str__(self) -> str:
        return self.name if self.is_current else f"{self.name}（历史代码 historical）"


class Occupation(models.Model):
    """An occupation of the 2022 national classification (职业分类大典), e.g. 4-04-05-05 人工智能训练师."""

    code = models.CharField("职业编码 code", max_length=16, primary_key=True)
    name = models.CharField("职业名称 name", max_length=64, db_index=True)
    major_code = models.CharField("大类 major group", max_length=1)
    major_name = models.CharField("大类名称 major group name", max_length=64)
    middle_code = models.CharField("中类 middle group", max_length=4)
    middle_name = models.CharField("中类名称 middle group name", max_length=64)
    minor_code = models.CharField("小类 minor group", max_length=7, db_index=True)
    minor_name = models.CharField("小类名称 minor group name", max_length=64)
    levels = models.CharField(
        "技能等级 skill levels",
        max_length=5,
        blank=True,
        default="",
        validators=[validate_level_set],
        help_text=(
            "该职业设有的技能等级，如 54321、4321；空 = 未记录，即不限制等级 / the skill levels this occupation "
            "has, highest number first (5 = 五级/初级工 … 1 = 一级/高级技师); empty = not recorded, which means "
            "not restricted"
        ),
    )
    levels_source = models.CharField("等级依据 levels source", max_length=255, blank=True)
    is_ai_shortage = models.BooleanField(
        "人工智能急需紧缺 AI urgent-shortage",
        default=False,
        db_index=True,
        help_text="计划 4.2：人工智能领域急需紧缺职业 / clause 4.2: on the AI urgent-shortage list",
    )
    ai_shortage_basis = models.CharField("列入依据 AI list basis", max_length=255, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "职业 occupation"
        verbose_name_plural = "职业 occupations"
        constraints = [
            models.CheckConstraint(condition=models.Q(levels__in=list(LEVEL_SETS)), name="catalog_occupation_levels_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def level_list(self) -> list[int]:
        """The recorded levels, highest number first; empty when not recorded."""
        return [int(digit) for digit in self.levels]

    @property
    def levels_verified(self) -> bool:
        """Recorded from a checked national standard (its source in `levels_source`, which also explains an
        occupation checked and found to have no skill levels); otherwise every level 5..1 is allowed and the
        catalogue page says so, marked unverified."""
        return bool(self.levels or self.levels_source)

    @property
    def allowed_levels(self) -> list[int]:
        """The levels demand, classes and certificates may name: the recorded ones, else all five."""
        return self.level_list or list(SKILL_LEVELS)

    def allows_level(self, level: int) -> bool:
        """3.1: a level the occupation does not have is bad input; unrecorded levels restrict nothing."""
        if level not in SKILL_LEVELS:
            return False
        return not self.levels or str(level) in self.levels


class SpecialAbilityItem(models.Model):
    """A special vocational ability item (专项职业能力项目), trained per its assessment specification (3.2)."""

    code = models.CharField("项目编码 code", max_length=32, primary_key=True)
    name = models.CharField("项目名称 name", max_length=64)
    min_hours = models.PositiveSmallIntegerField(
        "最低课时 minimum class hours",
        default=plan_min_hours,
        help_text="计划 3.2：不低于规定课时 / clause 3.2: at least the plan's minimum class hours",
    )
    is_starter = models.BooleanField(
        "起始清单 starter list",
        default=False,
        help_text="随系统提供的起始清单，可编辑，编码非官方 / shipped starter list, editable, codes not official",
    )
    is_active = models.BooleanField(
        "启用 active", default=True, help_text="停用而非删除 / deactivate instead of deleting"
    )
    note = models.CharField("说明 note", max_length=255, blank=True)
    source_document = models.CharField(
        "依据文件 source document", max_length=255, blank=True, default="",
        help_text="公布该项目的文件名称和文号；起始清单为空 / the document (title and number) that publishes the "
                  "item; empty for the starter list",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = "专项职业能力项目 special ability item"
        verbose_name_plural = "专项职业能力项目 special ability items"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        # 3.2: 培训课时不少于……课时 — the figure in force (plan_figures.yaml), not a constraint stating it again.
        minimum = plan_min_hours()
        if self.min_hours is not None and self.min_hours < minimum:
            raise ValidationError({"min_hours": f"课时不得低于{minimum}（第3.2条） / at least {minimum} class hours "
                                                "(clause 3.2)"})


class CourseKind(models.Model):
    """An entrepreneurship course (创业培训课程) of 3.3; the codes are the exchange format's `course_kind`."""

    code = models.CharField("代码 code", max_length=32, primary_key=True)
    name = models.CharField("名称 name", max_length=64)
    name_en = models.CharField("英文名 English name", max_length=64)
    needs_business_licence = models.BooleanField(
        "需营业执照 needs business licence",
        default=False,
        help_text="计划 3.3：IYB/EYB 面向已领取营业执照的创业人员 / clause 3.3: IYB and EYB need a business licence",
    )
    is_online = models.BooleanField("网络培训 online", default=False)
    sort_order = models.PositiveSmallIntegerField("排序 order", default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = "创业培训课程 course kind"
        verbose_name_plural = "创业培训课程 course kinds"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Industry(models.Model):
    """An industry of Guangxi's "1+19" system (1a): AI plus pillar industries.

    The official list of the 19 pillar industries was not found; the shipped rows are a starter list.
    """

    code = models.SlugField("代码 code", max_length=32, primary_key=True)
    name = models.CharField("名称 name", max_length=64, unique=True)
    name_en = models.CharField("英文名 English name", max_length=64, blank=True)
    is_ai = models.BooleanField("人工智能 the AI “1”", default=False)
    is_official = models.BooleanField(
        "官方名单 official",
        default=False,
        help_text=(
            "官方“19个千亿级支柱产业”名单未找到：起始清单各项均非官方，可编辑 / the official list of the 19 "
            "pillar industries was not found: starter rows are not official and are editable"
        ),
    )
    is_active = models.BooleanField(
        "启用 active", default=True, help_text="停用而非删除 / deactivate instead of deleting"
    )
    sort_order = models.PositiveSmallIntegerField("排序 order", default=0)
    note = models.CharField("说明 note", max_length=255, blank=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = "产业 industry"
        verbose_name_plural = "产业 industries"

    def __str__(self) -> str:
        return self.name


class IndustrialPark(models.Model):
    """A border/port industrial park (沿边临港产业园区) of 4.1, with its own fund allocation.

    The plan names no park: the province keeps the list as dated data, each park with the document that
    names it and the period it is supported (`catalog.services.add_park`, `edit_park`, `end_park`).
    """

    code = models.SlugField("代码 code", max_length=32, unique=True)
    name = models.CharField("名称 name", max_length=64)
    city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parks",
        verbose_name="所在市 city",
        help_text="空 = 待自治区人社厅确定 / empty = to be set by the department",
    )
    is_confirmed = models.BooleanField(
        "已确定 confirmed",
        default=False,
        help_text="否 = 名称与所在市待自治区人社厅确定 / no = name and city still to be set by the department",
    )
    is_active = models.BooleanField(
        "启用 active", default=True, help_text="停用而非删除 / deactivate instead of deleting"
    )
    note = models.CharField("说明 note", max_length=255, blank=True)
    source_document = models.CharField(
        "依据文件 source document", max_length=255, blank=True,
        help_text="确定该园区为沿边临港产业园区的文件（名称、文号）/ the document naming it a border/port park",
    )
    # 4.1: "2025—2026年期间" — the period the park is on the supported list; both days inclusive.
    valid_from = models.DateField("起始日期 valid from", default=datetime.date(2025, 1, 1))
    valid_to = models.DateField("终止日期 valid to", null=True, blank=True, help_text="空 = 仍在支持名单 / empty = still listed")

    class Meta:
        ordering = ["code"]
        verbose_name = "沿边临港产业园区 industrial park"
        verbose_name_plural = "沿边临港产业园区 industrial parks"
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="park_period_not_reversed"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def in_force_on(self, day: datetime.date) -> bool:
        return self.is_active and self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def in_force_during(self, year: int) -> bool:
        """On the list on at least one day of the budget year."""
        return (self.is_active and self.valid_from <= datetime.date(year, 12, 31)
                and (self.valid_to is None or datetime.date(year, 1, 1) <= self.valid_to))


class ProgrammeTag(models.Model):
    """A key-task programme of clause 4 (重点任务) that classes and projects are tagged with."""

    code = models.SlugField("代码 code", max_length=32, primary_key=True)
    name = models.CharField("名称 name", max_length=64)
    name_en = models.CharField("英文名 English name", max_length=64)
    clause = models.CharField("条款 clause", max_length=8)
    sort_order = models.PositiveSmallIntegerField("排序 order", default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = "专项培训标签 programme tag"
        verbose_name_plural = "专项培训标签 programme tags"

    def __str__(self) -> str:
        return self.name
