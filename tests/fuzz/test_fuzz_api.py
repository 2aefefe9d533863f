"""The fuzz harness's own pieces: the RFC 6238 code, the logins file, the verdict from a report."""

from __future__ import annotations

import base64
from pathlib import Path

from tests.fuzz.fuzz_api import ROLES, RoleResult, key_from_secret, read_logins, read_report, summary, totp

# RFC 6238 appendix B: the SHA-1 seed is the ASCII "12345678901234567890"; 8-digit codes.
RFC_KEY = b"12345678901234567890"


def test_totp_matches_the_rfc_6238_vectors() -> None:
    assert totp(RFC_KEY, 59, digits=8) == "94287082"
    assert totp(RFC_KEY, 1111111109, digits=8) == "07081804"
    assert totp(RFC_KEY, 1234567890, digits=8) == "89005924"
    assert totp(RFC_KEY, 20000000000, digits=8) == "65353130"


def test_six_digit_code_and_period_edges() -> None:
    assert totp(RFC_KEY, 59) == "287082"  # the last six of the RFC's 94287082
    assert totp(RFC_KEY, 60) != totp(RFC_KEY, 59)  # 60 s starts the third 30-second period
    assert totp(RFC_KEY, 30) == totp(RFC_KEY, 59)


def test_secret_as_the_logins_file_shows_it() -> None:
    shown = base64.b32encode(RFC_KEY).decode().rstrip("=")
    grouped = " ".join(shown[i:i + 4] for i in range(0, len(shown), 4))
    assert key_from_secret(grouped) == RFC_KEY
    assert key_from_secret(grouped.lower()) == RFC_KEY


def test_logins_file_with_and_without_a_secret(tmp_path: Path) -> None:
    path = tmp_path / "demo-logins.txt"
    path.write_text("# header\tnot\ta login\n"
                    "province\tpw1\t自治区人社厅 Province official\tGEZD GNBV\n"
                    "trainee\tpw2\t劳动者 Trainee\t\n"
                    "institution\tpw3\t培训机构\n", encoding="utf-8")
    logins = read_logins(path)
    assert set(logins) == {"province", "trainee", "institution"}
    assert logins["province"].password == "pw1" and logins["province"].totp_secret == "GEZD GNBV"
    assert logins["trainee"].totp_secret == "" and logins["institution"].totp_secret == ""


def report(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {"exit_code": 0, "stop_reason": "completed", "operations": {"tested": 114},
                               "test_cases": {"generated": 2000}, "failures": [], "errors": []}
    return {**base, **overrides}


def test_a_clean_report_passes() -> None:
    result = RoleResult("trainee", "trainee")
    read_report(result, report())
    assert result.ok and result.operations == 114 and result.cases == 2000


def test_a_server_error_fails_and_is_counted() -> None:
    result = RoleResult("institution", "institution")
    read_report(result, report(exit_code=1, failures=[
        {"code": "ST101", "title": "Server error", "count": 2, "operations": ["GET /api/v1/classes/"]},
        {"code": "ST108", "title": "Response violates schema", "count": 1, "operations": ["GET /api/v1/x"]},
    ]))
    assert not result.ok
    assert result.count("ST101", "ST102") == 2 and result.count("ST108") == 1
    text = summary([result], "SQLite", ("not_a_server_error",))
    assert "ST101 Server error x2: GET /api/v1/classes/" in text and text.splitlines()[-1].startswith("FAIL")


def test_an_interrupted_run_or_an_error_fails() -> None:
    stopped = RoleResult("trainee", "trainee")
    read_report(stopped, report(stop_reason="interrupted"))
    errored = RoleResult("trainee", "trainee")
    read_report(errored, report(errors=[{"message": "connection refused"}]))
    assert not stopped.ok and not errored.ok


def test_all_five_roles_must_pass() -> None:
    results = []
    for role, username in ROLES[:4]:
        result = RoleResult(role, username)
        read_report(result, report())
        results.append(result)
    assert len({role for role, _ in ROLES}) == 5
    assert summary(results, "SQLite", ()).splitlines()[-1] == "FAIL: 4/5 roles clean"
    last = RoleResult(*ROLES[4])
    read_report(last, report())
    assert summary([*results, last], "SQLite", ()).splitlines()[-1] == "PASS: 5/5 roles clean"
