"""Benchmark: the what-if replay (R4) over every claim of the synthetic province, on the task queue.

    DATABASE_URL=postgresql://… QIANCHENG_DATA_DIR=… python bench/what_if_run.py --from 2023-01-01 --to 2027-12-31

On a database already holding the province (`qiancheng synth --people N`): a draft "2026 occupational level 4 +
100", then the replay of the period queued with `insight.what_if.queue_replay` on the database backend of the task
queue and run by the worker (`web.task_queue.run_worker(batch=True)`), as `qiancheng worker` runs it. Prints the
claims, the time to queue (what the page and the API wait for), the worker's time and its stages, the stored
result's size and the process's peak resident memory, as a Markdown row for bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import time

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--from", dest="date_from", default="2023-01-01")
    parser.add_argument("--to", dest="date_to", default="2027-12-31")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiancheng.settings")
    os.environ["QIANCHENG_TASK_BACKEND"] = "database"
    django.setup()
    import json

    from qiancheng.accounts.models import Role, User
    from qiancheng.insight import what_if
    from qiancheng.policy.params import load_packaged
    from qiancheng.web.task_queue import run_worker

    # `qiancheng synth` makes no logins (the demo does): a bench province official if there is none.
    official = User.objects.filter(role=Role.PROVINCE_OFFICIAL, is_active=True).order_by("pk").first() or \
        User.objects.create_user("bench-province", role=Role.PROVINCE_OFFICIAL)
    level_four = next(s.amount for s in load_packaged().standards
                      if s.key == "occupational:4" and s.covers(dt.date(2026, 6, 30)))
    draft = what_if.create_draft(official, "bench: 2026 level 4 + 100")
    draft = what_if.add_change(official, draft.pk, {
        "kind": "standard", "training_type": "occupational", "level": 4, "amount": str(level_four + 100),
        "valid_from": "2026-01-01", "valid_to": "2026-12-31"})
    started = time.perf_counter()
    job = what_if.queue_replay(official, draft, args.date_from, args.date_to)
    queued = time.perf_counter() - started
    started = time.perf_counter()
    run_worker(batch=True)
    worked = time.perf_counter() - started
    job.refresh_from_db()
    result = what_if.stored_result(job)
    if result is None:
        raise SystemExit(f"replay {job.pk} {job.status}: {job.problem_en}")
    stages = " / ".join(f"{name} {seconds:.1f}" for name, seconds in result.stages)
    stored_kib = len(json.dumps(job.result)) / 1024
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = os.getloadavg()[0]
    print("| claims | changed | difference | queue s | worker s | stages s | result KiB | peak MiB | load avg |")
    print("|---:|---:|---:|---:|---:|---|---:|---:|---:|")
    print(f"| {result.totals.claims:,} | {result.totals.changed:,} | {result.signed} | {queued:.2f} | {worked:.1f} "
          f"| {stages} | {stored_kib:,.0f} | {peak_mib:,.0f} | {load:.1f} |")


if __name__ == "__main__":
    main()
