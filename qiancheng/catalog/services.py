"""Loading the shipped catalog data into the database.

`load_catalog()` is idempotent and safe to run on every deployment:
- published reference data (cities, counties, occupations' code/name/groups and AI flag, course kinds,
  programme tags) is inserted when missing and corrected when it differs from the shipped files; the AI
  flag (4.2) follows the engine's list `policy/parameters/ai_occupations.yaml`, so the catalog and the
  uplift always name the same occupations;
- editable data (special-ability items, industries, parks, and an occupation's levels) is
  inserted when missing and otherwise left as officials edited it.
Nothing is ever deleted: a row an official added, or one dropped from a later file, stays.

It is a deployment step rather than an official's action, so it writes no audit row; every change an
official then makes goes through the admin. A data migration calls it with the migration's `apps`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db import DEFAULT_DB_ALIAS, models, transaction

from qiancheng.catalog import shipped

OCCUPATION_GROUP_FIELDS = (
    "name", "major_code", "major_name", "middle_code", "middle_name", "minor_code", "minor_name",
)
# Derived from the one AI list (4.2), never edited here: a reload brings them back to it.
OCCUPATION_AI_FIELDS = ("is_ai_shortage", "ai_shortage_basis")


def _sync(
    model: type[models.Model],
    rows: Iterable[dict[str, Any]],
    synced: tuple[str, ...],
    using: str,
    key: str = "pk",
) -> int:
    """Insert missing rows; bring `synced` fields of existing rows back to the shipped values.

    Returns how many rows were written (inserted or corrected).
    """
    manager = model._default_manager.db_manager(using)
    existing = manager.in_bulk(field_name=model._meta.pk.name if key == "pk" else key)
    key_field = model._meta.pk.attname if key == "pk" else key
    missing: list[models.Model] = []
    corrected: list[models.Model] = []
    for row in rows:
        current = existing.get(row[key_field])
        if current is None:
            missing.append(model(**row))
        elif any(getattr(current, field) != row[field] for field in synced):
            for field in synced:
                setattr(current, field, row[field])
            corrected.append(current)
    manager.bulk_create(missing, batch_size=500)
    if corrected:
        manager.bulk_update(corrected, list(synced), batch_size=500)
    return len(missing) + len(corrected)


def _city_rows() -> list[dict[str, Any]]:
    return [{"code": c.code, "name": c.name, "name_en": c.name_en} for c in shipped.cities()]


def _county_rows() -> list[dict[str, Any]]:
    # Current counties come first in the shipped order, so a successor exists before its predecessor.
    return [
        {
            "code": c.code, "name": c.name, "city_id": c.city_code, "is_current": c.is_current,
            "successor_id": c.successor_code or None, "in_use": c.in_use, "note": c.note,
        }
        for c in shipped.counties()
    ]


def _occupation_rows() -> list[dict[str, Any]]:
    return [
        {
            "code": o.code, "name": o.name,
            "major_code": o.major_code, "major_name": o.major_name,
            "middle_code": o.middle_code, "middle_name": o.middle_name,
            "minor_code": o.minor_code, "minor_name": o.minor_name,
            "levels": o.levels, "levels_source": o.levels_source,
            "is_ai_shortage": o.is_ai_shortage, "ai_shortage_basis": o.ai_shortage_basis,
        }
        for o in shipped.occupations()
    ]


def _special_ability_rows() -> list[dict[str, Any]]:
    return [
        {"code": i.code, "name": i.name, "min_hours": i.min_hours, "is_starter": True, "note": i.note}
        for i in shipped.special_ability_items()
    ]


def _course_kind_rows() -> list[dict[str, Any]]:
    return [
        {
            "code": k.code, "name": k.name, "name_en": k.name_en, "is_online": k.is_online,
            "needs_business_licence": k.needs_business_licence, "sort_order": k.sort_order,
        }
        for k in shipped.course_kinds()
    ]


def _industry_rows() -> list[dict[str, Any]]:
    return [
        {
            "code": i.code, "name": i.name, "name_en": i.name_en, "is_ai": i.is_ai,
            "is_official": i.is_official, "sort_order": i.sort_order, "note": i.note,
        }
        for i in shipped.industries()
    ]


def _park_rows() -> list[dict[str, Any]]:
    return [
        {
            "code": p.code, "name": p.name, "city_id": p.city_code, "is_confirmed": p.is_confirmed, "note": p.note,
            "source_document": p.source_document, "valid_from": p.valid_from,
        }
        for p in shipped.industrial_parks()
    ]


def _programme_tag_rows() -> list[dict[str, Any]]:
    return [
        {"code": t.code, "name": t.name, "name_en": t.name_en, "clause": t.clause, "sort_order": t.sort_order}
        for t in shipped.programme_tags()
    ]


def load_catalog(apps: Apps | None = None, using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Load the shipped catalog; returns, per model name, how many rows were inserted or corrected.

    A second run returns all zeros. `apps` is the registry a data migration passes in.
    """
    registry = apps or global_apps

    def model(name: str) -> type[models.Model]:
        return registry.get_model("catalog", name)

    with transaction.atomic(using=using):
        return {
            "City": _sync(model("City"), _city_rows(), ("name", "name_en"), using),
            "County": _sync(
                model("County"), _county_rows(),
                ("name", "city_id", "is_current", "successor_id", "in_use", "note"), using,
            ),
            "Occupation": _sync(model("Occupation"), _occupation_rows(), OCCUPATION_GROUP_FIELDS + OCCUPATION_AI_FIELDS,
                                using),
            "SpecialAbilityItem": _sync(model("SpecialAbilityItem"), _special_ability_rows(), (), using),
            "CourseKind": _sync(
                model("CourseKind"), _course_kind_rows(),
                ("name", "name_en", "needs_business_licence", "is_online", "sort_order"), using,
            ),
            "Industry": _sync(model("Industry"), _industry_rows(), (), using),
            "IndustrialPark": _sync(model("IndustrialPark"), _park_rows(), (), using, key="code"),
            "ProgrammeTag": _sync(
                model("ProgrammeTag"), _programme_tag_rows(), ("name", "name_en", "clause", "sort_order"), using
            ),
        }
