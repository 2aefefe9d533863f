"""Scenario tests of the subsidy decision engine, written from the contract alone.

The expected results in ``scenarios/*.yaml`` were worked out by hand from
``qiancheng/policy/data/RULES.md`` and ``qiancheng/policy/data/EXCHANGE.md`` (with the arithmetic in a comment at each
scenario), never from the engine's code: these tests are the auditor's check on the engine.

Every scenario runs ``qiancheng check`` (``qiancheng.policy.commandline.main``) twice:

* all CSV (claims.csv, history.csv, decisions.csv), rows in the order the scenario lists them;
* all JSON Lines (claims.jsonl, history.jsonl, decisions.jsonl), rows in reverse order, because the
  result must not depend on the order of rows in the input files (RULES.md, "Many claims at once").

A scenario names only what differs from two bases defined here once:

``BASE_CLAIM``
    a valid occupational employment-subsidy claim (occupation 6-18-02-04, not on the AI list, level 5,
    city 450100) of person ``450102199003070016``, who advanced the cost and claims it
    (``advanced_by_id`` and ``claimant_id`` default to the claim's ``id_number`` as written), passed,
    trained 2025-03-03 .. 2025-04-30 at institution ``INST-A``.
``BASE_PARAMS``
    as-of 2027-12-31; employment-subsidy standards valid from 2023-01-01, open-ended:
    occupational level 5/4/3/2/1 = 1200/1500/1800/2100/2400, special ability 800, GYB 300, SYB 1000,
    IYB 1100, EYB 1300, online_live 500, online_ecommerce 650, online_simulation 400, project 900;
    unemployment-insurance standard 1050 from 2023-01-01; AI list [4-04-05-05];
    AI uplift 450100 = 0.20, 450200 = 0.10.

A scenario's ``params`` replaces ``BASE_PARAMS`` entirely (EXCHANGE.md (c): the file is the complete
parameter set). Other scenario keys: ``history``, ``claims``, ``expect`` or ``expect_error``,
``as_of`` (passed as ``--as-of``), ``formats`` (restrict to ``csv`` or ``jsonl``), ``bom`` (CSV inputs
start with a UTF-8 BOM), ``drop_claim_fields`` / ``drop_history_fields`` (columns left out of the
files), ``raw_params`` (params.json written verbatim), ``jsonl_nulls`` (JSON Lines writes "not given" as
``null`` instead of leaving the key out). A top-level ``templates`` key holds YAML anchors
and is not read.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

SCENARIO_DIR = Path(__file__).parent / "scenarios"

BASE_PERSON = "450102199003070016"

BASE_CLAIM: dict[str, Any] = {
    "claim_id": None,
    "id_number": BASE_PERSON,
    "training_type": "occupational",
    "fund": "employment_subsidy",
    "city_code": "450100",
    "occupation_code": "6-18-02-04",
    "level": 5,
    "item_code": None,
    "course_kind": None,
    "project_id": None,
    "applicant_relation": None,
    "class_hours": 80,
    "start_date": "2025-03-03",
    "end_date": "2025-04-30",
    "passed": True,
    "person_category": "graduate_youth",
    "receiving_unemployment_benefit": False,
    "has_business_licence": False,
    "institution_id": "INST-A",
    "advanced_by": "individual",
    "advanced_by_id": None,
    "claimant": "individual",
    "claimant_id": None,
    "employment_proof_kind": None,
    "employment_proof_date": None,
}

HISTORY_COLUMNS: tuple[str, ...] = (
    "record_type",
    "record_id",
    "id_number",
    "institution_id",
    "training_type",
    "fund",
    "occupation_code",
    "level",
    "item_code",
    "course_kind",
    "project_id",
    "end_date",
    "status",
    "record_date",
    "listed_from",
    "listed_until",
)

DECISION_COLUMNS: tuple[str, ...] = (
    "claim_id",
    "eligible",
    "training_amount",
    "employment_amount",
    "total_amount",
    "denied_by",
)

_FROM = "2023-01-01"
BASE_PARAMS: dict[str, Any] = {
    "as_of_date": "2027-12-31",
    "standards": [
        *(
            {
                "training_type": "occupational",
                "level": level,
                "amount": amount,
                "valid_from": _FROM,
                "valid_to": None,
                "source": "scenario tests",
            }
            for level, amount in (
                (5, "1200.00"),
                (4, "1500.00"),
                (3, "1800.00"),
                (2, "2100.00"),
                (1, "2400.00"),
            )
        ),
        {"training_type": "special_ability", "amount": "800.00", "valid_from": _FROM},
        *(
            {
                "training_type": "entrepreneurship",
                "course_kind": kind,
                "amount": amount,
                "valid_from": _FROM,
                "valid_to": None,
            }
            for kind, amount in (
                ("GYB", "300.00"),
                ("SYB", "1000.00"),
                ("IYB", "1100.00"),
                ("EYB", "1300.00"),
                ("online_live", "500.00"),
                ("online_ecommerce", "650.00"),
                ("online_simulation", "400.00"),
            )
        ),
        {"training_type": "project", "amount": "900.00", "valid_from": _FROM, "valid_to": None},
    ],
    "unemployment_insurance_standards": [
        {"amount": "1050.00", "valid_from": _FROM, "valid_to": None, "source": "scenario tests"},
    ],
    "ai_occupations": ["4-04-05-05"],
    "ai_uplift": {"450100": "0.20", "450200": "0.10"},
}

RULE_IDS: tuple[str, ...] = (
    "data.id",
    "data.dates",
    "3.2",
    "3.3",
    "3.4e",
    "3.5a",
    "3.5b",
    "3.5c",
    "3.5d",
    "3.6",
    "5.1",
    "5.2a",
    "5.2b",
    "5.2d",
    "5.3",
    "6d",
)
SCENARIO_KEYS = {
    "name",
    "params",
    "raw_params",
    "as_of",
    "history",
    "claims",
    "expect",
    "expect_error",
    "formats",
    "bom",
    "drop_claim_fields",
    "drop_history_fields",
    "jsonl_nulls",
}
MONEY = re.compile(r"^\d+\.\d{2}$")
FORMATS = ("csv", "jsonl")


# --- loading the scenarios -------------------------------------------------------------------------


def load_scenario_files() -> list[tuple[str, dict[str, Any]]]:
    files = sorted(SCENARIO_DIR.glob("*.yaml"))
    return [(path.name, yaml.safe_load(path.read_text(encoding="utf-8"))) for path in files]


def all_scenarios() -> list[tuple[str, str, dict[str, Any]]]:
    """(file name, clause, scenario) for every scenario of every file."""
    return [
        (file_name, str(content["clause"]), scenario)
        for file_name, content in load_scenario_files()
        for scenario in content["scenarios"]
    ]


SCENARIOS = all_scenarios()


def as_text(value: Any) -> Any:
    """YAML reads an unquoted 2025-04-30 as a date; the files carry it as text."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_text(item) for item in value]
    return value


def scenario_claims(scenario: dict[str, Any]) -> list[dict[str, Any]]:
    claims = []
    for override in scenario.get("claims", []):
        claim = {**BASE_CLAIM, **as_text(override)}
        for party in ("advanced_by_id", "claimant_id"):
            if party not in override:
                claim[party] = claim["id_number"]
        for field in scenario.get("drop_claim_fields", []):
            claim.pop(field, None)
        claims.append(claim)
    return claims


def scenario_history(scenario: dict[str, Any]) -> list[dict[str, Any]]:
    history = []
    for record in scenario.get("history", []) or []:
        row = {column: None for column in HISTORY_COLUMNS}
        row.update(as_text(record))
        for field in scenario.get("drop_history_fields", []):
            row.pop(field, None)
        history.append(row)
    return history


# --- writing the exchange files (EXCHANGE.md) ------------------------------------------------------


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def columns_of(rows: Iterable[dict[str, Any]], base: Iterable[str], dropped: Iterable[str]) -> list[str]:
    names = set(base)
    for row in rows:
        names.update(row)
    # Column order is free (EXCHANGE.md): write them alphabetically, not in the table's order.
    return sorted(names - set(dropped))


def write_csv(path: Path, rows: list[dict[str, Any]], columns: list[str], bom: bool) -> None:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([csv_cell(row.get(column)) for column in columns])


def write_jsonl(path: Path, rows: list[dict[str, Any]], nulls: bool) -> None:
    # "not given" is an absent key (or null) in JSON Lines; rows reversed: input order must not matter.
    lines = [
        json.dumps(
            {key: value for key, value in row.items() if nulls or value is not None}, ensure_ascii=False
        )
        for row in reversed(rows)
    ]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def write_inputs(scenario: dict[str, Any], directory: Path, fmt: str) -> dict[str, Path]:
    claims = scenario_claims(scenario)
    history = scenario_history(scenario)
    paths = {
        "claims": directory / f"claims.{fmt}",
        "history": directory / f"history.{fmt}",
        "params": directory / "params.json",
    }
    if fmt == "csv":
        bom = bool(scenario.get("bom"))
        claim_columns = columns_of(claims, BASE_CLAIM, scenario.get("drop_claim_fields", []))
        history_columns = columns_of(history, HISTORY_COLUMNS, scenario.get("drop_history_fields", []))
        write_csv(paths["claims"], claims, claim_columns, bom)
        write_csv(paths["history"], history, history_columns, bom)
    else:
        nulls = bool(scenario.get("jsonl_nulls"))
        write_jsonl(paths["claims"], claims, nulls)
        write_jsonl(paths["history"], history, nulls)
    if "raw_params" in scenario:
        paths["params"].write_text(scenario["raw_params"], encoding="utf-8")
    else:
        params = as_text(scenario.get("params", BASE_PARAMS))
        paths["params"].write_text(json.dumps(params, ensure_ascii=False, indent=1), encoding="utf-8")
    return paths


# --- reading the decisions -------------------------------------------------------------------------


def read_decisions(path: Path) -> list[dict[str, Any]]:
    """Decisions as {claim_id, eligible: bool, amounts: str, denied_by: str ("" when empty)}."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = set(DECISION_COLUMNS) - set(reader.fieldnames or [])
            assert not missing, f"decisions.csv lacks columns {sorted(missing)}"
            rows = list(reader)
        for row in rows:
            assert row["eligible"] in ("true", "false"), f"CSV boolean must be true/false: {row}"
            row["eligible"] = row["eligible"] == "true"
        return rows
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        assert isinstance(row.get("eligible"), bool), f"JSON Lines eligible must be a JSON boolean: {row}"
        for column in ("training_amount", "employment_amount", "total_amount"):
            # Money is a decimal string, never a binary floating-point number (EXCHANGE.md).
            assert isinstance(row.get(column), str), f"{column} must be a decimal string: {row}"
        if row.get("denied_by") is None:
            row["denied_by"] = ""
        rows.append(row)
    return rows


def check_invariants(row: dict[str, Any]) -> None:
    """What holds for every decision row whatever the scenario (EXCHANGE.md (d), RULES.md 15)."""
    for column in ("training_amount", "employment_amount", "total_amount"):
        assert MONEY.match(row[column]), f"{row['claim_id']}: {column}={row[column]!r} is not 2-decimal money"
    total = Decimal(row["training_amount"]) + Decimal(row["employment_amount"])
    assert Decimal(row["total_amount"]) == total, f"{row['claim_id']}: total is not the sum"
    if row["eligible"]:
        assert row["denied_by"] == "", f"{row['claim_id']}: eligible but denied_by={row['denied_by']!r}"
    else:
        assert row["denied_by"], f"{row['claim_id']}: denied without a rule"
        assert (row["training_amount"], row["employment_amount"], row["total_amount"]) == (
            "0.00",
            "0.00",
            "0.00",
        ), f"{row['claim_id']}: a denied claim carries 0.00 everywhere"


# --- running ---------------------------------------------------------------------------------------


def run_check(
    paths: dict[str, Path], out: Path, as_of: str | None, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    from qiancheng.policy.commandline import main

    capsys.readouterr()
    args = [
        "check",
        "--claims",
        str(paths["claims"]),
        "--history",
        str(paths["history"]),
        "--params",
        str(paths["params"]),
        "--out",
        str(out),
    ]
    if as_of is not None:
        args += ["--as-of", as_of]
    code = main(args)
    return code, capsys.readouterr().err


def formats_of(scenario: dict[str, Any]) -> list[str]:
    return list(scenario.get("formats", FORMATS))


@pytest.mark.parametrize(
    "scenario",
    [pytest.param(scenario, id=scenario["name"]) for _, _, scenario in SCENARIOS],
)
def test_scenario(scenario: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for fmt in formats_of(scenario):
        directory = tmp_path / fmt
        out_dir = directory / "out"
        out_dir.mkdir(parents=True)
        paths = write_inputs(scenario, directory, fmt)
        out = out_dir / f"decisions.{fmt}"
        code, stderr = run_check(paths, out, scenario.get("as_of"), capsys)
        if "expect_error" in scenario:
            expected = scenario["expect_error"]
            assert code == expected["exit"], f"[{fmt}] exit {code}, expected {expected['exit']}; {stderr}"
            assert stderr.strip(), f"[{fmt}] an input error needs a message on stderr"
            if "stderr_contains" in expected:
                assert expected["stderr_contains"].lower() in stderr.lower(), f"[{fmt}] stderr: {stderr}"
            assert list(out_dir.iterdir()) == [], f"[{fmt}] nothing may be written on an input error"
            continue
        assert code == 0, f"[{fmt}] exit {code}; stderr: {stderr}"
        rows = read_decisions(out)
        claim_ids = [claim["claim_id"] for claim in scenario_claims(scenario)]
        actual_ids = [row["claim_id"] for row in rows]
        # One row per input claim, ordered by claim_id in code-point order (Python str order).
        assert actual_ids == sorted(claim_ids), f"[{fmt}] decision rows {actual_ids}"
        for row in rows:
            check_invariants(row)
            expected = scenario["expect"][row["claim_id"]]
            actual = {key: row[key] for key in expected}
            assert actual == expected, f"[{fmt}] {row['claim_id']}: got {row}, expected {expected}"


# --- the suite's own checks (they need no engine) --------------------------------------------------


def test_suite_has_at_least_120_scenarios() -> None:
    assert len(SCENARIOS) >= 120


def test_scenario_names_are_unique_sentences() -> None:
    names = [scenario["name"] for _, _, scenario in SCENARIOS]
    assert len(names) == len(set(names)), [name for name in names if names.count(name) > 1]
    assert all(len(name.split()) >= 4 for name in names)


@pytest.mark.parametrize(
    "file_name, scenario",
    [pytest.param(file_name, scenario, id=scenario["name"]) for file_name, _, scenario in SCENARIOS],
)
def test_scenario_is_well_formed(file_name: str, scenario: dict[str, Any]) -> None:
    assert set(scenario) <= SCENARIO_KEYS, f"{file_name}: unknown keys {set(scenario) - SCENARIO_KEYS}"
    assert ("expect" in scenario) != ("expect_error" in scenario)
    assert set(formats_of(scenario)) <= set(FORMATS) and formats_of(scenario)
    for claim in scenario.get("claims", []):
        for field in ("claim_id", "id_number", "city_code", "occupation_code", "item_code", "project_id"):
            value = claim.get(field)
            assert value is None or isinstance(value, str), f"{field} must be quoted text: {value!r}"
    if "expect_error" in scenario:
        assert scenario["expect_error"]["exit"] == 2
        return
    claim_ids = [claim["claim_id"] for claim in scenario.get("claims", [])]
    assert len(claim_ids) == len(set(claim_ids)), "claim IDs repeat in a scenario that expects decisions"
    assert set(scenario["expect"]) == set(claim_ids), "expect must name exactly the scenario's claims"
    for claim_id, expected in scenario["expect"].items():
        if expected["eligible"]:
            assert "denied_by" not in expected or expected["denied_by"] == ""
            amounts = [expected[key] for key in ("training_amount", "employment_amount", "total_amount")]
            assert all(MONEY.match(amount) for amount in amounts), claim_id
            assert Decimal(amounts[0]) + Decimal(amounts[1]) == Decimal(amounts[2]), claim_id
        else:
            rules = expected["denied_by"].split(";")
            assert set(rules) <= set(RULE_IDS), f"{claim_id}: unknown rule in {rules}"
            assert rules == sorted(set(rules)), f"{claim_id}: denied_by must be sorted, without repeats"


def denied_rules(scenario: dict[str, Any]) -> set[str]:
    return {
        rule
        for expected in scenario.get("expect", {}).values()
        if not expected["eligible"]
        for rule in expected["denied_by"].split(";")
    }


def eligible_decisions(scenario: dict[str, Any]) -> list[dict[str, Any]]:
    return [expected for expected in scenario.get("expect", {}).values() if expected["eligible"]]


def test_every_rule_has_a_denying_and_a_passing_scenario() -> None:
    """Each rule is seen to deny (or change an amount) and, in its own file, to let a claim through."""
    missing: list[str] = []
    for rule in RULE_IDS:
        denies = any(rule in denied_rules(scenario) for _, _, scenario in SCENARIOS)
        passes = any(eligible_decisions(scenario) for _, clause, scenario in SCENARIOS if clause == rule)
        if not denies:
            missing.append(f"{rule}: no scenario denies by it")
        if not passes:
            missing.append(f"{rule}: no scenario of its file passes a claim")
    # 5.2c changes an amount: 200.00 earned somewhere, 0.00 for an eligible claim of its file.
    earned = any(
        e["employment_amount"] == "200.00"
        for _, c, s in SCENARIOS
        if c == "5.2c"
        for e in eligible_decisions(s)
    )
    not_earned = any(
        e["employment_amount"] == "0.00"
        for _, c, s in SCENARIOS
        if c == "5.2c"
        for e in eligible_decisions(s)
    )
    if not (earned and not_earned):
        missing.append("5.2c: needs an eligible claim with 200.00 and one with 0.00")
    # 4.2: 1200 x 1.20 = 1440.00 applied, 1200.00 not applied, and an uplift refused at loading.
    uplift_amounts = {
        e["training_amount"] for _, c, s in SCENARIOS if c == "4.2" for e in eligible_decisions(s)
    }
    refused = any(
        "ai_uplift" in s.get("expect_error", {}).get("stderr_contains", "")
        for _, c, s in SCENARIOS
        if c == "4.2"
    )
    if not ({"1440.00", "1200.00"} <= uplift_amounts and refused):
        missing.append("4.2: needs 1440.00 applied, 1200.00 not applied and a refused uplift")
    assert not missing, missing
