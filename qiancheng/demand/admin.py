"""Admin for enterprises: view-only (registration and park links are services)."""

from __future__ import annotations

from django.contrib import admin

from qiancheng.demand.models import Enterprise
from qiancheng.people.admin import ViewOnlyAdmin


@admin.register(Enterprise)
class EnterpriseAdmin(ViewOnlyAdmin):
    list_display = ("name", "uscc", "city", "park", "is_park_operator")
    list_filter = ("city", "is_park_operator")
    search_fields = ("name", "uscc")
