"""`qiancheng synth`: the synthetic province, into the database or as exchange files."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "生成合成省份数据 / generate the synthetic province: --people N writes it into the database "
        "(idempotent; --reset replaces it); --exchange FOLDER --claims N writes EXCHANGE.md files instead"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, help="人数 / number of trainees to write into the database")
        parser.add_argument("--seed", type=int, default=2025, help="随机种子 / random seed (default 2025)")
        parser.add_argument("--reset", action="store_true",
                            help="先删除已写入的合成数据 / remove the synthetic province already loaded first")
        parser.add_argument("--as-of", type=dt.date.fromisoformat,
                            help="观察日 / the day the province is observed (default today, within 2025-2027)")
        parser.add_argument("--exchange", type=Path, help="写出交换文件的文件夹 / folder for the exchange files")
        parser.add_argument("--claims", type=int, help="交换文件中的申请数 / number of claims (with --exchange)")
        parser.add_argument("--jsonl", action="store_true", help="同时写出 .jsonl / also write the .jsonl twins")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条 / no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["exchange"] is not None:
            self._exchange(options["exchange"], options["claims"], options["seed"], options["jsonl"])
        elif options["people"] is not None:
            self._database(options["people"], options["seed"], options["reset"], options["as_of"],
                           not options["no_progress"])
        else:
            raise CommandError("需要 --people N 或 --exchange FOLDER / give --people N or --exchange FOLDER")

    def _database(self, people: int, seed: int, reset: bool, as_of: dt.date | None, progress: bool) -> None:
        from qiancheng.synth.load import SynthError, ensure_province

        if people < 1:
            raise CommandError("--people 至少为 1 / --people must be at least 1")
        try:
            run, created = ensure_province(people, seed, reset=reset, as_of=as_of, progress=progress)
        except SynthError as error:
            raise CommandError(str(error)) from error
        if created:
            self.stdout.write(f"已写入 / written: seed {run.seed}, {run.people:,} people, as of {run.as_of}, "
                              f"{run.seconds:.1f} s")
            # The claims went in in bulk, not through funding's writers: the statistics' pre-aggregate is rebuilt
            # from them (docs/statistics.md "The pre-aggregate").
            from qiancheng.insight.statistics_refresh import refresh

            job = refresh(None, None, "synth")
            self.stdout.write(f"统计汇总 / statistics pre-aggregate: {job.trainings:,} trainings, {job.seconds:.1f} s")
        else:
            self.stdout.write(f"已存在，未重复写入 / already loaded, nothing written: seed {run.seed}, "
                              f"{run.people:,} people, as of {run.as_of}")
        for label, count in run.counts.items():
            self.stdout.write(f"  {label}: {count:,}")

    def _exchange(self, folder: Path, claims: int | None, seed: int, jsonl: bool) -> None:
        from qiancheng.synth.exchange import generate_exchange

        if not claims or claims < 1:
            raise CommandError("--exchange 需要 --claims N（N ≥ 1）/ --exchange needs --claims N (N ≥ 1)")
        started = time.perf_counter()
        paths = generate_exchange(claims, seed, folder, jsonl=jsonl)
        for name, path in paths.items():
            self.stdout.write(f"{name}: {path}")
        self.stdout.write(f"{claims:,} 项申请 / claims, seed {seed}, {time.perf_counter() - started:.1f} s")
