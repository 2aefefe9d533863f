"""Properties of the engine that hold for any input (RULES.md "Many claims at once")."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qiancheng.policy.tests.claimdata import PERSON_A, PERSON_B, PERSON_C, by_id, claim, params, run
from qiancheng.policy.vocabulary import RULE_IDS

INVALID_PERSON = PERSON_C[:-1] + ("0" if PERSON_C[-1] != "0" else "1")
PERSONS = (PERSON_A, PERSON_B, PERSON_C, INVALID_PERSON)
END_DATES = [dt.date(2025, 4, 30), dt.date(2025, 11, 30), dt.date(2026, 2, 28), dt.date(2026, 6, 1),
             dt.date(2027, 1, 15), dt.date(2027, 1, 15)]
PARAMS = params()


@st.composite
def claims_strategy(draw):
    rows = []
    for number in range(draw(st.integers(1, 9))):
        training_type = draw(st.sampled_from(["occupational", "special_ability", "entrepreneurship", "project"]))
        fund = draw(st.sampled_from(["employment_subsidy", "special_account", "unemployment_insurance"]))
        end = draw(st.sampled_from(END_DATES))
        institution = draw(st.sampled_from(["I1", "I2"]))
        payer = "institution" if fund == "special_account" else draw(st.sampled_from(["individual", "institution"]))
        person = draw(st.sampled_from(PERSONS))
        fields = {
            "training_type": training_type, "fund": fund, "end_date": end.isoformat(),
            "start_date": (end - dt.timedelta(days=30)).isoformat(), "institution_id": institution,
            "occupation_code": draw(st.sampled_from(["4-04-05-05", "X-1"])), "level": draw(st.integers(3, 5)),
            "item_code": draw(st.sampled_from(["IT1", "IT2"])), "course_kind": draw(st.sampled_from(["SYB", "IYB"])),
            "project_id": draw(st.sampled_from(["P1", "P2"])),
            "applicant_relation": draw(st.sampled_from(["employee", "employee", "none"])),
            "class_hours": draw(st.sampled_from([27, 28, 40])), "passed": draw(st.booleans()),
            "receiving_unemployment_benefit": draw(st.booleans()), "has_business_licence": draw(st.booleans()),
            "advanced_by": payer, "city_code": draw(st.sampled_from(["450102", "450203", "450300"])),
        }
        if payer == "institution":
            fields["advanced_by_id"] = institution
        if draw(st.booleans()):
            fields["employment_proof_kind"] = "labour_contract"
            fields["employment_proof_date"] = (end + dt.timedelta(days=draw(st.sampled_from([85, 92])))).isoformat()
        rows.append(claim(f"C{number}", person, **fields))
    return rows


@st.composite
def history_strategy(draw):
    records = []
    for number in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["claim", "certificate", "skill_upgrade", "blacklist"]))
        person = draw(st.sampled_from(PERSONS))
        day = draw(st.sampled_from(END_DATES)).isoformat()
        record = {"record_type": kind, "record_id": f"H{number}"}
        if kind == "claim":
            record |= {"id_number": person, "training_type": "occupational", "fund": "employment_subsidy",
                       "occupation_code": "4-04-05-05", "level": draw(st.integers(3, 5)), "end_date": day,
                       "status": draw(st.sampled_from(["pending", "paid", "rejected"]))}
        elif kind in ("certificate", "skill_upgrade"):
            record |= {"id_number": person, "occupation_code": draw(st.sampled_from(["4-04-05-05", "X-1"])),
                       "level": draw(st.integers(3, 5)), "record_date": day}
        else:
            record |= ({"id_number": person} if draw(st.booleans()) else {"institution_id": "I2"})
            record |= {"listed_from": day}
        records.append(record)
    return records


def one_by_one(claims: list[dict], history: list[dict]) -> dict[str, dict]:
    """RULES.md literally: claims arrive one at a time; an accepted one joins the history."""
    known = list(history)
    decided = {}
    for row in sorted(claims, key=lambda r: (r["end_date"], r["claim_id"])):
        decision = by_id(run([row], known, PARAMS))[row["claim_id"]]
        decided[row["claim_id"]] = decision
        if decision["eligible"]:
            known.append({"record_type": "claim", "record_id": "past-" + row["claim_id"], "status": "pending",
                          **{k: row.get(k) for k in ("id_number", "training_type", "fund", "occupation_code",
                                                     "level", "item_code", "course_kind", "project_id", "end_date")}})
            if row["training_type"] == "occupational" and row["passed"]:
                known.append({"record_type": "certificate", "record_id": "cert-" + row["claim_id"],
                              "id_number": row["id_number"], "occupation_code": row["occupation_code"],
                              "level": row["level"], "record_date": row["end_date"]})
    return decided


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(claims_strategy(), history_strategy())
def test_a_batch_decides_as_if_claims_arrived_one_by_one(claims, history):
    assert by_id(run(claims, history, PARAMS)) == one_by_one(claims, history)


@FAST
@given(claims_strategy(), history_strategy(), st.randoms(use_true_random=False))
def test_shuffling_the_input_rows_never_changes_a_decision(claims, history, rng: random.Random):
    shuffled = list(claims)
    rng.shuffle(shuffled)
    assert run(shuffled, history, PARAMS).decisions.equals(run(claims, history, PARAMS).decisions)


@FAST
@given(claims_strategy(), history_strategy())
def test_a_denied_claim_never_affects_another(claims, history):
    decided = by_id(run(claims, history, PARAMS))
    kept = [row for row in claims if decided[row["claim_id"]]["eligible"]]
    if kept:
        assert by_id(run(kept, history, PARAMS)) == {row["claim_id"]: decided[row["claim_id"]] for row in kept}


@FAST
@given(claims_strategy(), history_strategy())
def test_an_unrelated_person_never_changes_anyone_elses_decision(claims, history):
    stranger = claim("Z-stranger", "450103200001010018", end_date="2025-04-30")
    before = by_id(run(claims, history, PARAMS))
    after = by_id(run([*claims, stranger], history, PARAMS))
    after.pop("Z-stranger")
    assert after == before


@FAST
@given(claims_strategy(), history_strategy())
def test_amounts_are_never_negative_and_every_denial_names_its_rules(claims, history):
    for row in run(claims, history, PARAMS).decisions.to_dicts():
        amounts = [Decimal(row[k]) for k in ("training_amount", "employment_amount", "total_amount")]
        assert all(value >= 0 for value in amounts)
        assert amounts[2] == amounts[0] + amounts[1]
        if row["eligible"]:
            assert row["denied_by"] == ""
        else:
            rules = row["denied_by"].split(";")
            assert rules and set(rules) <= set(RULE_IDS) and rules == sorted(rules)
            assert amounts == [0, 0, 0]


def test_a_person_with_several_claims_needs_rounds_and_each_round_sees_the_accepted_before_it():
    # A: 2025 (accepted), 2025 again (3.5a), 2026 (accepted), 2027 level 5 (accepted: third), then 2027 a
    # different project (3.5a and 3.5b: three already counted).
    claims = [
        claim("C1", end_date="2025-04-30", level=5),
        claim("C2", end_date="2025-11-30", level=4),
        claim("C3", end_date="2026-06-01", level=4),
        claim("C4", end_date="2027-01-15", level=3),
        claim("C5", training_type="project", project_id="P1", applicant_relation="employee", end_date="2027-06-01"),
    ]
    decided = by_id(run(claims))
    assert [decided[f"C{i}"]["denied_by"] for i in range(1, 6)] == ["", "3.5a", "", "", "3.5a;3.5b"]
