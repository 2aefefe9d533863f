"""Benchmark: the decision engine against the independent DuckDB reference, on synthetic claims.

    python bench/engine_run.py --claims 100000 1000000 --seed 7 --workdir /tmp/qc-bench

For each size it generates claims, history and parameters in the exchange format (the synthetic
province's `generate_exchange`), runs `qiancheng check` and `bench/reference_duckdb.py` each in its own
process under `/usr/bin/time -v` (wall time and peak memory), and compares the two decisions files row
for row. Results are printed as a Markdown table to paste into bench/README.md.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MiB) of one command in its own process."""
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{command[0]} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    peak_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    return wall, peak_kib / 1024


def agree(ours: Path, reference: Path) -> tuple[int, int]:
    """Rows compared and rows that differ (all six columns, as text)."""
    a = pl.read_csv(ours, infer_schema=False).fill_null("")
    b = pl.read_csv(reference, infer_schema=False).fill_null("")
    if a.height != b.height:
        return a.height, abs(a.height - b.height)
    joined = a.join(b, on="claim_id", suffix="_ref", how="full")
    differ = joined.filter(pl.any_horizontal(pl.col(c) != pl.col(f"{c}_ref") for c in a.columns if c != "claim_id"))
    if differ.height:
        print(differ.head(10), file=sys.stderr)
    return a.height, differ.height


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/qiancheng-bench"))
    parser.add_argument("--skip-reference", action="store_true")
    args = parser.parse_args()
    from qiancheng.synth.exchange import generate_exchange

    rows = []
    for size in args.claims:
        folder = args.workdir / f"n{size}"
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        paths = generate_exchange(size, args.seed, folder)
        generated = time.perf_counter() - started
        history_rows = sum(1 for _ in paths["history"].open(encoding="utf-8")) - 1
        inputs = ["--claims", str(paths["claims"]), "--history", str(paths["history"]), "--params", str(paths["params"])]
        ours_out, ref_out = folder / "decisions.csv", folder / "decisions-reference.csv"
        ours = timed([sys.executable, "-m", "qiancheng", "check", *inputs, "--out", str(ours_out), "--quiet"])
        if args.skip_reference:
            reference, compared = (float("nan"), float("nan")), (0, 0)
        else:
            reference = timed([sys.executable, str(HERE / "reference_duckdb.py"), *inputs, "--out", str(ref_out)])
            compared = agree(ours_out, ref_out)
        eligible = pl.read_csv(ours_out, infer_schema=False)["eligible"].eq("true").sum()
        rows.append((size, history_rows, eligible, generated, *ours, *reference, *compared))
    print("| claims | history rows | eligible | generate s | engine s | engine peak MiB | reference s "
          "| reference peak MiB | rows compared | rows differing |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size, history_rows, eligible, generated, ow, om, rw, rm, compared, differing in rows:
        print(f"| {size:,} | {history_rows:,} | {eligible:,} | {generated:.1f} | {ow:.1f} | {om:,.0f} | {rw:.1f} "
              f"| {rm:,.0f} | {compared:,} | {differing:,} |")


if __name__ == "__main__":
    main()
