"""Back office for accounts. Changes made here are written to the audit trail like any other."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.forms import ModelForm
from django.http import HttpRequest

from qiancheng.accounts.audit import record_event
from qiancheng.accounts.models import ApiToken, AuditEntry, LoginThrottle, User
from qiancheng.accounts.services import ACCOUNT_FIELDS


@admin.register(User)
class QianchengUserAdmin(UserAdmin):
    list_display = ("username", "role", "city", "institution", "enterprise", "is_active", "last_login")
    list_filter = ("role", "city", "is_active", "is_staff")
    raw_id_fields = ("institution", "enterprise", "person")
    fieldsets = (
        *UserAdmin.fieldsets,
        ("角色与范围 Role and scope", {"fields": ("role", "city", "institution", "enterprise", "person")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("角色与范围 Role and scope", {"fields": ("role", "city", "institution", "enterprise", "person")}),
    )

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        before = None
        if change:
            previous = User.objects.get(pk=obj.pk)
            before = {field: getattr(previous, field) for field in ACCOUNT_FIELDS}
        super().save_model(request, obj, form, change)
        after = {field: getattr(obj, field) for field in ACCOUNT_FIELDS}
        action = "account.changed" if change else "account.created"
        record_event(request.user, action, obj, before=before, after=after, reason="后台 back office",
                     request=request)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "at", "actor_label", "action", "target_model", "target_pk", "ip")
    list_filter = ("action", "target_model")
    search_fields = ("actor_label", "action", "target_pk")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("prefix", "user", "created_at", "expires_at", "revoked_at", "last_used_at")


@admin.register(LoginThrottle)
class LoginThrottleAdmin(ReadOnlyAdmin):
    list_display = ("kind", "key", "failures", "window_started", "locked_until")
