"""Benchmark: the person linkage's one Splink model on DuckDB and on Spark (local mode), same clusters?

    python bench/risk_spark_run.py --people 20000 [--seed 11] [--master local[2]]
    python bench/risk_spark_run.py --people 1000000 --duckdb-only    # the 120 s goal of issue 12


Builds N people with one in fifty registered twice (qiancheng/risk/tests/linkage_rows.py: the same phone
and county, the name or the birth date now and then typed one character off, another last four of the
number), runs `linkage.find_clusters` on DuckDB, then on Spark, and prints the seconds of each, the
number of clusters, whether they are identical and how many planted pairs are among them, as a Markdown
row for bench/README.md. No database is needed: the rows are what `risk.features.person_records` gives.

With --duckdb-only it times the linkage alone at scale: building the rows (pinyin included), then
`linkage.find_pairs` (what `services.run_linkage` calls) and `linkage.find_clusters`, on DuckDB; printed
with the load average before and after, since the cores are shared.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--threshold", default="0.90")
    parser.add_argument("--duckdb-only", action="store_true", help="time DuckDB's pairs and clusters, no Spark")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiancheng.settings")
    import django

    django.setup()
    from qiancheng.risk import linkage
    from qiancheng.risk.tests.linkage_rows import planted_rows

    load_before = os.getloadavg()
    started = time.perf_counter()
    rows, truth = planted_rows(args.people, seed=args.seed)
    rows_s = time.perf_counter() - started
    threshold = Decimal(args.threshold)
    if args.duckdb_only:
        _duckdb_only(rows, truth, threshold, rows_s, load_before)
        return
    started = time.perf_counter()
    on_duckdb = linkage.find_clusters(rows, threshold, engine="duckdb")
    duckdb_s = time.perf_counter() - started
    started = time.perf_counter()
    on_spark = linkage.find_clusters(rows, threshold, engine="spark")
    spark_s = time.perf_counter() - started
    same = set(on_duckdb) == set(on_spark)
    planted = len(set(on_duckdb) & set(truth))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = os.getloadavg()[0]
    print("| people | planted pairs | DuckDB s | Spark s | clusters | identical | planted found | driver peak MiB | load |")
    print("|---:|---:|---:|---:|---:|---|---:|---:|---:|")
    print(f"| {args.people:,} | {len(truth):,} | {duckdb_s:.1f} | {spark_s:.1f} | {len(on_duckdb):,} | "
          f"{'yes' if same else 'NO'} | {planted:,} | {peak:.0f} | {load:.1f} |")
    if not same:
        sys.exit(1)


def _duckdb_only(rows: list[dict[str, Any]], truth: list[frozenset[str]], threshold: Decimal, rows_s: float,
                 load_before: tuple[float, float, float]) -> None:
    from qiancheng.risk import linkage

    # CPU seconds (every thread of the process) beside the wall clock: on cores shared with other jobs the wall
    # clock says more about the neighbours than about the linkage; on 2 free cores wall >= CPU / 2.
    started, cpu = time.perf_counter(), time.process_time()
    pairs = linkage.find_pairs(rows, threshold, engine="duckdb")
    pairs_s, pairs_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    clusters = linkage.find_clusters(rows, threshold, engine="duckdb")
    clusters_s, clusters_cpu = time.perf_counter() - started, time.process_time() - cpu
    found = {frozenset((pair.person_a, pair.person_b)) for pair in pairs}
    planted = len(found & set(truth))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load_after = os.getloadavg()
    print("| records | planted pairs | rows s | find_pairs s (CPU s) | find_clusters s (CPU s) | pairs | planted found | "
          "other pairs | clusters | peak MiB | load before (1/5/15 min) | load after |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    print(f"| {len(rows):,} | {len(truth):,} | {rows_s:.1f} | {pairs_s:.1f} ({pairs_cpu:.1f}) | "
          f"{clusters_s:.1f} ({clusters_cpu:.1f}) | {len(pairs):,} | "
          f"{planted:,} | {len(pairs) - planted:,} | {len(clusters):,} | {peak:.0f} | "
          f"{' / '.join(f'{value:.1f}' for value in load_before)} | "
          f"{' / '.join(f'{value:.1f}' for value in load_after)} |")


if __name__ == "__main__":
    main()
