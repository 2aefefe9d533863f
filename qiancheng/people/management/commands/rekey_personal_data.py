"""`qiancheng rekey_personal_data`: step 2 of a DATA_KEY rotation (docs/adr/0001-personal-data-at-rest.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from qiancheng.people.rotation import rekey_personal_data


class Command(BaseCommand):
    help = "Re-seal personal data and re-key person_key under the current DATA_KEY / 按当前密钥重新加密并更新人员标识"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="persons per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            self.stderr.write("--batch-size 须至少为1 / must be at least 1")
            raise SystemExit(2)
        report = rekey_personal_data(None, batch_size=options["batch_size"])
        self.stdout.write(
            f"已重新加密 {report.persons} 名人员、{report.teachers} 名教师 / "
            f"re-keyed {report.persons} persons and {report.teachers} teachers"
        )
