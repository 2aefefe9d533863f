"""Hand-written cases from RULES.md for the independent DuckDB reference (bench/reference_duckdb.py)."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from stdnum.cn import ric

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("reference_duckdb", ROOT / "bench" / "reference_duckdb.py")
ref = importlib.util.module_from_spec(_spec)
sys.modules["reference_duckdb"] = ref
_spec.loader.exec_module(ref)


def id_number(first17: str) -> str:
    """A valid ID from its first 17 digits (check character by python-stdnum, not by the reference)."""
    return first17 + ric.calc_check_digit(first17 + "0")


ANNA = id_number("45010219900307061")
BAO = id_number("45020219851212002")
CHEN = id_number("45030220000101003")

HISTORY_COLUMNS = list(ref.HISTORY_COLUMNS)


def claim(claim_id: str = "C1", **fields: object) -> dict:
    """An occupational employment-subsidy claim that passes every rule unless a field says otherwise."""
    row = {
        "claim_id": claim_id, "id_number": ANNA, "training_type": "occupational",
        "fund": "employment_subsidy", "city_code": "450300", "occupation_code": "6-01-01-01", "level": "5",
        "item_code": "", "course_kind": "", "project_id": "", "applicant_relation": "",
        "class_hours": "40", "start_date": "2025-03-01", "end_date": "2025-03-31", "passed": "true",
        "person_category": "other", "receiving_unemployment_benefit": "false",
        "has_business_licence": "false", "institution_id": "INST-A", "advanced_by": "institution",
        "advanced_by_id": "INST-A", "claimant": "institution", "claimant_id": "INST-A",
        "employment_proof_kind": "", "employment_proof_date": "",
    }  # fmt: skip
    row.update({k: str(v) for k, v in fields.items()})
    return row


def project_claim(claim_id: str = "C1", **fields: object) -> dict:
    base = {"training_type": "project", "project_id": "PRJ-1", "applicant_relation": "employee",
            "fund": "special_account"}  # fmt: skip
    return claim(claim_id, **{**base, **fields})


def past_claim(record_id: str, **fields: object) -> dict:
    row = {"record_type": "claim", "record_id": record_id, "id_number": ANNA, "training_type": "occupational",
           "fund": "employment_subsidy", "occupation_code": "6-01-01-01", "level": "5",
           "end_date": "2022-06-30", "status": "paid"}  # fmt: skip
    row.update({k: str(v) for k, v in fields.items()})
    return row


def record(record_type: str, record_id: str, **fields: object) -> dict:
    return {"record_type": record_type, "record_id": record_id, **{k: str(v) for k, v in fields.items()}}


PARAMS = {
    "as_of_date": "2027-09-30",
    "standards": [
        *({"training_type": "occupational", "level": lv, "amount": amt, "valid_from": "2023-01-01"}
          for lv, amt in [(5, "1200.00"), (4, "1500.00"), (3, "2000.00"), (2, "2500.00"), (1, "3000.00")]),
        {"training_type": "special_ability", "amount": "800.00", "valid_from": "2023-01-01", "valid_to": None},
        *({"training_type": "entrepreneurship", "course_kind": k, "amount": amt, "valid_from": "2023-01-01"}
          for k, amt in [("GYB", "500.00"), ("SYB", "1000.00"), ("IYB", "1200.00"), ("EYB", "1500.00")]),
        {"training_type": "project", "amount": "900.00", "valid_from": "2023-01-01"},
    ],
    "unemployment_insurance_standards": [{"amount": "1100.00", "valid_from": "2023-01-01", "valid_to": None}],
    "ai_occupations": ["4-04-05-05"],
    "ai_uplift": {"450100": "0.20", "450200": "0.15"},
}  # fmt: skip


def write_rows(path: Path, rows: list[dict], columns: list[str] | None = None) -> Path:
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        return path
    columns = columns or list(dict.fromkeys(k for r in rows for k in r))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def files(tmp_path: Path, claims: list[dict], history: list[dict] = (), params: dict | None = None) -> tuple:
    return (
        write_rows(tmp_path / "claims.csv", claims),
        write_rows(tmp_path / "history.csv", list(history), HISTORY_COLUMNS),
        write_params(tmp_path, params or PARAMS),
    )


def write_params(tmp_path: Path, params: dict) -> Path:
    path = tmp_path / "params.json"
    path.write_text(json.dumps(params), encoding="utf-8")
    return path


def decide(tmp_path: Path, claims: list[dict], history: list[dict] = (), params: dict | None = None) -> dict:
    return {d["claim_id"]: d for d in ref.decide(*files(tmp_path, claims, history, params))}


def denied(tmp_path: Path, one_claim: dict, history: list[dict] = (), params: dict | None = None) -> str:
    return decide(tmp_path, [one_claim], history, params)[one_claim["claim_id"]]["denied_by"]


def params_with(**changes: object) -> dict:
    return {**PARAMS, **changes}


# --- the baseline and each rule failing alone ------------------------------------------------------


def test_baseline_claim_is_eligible_with_the_level_5_standard(tmp_path):
    d = decide(tmp_path, [claim()])["C1"]
    assert d == {"claim_id": "C1", "eligible": True, "training_amount": "1200.00",
                 "employment_amount": "0.00", "total_amount": "1200.00", "denied_by": ""}  # fmt: skip


@pytest.mark.parametrize(
    "bad_id",
    [
        ANNA[:17] + ("0" if ANNA[17] != "0" else "1"),  # check character wrong
        id_number("45010219900230061"),  # 1990-02-30 is not a date
        id_number("45010220271001061"),  # born after the as-of date 2027-09-30
        id_number("99010219900307061"),  # 99 is not a province-level code
        id_number("10010219900307061"),  # nor is 10
        ANNA[:17],  # 17 characters
        "A" + ANNA[1:],  # a letter among the first 17
    ],
)
def test_data_id_fails_alone_for_each_gb11643_defect(tmp_path, bad_id):
    assert denied(tmp_path, claim(id_number=bad_id)) == "data.id"


def test_unknown_county_code_is_still_a_valid_id(tmp_path):
    # EXCHANGE.md: 450123199001011233 is valid (numbers keep the code of where they were issued).
    assert denied(tmp_path, claim(id_number="450123199001011233")) == ""


def test_birth_date_on_the_as_of_date_is_valid(tmp_path):
    assert denied(tmp_path, claim(id_number=id_number("45010220270930061"))) == ""


def test_id_validity_agrees_with_python_stdnum_check_characters(tmp_path):
    rng = random.Random(11643)
    claims, expected = [], {}
    for i in range(300):
        body = rng.choice(["45", "11", "82", "99", "10", "71"]) + "".join(rng.choices("0123456789", k=4))
        body += f"{rng.randint(1900, 2030)}{rng.randint(1, 13):02d}{rng.randint(1, 31):02d}{rng.randint(0, 999):03d}"
        last = ric.calc_check_digit(body + "0") if rng.random() < 0.7 else rng.choice("0123456789X")
        number = body + last
        try:
            born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError:
            born = None
        ok = (
            last == ric.calc_check_digit(number)
            and born is not None
            and born <= dt.date(2027, 9, 30)
            and number[:2] in ref.PROVINCE_PREFIXES
        )
        claims.append(claim(f"C{i:03d}", id_number=number))
        expected[f"C{i:03d}"] = "" if ok else "data.id"
    got = {cid: d["denied_by"] for cid, d in decide(tmp_path, claims).items()}
    assert got == expected
    assert set(expected.values()) == {"", "data.id"}


def test_data_dates_end_before_start(tmp_path):
    assert denied(tmp_path, claim(start_date="2025-04-01", end_date="2025-03-31")) == "data.dates"


def test_data_dates_on_as_of_is_fine_one_day_after_denies(tmp_path):
    on = claim("C1", end_date="2027-09-30", start_date="2027-09-01")
    after = claim("C2", id_number=BAO, end_date="2027-10-01", start_date="2027-09-01")
    d = decide(tmp_path, [on, after])
    assert (d["C1"]["denied_by"], d["C2"]["denied_by"]) == ("", "data.dates")


def test_data_dates_looks_at_the_employment_proof_date(tmp_path):
    c = project_claim(employment_proof_kind="labour_contract", employment_proof_date="2027-10-01")
    assert denied(tmp_path, c) == "data.dates"


def test_3_2_special_ability_28_hours_pass_27_fail(tmp_path):
    sa = {"training_type": "special_ability", "item_code": "ITEM-1"}
    d = decide(
        tmp_path, [claim("C1", class_hours=28, **sa), claim("C2", id_number=BAO, class_hours=27, **sa)]
    )
    assert (d["C1"]["denied_by"], d["C1"]["training_amount"]) == ("", "800.00")
    assert d["C2"]["denied_by"] == "3.2"


def test_3_2_does_not_apply_to_occupational_training(tmp_path):
    assert denied(tmp_path, claim(class_hours=0)) == ""


def test_3_3_iyb_without_licence_denied_syb_without_licence_granted(tmp_path):
    ent = {"training_type": "entrepreneurship"}
    d = decide(tmp_path, [
        claim("C1", course_kind="IYB", **ent),
        claim("C2", id_number=BAO, course_kind="EYB", has_business_licence="true", **ent),
        claim("C3", id_number=CHEN, course_kind="SYB", **ent),
    ])  # fmt: skip
    assert [d[c]["denied_by"] for c in ("C1", "C2", "C3")] == ["3.3", "", ""]
    assert d["C2"]["training_amount"] == "1500.00"


def test_3_4e_project_training_for_someone_unrelated_to_the_applicant(tmp_path):
    d = decide(tmp_path, [
        project_claim("C1", applicant_relation="none"),
        project_claim("C2", id_number=BAO, applicant_relation="prospective_hire"),
    ])  # fmt: skip
    assert (d["C1"]["denied_by"], d["C2"]["denied_by"]) == ("3.4e", "")


def test_3_6_claimant_must_be_who_advanced_the_cost(tmp_path):
    d = decide(tmp_path, [
        claim("C1", advanced_by="enterprise", advanced_by_id="ENT-9"),  # kind and id differ
        claim("C2", id_number=BAO, advanced_by_id="INST-B"),  # same kind, other identifier
    ])  # fmt: skip
    assert (d["C1"]["denied_by"], d["C2"]["denied_by"]) == ("3.6", "3.6")


def test_5_1_not_passed_employment_subsidy_and_ui_fund(tmp_path):
    d = decide(tmp_path, [
        claim("C1", passed="false"),
        claim("C2", id_number=BAO, passed="false", fund="unemployment_insurance",
              receiving_unemployment_benefit="true"),
    ])  # fmt: skip
    assert (d["C1"]["denied_by"], d["C2"]["denied_by"]) == ("5.1", "5.1")
    assert d["C1"]["total_amount"] == "0.00"


def test_5_2a_special_account_only_project_training_claimed_by_its_institution(tmp_path):
    d = decide(tmp_path, [
        claim("C1", fund="special_account"),  # occupational
        project_claim("C2", id_number=BAO, advanced_by="enterprise", advanced_by_id="ENT-1",
                      claimant="enterprise", claimant_id="ENT-1"),
        project_claim("C3", id_number=CHEN, advanced_by_id="INST-B", claimant_id="INST-B"),  # not its own
    ])  # fmt: skip
    assert [d[c]["denied_by"] for c in ("C1", "C2", "C3")] == ["5.2a", "5.2a", "5.2a"]


def test_5_2b_special_account_not_passed(tmp_path):
    assert denied(tmp_path, project_claim(passed="false")) == "5.2b"


def test_5_3_ui_fund_needs_unemployment_benefit_not_the_category(tmp_path):
    ui = {"fund": "unemployment_insurance"}
    d = decide(tmp_path, [
        claim("C1", person_category="registered_unemployed", **ui),
        claim("C2", id_number=BAO, receiving_unemployment_benefit="true", **ui),
    ])  # fmt: skip
    assert d["C1"]["denied_by"] == "5.3"
    assert (d["C2"]["denied_by"], d["C2"]["training_amount"]) == ("", "1100.00")


def test_rule_ids_are_those_of_exchange_md_in_code_point_order():
    assert list(ref.RULE_IDS) == sorted(ref.RULE_IDS)
    assert set(ref._STATIC_RULES) | {"3.5a", "3.5b", "3.5c", "3.5d", "5.2d"} == set(ref.RULE_IDS)


def test_every_failed_rule_is_listed_in_code_point_order(tmp_path):
    c = claim(id_number=ANNA[:17] + "Y", training_type="special_ability", item_code="I", class_hours=27,
              passed="false", claimant="individual", claimant_id=ANNA, end_date="2027-12-01")  # fmt: skip
    assert denied(tmp_path, c) == "3.2;3.6;5.1;data.dates;data.id"


# --- history limits ---------------------------------------------------------------------------------


def test_3_5a_counting_claim_same_year_denies_rejected_one_does_not(tmp_path):
    same_year = past_claim("H1", end_date="2025-01-15", occupation_code="X")
    assert denied(tmp_path, claim(), [same_year]) == "3.5a"
    assert denied(tmp_path, claim(), [{**same_year, "status": "rejected"}]) == ""
    assert denied(tmp_path, claim(), [{**same_year, "status": "withdrawn"}]) == ""
    assert denied(tmp_path, claim(), [{**same_year, "status": "pending"}]) == "3.5a"


def test_3_5b_three_counting_claims_deny_two_do_not(tmp_path):
    past = [past_claim(f"H{y}", end_date=f"{y}-05-01", occupation_code=f"X{y}") for y in (2020, 2021, 2022)]
    assert denied(tmp_path, claim(), past) == "3.5b"
    assert denied(tmp_path, claim(), past[:2]) == ""


def test_3_5c_same_occupation_and_level_from_claim_or_skill_upgrade(tmp_path):
    assert denied(tmp_path, claim(), [past_claim("H1")]) == "3.5c"
    assert denied(tmp_path, claim(), [past_claim("H1", level=4)]) == ""
    upgrade = record("skill_upgrade", "S1", id_number=ANNA, occupation_code="6-01-01-01", level="5",
                     record_date="2024-01-01")  # fmt: skip
    assert denied(tmp_path, claim(), [upgrade]) == "3.5c"


def test_3_5c_special_ability_same_item_but_syb_again_in_another_year_is_granted(tmp_path):
    sa = claim(training_type="special_ability", item_code="ITEM-1")
    old_sa = past_claim(
        "H1", training_type="special_ability", item_code="ITEM-1", occupation_code="", level=""
    )
    assert denied(tmp_path, sa, [old_sa]) == "3.5c"
    syb = claim(training_type="entrepreneurship", course_kind="SYB")
    old_syb = past_claim(
        "H1", training_type="entrepreneurship", course_kind="SYB", occupation_code="", level=""
    )
    assert denied(tmp_path, syb, [old_syb]) == ""


def test_3_5d_higher_certificate_held_on_the_end_date(tmp_path):
    def cert(date: str, level: int) -> dict:
        return record("certificate", "K1", id_number=ANNA, occupation_code="6-01-01-01", level=level,
                      record_date=date)  # fmt: skip

    assert denied(tmp_path, claim(), [cert("2025-03-31", 4)]) == "3.5d"  # issued on the end date: held
    assert denied(tmp_path, claim(), [cert("2025-04-01", 4)]) == ""  # issued the day after
    assert denied(tmp_path, claim(), [cert("2020-01-01", 5)]) == ""  # same level is not higher
    assert denied(tmp_path, claim(level=3), [cert("2020-01-01", 4)]) == ""  # lower level


def test_history_claim_alone_does_not_imply_a_certificate(tmp_path):
    higher = past_claim("H1", level=3, end_date="2022-01-01")
    assert denied(tmp_path, claim(), [higher]) == ""


def test_5_2d_same_project_from_any_fund(tmp_path):
    old = past_claim("H1", training_type="project", fund="employment_subsidy", project_id="PRJ-1",
                     occupation_code="", level="")  # fmt: skip
    assert denied(tmp_path, project_claim(), [old]) == "5.2d"
    assert denied(tmp_path, project_claim(project_id="PRJ-2"), [old]) == ""


def test_6d_blacklist_person_and_institution_bounds_inclusive(tmp_path):
    person = record("blacklist", "B1", id_number=ANNA, listed_from="2025-03-31", listed_until="2025-12-31")
    assert denied(tmp_path, claim(), [person]) == "6d"
    assert (
        denied(tmp_path, claim(), [{**person, "listed_from": "2024-01-01", "listed_until": "2025-03-31"}])
        == "6d"
    )
    assert (
        denied(tmp_path, claim(), [{**person, "listed_until": "2025-03-30", "listed_from": "2024-01-01"}])
        == ""
    )
    institution = record("blacklist", "B2", institution_id="INST-A", listed_from="2020-01-01")  # still listed
    assert denied(tmp_path, claim(), [institution]) == "6d"
    enterprise_payer = record("blacklist", "B3", institution_id="ENT-1", listed_from="2020-01-01")
    assert denied(tmp_path, project_claim(advanced_by_id="INST-A"), [enterprise_payer]) == ""


def test_same_person_after_normalising_the_id(tmp_path):
    x_id = id_number("45030219900307061")
    while not x_id.endswith("X"):  # find a number whose check character is X
        x_id = id_number(str(int(x_id[:17]) + 1))
    fullwidth = "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in x_id[:17]) + "x"
    c = claim(id_number=f"  {fullwidth} ")
    assert denied(tmp_path, c, [past_claim("H1", id_number=x_id, end_date="2025-12-31", level=4)]) == "3.5a"


def test_invalid_id_still_checked_against_its_history(tmp_path):
    bad = ANNA[:17] + ("0" if ANNA[17] != "0" else "1")
    assert denied(tmp_path, claim(id_number=bad), [past_claim("H1", id_number=bad.lower())]) == "3.5c;data.id"


# --- amounts ------------------------------------------------------------------------------------------


def test_ai_uplift_county_takes_prefecture_and_only_ai_occupational_employment_subsidy(tmp_path):
    d = decide(tmp_path, [
        claim("C1", occupation_code="4-04-05-05", city_code="450123"),  # 1200 x 1.20
        claim("C2", id_number=BAO, occupation_code="4-04-05-05", city_code="450300"),  # city not listed
        claim("C3", id_number=CHEN, city_code="450100"),  # occupation not on the AI list
        claim("C4", id_number=id_number("45010219770101001"), occupation_code="4-04-05-05", city_code="450100",
              fund="unemployment_insurance", receiving_unemployment_benefit="true"),  # UI standard: no uplift
    ])  # fmt: skip
    assert [d[c]["training_amount"] for c in ("C1", "C2", "C3", "C4")] == ["1440.00", "1200.00", "1200.00",
                                                                           "1100.00"]  # fmt: skip


def test_uplift_rounds_half_up_once(tmp_path):
    params = params_with(standards=[{"training_type": "occupational", "level": 5, "amount": "1183.30",
                                     "valid_from": "2023-01-01"}])  # fmt: skip
    c = claim(occupation_code="4-04-05-05", city_code="450203")  # 1183.30 x 1.15 = 1360.795 -> 1360.80
    assert decide(tmp_path, [c], params=params)["C1"]["total_amount"] == "1360.80"


def test_ui_standard_1100_005_rounds_to_1100_01(tmp_path):
    params = params_with(
        unemployment_insurance_standards=[{"amount": "1100.005", "valid_from": "2023-01-01"}]
    )
    c = claim(fund="unemployment_insurance", receiving_unemployment_benefit="true")
    assert decide(tmp_path, [c], params=params)["C1"]["training_amount"] == "1100.01"


def test_standard_chosen_by_end_date_bounds_inclusive(tmp_path):
    params = params_with(standards=[
        {"training_type": "occupational", "level": 5, "amount": "1000.00", "valid_from": "2023-01-01",
         "valid_to": "2025-03-31"},
        {"training_type": "occupational", "level": 5, "amount": "1300.00", "valid_from": "2025-04-01"},
    ])  # fmt: skip
    d = decide(tmp_path, [claim("C1"), claim("C2", id_number=BAO, end_date="2025-04-01")], params=params)
    assert (d["C1"]["training_amount"], d["C2"]["training_amount"]) == ("1000.00", "1300.00")


def test_employment_subsidy_pays_project_training_with_the_project_standard(tmp_path):
    c = project_claim(fund="employment_subsidy")
    assert decide(tmp_path, [c])["C1"]["training_amount"] == "900.00"


@pytest.mark.parametrize(
    ("end_date", "proof_date", "total"),
    [
        ("2025-03-15", "2025-06-15", "800.00"),  # three months to the day
        ("2025-03-15", "2025-06-14", "600.00"),  # a day short
        ("2025-11-30", "2026-02-28", "800.00"),  # clamped to February's last day
        ("2025-11-30", "2026-02-27", "600.00"),
        ("2025-11-29", "2026-02-28", "800.00"),
        ("2023-11-30", "2024-02-29", "800.00"),  # leap year
        ("2023-11-30", "2024-02-28", "600.00"),
        ("2025-10-31", "2026-01-31", "800.00"),  # year change
        ("2025-10-31", "2026-01-30", "600.00"),
    ],
)
def test_5_2c_special_account_200_three_calendar_months_after_end(tmp_path, end_date, proof_date, total):
    c = project_claim(start_date="2023-01-01", end_date=end_date, employment_proof_kind="wage_statement",
                      employment_proof_date=proof_date)  # fmt: skip
    d = decide(tmp_path, [c])["C1"]
    assert (d["training_amount"], d["total_amount"]) == ("600.00", total)
    assert d["employment_amount"] == ("200.00" if total == "800.00" else "0.00")


def test_5_2c_only_special_account_earns_the_200(tmp_path):
    c = project_claim(fund="employment_subsidy", employment_proof_kind="labour_contract",
                      employment_proof_date="2026-01-01")  # fmt: skip
    assert decide(tmp_path, [c])["C1"]["employment_amount"] == "0.00"


# --- parameters ----------------------------------------------------------------------------------------


def test_uplift_020_loads_02001_and_negative_are_refused(tmp_path):
    assert ref.load_params(write_params(tmp_path, params_with(ai_uplift={"450100": "0.20"})))
    for bad in ("0.2001", "0.25", "-0.05"):
        with pytest.raises(ref.InputError, match="ai_uplift"):
            ref.load_params(write_params(tmp_path, params_with(ai_uplift={"450100": bad})))


def test_overlapping_standard_periods_are_refused(tmp_path):
    params = params_with(unemployment_insurance_standards=[
        {"amount": "1100.00", "valid_from": "2023-01-01", "valid_to": "2024-12-31"},
        {"amount": "1200.00", "valid_from": "2024-12-31"},
    ])  # fmt: skip
    with pytest.raises(ref.InputError, match="overlapping"):
        ref.load_params(write_params(tmp_path, params))


def test_missing_standard_for_an_eligible_claim_fails_the_run_but_not_for_a_denied_one(tmp_path):
    params = params_with(standards=[])
    with pytest.raises(ref.InputError, match="no standard"):
        decide(tmp_path, [claim()], params=params)
    assert decide(tmp_path, [claim(passed="false")], params=params)["C1"]["denied_by"] == "5.1"
    assert decide(tmp_path, [project_claim()], params=params)["C1"]["total_amount"] == "600.00"


# --- the batch, one by one in (end date, claim ID) order ----------------------------------------------


def test_two_claims_of_one_person_in_one_year_the_earlier_end_date_wins(tmp_path):
    later = claim("C1", end_date="2025-09-30", start_date="2025-09-01", occupation_code="X")
    earlier = claim("C2", end_date="2025-03-31")
    d = decide(tmp_path, [later, earlier])
    assert (d["C2"]["denied_by"], d["C1"]["denied_by"]) == ("", "3.5a")


def test_same_end_date_c10_goes_before_c9(tmp_path):
    # Code-point order: "C1" < "C9", so C10 is decided first and C9 meets it in the same year.
    d = decide(tmp_path, [claim("C9"), claim("C10", occupation_code="X")])
    assert (d["C10"]["denied_by"], d["C9"]["denied_by"]) == ("", "3.5a")


def test_a_denied_batch_claim_does_not_count(tmp_path):
    first = claim("C1", end_date="2025-02-28", start_date="2025-02-01", passed="false")
    second = claim("C2", end_date="2025-03-31")
    d = decide(tmp_path, [first, second])
    assert (d["C1"]["denied_by"], d["C2"]["denied_by"]) == ("5.1", "")


def test_a_certificate_earned_in_the_batch_blocks_a_lower_level_later(tmp_path):
    higher = claim("C1", level=3, start_date="2024-06-01", end_date="2024-06-30")
    lower = claim("C2", level=4, start_date="2025-03-01", end_date="2025-03-31")
    d = decide(tmp_path, [lower, higher])
    assert (d["C1"]["denied_by"], d["C1"]["training_amount"]) == ("", "2000.00")
    assert d["C2"]["denied_by"] == "3.5d"


def test_batch_claims_add_to_history_for_3_5b_3_5c_and_5_2d(tmp_path):
    history = [past_claim("H1", end_date="2020-01-01", occupation_code="A"),
               past_claim("H2", end_date="2021-01-01", occupation_code="B")]  # fmt: skip
    d = decide(tmp_path, [claim("C1", end_date="2024-03-31", start_date="2024-03-01"), claim("C2")], history)
    assert (d["C1"]["denied_by"], d["C2"]["denied_by"]) == ("", "3.5b;3.5c")
    p1 = project_claim("P1", end_date="2024-03-31", start_date="2024-03-01", id_number=BAO)
    p2 = project_claim("P2", id_number=BAO)
    d = decide(tmp_path, [p2, p1])
    assert (d["P1"]["denied_by"], d["P2"]["denied_by"]) == ("", "5.2d")


def test_result_does_not_depend_on_row_order(tmp_path):
    rows = random_batch(random.Random(7), 40)
    history = random_history(random.Random(8))
    first = ref.decide(*files(tmp_path, rows, history))
    random.Random(9).shuffle(rows)
    assert ref.decide(*files(tmp_path, rows, history)) == first


PEOPLE = [ANNA, BAO, CHEN]


def random_batch(rng: random.Random, n: int) -> list[dict]:
    rows = []
    for i in range(n):
        year = rng.choice([2023, 2024, 2025])
        end = f"{year}-{rng.randint(1, 12):02d}-{rng.choice([1, 15, 28]):02d}"
        kind = rng.choice(["occ", "occ", "occ", "sa", "prj", "ent"])
        fields: dict = {"id_number": rng.choice(PEOPLE), "end_date": end, "start_date": f"{year}-01-01",
                        "passed": "true" if rng.random() < 0.85 else "false"}  # fmt: skip
        if kind == "occ":
            fields |= {"occupation_code": rng.choice(["O1", "O2"]), "level": rng.choice([3, 4, 5])}
        elif kind == "sa":
            fields |= {"training_type": "special_ability", "item_code": rng.choice(["I1", "I2"])}
        elif kind == "ent":
            fields |= {"training_type": "entrepreneurship", "course_kind": "SYB"}
        if kind == "prj":
            rows.append(project_claim(f"C{i}", project_id=rng.choice(["J1", "J2"]), **fields))
        else:
            rows.append(claim(f"C{i}", **fields))
    return rows


def random_history(rng: random.Random) -> list[dict]:
    return [
        past_claim("H1", id_number=rng.choice(PEOPLE), end_date="2022-05-05", occupation_code="O1", level=4,
                   status=rng.choice(["paid", "rejected"])),
        record("certificate", "K1", id_number=rng.choice(PEOPLE), occupation_code="O2", level=4,
               record_date="2024-06-01"),
    ]  # fmt: skip


def as_history(c: dict) -> list[dict]:
    """An accepted batch claim as history: the claim, and its certificate if passed occupational."""
    fields = {k: c[k] for k in ("id_number", "training_type", "fund", "occupation_code", "level", "item_code",
                                "course_kind", "project_id", "end_date")}  # fmt: skip
    rows = [record("claim", "A-" + c["claim_id"], status="approved", **fields)]
    if c["training_type"] == "occupational" and c["passed"] == "true":
        rows.append(
            record(
                "certificate",
                "AK-" + c["claim_id"],
                id_number=c["id_number"],
                occupation_code=c["occupation_code"],
                level=c["level"],
                record_date=c["end_date"],
            )
        )
    return rows


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_batch_equals_deciding_one_claim_at_a_time(tmp_path, seed):
    """The bulk SQL + per-person replay must equal feeding claims singly, accepted ones into history."""
    rng = random.Random(seed)
    rows = random_batch(rng, 24)
    history = random_history(rng)
    batch = {d["claim_id"]: d for d in ref.decide(*files(tmp_path, rows, history))}
    one_by_one = {}
    for c in sorted(rows, key=lambda r: (r["end_date"], r["claim_id"])):
        (single,) = ref.decide(*files(tmp_path, [c], history))
        one_by_one[c["claim_id"]] = single
        if single["eligible"]:
            history = history + as_history(c)
    assert batch == one_by_one
    assert 0 < sum(d["eligible"] for d in batch.values()) < len(batch)


# --- files ---------------------------------------------------------------------------------------------


def test_jsonl_twin_gives_the_same_decisions(tmp_path):
    rows = random_batch(random.Random(5), 20)
    history = random_history(random.Random(6))
    from_csv = ref.decide(*files(tmp_path, rows, history))

    def typed(row: dict) -> dict:
        out: dict = {}
        for key, value in row.items():
            if value == "":
                continue  # absent key = not given
            kind = ref.CLAIM_COLUMNS.get(key) if "claim_id" in row else ref.HISTORY_COLUMNS.get(key)
            out[key] = value == "true" if kind == "bool" else int(value) if kind == "uint" else value
        return out

    claims_path = write_rows(tmp_path / "claims.jsonl", [typed(r) for r in rows])
    history_path = write_rows(tmp_path / "history.jsonl", [typed(r) for r in history])
    assert ref.decide(claims_path, history_path, tmp_path / "params.json") == from_csv


def test_jsonl_ignores_unused_fields_whatever_they_hold_but_checks_used_ones(tmp_path):
    row = {k: v for k, v in claim().items() if v != ""}
    row |= {"level": 5, "class_hours": 40, "passed": True, "receiving_unemployment_benefit": False,
            "has_business_licence": False, "project_id": 7, "course_kind": ["x"], "item_code": None}  # fmt: skip
    history = [{"record_type": "certificate", "record_id": "K1", "id_number": ANNA, "occupation_code": "O",
                "level": 1, "record_date": "2020-01-01", "status": 3, "listed_from": False}]  # fmt: skip
    claims_path = write_rows(tmp_path / "claims.jsonl", [row])
    history_path = write_rows(tmp_path / "history.jsonl", history)
    params_path = write_params(tmp_path, PARAMS)
    assert ref.decide(claims_path, history_path, params_path)[0]["total_amount"] == "1200.00"
    write_rows(tmp_path / "claims.jsonl", [{**row, "level": "5"}])  # used, and a string is not a JSON integer
    with pytest.raises(ref.InputError, match="level"):
        ref.decide(claims_path, history_path, params_path)


def test_cli_writes_decisions_sorted_by_claim_id(tmp_path):
    claims_path, history_path, params_path = files(tmp_path, [claim("C9"), claim("C10", id_number=BAO)])
    out = tmp_path / "decisions.csv"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "reference_duckdb.py"), "--claims", str(claims_path),
         "--history", str(history_path), "--params", str(params_path), "--out", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").splitlines() == [
        "claim_id,eligible,training_amount,employment_amount,total_amount,denied_by",
        "C10,true,1200.00,0.00,1200.00,",
        "C9,true,1200.00,0.00,1200.00,",
    ]
    ref.write_decisions(ref.decide(claims_path, history_path, params_path), tmp_path / "d.jsonl")
    first = json.loads((tmp_path / "d.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert first == {"claim_id": "C10", "eligible": True, "training_amount": "1200.00",
                     "employment_amount": "0.00", "total_amount": "1200.00", "denied_by": ""}  # fmt: skip


def test_cli_format_error_exits_2_and_writes_nothing(tmp_path):
    claims_path, history_path, params_path = files(tmp_path, [claim(end_date="2025-3-31")])
    out = tmp_path / "decisions.csv"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "reference_duckdb.py"), "--claims", str(claims_path),
         "--history", str(history_path), "--params", str(params_path), "--out", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "end_date" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("rows", "history", "message"),
    [
        ([claim(), claim()], [], "duplicated claim_id"),
        ([claim()], [past_claim("C1")], "also in the history"),
        ([claim(level="6")], [], "level"),
        ([claim(passed="yes")], [], "passed"),
        ([claim(employment_proof_kind="labour_contract")], [], "employment_proof_date"),
        ([claim(training_type="special_ability")], [], "item_code"),
        ([claim()], [record("blacklist", "B1", id_number=ANNA, institution_id="I", listed_from="2020-01-01")],
         "exactly one"),
    ],
)  # fmt: skip
def test_format_violations_fail_the_run(tmp_path, rows, history, message):
    with pytest.raises(ref.InputError, match=message):
        decide(tmp_path, rows, history)


def test_fields_the_training_type_does_not_use_are_ignored(tmp_path):
    assert denied(tmp_path, claim(project_id="whatever", course_kind="bogus", applicant_relation="??")) == ""


def test_missing_required_column_fails(tmp_path):
    row = claim()
    del row["city_code"]
    with pytest.raises(ref.InputError, match="city_code"):
        decide(tmp_path, [row])
