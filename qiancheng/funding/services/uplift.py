"""Each city's AI uplift (4.2): set by the province, dated with the city's document, read by the decisions.

4.2 lets a city raise the training-subsidy standard of AI occupations by at most 20%. The province records
what each city notified: the fraction (0 to 0.20 inclusive), the day it applies from and the document.
An entry is never edited: a change is a new entry from a later day, so a decision made under an earlier
value can always be reproduced. The online decisions (`funding.services.decision_store`) read the entry in force
on each training's end date, the way the standards themselves are chosen.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from qiancheng.accounts.audit import record_event
from qiancheng.catalog.models import City
from qiancheng.funding.models import CityAiUplift
from qiancheng.funding.models.uplift import MAX_AI_UPLIFT
from qiancheng.funding.services.funds import require_province_official
from qiancheng.funding.services.refusal import FundingRefused

# How far back an entry may start: the plan was issued on 2025-08-13; 4.2 gives no uplift before it.
PLAN_ISSUED = dt.date(2025, 8, 13)


def _fraction(value: object) -> Decimal:
    try:
        fraction = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise FundingRefused("bad_uplift", f"上浮比例须为小数（如0.15表示15%），收到{value!r}",
                             f"the uplift must be a decimal fraction (0.15 = 15%), got {value!r}", status=422) from exc
    # 4.2: 人工智能职业培训补贴标准可上浮不超过20%.
    if not fraction.is_finite() or not Decimal("0") <= fraction <= MAX_AI_UPLIFT:
        raise FundingRefused("uplift_outside_4_2",
                             f"上浮比例{fraction}超出0至0.20（第4.2条：人工智能职业培训补贴标准上浮不超过20%）",
                             f"the uplift {fraction} is outside 0 to 0.20 (clause 4.2: AI occupations' standard "
                             "may be raised by at most 20%)", status=422)
    if fraction != fraction.quantize(Decimal("0.0001")):
        raise FundingRefused("bad_uplift", f"上浮比例最多四位小数，收到{fraction}",
                             f"the uplift has at most four decimal places, got {fraction}", status=422)
    return fraction


def set_ai_uplift(actor: Any, city_code: str, uplift: object, valid_from: dt.date | None,
                  document: str) -> CityAiUplift:
    """Record a city's AI uplift from `valid_from`, with its document; the province only."""
    require_province_official(actor, "设置人工智能职业补贴上浮", "set a city's AI uplift")
    city = City.objects.filter(code=str(city_code).strip()).first()
    if city is None:
        raise FundingRefused("city_unknown", f"城市代码不存在：{city_code}", f"no such city code: {city_code}",
                             status=422)
    fraction = _fraction(uplift)
    if valid_from is None or valid_from < PLAN_ISSUED:
        raise FundingRefused("bad_valid_from", f"生效日期须不早于计划印发日{PLAN_ISSUED}（第4.2条）",
                             f"the uplift applies from a day no earlier than the plan's issue ({PLAN_ISSUED}, 4.2)",
                             status=422)
    if not document.strip():
        raise FundingRefused("document_missing", "须填写设定上浮的文件（文号）",
                             "give the document that sets the uplift", status=422)
    try:
        with transaction.atomic():
            entry = CityAiUplift.objects.create(city=city, uplift=fraction, valid_from=valid_from,
                                                document=document.strip()[:255], set_by=actor)
            record_event(actor, "ai_uplift.set", entry, after={
                "city": city.code, "uplift": fraction, "valid_from": valid_from.isoformat(),
                "document": entry.document}, reason="4.2")
    except IntegrityError as exc:
        raise FundingRefused("uplift_exists", f"{city.name}自{valid_from}起已有上浮比例；更改请从以后的日期起另记一条",
                             f"{city.code} already has an uplift from {valid_from}; record a change from a later day",
                             status=409) from exc
    return entry


def uplift_entries() -> list[CityAiUplift]:
    """Every entry, by city then newest first, with the city's name."""
    return list(CityAiUplift.objects.select_related("city", "set_by").order_by("city_id", "-valid_from"))
