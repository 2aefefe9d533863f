"""Admin for institutions, teachers and scopes: view-only (reviews are services); teacher IDs masked."""

from __future__ import annotations

from django.contrib import admin

from qiancheng.people.admin import ViewOnlyAdmin
from qiancheng.providers.models import Institution, InstitutionDocument, InstitutionScope, Teacher, Venue


class ScopeInline(admin.TabularInline):
    model = InstitutionScope
    extra = 0
    can_delete = False
    fields = ("training_type", "occupation", "max_level", "item", "course_kind", "granted_on")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Institution)
class InstitutionAdmin(ViewOnlyAdmin):
    list_display = ("name", "uscc", "kind", "city", "status", "approved_until", "star_rating")
    list_filter = ("status", "kind", "city", "star_rating")
    search_fields = ("name", "uscc")
    inlines = [ScopeInline]


@admin.register(Teacher)
class TeacherAdmin(ViewOnlyAdmin):
    list_display = ("name", "id_number_masked", "institution", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "institution__name")
    exclude = ("id_number_enc",)
    list_select_related = ("institution",)


@admin.register(InstitutionScope)
class InstitutionScopeAdmin(ViewOnlyAdmin):
    list_display = ("institution", "training_type", "occupation", "max_level", "item", "course_kind", "granted_on")
    list_filter = ("training_type",)
    search_fields = ("institution__name", "occupation__name")


@admin.register(InstitutionDocument)
class InstitutionDocumentAdmin(ViewOnlyAdmin):
    """Facts of each document; the bytes are downloaded through the audited page, never from here."""

    list_display = ("file_name", "kind", "institution", "content_type", "size", "uploaded_at")
    list_filter = ("kind", "content_type")
    search_fields = ("file_name", "institution__name", "sha256")
    exclude = ("content",)
    list_select_related = ("institution",)


@admin.register(Venue)
class VenueAdmin(ViewOnlyAdmin):
    list_display = ("name", "institution", "address", "area_m2", "seats")
    search_fields = ("name", "address", "institution__name")
    list_select_related = ("institution",)
