"""Django's flush (erase every table), which must lift the audit table's append-only triggers to do it.

Erasing the whole database is a database owner's act, outside the application's rules; the triggers
guard single rows against UPDATE and DELETE, not the owner against DROP. Transactional tests use flush
between tests. The triggers come back afterwards whatever happens.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections

from qiancheng.accounts.audit_sql import install_append_only_guard, remove_append_only_guard


class Command(DjangoFlush):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        remove_append_only_guard(connection)
        try:
            super().handle(**options)
        finally:
            install_append_only_guard(connection)
