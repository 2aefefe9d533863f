"""Every change to a training brand (1d): the city proposes (its name checked against the plan's pattern)
and links its classes; the province publishes or declines with a reason. Each in one transaction, with
the acting user and an audit entry; refusals are "中文 / English"."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qiancheng.accounts.audit import record_event, snapshot
from qiancheng.accounts.models import Role, User
from qiancheng.brands.models import NAME_MAX, REASON_MAX, BrandStatus, TrainingBrand
from qiancheng.brands.naming import NameProblem, read_name
from qiancheng.training.models import APPROVED_STATES, TrainingClass

AUDITED = ("name", "city_id", "county_id", "enterprise_id", "occupation_id", "item_id", "status", "decision_reason")


class NameRefused(ValidationError):
    """The name does not fit 1d's pattern; `problems` says which part, in both languages."""

    def __init__(self, problems: list[NameProblem]) -> None:
        super().__init__([f"{p.zh} / {p.en}" for p in problems], code="name_invalid")
        self.problems = problems


def _refusal(code: str, zh: str, en: str) -> ValidationError:
    return ValidationError(f"{zh} / {en}", code=code)


def _city_official(actor: User | None) -> User:
    if actor is None or not actor.is_active or actor.role != Role.CITY_OFFICIAL:
        raise PermissionDenied("只有市人社局可以申报培训品牌 / only a city official proposes a brand")
    return actor


def _province(actor: User | None) -> User:
    if actor is None or not actor.is_active or actor.role != Role.PROVINCE_OFFICIAL:
        raise PermissionDenied("只有自治区人社厅可以发布培训品牌 / only the province publishes a brand")
    return actor


def _checked_classes(actor: User, brand: TrainingBrand, classes: Iterable[TrainingClass]) -> list[TrainingClass]:
    """The city's approved classes that teach the brand's occupation (any level) or item."""
    chosen = list(classes)
    for each in chosen:
        if each.city_id != actor.city_id:
            raise PermissionDenied("只能关联本市的培训班 / only the city's own classes may be linked")
        if each.status not in APPROVED_STATES:
            raise _refusal("class_not_approved", f"培训班“{each.name}”尚未批准", f"class {each.pk} is not approved")
        teaches = (each.occupation_id == brand.occupation_id) if brand.occupation_id else (each.item_id == brand.item_id)
        if not teaches:
            raise _refusal("class_other_trade", f"培训班“{each.name}”不是{brand.trade_name}培训",
                           f"class {each.pk} does not train {brand.trade_name}")
    return chosen


def propose_brand(actor: User, *, name: str, description: str = "",
                  classes: Iterable[TrainingClass] = ()) -> TrainingBrand:
    """1d: a city proposes a brand named "地方名（企业名）+职业（工种）名称+培训", optionally with its classes."""
    official = _city_official(actor)
    cleaned = "".join(name.split())
    if not cleaned or len(cleaned) > NAME_MAX:
        raise _refusal("name_length", f"品牌名称须为1至{NAME_MAX}个字", f"the name needs 1 to {NAME_MAX} characters")
    reading = read_name(cleaned, official.city)
    if not reading.fits:
        raise NameRefused(reading.problems)
    if len(description) > REASON_MAX:
        raise _refusal("description_too_long", f"简介不得超过{REASON_MAX}字",
                       f"the description is longer than {REASON_MAX} characters")
    with transaction.atomic():
        if TrainingBrand.objects.select_for_update().filter(name=cleaned).exists():
            raise _refusal("name_taken", "该品牌名称已被申报", "a brand with this name exists")
        brand = TrainingBrand(
            name=cleaned, city=official.city, county=reading.county, enterprise=reading.enterprise,
            place_text=reading.place_text, occupation=reading.occupation, item=reading.item,
            description=description.strip(), proposed_by=official, proposed_at=timezone.now())
        linked = _checked_classes(official, brand, classes)
        brand.save()
        brand.classes.set(linked)
        record_event(official, "brand.proposed", brand,
                     after={**snapshot(brand, AUDITED), "classes": sorted(each.pk for each in linked)})
    return brand


def link_classes(actor: User, brand: TrainingBrand, classes: Iterable[TrainingClass]) -> TrainingBrand:
    """The brand's city adds classes to it later (a class already linked stays, once)."""
    official = _city_official(actor)
    if brand.city_id != official.city_id:
        raise PermissionDenied("只能为本市的品牌关联培训班 / only the brand's city links its classes")
    with transaction.atomic():
        locked = TrainingBrand.objects.select_for_update().get(pk=brand.pk)
        before = sorted(locked.classes.values_list("pk", flat=True))
        added = [each for each in _checked_classes(official, locked, classes) if each.pk not in before]
        if not added:
            raise _refusal("nothing_to_link", "没有可新增关联的培训班", "no class to add")
        locked.classes.add(*added)
        record_event(official, "brand.classes_linked", locked, before={"classes": before},
                     after={"classes": sorted([*before, *(each.pk for each in added)])})
    return locked


def _decide(actor: User, brand: TrainingBrand, status: BrandStatus, reason: str, action: str) -> TrainingBrand:
    province = _province(actor)
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise _refusal("reason_too_long", f"理由不得超过{REASON_MAX}字", f"the reason is longer than {REASON_MAX} characters")
    with transaction.atomic():
        locked = TrainingBrand.objects.select_for_update().get(pk=brand.pk)
        if locked.status != BrandStatus.PROPOSED:
            raise _refusal("not_proposed", "该品牌不在待发布状态", "this brand is not waiting for the province")
        before = snapshot(locked, AUDITED)
        locked.status, locked.decision_reason = status, reason
        locked.decided_by, locked.decided_at = province, timezone.now()
        locked.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
        record_event(province, action, locked, before=before, after=snapshot(locked, AUDITED), reason=reason)
    return locked


def publish_brand(actor: User, brand: TrainingBrand, note: str = "") -> TrainingBrand:
    """1d, 1e 宣传推广: the province publishes a proposed brand; it then shows on the public page."""
    return _decide(actor, brand, BrandStatus.PUBLISHED, note, "brand.published")


def decline_brand(actor: User, brand: TrainingBrand, reason: str) -> TrainingBrand:
    """The province declines a proposed brand, always saying why."""
    if not reason.strip():
        raise _refusal("reason_required", "不予发布须说明理由", "declining needs a reason")
    return _decide(actor, brand, BrandStatus.DECLINED, reason, "brand.declined")


def decision(actor: Any, brand: TrainingBrand, verdict: str, reason: str) -> TrainingBrand:
    """The page's and the API's one entry: "publish" or "decline"."""
    if verdict == "publish":
        return publish_brand(actor, brand, reason)
    if verdict == "decline":
        return decline_brand(actor, brand, reason)
    raise _refusal("decision_invalid", "结论无效", f"unknown decision {verdict!r}")
