"""Benchmark: the synthetic province, generated in memory and loaded into the database.

    python bench/synth_run.py --people 100000 1000000 --seed 7 --workdir /tmp/qiancheng-synth-bench

    python bench/synth_run.py --people 1000000 --seed 7 --workdir /tmp/qiancheng-synth-bench \
        --database-url postgresql://postgres@127.0.0.1:5432/bench_synth --keep-database

For each size: a fresh data folder and database — SQLite in the folder, or with `--database-url` a
PostgreSQL database of that name, dropped and created afresh (the URL names a server and a database this
bench may destroy) — `qiancheng migrate`, then `qiancheng synth --people N --seed S` under
`/usr/bin/time -v` (wall time and peak resident memory of the whole command: generation, engine
decisions, sealing and writing). A separate process times generation alone (`--skip-generate` leaves it
out). `--template NAME` copies a migrated empty database instead of migrating from nothing (the migrations
take minutes on a busy machine; they are not part of the measured time either way). The PostgreSQL database is dropped after its row unless `--keep-database` (the load test in
bench/load/ runs on it). Results print as a Markdown table for bench/README.md.
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
from urllib.parse import urlsplit, urlunsplit

GENERATE_ONLY = (
    "import sys, time; from qiancheng.synth.generator import generate_province; "
    "t = time.perf_counter(); p = generate_province(int(sys.argv[1]), int(sys.argv[2])); "
    "print(f'{time.perf_counter() - t:.1f} {p.claims.height}')"
)


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str, float]:
    """Wall seconds, peak resident MiB, stdout and CPU seconds (user + system) of one command in its own
    process. On the shared machine the CPU seconds move less with the load than the wall time does."""
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{command} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    peak_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    cpu = sum(float(re.search(rf"{kind} time \(seconds\): ([\d.]+)", result.stderr).group(1))
              for kind in ("User", "System"))
    return wall, peak_kib / 1024, result.stdout, cpu


def _maintenance(url: str) -> tuple[str, str]:
    """(URL of the server's `postgres` database, name of the bench database) for a PostgreSQL URL."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name == "postgres":
        sys.exit("--database-url must name a database of its own (it is dropped and created afresh)")
    return urlunsplit(parts._replace(path="/postgres")), name


def _psql(url: str, sql: str) -> str:
    result = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-Atc", sql], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"psql failed: {result.stderr}")
    return result.stdout.strip()


def fresh_database(url: str, template: str | None) -> None:
    server, name = _maintenance(url)
    _psql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _psql(server, f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def database_mib(url: str | None, folder: Path) -> float:
    if url:
        return int(_psql(url, "SELECT pg_database_size(current_database())")) / 2**20
    database = folder / "qiancheng.sqlite3"
    return database.stat().st_size / 2**20 if database.exists() else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/qiancheng-synth-bench"))
    parser.add_argument("--database-url", help="PostgreSQL URL of a database to drop, create and load")
    parser.add_argument("--keep-database", action="store_true", help="leave the PostgreSQL database loaded")
    parser.add_argument("--skip-generate", action="store_true", help="do not time the generator alone")
    parser.add_argument("--template", help="copy this migrated, empty PostgreSQL database (CREATE DATABASE … "
                                           "TEMPLATE) instead of migrating; `qiancheng migrate` then checks it")
    args = parser.parse_args()
    qiancheng = [sys.executable, "-m", "qiancheng"]
    rows = []
    for people in args.people:
        folder = args.workdir / f"people-{people}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        env = {**os.environ, "QIANCHENG_DATA_DIR": str(folder)}
        env.pop("DATABASE_URL", None)
        if args.database_url:
            fresh_database(args.database_url, args.template)
            env["DATABASE_URL"] = args.database_url
        subprocess.run([*qiancheng, "migrate", "-v0"], check=True, env=env)
        if args.skip_generate:
            claims, gen_s, gen_mib = None, float("nan"), float("nan")
        else:
            generate = timed([sys.executable, "-c", GENERATE_ONLY, str(people), str(args.seed)], env)
            seconds, claims = generate[2].split()
            gen_s, gen_mib = float(seconds), generate[1]
        load_before = os.getloadavg()[0]
        wall, peak, _, cpu = timed([*qiancheng, "synth", "--people", str(people), "--seed", str(args.seed),
                               "--no-progress"], env)
        load_after = os.getloadavg()[0]
        size = database_mib(args.database_url, folder)
        if args.database_url and not args.keep_database:
            server, name = _maintenance(args.database_url)
            _psql(server, f'DROP DATABASE "{name}" WITH (FORCE)')
        rows.append((people, claims, gen_s, gen_mib, wall, cpu, peak, size, load_before, load_after))
    engine = "PostgreSQL" if args.database_url else "SQLite"
    print(f"| people | claims | generate s | generate peak MiB | synth (load) s | synth CPU s | synth peak MiB "
          f"| {engine} MiB | load avg before-after |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for people, claims, gen_s, gen_mib, wall, cpu, peak, size, before, after in rows:
        shown = f"{int(claims):,}" if claims else "—"
        print(f"| {people:,} | {shown} | {gen_s:.1f} | {gen_mib:,.0f} | {wall:.1f} | {cpu:.1f} | {peak:,.0f} "
              f"| {size:,.0f} | {before:.1f}-{after:.1f} |")


if __name__ == "__main__":
    main()
