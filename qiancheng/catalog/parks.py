"""The province's list of supported border/port industrial parks (4.1), kept as dated data with sources.

The plan says four parks receive money in 2025-2026 but names none. Only parks confirmed from a public
source are shipped (`data/industrial-parks.csv`); the province adds the others here, each with the
document that names it and the period it is supported, and ends a park by giving the last day instead
of deleting it (its fund accounts and classes keep pointing at it). Every change is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from qiancheng.accounts.audit import record_event, snapshot
from qiancheng.accounts.models import Role
from qiancheng.catalog.models import City, IndustrialPark

AUDITED = ("code", "name", "city_id", "source_document", "valid_from", "valid_to", "is_active", "note")


@dataclass(frozen=True)
class ParkEntry:
    """What the province states about a park: its name and city, the document naming it, its period."""

    name: str
    city: City | None
    source_document: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    note: str = ""


def parks_in_force(day: dt.date) -> QuerySet[IndustrialPark]:
    """The parks on the supported list on `day`."""
    return IndustrialPark.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), is_active=True,
                                         valid_from__lte=day)


def _require_province(actor: Any) -> None:
    if getattr(actor, "role", None) != Role.PROVINCE_OFFICIAL or not actor.is_active:
        raise PermissionDenied("只有自治区人社厅可以维护园区名单 / only the province keeps the park list")


def _entry_errors(entry: ParkEntry) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not entry.name.strip():
        errors["name"] = ["请填写园区名称 / enter the park's name"]
    if entry.city is None:
        errors["city"] = ["请选择园区所在市 / choose the park's city"]
    if not entry.source_document.strip():
        # 4.1 names no park: a park is on the list only on a document's word, never on a guess.
        errors["source_document"] = ["请填写确定该园区的文件名称和文号（第4.1条未列园区名称） / enter the document "
                                     "that names the park (clause 4.1 names none)"]
    if entry.valid_to is not None and entry.valid_to < entry.valid_from:
        errors["valid_to"] = ["终止日期不能早于起始日期 / the last day cannot be before the first"]
    return errors


def add_park(actor: Any, code: str, entry: ParkEntry) -> IndustrialPark:
    """The province adds a park to the supported list."""
    _require_province(actor)
    errors = _entry_errors(entry)
    if IndustrialPark.objects.filter(code=code).exists():
        errors["code"] = [f"代码 {code} 已被使用 / code {code} is taken"]
    park = IndustrialPark(code=code, name=entry.name.strip(), city=entry.city, is_confirmed=True,
                          source_document=entry.source_document.strip(), valid_from=entry.valid_from,
                          valid_to=entry.valid_to, note=entry.note.strip())
    try:
        park.full_clean()
    except ValidationError as invalid:
        for field, problems in invalid.message_dict.items():
            errors.setdefault(field, []).extend(problems)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        park.save()
        record_event(actor, "park.added", park, after=snapshot(park, AUDITED))
    return park


def edit_park(actor: Any, park: IndustrialPark, entry: ParkEntry, reason: str = "") -> IndustrialPark:
    """The province corrects a park's name, city, document or period. Its city cannot move once money or
    classes point at it: the park's fund accounts are seen by that city's officials."""
    _require_province(actor)
    errors = _entry_errors(entry)
    with transaction.atomic():
        current = IndustrialPark.objects.select_for_update().get(pk=park.pk)
        if entry.city is not None and entry.city.pk != current.city_id and (
                current.fund_accounts.exists() or current.classes.exists()):
            errors["city"] = ["该园区已有资金账户或培训班，不能改到其他市 / the park has fund accounts or classes; "
                              "its city cannot change"]
        if errors:
            raise ValidationError(errors)
        before = snapshot(current, AUDITED)
        current.name, current.city = entry.name.strip(), entry.city
        current.source_document, current.note = entry.source_document.strip(), entry.note.strip()
        current.valid_from, current.valid_to, current.is_confirmed = entry.valid_from, entry.valid_to, True
        current.full_clean()
        current.save()
        record_event(actor, "park.edited", current, before=before, after=snapshot(current, AUDITED), reason=reason)
    return current


def end_park(actor: Any, park: IndustrialPark, last_day: dt.date, reason: str) -> IndustrialPark:
    """The province takes a park off the list from the day after `last_day`, with the reason."""
    _require_province(actor)
    if not reason.strip():
        raise ValidationError({"reason": ["请说明结束原因（文件或说明） / give the reason (a document or a note)"]})
    with transaction.atomic():
        current = IndustrialPark.objects.select_for_update().get(pk=park.pk)
        if last_day < current.valid_from:
            raise ValidationError({"valid_to": ["终止日期不能早于起始日期 / the last day cannot be before the first"]})
        before = snapshot(current, AUDITED)
        current.valid_to = last_day
        current.save(update_fields=["valid_to"])
        record_event(actor, "park.ended", current, before=before, after=snapshot(current, AUDITED),
                     reason=reason.strip())
    return current
