"""The synthetic province: valid identities, reproducibility, the plan's shares, and defects to find."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from stdnum.cn import uscc

from qiancheng.catalog import shipped
from qiancheng.people.identity import check_id_number
from qiancheng.policy.commandline import main as policy_main
from qiancheng.synth import reference as ref
from qiancheng.synth.exchange import generate_exchange
from qiancheng.synth.generator import DEFECTS, generate_province

KEY_GROUPS = ["graduate_youth", "rural_migrant_worker", "registered_unemployed", "employment_difficulty"]


@pytest.fixture(scope="module")
def small():
    return generate_province(3_000, 11)


@pytest.fixture(scope="module")
def medium():
    return generate_province(40_000, 5)


def test_every_id_number_is_valid_unless_labelled_invalid(small) -> None:
    for row in small.persons.iter_rows(named=True):
        check = check_id_number(row["id_number"], as_of=date(2027, 12, 31))
        assert check.is_valid == row["id_valid"], (row["id_number"], check.errors)
        assert not [w for w in check.warnings if w.code == "county_unknown"], row["id_number"]
        if row["id_valid"]:
            assert check.sex == row["sex"]
            assert check.birth_date == row["birth_date"]
        else:
            assert [e.code for e in check.errors] == ["check_character"] or len(check.errors) == 1
    assert 0 < (~small.persons["id_valid"]).sum() < small.persons.height * 0.01


def test_ages_are_16_to_60_over_the_programme(small) -> None:
    births = small.persons["birth_date"]
    assert births.max() <= date(2009, 7, 1)  # 16 on 2025-07-01
    assert births.min() > date(1967, 1, 1)  # not over 60 on 2027-12-31


def test_id_numbers_unique_across_trainees_and_teachers(small) -> None:
    everyone = pl.concat([small.persons["id_number"], small.teachers["id_number"]])
    assert everyone.n_unique() == everyone.len()
    assert all(check_id_number(number).is_valid for number in small.teachers["id_number"])


def test_some_id_numbers_carry_historical_county_codes(medium) -> None:
    historical = {c.code for c in ref.counties() if not c.is_current}
    counties = set(medium.persons["county_code"].unique())
    assert counties & historical, "no historical division code drawn"
    assert counties <= shipped.county_codes()


def test_credit_codes_are_valid_and_unique(small) -> None:
    codes = pl.concat([small.institutions["uscc"], small.enterprises["uscc"]])
    assert codes.n_unique() == codes.len()
    assert all(uscc.is_valid(code) for code in codes)


def test_same_seed_same_province_other_seed_other(small) -> None:
    again = generate_province(3_000, 11)
    for name, frame in small.frames().items():
        assert frame.equals(again.frames()[name]), name
    other = generate_province(3_000, 12)
    assert not other.persons["id_number"].equals(small.persons["id_number"])


def test_same_seed_same_exchange_files_at_a_size_where_polars_runs_in_parallel(tmp_path: Path) -> None:
    # Joins and group-bys on larger frames run in parallel; without maintain_order their row order,
    # and so which row each random draw lands on, changed from run to run above ~100,000 claims.
    first = generate_exchange(150_000, 7, tmp_path / "a")
    second = generate_exchange(150_000, 7, tmp_path / "b")
    for name in ("claims", "history", "params"):
        assert first[name].read_bytes() == second[name].read_bytes(), name


def test_occupations_come_from_the_catalog_with_their_levels(medium) -> None:
    catalog = {o.code: o for o in shipped.occupations()}
    occupational = medium.classes.filter(pl.col("training_type") == "occupational")
    for code, level in occupational.select("subject", "level").unique().iter_rows():
        assert code in catalog
        if catalog[code].levels:
            assert str(level) in catalog[code].levels, (code, level)
    ai = set(ref.ai_occupations())
    assert ai & set(occupational["subject"]), "no AI occupation trained"
    items = {item.code for item in shipped.special_ability_items()}
    assert set(medium.classes.filter(pl.col("training_type") == "special_ability")["subject"]) <= items


def test_the_shipped_parks_and_types_across_three_years(small) -> None:
    # 4.1 names four parks but the plan lists none: the synthetic province has the two confirmed ones.
    assert small.parks["code"].to_list() == [park.code for park in shipped.industrial_parks()]
    assert set(small.classes["year"]) == {2025, 2026, 2027}
    assert set(small.classes["training_type"]) == {"occupational", "special_ability", "entrepreneurship", "project"}


def test_claims_in_every_status(small) -> None:
    assert set(small.claims["status"]) == {"pending", "approved", "paid", "rejected", "withdrawn"}
    assert set(small.earlier_claims["status"]) >= {"paid", "rejected", "withdrawn"}


def test_key_groups_at_least_70_percent_overall_and_two_cities_below(medium) -> None:
    claims = medium.claims.join(medium.persons.select("person_no", "category"), on="person_no").join(
        medium.enrolment_view().select("enrolment_no", "city_code"), on="enrolment_no"
    ).with_columns(pl.col("category").is_in(KEY_GROUPS).alias("key"))
    assert claims["key"].mean() >= 0.70
    by_city = dict(claims.group_by("city_code").agg(pl.col("key").mean()).iter_rows())
    assert sorted(city for city, share in by_city.items() if share < 0.70) == sorted(ref.LOW_KEY_GROUP_CITIES)


def test_every_kind_of_defect_is_present_in_a_small_share(medium) -> None:
    labels = set(medium.claims["defect"].drop_nulls())
    assert labels == set(DEFECTS), set(DEFECTS) - labels
    share = medium.claims["defect"].is_not_null().mean()
    assert 0.01 <= share <= 0.04, share
    assert medium.classes.filter((pl.col("training_type") == "special_ability") & (pl.col("class_hours") == 27)).height
    enrolments = medium.enrolments
    assert enrolments.select("class_no", "person_no").is_unique().all()


def test_exchange_files_are_decided_and_defects_denied_by_their_rule(tmp_path: Path) -> None:
    paths = generate_exchange(4_000, 9, tmp_path, jsonl=True)
    claims = pl.read_csv(paths["claims"], infer_schema=False)
    assert claims.height == 4_000 and claims["claim_id"].is_unique().all()
    assert pl.read_ndjson(paths["claims_jsonl"], infer_schema_length=None).height == 4_000
    history = pl.read_csv(paths["history"], infer_schema=False)
    assert 1.0 <= history.height / claims.height <= 2.0
    assert set(history["record_type"]) == {"claim", "certificate", "skill_upgrade", "blacklist"}
    params = json.loads(paths["params"].read_text(encoding="utf-8"))
    assert params["as_of_date"] == "2027-12-31"
    assert all(Decimal(v) <= Decimal("0.20") for v in params["ai_uplift"].values())
    out = tmp_path / "decisions.csv"
    code = policy_main(["check", "--claims", str(paths["claims"]), "--history", str(paths["history"]),
                        "--params", str(paths["params"]), "--out", str(out), "--quiet"])
    assert code == 0
    decisions = pl.read_csv(out, infer_schema=False)
    assert decisions.height == 4_000
    denied = decisions["eligible"].eq("false").mean()
    assert 0.01 < denied < 0.15, denied


def test_labelled_defects_are_denied_by_the_rule_they_name(tmp_path: Path, medium) -> None:
    from qiancheng.synth.exchange import write_exchange

    paths = write_exchange(medium, tmp_path, jsonl=False)
    out = tmp_path / "decisions.csv"
    assert policy_main(["check", "--claims", str(paths["claims"]), "--history", str(paths["history"]),
                        "--params", str(paths["params"]), "--out", str(out), "--quiet"]) == 0
    decided = medium.claims.select("claim_id", "defect").join(pl.read_csv(out, infer_schema=False), on="claim_id")
    decided = decided.filter(pl.col("defect").is_not_null()).with_columns(
        pl.col("defect").replace_strict(DEFECTS).alias("rule"),
        pl.col("denied_by").fill_null("").str.split(";").alias("rules"),
    ).with_columns(pl.col("rules").list.contains(pl.col("rule")).alias("hit"))
    hits = dict(decided.group_by("defect").agg(pl.col("hit").mean()).iter_rows())
    # A pair defect (an extra enrolment, a second claim) is missed only when its original was not
    # claimed or was itself denied: a denied claim never counts toward anyone's limits.
    pairs = {"same_year", "duplicate_enrolment", "same_occupation_level", "both_funds"}
    for label, share in hits.items():
        assert share >= (0.75 if label in pairs else 1.0), (label, share)
