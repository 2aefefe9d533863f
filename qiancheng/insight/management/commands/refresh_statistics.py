"""`qiancheng refresh_statistics`: refresh the statistics' pre-aggregate from the claims (docs/statistics.md "The
pre-aggregate").

    qiancheng refresh_statistics                 # this year and the last: run it nightly (cron, a timer)
    qiancheng refresh_statistics --year 2026     # the years named (repeatable)
    qiancheng refresh_statistics --full          # every year, rebuilt from scratch
    qiancheng refresh_statistics --queue         # put it on the task queue for the worker instead of running it here

Refreshes after a change of claims are queued on their own (funding.claim_changes); the nightly run also takes in
what changes a figure without changing a claim (a class's industry, form or programme tags, a trainee's county).
Safe to run at any time: a refresh rewrites its years in one transaction, one refresh at a time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "刷新统计汇总表 / refresh the statistics' pre-aggregate from the claims"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, action="append", metavar="YYYY", help="a year to refresh (repeatable)")
        parser.add_argument("--full", action="store_true", help="rebuild every year from scratch")
        parser.add_argument("--queue", action="store_true", help="queue it for the worker rather than run it now")

    def handle(self, *args: Any, **options: Any) -> None:
        from qiancheng.insight.statistics_refresh import periodic_years, queue_refresh, refresh

        years = None if options["full"] else (options["year"] or periodic_years())
        trigger = "rebuild" if options["full"] else ("command" if options["year"] else "periodic")
        if options["queue"]:
            job = queue_refresh(None, years, trigger)
            self.stdout.write(f"queued refresh {job.pk} ({'every year' if years is None else years}): {job.status}")
            return
        job = refresh(None, years, trigger)
        self.stdout.write(f"refreshed {'every year' if years is None else years}: {job.trainings:,} trainings, "
                          f"{job.daily_rows:,} daily rows, {job.people_rows:,} people rows in {job.seconds:.1f} s")
