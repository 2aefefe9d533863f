"""Admin for project training: view-only (application, review, choice and confirmation are services)."""

from __future__ import annotations

from django.contrib import admin

from qiancheng.people.admin import ViewOnlyAdmin
from qiancheng.projects.models import DeliveryApplication, Project


@admin.register(Project)
class ProjectAdmin(ViewOnlyAdmin):
    list_display = (
        "code", "title", "applicant", "city", "status", "headcount", "chosen_institution",
        "city_confirmed_effect", "applicant_confirmed_effect",
    )
    list_filter = ("status", "city", "trainee_link")
    search_fields = ("code", "title", "applicant__name")
    list_select_related = ("applicant", "city", "chosen_institution")


@admin.register(DeliveryApplication)
class DeliveryApplicationAdmin(ViewOnlyAdmin):
    list_display = ("project", "institution", "status", "applied_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("project__code", "institution__name")
