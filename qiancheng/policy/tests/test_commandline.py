"""`qiancheng check` / `explain` on real files: formats, errors (exit 2, nothing written), explanations."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import polars as pl
import pytest

from qiancheng.policy.commandline import main
from qiancheng.policy.exchange import CLAIM_FIELDS, HISTORY_FIELDS
from qiancheng.policy.tests.claimdata import BASE_PARAMS, PERSON_A, PERSON_B, claim


def write_csv(path: Path, rows: list[dict], columns: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _text(v) for k, v in row.items()})
    return path


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


CLAIM_COLUMNS = [f.name for f in CLAIM_FIELDS]
HISTORY_COLUMNS = [f.name for f in HISTORY_FIELDS]


@pytest.fixture
def files(tmp_path):
    claims = [claim("C1"), claim("C2", end_date="2025-06-30", level=4), claim("C3", PERSON_B, level=4)]
    history = [{"record_type": "certificate", "record_id": "CERT-9", "id_number": PERSON_B,
                "occupation_code": "4-04-05-05", "level": 3, "record_date": "2024-01-01"}]
    (tmp_path / "params.json").write_text(json.dumps(BASE_PARAMS), encoding="utf-8")
    return {
        "claims": write_csv(tmp_path / "claims.csv", claims, CLAIM_COLUMNS),
        "history": write_csv(tmp_path / "history.csv", history, HISTORY_COLUMNS),
        "params": tmp_path / "params.json",
        "rows": claims,
        "history_rows": history,
        "dir": tmp_path,
    }


def check(files, out: Path, *extra: str, claims: Path | None = None) -> int:
    return main(["check", "--claims", str(claims or files["claims"]), "--history", str(files["history"]),
                 "--params", str(files["params"]), "--out", str(out), "--quiet", *extra])


def test_check_writes_one_decision_per_claim_in_claim_id_order(files):
    out = files["dir"] / "decisions.csv"
    assert check(files, out) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["claim_id"] for r in rows] == ["C1", "C2", "C3"]
    assert rows[0] == {"claim_id": "C1", "eligible": "true", "training_amount": "1440.00",
                       "employment_amount": "0.00", "total_amount": "1440.00", "denied_by": ""}
    assert rows[1]["denied_by"] == "3.5a"
    assert rows[2]["denied_by"] == "3.5d"


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet", ".xlsx"])
def test_every_output_format_carries_the_same_decisions(files, suffix):
    assert check(files, files["dir"] / "d.csv") == 0
    assert check(files, files["dir"] / f"d{suffix}") == 0
    reference = pl.read_csv(files["dir"] / "d.csv", infer_schema=False)
    if suffix == ".jsonl":
        other = [json.loads(line) for line in (files["dir"] / "d.jsonl").read_text().splitlines()]
        assert other[0]["eligible"] is True and other[0]["denied_by"] == ""
        assert [r["total_amount"] for r in other] == reference["total_amount"].to_list()
    elif suffix == ".parquet":
        assert pl.read_parquet(files["dir"] / "d.parquet")["total_amount"].to_list() == reference["total_amount"].to_list()
    else:
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_path(str(files["dir"] / "d.xlsx")).get_sheet_by_index(0).to_python()
        assert [row[4] for row in sheet[1:]] == reference["total_amount"].to_list()


def test_jsonl_input_gives_the_same_decisions_as_csv(files):
    claims = write_jsonl(files["dir"] / "claims.jsonl", files["rows"])
    assert check(files, files["dir"] / "a.csv") == 0
    assert check(files, files["dir"] / "b.csv", claims=claims) == 0
    assert (files["dir"] / "a.csv").read_text() == (files["dir"] / "b.csv").read_text()


def test_a_bom_extra_columns_and_any_column_order_are_accepted(files):
    path = files["dir"] / "bom.csv"
    columns = list(reversed(CLAIM_COLUMNS)) + ["remark"]
    write_csv(path, [{**row, "remark": "x"} for row in files["rows"]], columns)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert check(files, files["dir"] / "bom-out.csv", claims=path) == 0
    assert check(files, files["dir"] / "plain.csv") == 0
    assert (files["dir"] / "bom-out.csv").read_text() == (files["dir"] / "plain.csv").read_text()


def test_a_field_the_training_type_does_not_use_is_ignored_whatever_it_holds(files):
    path = write_csv(files["dir"] / "c.csv", [claim("C1", training_type="special_ability", item_code="IT-1",
                                                    level="not a level", course_kind="??")], CLAIM_COLUMNS)
    assert check(files, files["dir"] / "o.csv", claims=path) == 0


@pytest.mark.parametrize("change, field, row", [
    ({"end_date": "2025-2-01"}, "end_date", 2),
    ({"passed": "TRUE"}, "passed", 2),
    ({"level": "6"}, "level", 2),
    ({"fund": "lottery"}, "fund", 2),
    ({"city_code": "4501"}, "city_code", 2),
    ({"class_hours": "-1"}, "class_hours", 2),
    ({"employment_proof_date": "2025-08-01"}, "employment_proof_date", 2),
    ({"occupation_code": ""}, "occupation_code", 2),
])
def test_a_bad_field_fails_the_run_naming_row_and_field_and_writes_nothing(files, capsys, change, field, row):
    rows = [files["rows"][0], {**files["rows"][1], **change}]
    path = write_csv(files["dir"] / "bad.csv", rows, CLAIM_COLUMNS)
    out = files["dir"] / "never.csv"
    assert check(files, out, claims=path) == 2
    assert not out.exists()
    message = capsys.readouterr().err
    assert f"row {row}" in message and field in message


def test_a_missing_required_column_fails_the_run(files, capsys):
    path = write_csv(files["dir"] / "short.csv", files["rows"], [c for c in CLAIM_COLUMNS if c != "passed"])
    assert check(files, files["dir"] / "x.csv", claims=path) == 2
    assert "passed" in capsys.readouterr().err


def test_duplicate_claim_ids_and_a_claim_also_in_the_history_fail_the_run(files, capsys):
    twice = write_csv(files["dir"] / "twice.csv", [files["rows"][0], files["rows"][0]], CLAIM_COLUMNS)
    assert check(files, files["dir"] / "x.csv", claims=twice) == 2
    assert "claim_id" in capsys.readouterr().err
    history = write_csv(files["dir"] / "h.csv", [{"record_type": "claim", "record_id": "C1", "id_number": PERSON_A,
                                                  "training_type": "project", "fund": "special_account",
                                                  "project_id": "P", "end_date": "2024-01-01",
                                                  "status": "paid"}], HISTORY_COLUMNS)
    code = main(["check", "--claims", str(files["claims"]), "--history", str(history), "--params",
                 str(files["params"]), "--out", str(files["dir"] / "x.csv"), "--quiet"])
    assert code == 2 and "history" in capsys.readouterr().err


def test_a_missing_standard_for_an_eligible_claim_fails_the_run_with_no_standard(files, capsys):
    (files["dir"] / "p.json").write_text(json.dumps({**BASE_PARAMS, "standards": []}), encoding="utf-8")
    out = files["dir"] / "x.csv"
    code = main(["check", "--claims", str(files["claims"]), "--params", str(files["dir"] / "p.json"),
                 "--out", str(out), "--quiet"])
    assert code == 2 and not out.exists()
    assert "no standard" in capsys.readouterr().err


def test_an_uplift_above_twenty_percent_fails_the_run_naming_ai_uplift(files, capsys):
    (files["dir"] / "p.json").write_text(json.dumps({**BASE_PARAMS, "ai_uplift": {"450100": "0.2001"}}))
    code = main(["check", "--claims", str(files["claims"]), "--params", str(files["dir"] / "p.json"),
                 "--out", str(files["dir"] / "x.csv"), "--quiet"])
    assert code == 2 and "ai_uplift" in capsys.readouterr().err


def test_jsonl_types_are_strict(files, capsys):
    path = write_jsonl(files["dir"] / "c.jsonl", [{**files["rows"][0], "passed": "true"}])
    assert check(files, files["dir"] / "x.csv", claims=path) == 2
    assert "passed" in capsys.readouterr().err


def test_explain_names_the_rule_the_clause_and_the_record_that_caused_the_denial(files, capsys):
    code = main(["explain", "--claims", str(files["claims"]), "--history", str(files["history"]),
                 "--params", str(files["params"]), "--claim-id", "C3"])
    text = capsys.readouterr().out
    assert code == 0
    assert "不予补贴" in text and "3.5d" in text and "CERT-9" in text and "higher-level certificate" in text
    assert PERSON_B not in text  # the ID number is shown masked


def test_explain_shows_how_the_amount_was_computed(files, capsys):
    main(["explain", "--claims", str(files["claims"]), "--history", str(files["history"]),
          "--params", str(files["params"]), "--claim-id", "C1", "--json"])
    explanation = json.loads(capsys.readouterr().out)
    assert explanation["eligible"] is True and explanation["total_amount"] == "1440.00"
    assert any("1200.00 × (1 + 0.20)" in step for step in explanation["amount_steps"])


def test_compare_reports_the_claims_and_money_that_change(files, capsys):
    (files["dir"] / "what-if.json").write_text(json.dumps({**BASE_PARAMS, "ai_uplift": {}}), encoding="utf-8")
    changes = files["dir"] / "changes.csv"
    assert check(files, files["dir"] / "d.csv", "--compare", str(files["dir"] / "what-if.json"),
                 "--compare-out", str(changes)) == 0
    assert "-240.00" in capsys.readouterr().err
    assert pl.read_csv(changes, infer_schema=False)["claim_id"].to_list() == ["C1"]
