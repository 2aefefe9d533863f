"""`qiancheng audit verify`: recompute the audit chain; exit 1 naming the first broken entry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qiancheng.accounts.audit import verify_chain


class Command(BaseCommand):
    help = "审计记录链校验 / Check the audit trail's hash chain (verify)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"], help="verify: recompute every hash in order")

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain()
        if not result.ok:
            raise CommandError(
                f"审计链在第 {result.first_bad_seq} 条断开 / audit chain broken at seq {result.first_bad_seq} "
                f"({result.checked} entries verified before it): {result.reason}",
                returncode=1,
            )
        self.stdout.write(f"审计链完好 / audit chain verified: {result.checked} entries")
