"""Admin for the sanctions register: view-only (listing and lifting are audited services in sanctions.services)."""

from __future__ import annotations

from django.contrib import admin

from qiancheng.accounts.admin import ReadOnlyAdmin
from qiancheng.sanctions.models import BlacklistEntry


@admin.register(BlacklistEntry)
class BlacklistEntryAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "person", "institution", "listed_from", "listed_until", "document_ref", "created_by")
    list_filter = ("listed_from",)
    search_fields = ("institution__name", "person__name", "reason")
    list_select_related = ("person", "institution")
