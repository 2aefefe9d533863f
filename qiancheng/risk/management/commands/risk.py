"""`qiancheng risk scan [--engine duckdb|spark]`: run every signal rule, then the person linkage (Splink on
DuckDB in memory, or on Spark), with a progress bar. `qiancheng risk train [--by USERNAME]`: train the
linkage model's m/u on the register and store it, dated (linkage applies the newest from then on)."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "风险扫描：信号规则与同一人识别 / risk scan: signal rules and person linkage"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        scan = sub.add_parser("scan", help="run the signal rules and the linkage")
        scan.add_argument("--rule", action="append", default=None, help="only this rule (repeatable)")
        scan.add_argument("--no-linkage", action="store_true", help="skip the person linkage")
        scan.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb",
                          help="Splink's backend for the linkage: duckdb (in memory, default) or spark (local mode; "
                               "needs the spark extra and Java 17; see docs/scale.md for a cluster)")

        train = sub.add_parser("train", help="train the linkage model (u by sampling, m by EM) and store it, dated")
        train.add_argument("--by", default="", help="username of the official who trains it (recorded)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "train":
            self._train(options["by"])
            return
        from tqdm import tqdm

        from qiancheng.risk import services
        from qiancheng.risk.signals import RULES

        codes = options["rule"] or list(RULES)
        unknown = [code for code in codes if code not in RULES]
        if unknown:
            raise CommandError(f"no such rule: {', '.join(unknown)} (known: {', '.join(RULES)})")
        started = time.perf_counter()
        steps = len(codes) + (0 if options["no_linkage"] else 1)
        with tqdm(total=steps, desc="风险扫描 risk scan", unit="step", file=sys.stderr, leave=False) as bar:
            results = services.run_signals(None, codes, progress=lambda code: bar.update(1))
            if not options["no_linkage"]:
                bar.set_postfix_str("linkage")
                results.append(services.run_linkage(None, engine=options["engine"]))
                bar.update(1)
        for result in results:
            self.stdout.write(f"{result.rule}: found {result.found}, new {result.new} ({result.seconds:.2f} s)")
        self.stdout.write(f"total {time.perf_counter() - started:.2f} s")

    def _train(self, username: str) -> None:
        from django.contrib.auth import get_user_model

        from qiancheng.risk import services

        actor = None
        if username:
            actor = get_user_model().objects.filter(username=username).first()
            if actor is None:
                raise CommandError(f"no such user: {username}")
        started = time.perf_counter()
        try:
            model = services.train_linkage(actor)
        except services.RiskRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        self.stdout.write(f"trained linkage model {model.pk} on {model.record_count} persons, in force from "
                          f"{model.trained_on} ({time.perf_counter() - started:.2f} s)")
