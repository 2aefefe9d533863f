"""A roster apply killed with SIGKILL half-way leaves nothing applied; running it again completes it.

The apply runs in a real child process on a real database (a SQLite file, or a PostgreSQL database of
its own when DATABASE_URL is set), and is killed after its persons are inserted and before its
enrolments are, inside the one transaction.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

CHILD = "qiancheng.training.tests.roster_apply_child"
KILL_DB = "test_training_kill"


def _postgres_env(url: str) -> Iterator[dict[str, str]]:
    import psycopg

    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {KILL_DB} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {KILL_DB}")
    yield {**os.environ, "DATABASE_URL": f"{base}/{KILL_DB}"}
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {KILL_DB} WITH (FORCE)")


@pytest.fixture
def child_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        yield from _postgres_env(url)
        return
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    yield {**env, "QIANCHENG_DATA_DIR": str(tmp_path / "data")}


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", CHILD, *args], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def counts(env: dict[str, str], job_id: str) -> dict[str, object]:
    return json.loads(run(env, "count", job_id))


def test_kill_9_mid_apply_leaves_nothing_and_a_rerun_completes(child_env: dict[str, str]) -> None:
    job_id, good = run(child_env, "setup").split()
    assert int(good) == 3_000
    child = subprocess.Popen([sys.executable, "-m", CHILD, "apply-and-hang", job_id], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=child_env)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "MIDWAY"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    assert counts(child_env, job_id) == {"persons": 0, "enrolments": 0, "status": "validated"}
    assert run(child_env, "apply", job_id) == "applied 3000"
    assert counts(child_env, job_id) == {"persons": 3_000, "enrolments": 3_000, "status": "applied"}
    assert run(child_env, "apply", job_id) == "applied 3000"  # a further run changes nothing
    assert counts(child_env, job_id) == {"persons": 3_000, "enrolments": 3_000, "status": "applied"}
