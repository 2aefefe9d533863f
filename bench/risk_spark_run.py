"""Benchmark: the person linkage's one Splink model on DuckDB and on Spark (local mode), same clusters?

    python bench/risk_spark_run.py --people 20000 [--seed 11] [--master local[2]]

Builds N people with one in fifty registered twice (qiancheng/risk/tests/linkage_rows.py: the same phone
and county, the name or the birth date now and then typed one character off, another last four of the
number), runs `linkage.find_clusters` on DuckDB, then on Spark, and prints the seconds of each, the
number of clusters, whether they are identical and how many planted pairs are among them, as a Markdown
row for bench/README.md. No database is needed: the rows are what `risk.features.person_records` gives.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--threshold", default="0.90")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiancheng.settings")
    import django

    django.setup()
    from qiancheng.risk import linkage
    from qiancheng.risk.tests.linkage_rows import planted_rows

    rows, truth = planted_rows(args.people, seed=args.seed)
    threshold = Decimal(args.threshold)
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


if __name__ == "__main__":
    main()
