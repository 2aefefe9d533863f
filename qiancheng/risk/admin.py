"""Admin for the blacklist: view-only (listing and lifting are audited services); people shown masked."""

from __future__ import annotations

from django.contrib import admin

from qiancheng.people.admin import ViewOnlyAdmin
from qiancheng.risk.models import BlacklistEntry


@admin.register(BlacklistEntry)
class BlacklistEntryAdmin(ViewOnlyAdmin):
    list_display = ("__str__", "person", "institution", "listed_from", "listed_until", "created_by")
    list_filter = ("listed_from",)
    search_fields = ("institution__name", "person__name", "reason")
    list_select_related = ("person", "institution")
