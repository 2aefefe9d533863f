"""The online load test, end to end: pgbench beside Locust on one loaded PostgreSQL database, then the checks.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_synth QIANCHENG_DATA_DIR=/tmp/load \\
        python bench/load/run.py --clients /tmp/load/clients.json --institutions 16 64 --seconds 60

`qiancheng serve` (as shipped: `--workers` waitress processes on one port, each with `--threads` threads) is
started on the database DATABASE_URL names; for each number of institution clients (with a quarter as many
city officials, at least two):

1. **pgbench**, the database's own ceiling on the same machine at that moment: `--clients N` connections
   each running a single-row transaction for `--pgbench-seconds` — one INSERT of a claim-shaped row (a
   bigint key, a unique enrolment, a unique number, an amount, a timestamp) into a scratch table, committed;
   the table is dropped afterwards.
2. **Locust** (bench/load/locustfile.py), headless, the same number of institution clients filing claims
   through `POST /api/v1/claims` and officials reviewing them, for `--seconds`. Each run uses institutions
   of its own from the clients file, so no enrolment is claimed twice by design.

Then, on the database: no enrolment has two counting claims, every request Locust sent was answered as
expected (failures 0), `qiancheng ledger verify` passes and `qiancheng audit verify` passes. Prints the
table for bench/README.md, with the load average of the machine before and after each run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PGBENCH = "/usr/lib/postgresql/15/bin/pgbench"
HERE = Path(__file__).resolve().parent
PGBENCH_SCRIPT = """\\set enrolment random(1, 2000000000)
BEGIN;
INSERT INTO load_pgbench_claim (enrolment_id, number, amount, filed_at)
  VALUES (:enrolment, 'LT' || :client_id || '-' || :enrolment, 1234.50, now()) ON CONFLICT DO NOTHING;
COMMIT;
"""
PGBENCH_TABLE = """DROP TABLE IF EXISTS load_pgbench_claim;
CREATE TABLE load_pgbench_claim (id bigserial PRIMARY KEY, enrolment_id bigint NOT NULL UNIQUE,
  number varchar(40) NOT NULL UNIQUE, amount numeric(14, 2) NOT NULL, filed_at timestamptz NOT NULL);"""


def psql(url: str, sql: str) -> str:
    result = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-Atc", sql], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"psql failed: {result.stderr}")
    return result.stdout.strip()


def pgbench(url: str, clients: int, seconds: int) -> float:
    psql(url, PGBENCH_TABLE)
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(PGBENCH_SCRIPT)
    try:
        result = subprocess.run([PGBENCH, "-n", "-f", script.name, "-c", str(clients), "-j", "2", "-T", str(seconds),
                                 url], capture_output=True, text=True)
    finally:
        os.unlink(script.name)
        psql(url, "DROP TABLE IF EXISTS load_pgbench_claim")
    if result.returncode != 0:
        sys.exit(f"pgbench failed: {result.stderr}")
    for line in result.stdout.splitlines():
        if line.startswith("tps = "):
            return float(line.split()[2])
    sys.exit(f"no tps in pgbench's output:\n{result.stdout}")


def wait_for(port: int, seconds: float = 900) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    sys.exit(f"the server did not answer on port {port} within {seconds} s")


def locust(clients: Path, first: int, institutions: int, officials: int, seconds: int, port: int,
           prefix: Path) -> tuple[dict[str, dict[str, str]], str]:
    env = {**os.environ, "LOAD_CLIENTS": str(clients), "LOAD_FIRST_INSTITUTION": str(first),
           "LOAD_INSTITUTIONS": str(institutions), "LOAD_OFFICIALS": str(officials)}
    users = institutions + officials
    result = subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless", "-u", str(users),
         "-r", str(users), "-t", f"{seconds}s", "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix),
         "--only-summary", "--stop-timeout", "30"], capture_output=True, text=True, env=env)
    outcome = next((line for line in (result.stdout + result.stderr).splitlines() if line.startswith("outcomes:")), "")
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    return rows, outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=Path, required=True, help="bench/load/prepare.py's output")
    parser.add_argument("--institutions", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--pgbench-seconds", type=int, default=30)
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads of `qiancheng serve`, per process")
    parser.add_argument("--workers", type=int, default=None,
                        help="`qiancheng serve --workers` (default: serve's own, one per core and at least 2)")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "qiancheng-load")
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    prepared = len(json.loads(args.clients.read_text())["institutions"])
    if sum(args.institutions) > prepared:
        sys.exit(f"{sum(args.institutions)} institution clients asked for, {prepared} prepared")
    args.out.mkdir(parents=True, exist_ok=True)
    log = open(args.out / "serve.log", "w")  # open for the server's whole life
    workers = [] if args.workers is None else ["--workers", str(args.workers)]
    server = subprocess.Popen([sys.executable, "-m", "qiancheng", "serve", "--port", str(args.port),
                               "--threads", str(args.threads), *workers], stdout=log, stderr=subprocess.STDOUT)
    rows = []
    try:
        wait_for(args.port)
        first = 0
        for institutions in args.institutions:
            officials = max(2, institutions // 4)
            load_before = os.getloadavg()[0]
            tps = pgbench(url, institutions, args.pgbench_seconds)
            stats, outcome = locust(args.clients, first, institutions, officials, args.seconds, args.port,
                                    args.out / f"u{institutions}")
            load_after = os.getloadavg()[0]
            first += institutions
            print(f"{institutions} institutions: pgbench {tps:.0f} tps; {outcome}", flush=True)
            rows.append((institutions, officials, tps, stats, load_before, load_after))
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
    counting = "('pending', 'approved', 'paid')"
    duplicates = psql(url, f"SELECT count(*) FROM (SELECT enrolment_id FROM funding_subsidyclaim WHERE status IN "
                           f"{counting} AND enrolment_id IS NOT NULL GROUP BY enrolment_id HAVING count(*) > 1) AS twice")
    ledger = subprocess.run([sys.executable, "-m", "qiancheng", "ledger", "verify"], capture_output=True, text=True)
    audit = subprocess.run([sys.executable, "-m", "qiancheng", "audit", "verify"], capture_output=True, text=True)

    print("\n| institutions + officials | request | requests | failures | req/s | p50 ms | p95 ms | p99 ms "
          "| pgbench tps (same clients) | req/s ÷ tps | load avg before-after |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for institutions, officials, tps, stats, before, after in rows:
        for name, row in stats.items():
            if name == "Aggregated" or not row["Request Count"] or row["Request Count"] == "0":
                continue
            rate = float(row["Requests/s"])
            print(f"| {institutions} + {officials} | {name} | {int(row['Request Count']):,} | {row['Failure Count']} "
                  f"| {rate:.1f} | {row['50%']} | {row['95%']} | {row['99%']} | {tps:,.0f} | {rate / tps:.1%} "
                  f"| {before:.1f}-{after:.1f} |")
    print(f"\nenrolments with two counting claims: {duplicates}")
    print(f"qiancheng ledger verify: exit {ledger.returncode}: {(ledger.stdout + ledger.stderr).strip()[-500:]}")
    print(f"qiancheng audit verify: exit {audit.returncode}: {(audit.stdout + audit.stderr).strip()[-500:]}")


if __name__ == "__main__":
    main()
