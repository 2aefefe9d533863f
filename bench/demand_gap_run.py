"""Benchmark: the demand gap table (1c 动态需求数据库) on a loaded synthetic province, beside an SQL reference.

    QIANCHENG_DATA_DIR=/tmp/gapbench/people-1000000 python bench/demand_gap_run.py --date-from 2026-01-01 \
        --date-to 2026-12-07 --repeat 3

The folder holds a province loaded by `qiancheng synth --people N` (bench/synth_run.py makes one). The script
times `insight.demand_gap.gap_table` as the province reads it (every city, the widest scope), the first call and
the following ones, then the same table computed by one independent SQL statement per side written against the
tables (no ORM, no code of insight), and checks that both give the same rows. Results print as Markdown for
bench/README.md, with the row counts the gap reads and the load average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import sys
import time
from collections import defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiancheng.settings")

Key = tuple[str | None, int | None, str | None, str]

# The reference: written from docs/statistics.md "Demand gap", sharing no code with qiancheng.insight.
DEMAND_SQL = """
WITH standing AS (
    SELECT r.occupation_id, r.level, r.item_id, e.city_id,
           (SELECT v.headcount FROM demand_demandreportversion v
             WHERE v.report_id = r.id AND v.recorded_at < :cutoff
             ORDER BY v.recorded_at DESC, v.id DESC LIMIT 1) AS headcount
      FROM demand_demandreport r
      JOIN demand_enterprise e ON e.id = r.enterprise_id
      JOIN demand_censusround c ON c.id = r.census_round_id
     WHERE (r.occupation_id IS NOT NULL OR r.item_id IS NOT NULL)
       AND c.period_from <= :date_to AND c.period_to >= :date_from)
SELECT occupation_id, level, item_id, city_id, SUM(headcount), COUNT(*)
  FROM standing WHERE headcount IS NOT NULL GROUP BY 1, 2, 3, 4
"""
CERTIFIED_SQL = """
SELECT k.occupation_id, k.level, k.item_id, k.city_id, COUNT(*)
  FROM evaluation_certificate c
  JOIN evaluation_evaluation v ON v.id = c.evaluation_id
  JOIN training_enrolment n ON n.id = v.enrolment_id
  JOIN training_trainingclass k ON k.id = n.training_class_id
 WHERE c.issued_on BETWEEN :date_from AND :date_to
   AND (c.status = 'valid' OR c.revoked_on > :as_of)
   AND ((c.kind = 'vocational_skill_level' AND k.occupation_id IS NOT NULL AND k.level IS NOT NULL
         AND c.occupation_id = k.occupation_id AND c.level = k.level)
        OR (c.kind = 'special_ability' AND k.item_id IS NOT NULL AND c.item_id = k.item_id))
 GROUP BY 1, 2, 3, 4
"""
PLACED_SQL = """
SELECT k.occupation_id, k.level, k.item_id, k.city_id, COUNT(*)
  FROM funding_subsidyclaim s
  JOIN training_enrolment n ON n.id = s.enrolment_id
  JOIN training_trainingclass k ON k.id = n.training_class_id
 WHERE s.status IN ('pending', 'approved', 'paid')
   AND s.employment_proof_date BETWEEN :date_from AND :date_to
   AND ((k.occupation_id IS NOT NULL AND k.level IS NOT NULL) OR k.item_id IS NOT NULL)
 GROUP BY 1, 2, 3, 4
"""
COUNTS = {
    "people": "SELECT COUNT(*) FROM people_person",
    "certificates": "SELECT COUNT(*) FROM evaluation_certificate",
    "claims": "SELECT COUNT(*) FROM funding_subsidyclaim",
    "classes": "SELECT COUNT(*) FROM training_trainingclass",
    "demand reports": "SELECT COUNT(*) FROM demand_demandreport",
    "report versions": "SELECT COUNT(*) FROM demand_demandreportversion",
}


def reference(database: Path, date_from: dt.date, date_to: dt.date, as_of: dt.date) -> dict[Key, tuple[int, ...]]:
    """(demand, reports, certified, placed) per key, by SQL alone."""
    # Django keeps datetimes in UTC; the day ends at midnight in the project's zone (Asia/Shanghai).
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min, ZoneInfo("Asia/Shanghai"))
    parameters = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat(), "as_of": as_of.isoformat(),
                  "cutoff": end.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")}
    rows: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        for *key, demand, reports in connection.execute(DEMAND_SQL, parameters):
            rows[tuple(key)][0:2] = [demand, reports]
        for *key, count in connection.execute(CERTIFIED_SQL, parameters):
            rows[tuple(key)][2] = count
        for *key, count in connection.execute(PLACED_SQL, parameters):
            rows[tuple(key)][3] = count
    return {key: tuple(values) for key, values in rows.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--date-from", type=dt.date.fromisoformat, default=dt.date(2026, 1, 1))
    parser.add_argument("--date-to", type=dt.date.fromisoformat, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings

    from qiancheng.accounts.models import Role, User
    from qiancheng.clock import today
    from qiancheng.insight.demand_gap import gap_table

    database = Path(settings.DATABASES["default"]["NAME"])
    date_to = args.date_to or today()
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        counts = {name: connection.execute(sql).fetchone()[0] for name, sql in COUNTS.items()}
    province = User(username="bench-province", role=Role.PROVINCE_OFFICIAL)

    # Wall time and this process's CPU time (SQLite runs in the process): on a machine shared by several jobs
    # the wall time is mostly waiting for a core, the CPU time is what the computation itself costs.
    timings, cpu = [], []
    for _ in range(max(1, args.repeat)):
        started, started_cpu = time.perf_counter(), time.process_time()
        table = gap_table(province, args.date_from, date_to)
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    started, started_cpu = time.perf_counter(), time.process_time()
    expected = reference(database, args.date_from, date_to, min(date_to, today()))
    reference_seconds, reference_cpu = time.perf_counter() - started, time.process_time() - started_cpu

    got = {(row.occupation_code or None, row.level, row.item_code or None, row.city_code):
           (row.demand, row.reports, row.certified, row.placed) for row in table.rows}
    same = got == expected
    load = os.getloadavg()
    print(f"window {args.date_from} – {date_to}; " + ", ".join(f"{name} {count:,}" for name, count in counts.items()))
    print(f"rows {len(table.rows):,} (positive gap {sum(1 for row in table.rows if row.gap > 0):,}); totals "
          f"{table.totals}; reference agrees: {same}")
    print("| gap_table first s (CPU s) | gap_table next s, min (CPU s) | SQL reference s (CPU s) | load avg (1, 5 min) |")
    print("|---:|---:|---:|---:|")
    best = min(range(1, len(timings)), key=lambda index: timings[index]) if len(timings) > 1 else 0
    print(f"| {timings[0]:.2f} ({cpu[0]:.2f}) | {timings[best]:.2f} ({cpu[best]:.2f}) | {reference_seconds:.2f} "
          f"({reference_cpu:.2f}) | {load[0]:.1f}, {load[1]:.1f} |")
    if not same:
        for key in sorted(set(got) | set(expected), key=str):
            if got.get(key) != expected.get(key):
                print("differs", key, got.get(key), expected.get(key))
        sys.exit(1)


if __name__ == "__main__":
    main()
