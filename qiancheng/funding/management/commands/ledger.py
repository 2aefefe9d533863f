"""`qiancheng ledger verify`: every transaction balances and every cached fund balance equals its entries."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from qiancheng.funding.services.ledger import verify_ledger


class Command(BaseCommand):
    help = "核对账簿 / verify the ledger: balanced transactions, cached balances equal to their entries"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["verify"], help="verify: check the ledger (exit 1 if anything is wrong)")

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_ledger()
        for problem in report.problems:
            self.stderr.write(problem)
        summary = (f"{report.transactions} 笔凭证, {report.funds} 个资金账户 / "
                   f"{report.transactions} transactions, {report.funds} fund accounts")
        if not report.ok:
            raise CommandError(f"账簿核对未通过：{len(report.problems)}处问题 / ledger verification failed: "
                               f"{len(report.problems)} problem(s); {summary}", returncode=1)
        self.stdout.write(f"账簿核对通过 / ledger verified: {summary}")
