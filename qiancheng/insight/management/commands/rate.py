"""`qiancheng rate --month YYYY-MM`: the star ratings of a month (1c, docs/star-rating.md), with a progress bar.

Idempotent: a month already rated keeps its snapshots, so running it again writes nothing."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "星级评定：按公布的公式评定一个月的机构星级 / star ratings of a month by the published formula"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", action="append", required=True, metavar="YYYY-MM",
                            help="the rating month (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        from tqdm import tqdm

        from qiancheng.insight.rating import RatingRefused, month_start
        from qiancheng.insight.services import rate_month

        try:
            months = [month_start(text) for text in options["month"]]
        except RatingRefused as refusal:
            raise CommandError(refusal.en) from refusal
        with tqdm(total=2 * len(months), desc="星级评定 star rating", unit="step", file=sys.stderr,
                  leave=False) as bar:
            for month in months:
                bar.set_postfix_str(f"{month:%Y-%m}")
                try:
                    run = rate_month(None, month, progress=lambda rated: bar.update(1))
                except RatingRefused as refusal:
                    raise CommandError(refusal.en) from refusal
                bar.update(1)
                self.stdout.write(f"{run.period:%Y-%m} (rating day {run.rating_day}): written {run.written}, "
                                  f"already rated {run.kept}")
