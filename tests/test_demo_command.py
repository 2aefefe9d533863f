"""`qiancheng demo` and `qiancheng serve` as a new user runs them: real processes, real migrations.

The demo always uses the embedded SQLite database in its data folder, so these tests take
DATABASE_URL out of the child's environment even when the suite runs on PostgreSQL.
"""

from __future__ import annotations

import base64
import os
import re
import socket
import sqlite3
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from qiancheng.synth.generator import generate_province

PEOPLE = 300
SEED = 2025  # the demo's default seed
TABLES = ("people_person", "providers_teacher", "training_enrolment", "funding_subsidyclaim", "accounts_user",
          "evaluation_certificate", "synth_synthrun")


def child_env(data_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "QIANCHENG_DATA_DIR")}
    env["QIANCHENG_DATA_DIR"] = str(data_dir)
    return env


def run_demo(data_dir: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "qiancheng", "demo", "--no-serve", "--people", str(PEOPLE)],
        capture_output=True, text=True, timeout=900, env=child_env(data_dir),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as connection:
        return {table: connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in TABLES}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    data_dir = tmp_path_factory.mktemp("demo-data")
    first = run_demo(data_dir)
    before = counts(data_dir / "qiancheng.sqlite3")
    second = run_demo(data_dir)
    return {"dir": data_dir, "first": first.stdout, "second": second.stdout, "before": before,
            "after": counts(data_dir / "qiancheng.sqlite3")}


def test_second_run_reuses_the_data(demo) -> None:
    assert demo["before"] == demo["after"]
    assert demo["before"]["people_person"] == PEOPLE
    assert demo["before"]["synth_synthrun"] == 1
    assert demo["before"]["funding_subsidyclaim"] > PEOPLE / 2
    assert "reusing" in demo["second"] and "logins reused" in demo["second"]


def test_logins_file_is_private_and_printed_again(demo) -> None:
    path = demo["dir"] / "demo-logins.txt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    logins = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert [row[0] for row in logins] == ["province", "nanning", "nanning2", "liuzhou", "institution", "enterprise", "trainee",
                                          "industry", "admin"]
    for username, password, _label, secret in logins:
        assert len(password) >= 10
        assert password in demo["first"] and password in demo["second"]
        # Officials must pass a second factor: their authenticator secret (base32) is printed beside them.
        if username in {"province", "nanning", "nanning2", "liuzhou"}:
            assert re.fullmatch(r"[A-Z2-7]{32,}", secret) and secret in demo["first"] and secret in demo["second"]
        else:
            assert secret == ""


def test_democode_prints_the_code_the_officials_authenticator_shows(demo) -> None:
    from django_otp.oath import TOTP

    rows = {line.split("\t")[0]: line.split("\t") for line in
            (demo["dir"] / "demo-logins.txt").read_text(encoding="utf-8").splitlines() if not line.startswith("#")}
    secret = rows["nanning"][3]
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    before = f"{TOTP(key).token():06d}"
    shown = subprocess.run([sys.executable, "-m", "qiancheng", "democode", "nanning"], capture_output=True,
                           text=True, timeout=120, env=child_env(demo["dir"]))
    after = f"{TOTP(key).token():06d}"  # the 30-second step may turn over while the child runs
    assert shown.returncode == 0 and shown.stdout.strip() in {before, after}
    refused = subprocess.run([sys.executable, "-m", "qiancheng", "democode", "institution"], capture_output=True,
                             text=True, timeout=120, env=child_env(demo["dir"]))
    assert refused.returncode != 0 and "no authenticator secret" in refused.stderr


def test_database_file_holds_no_clear_id_number_or_phone(demo) -> None:
    folder = demo["dir"]
    stored = b"".join(path.read_bytes() for path in folder.iterdir() if path.name.startswith("qiancheng.sqlite3"))
    province = generate_province(PEOPLE, SEED)
    numbers = [*province.persons["id_number"], *province.teachers["id_number"]]
    assert len(numbers) > PEOPLE
    found = [number for number in numbers if number.encode() in stored]
    assert found == [], f"clear ID numbers in the database file: {found[:5]}"
    phones = [phone for phone in province.persons["phone"] if phone.encode() in stored]
    assert phones == []
    # The search can see text: the institutions' credit codes (public, stored in clear) are found.
    assert all(code.encode() in stored for code in province.institutions["uscc"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status


def test_serve_answers_home_and_login(demo) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "qiancheng", "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=child_env(demo["dir"]),
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                status = fetch(f"http://127.0.0.1:{port}/login/")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    # stop it before reading: a server still running never closes its output
                    server.terminate()
                    output, _ = server.communicate(timeout=30)
                    raise AssertionError(output or "server did not start") from None
                time.sleep(0.5)
        assert status == 200
        assert fetch(f"http://127.0.0.1:{port}/") == 200  # the home page, or the login it redirects to
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_demo_shows_money_in_every_state_and_its_ledger_verifies(demo) -> None:
    """Issue 5: claims in every status, a send-back, a recovery with a repayment, an appeal waiting,
    an advance, a 5.2c top-up waiting; `qiancheng ledger verify` passes on the result."""
    with sqlite3.connect(demo["dir"] / "qiancheng.sqlite3") as connection:
        statuses = {row[0] for row in connection.execute("SELECT DISTINCT status FROM funding_subsidyclaim")}
        sent_back = connection.execute(
            "SELECT COUNT(*) FROM funding_subsidyclaim WHERE documents_requested_at IS NOT NULL").fetchone()[0]
        recoveries = connection.execute("SELECT status FROM funding_recoverycase").fetchall()
        appeals = connection.execute("SELECT status FROM funding_appeal").fetchall()
        advances = connection.execute("SELECT COUNT(*) FROM funding_advance").fetchone()[0]
        topups = connection.execute("SELECT topup_status FROM funding_subsidyclaim WHERE topup_status != ''").fetchall()
    assert {"pending", "approved", "rejected", "paid", "withdrawn", "recovered"} <= statuses
    assert sent_back == 1
    assert [status for (status,) in recoveries] == ["partly_repaid"]
    assert [status for (status,) in appeals] == ["filed"]
    assert advances == 1
    assert [status for (status,) in topups] == ["pending"]
    verified = subprocess.run([sys.executable, "-m", "qiancheng", "ledger", "verify"], capture_output=True,
                              text=True, timeout=300, env=child_env(demo["dir"]))
    assert verified.returncode == 0, verified.stdout + verified.stderr
