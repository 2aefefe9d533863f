"""Benchmark: the synthetic province, generated in memory and loaded into the database.

    python bench/synth_run.py --people 100000 1000000 --seed 7 --workdir /tmp/qiancheng-synth-bench

For each size: a fresh data folder (SQLite; or the database DATABASE_URL names, which must be empty),
`qiancheng migrate`, then `qiancheng synth --people N --seed S` under `/usr/bin/time -v` (wall time and
peak resident memory of the whole command: generation, engine decisions, sealing and writing). A
separate process times generation alone. Results print as a Markdown table for bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

GENERATE_ONLY = (
    "import sys, time; from qiancheng.synth.generator import generate_province; "
    "t = time.perf_counter(); p = generate_province(int(sys.argv[1]), int(sys.argv[2])); "
    "print(f'{time.perf_counter() - t:.1f} {p.claims.height}')"
)


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak resident MiB and stdout of one command in its own process."""
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{command} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    peak_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    return wall, peak_kib / 1024, result.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/qiancheng-synth-bench"))
    args = parser.parse_args()
    qiancheng = [sys.executable, "-m", "qiancheng"]
    rows = []
    for people in args.people:
        folder = args.workdir / f"people-{people}"
        shutil.rmtree(folder, ignore_errors=True)
        env = {**os.environ, "QIANCHENG_DATA_DIR": str(folder)}
        subprocess.run([*qiancheng, "migrate", "-v0"], check=True, env=env)
        generate = timed([sys.executable, "-c", GENERATE_ONLY, str(people), str(args.seed)], env)
        seconds, claims = generate[2].split()
        wall, peak, _ = timed([*qiancheng, "synth", "--people", str(people), "--seed", str(args.seed),
                               "--no-progress"], env)
        database = folder / "qiancheng.sqlite3"
        size = database.stat().st_size / 2**20 if database.exists() else float("nan")
        load = os.getloadavg()[0]
        rows.append((people, int(claims), float(seconds), generate[1], wall, peak, size, load))
    print("| people | claims | generate s | generate peak MiB | synth (load) s | synth peak MiB | database MiB "
          "| load avg |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for people, claims, gen_s, gen_mib, wall, peak, size, load in rows:
        print(f"| {people:,} | {claims:,} | {gen_s:.1f} | {gen_mib:,.0f} | {wall:.1f} | {peak:,.0f} | {size:,.0f} "
              f"| {load:.1f} |")


if __name__ == "__main__":
    main()
