"""Admin for the catalog.

Published reference data (cities, counties, course kinds, programme tags, an occupation's code, name and
groups) is read-only here: `load_catalog()` keeps it equal to the shipped files, so a correction goes
into `data/` with its source. Parks (4.1) are view-only here too: the province keeps them on its page,
audited. The other editable lists (special-ability items, industries, and an occupation's levels) are
edited here and never overwritten by the loader; rows are deactivated rather than deleted, because the
loader would re-insert a deleted shipped row.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from qiancheng.catalog.models import (
    City,
    County,
    CourseKind,
    IndustrialPark,
    Industry,
    Occupation,
    ProgrammeTag,
    SpecialAbilityItem,
)
from qiancheng.catalog.services import OCCUPATION_AI_FIELDS, OCCUPATION_GROUP_FIELDS


class PublishedDataAdmin(admin.ModelAdmin):
    """View-only: the shipped files are the source of truth for these rows."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class EditableListAdmin(admin.ModelAdmin):
    """Officials add and edit rows; deactivating replaces deleting."""

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(City)
class CityAdmin(PublishedDataAdmin):
    list_display = ("code", "name", "name_en")
    search_fields = ("code", "name", "name_en")


@admin.register(County)
class CountyAdmin(PublishedDataAdmin):
    list_display = ("code", "name", "city", "is_current", "successor", "in_use")
    list_filter = ("is_current", "city")
    search_fields = ("code", "name")


@admin.register(Occupation)
class OccupationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "minor_name", "levels", "is_ai_shortage")
    list_filter = ("is_ai_shortage", "major_name")
    search_fields = ("code", "name", "minor_name")
    readonly_fields = ("code", *OCCUPATION_GROUP_FIELDS, *OCCUPATION_AI_FIELDS)
    fields = (*readonly_fields, "levels", "levels_source")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SpecialAbilityItem)
class SpecialAbilityItemAdmin(EditableListAdmin):
    list_display = ("code", "name", "min_hours", "is_starter", "is_active")
    list_filter = ("is_active", "is_starter")
    search_fields = ("code", "name")


@admin.register(CourseKind)
class CourseKindAdmin(PublishedDataAdmin):
    list_display = ("code", "name", "name_en", "needs_business_licence", "is_online")


@admin.register(Industry)
class IndustryAdmin(EditableListAdmin):
    list_display = ("code", "name", "is_ai", "is_official", "is_active", "sort_order")
    list_filter = ("is_active", "is_official")
    search_fields = ("code", "name", "name_en")


@admin.register(IndustrialPark)
class IndustrialParkAdmin(PublishedDataAdmin):
    """View-only: the province keeps the park list on its page (`/catalog/parks/`, `catalog.parks`), where
    every change names its document and is audited (4.1)."""

    list_display = ("code", "name", "city", "source_document", "valid_from", "valid_to", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")


@admin.register(ProgrammeTag)
class ProgrammeTagAdmin(PublishedDataAdmin):
    list_display = ("code", "name", "name_en", "clause")
