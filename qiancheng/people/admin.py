"""Admin for persons: view-only, masked.

Every change to a person goes through people.services (validated, encrypted, audited), so the admin
only shows records. Ciphertext columns are never displayed; lists show the masked forms. Searching by
a full ID number works by its person_key, so the clear number is never compared in SQL or logged.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from qiancheng.people.crypto import person_key_candidates
from qiancheng.people.identity import normalise_id_number
from qiancheng.people.models import Person, PersonLink, SkillUpgradeSubsidy

SEALED_FIELDS = ("id_number_enc", "phone_enc", "bank_account_enc")


class ViewOnlyAdmin(admin.ModelAdmin):
    """Records whose every change is a service call with an audit entry: the admin may only look."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def search_by_id_number(queryset: QuerySet, term: str, field: str = "person_key") -> QuerySet | None:
    """Rows of the person whose full ID number is `term`, found through its keyed hash; None otherwise."""
    normalised = normalise_id_number(term)
    if len(normalised) != 18:
        return None
    return queryset.filter(**{f"{field}__in": person_key_candidates(normalised)})


@admin.register(Person)
class PersonAdmin(ViewOnlyAdmin):
    list_display = ("name", "id_number_masked", "sex", "birth_date", "county_code", "category", "phone_masked")
    list_filter = ("category", "sex", "has_business_licence", "receiving_unemployment_benefit")
    search_fields = ("name",)
    exclude = SEALED_FIELDS

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        found = search_by_id_number(queryset, search_term)
        if found is not None:
            return found, False
        return super().get_search_results(request, queryset, search_term)


@admin.register(SkillUpgradeSubsidy)
class SkillUpgradeSubsidyAdmin(ViewOnlyAdmin):
    list_display = ("record_id", "person", "occupation", "level", "granted_on", "amount")
    list_filter = ("level",)
    search_fields = ("record_id",)
    list_select_related = ("person", "occupation")


@admin.register(PersonLink)
class PersonLinkAdmin(ViewOnlyAdmin):
    """Read only: a link is made and undone by people.links, called from risk's decisions, never here."""

    list_display = ("person_a", "person_b", "linked_on", "linked_by", "undone_on", "undone_by", "source")
    list_filter = ("linked_on", "undone_on")
    list_select_related = ("person_a", "person_b", "linked_by", "undone_by")
