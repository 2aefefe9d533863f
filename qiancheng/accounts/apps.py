"""The accounts app: users and roles, city scope, the audit trail."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def install_audit_guard(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """After every migrate: make the database refuse UPDATE/DELETE on the audit table (idempotent)."""
    from qiancheng.accounts.audit_sql import install_append_only_guard

    install_append_only_guard(connections[using])


class AccountsConfig(AppConfig):
    name = "qiancheng.accounts"
    label = "accounts"
    verbose_name = "用户与审计 Accounts and audit"

    def ready(self) -> None:
        from qiancheng.accounts import scope_rules

        scope_rules.register_foundation_models()
        post_migrate.connect(install_audit_guard, sender=self, dispatch_uid="accounts.install_audit_guard")
