"""`qiancheng synth`: the synthetic province, as exchange files or into the database."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "生成合成省份数据 / generate the synthetic province: "
        "--exchange FOLDER --claims N writes EXCHANGE.md files (claims, history, params)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2025, help="随机种子 / random seed (default 2025)")
        parser.add_argument("--exchange", type=Path, help="写出交换文件的文件夹 / folder for the exchange files")
        parser.add_argument("--claims", type=int, help="交换文件中的申请数 / number of claims (with --exchange)")
        parser.add_argument("--jsonl", action="store_true", help="同时写出 .jsonl / also write the .jsonl twins")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["exchange"] is None:
            raise CommandError("需要 --exchange FOLDER / --exchange FOLDER is required")
        self._exchange(options["exchange"], options["claims"], options["seed"], options["jsonl"])

    def _exchange(self, folder: Path, claims: int | None, seed: int, jsonl: bool) -> None:
        from qiancheng.synth.exchange import generate_exchange

        if not claims or claims < 1:
            raise CommandError("--exchange 需要 --claims N（N ≥ 1）/ --exchange needs --claims N (N ≥ 1)")
        started = time.perf_counter()
        paths = generate_exchange(claims, seed, folder, jsonl=jsonl)
        for name, path in paths.items():
            self.stdout.write(f"{name}: {path}")
        self.stdout.write(f"{claims:,} 项申请 / claims, seed {seed}, {time.perf_counter() - started:.1f} s")
