"""Guangxi's special vocational ability items (专项职业能力项目, 3.2), kept by the province.

The official list and its codes were not available offline: the shipped rows are a starter list with our own
`starter-NN` codes (docs/catalog.md). The province adds each published item here with the document that
publishes it (title and number) and takes an item off the list by deactivating it, never deleting it
(classes, certificates, brands and claims point at it). Every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from qiancheng.accounts.audit import record_event, snapshot
from qiancheng.accounts.models import Role
from qiancheng.catalog.models import SpecialAbilityItem, plan_min_hours

AUDITED = ("code", "name", "min_hours", "source_document", "is_active", "note")


@dataclass(frozen=True)
class ItemEntry:
    """What the province states about an item: its published code and name, the hours its specification
    sets (at least 3.2's minimum), and the document that publishes it."""

    code: str
    name: str
    min_hours: int
    source_document: str
    note: str = ""


def _require_province(actor: Any) -> None:
    if getattr(actor, "role", None) != Role.PROVINCE_OFFICIAL or not actor.is_active:
        raise PermissionDenied("只有自治区人社厅可以维护专项职业能力项目 / only the province keeps the item list")


def add_item(actor: Any, entry: ItemEntry) -> SpecialAbilityItem:
    """The province adds a published item with its document (3.2)."""
    _require_province(actor)
    code, name = entry.code.strip(), " ".join(entry.name.split())
    errors: dict[str, list[str]] = {}
    if not code:
        errors["code"] = ["请填写项目编码 / enter the item's code"]
    elif SpecialAbilityItem.objects.filter(code=code).exists():
        errors["code"] = [f"项目编码 {code} 已存在 / code {code} is taken"]
    if not name:
        errors["name"] = ["请填写项目名称 / enter the item's name"]
    elif SpecialAbilityItem.objects.filter(name=name, is_active=True).exists():
        errors["name"] = [f"已有启用的项目“{name}” / an active item is already named {name}"]
    if not entry.source_document.strip():
        # An item enters the list on a document's word (its title and number), never on a guess.
        errors["source_document"] = ["请填写公布该项目的文件名称和文号 / enter the document (title and number) "
                                     "that publishes the item"]
    minimum = plan_min_hours()
    if entry.min_hours < minimum:
        errors["min_hours"] = [f"课时不得低于{minimum}（第3.2条） / at least {minimum} class hours (clause 3.2)"]
    if errors:
        raise ValidationError(errors)
    item = SpecialAbilityItem(code=code, name=name, min_hours=entry.min_hours, is_starter=False, is_active=True,
                              source_document=entry.source_document.strip(), note=entry.note.strip())
    item.full_clean()
    with transaction.atomic():
        item.save(force_insert=True)
        record_event(actor, "special_item.added", item, after=snapshot(item, AUDITED))
    return item


def deactivate_item(actor: Any, item: SpecialAbilityItem, reason: str) -> SpecialAbilityItem:
    """The province takes an item off the list (no new classes or demand name it), with the reason."""
    _require_province(actor)
    if not reason.strip():
        raise ValidationError({"reason": ["请说明停用原因（文件或说明） / give the reason (a document or a note)"]})
    with transaction.atomic():
        current = SpecialAbilityItem.objects.select_for_update().get(pk=item.pk)
        if not current.is_active:
            raise ValidationError({"reason": ["该项目已停用 / the item is already inactive"]})
        before = snapshot(current, AUDITED)
        current.is_active = False
        current.save(update_fields=["is_active"])
        record_event(actor, "special_item.deactivated", current, before=before, after=snapshot(current, AUDITED),
                     reason=reason.strip())
    return current
