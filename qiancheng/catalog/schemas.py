"""Pydantic schemas of the public catalog API."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field


class OccupationOut(Schema):
    code: str = Field(examples=["4-04-05-05"])
    name: str = Field(examples=["人工智能训练师"])
    major_code: str
    major_name: str
    middle_code: str
    middle_name: str
    minor_code: str
    minor_name: str
    levels: list[int] = Field(
        description="设有的技能等级（5 = 五级/初级工 … 1 = 一级/高级技师）；空 = 未记录，不限制 / "
        "the skill levels the occupation has; empty = not recorded, which means not restricted",
        examples=[[5, 4, 3, 2, 1]],
    )
    levels_recorded: bool = Field(description="false = levels not recorded, any level 5..1 is accepted")
    levels_source: str
    is_ai_shortage: bool = Field(description="4.2: on the AI urgent-shortage list / 人工智能急需紧缺职业")

    @staticmethod
    def resolve_levels(obj) -> list[int]:
        return obj.level_list

    @staticmethod
    def resolve_levels_recorded(obj) -> bool:
        return bool(obj.levels)


class OccupationPage(Schema):
    count: int = Field(description="matches in total / 符合条件的总数")
    limit: int
    offset: int
    items: list[OccupationOut]


class CityOut(Schema):
    code: str = Field(examples=["450100"])
    name: str = Field(examples=["南宁市"])
    name_en: str


class CountyOut(Schema):
    code: str = Field(examples=["450181"])
    name: str = Field(examples=["横州市"])
    city_code: str = Field(alias="city_id")
    is_current: bool
    successor_code: str | None = Field(alias="successor_id")
    in_use: str
    note: str


class IndustrialParkOut(Schema):
    code: str
    name: str
    city_code: str | None = Field(alias="city_id")
    is_confirmed: bool = Field(description="false = a placeholder of an earlier release, not a named park")
    note: str
    source_document: str = Field(description="the document that names the park a border/port park (4.1)")
    valid_from: dt.date
    valid_to: dt.date | None = Field(description="the park's last day on the supported list; null = still listed")


class ParkIn(Schema):
    """What the province states about a park (4.1): name, city, the document naming it, its period."""

    name: str = Field(max_length=64)
    city_code: str = Field(max_length=6)
    source_document: str = Field(max_length=255)
    valid_from: dt.date
    valid_to: dt.date | None = None
    note: str = Field("", max_length=255)


class NewParkIn(ParkIn):
    code: str = Field(max_length=32, pattern=r"^[-a-z0-9_]+$", description="a short slug, e.g. qinzhou_port")


class EndParkIn(Schema):
    last_day: dt.date
    reason: str = Field(max_length=255)


class CourseKindOut(Schema):
    code: str = Field(examples=["IYB"])
    name: str
    name_en: str
    needs_business_licence: bool = Field(description="3.3: IYB/EYB need a business licence")
    is_online: bool


class SpecialAbilityItemOut(Schema):
    code: str
    name: str
    min_hours: int = Field(description="3.2: at least the plan's minimum (plan figure special_ability_min_hours)")
    is_starter: bool = Field(description="from the shipped starter list (codes not official)")
    source_document: str = Field(description="the document (title and number) that publishes the item; empty for "
                                             "the starter list")
    note: str


class DeactivateItemIn(Schema):
    reason: str = Field("", max_length=255, description="停用原因（文件或说明）")


class SpecialAbilityItemIn(Schema):
    code: str = Field(..., min_length=1, max_length=32)
    name: str = Field(..., min_length=1, max_length=64)
    min_hours: int = Field(..., ge=1, le=2000, description="3.2: at least the plan's minimum")
    source_document: str = Field(..., min_length=1, max_length=255, description="公布文件名称和文号")
    note: str = Field("", max_length=255)


class IndustryOut(Schema):
    code: str
    name: str
    name_en: str
    is_ai: bool
    is_official: bool = Field(description="false = starter list; the official list of 19 was not found")
    note: str


class ProgrammeTagOut(Schema):
    code: str = Field(examples=["ai"])
    name: str
    name_en: str
    clause: str = Field(examples=["4.2"])
