"""Planted fraud: every kind is planted with its truth kept aside, and every signal finds what was planted
and none of the near misses (a small province; bench/risk_run.py measures 100,000 people)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qiancheng.accounts.models import User
from qiancheng.funding.models import ClaimStatus, SubsidyClaim
from qiancheng.funding.services.stored_explain import explain_stored_claim
from qiancheng.people.links import link_persons, undo_link
from qiancheng.people.models import Person
from qiancheng.risk import linkage, signals
from qiancheng.risk.features import person_records
from qiancheng.synth.fraud import plant_fraud
from qiancheng.synth.load import ensure_province

PEOPLE, SEED, INCIDENTS = 2000, 11, 1  # one of each: in a small province every plant moves the peers


def _refs(records: list[tuple[str, object]]) -> set[str]:
    return {f"{model}:{pk}" for model, pk in records}


@pytest.mark.django_db
def test_every_planted_kind_is_found_and_no_near_miss(tmp_path: Path) -> None:
    ensure_province(PEOPLE, SEED, progress=False)
    honest: dict[str, list[set[str]]] = {}
    truth = plant_fraud(SEED, tmp_path / "truth.json", INCIDENTS, before_plants=lambda: honest.update({
        code: [_refs(item.records) for item in rule.find(None)] for code, rule in signals.RULES.items()}))
    assert json.loads((tmp_path / "truth.json").read_text(encoding="utf-8")) == truth
    assert Person.objects.exclude(bank_account_enc="").count() >= PEOPLE  # the honest background
    for kind in ("linkage", "trainee_overlap", "shared_phone", "shared_bank_account", "copied_attendance",
                 "linked_employer", "teacher_overlap", "collusion_ring"):
        assert truth["incidents"].get(kind), f"{kind} was not planted"
    # the rules that need the background find nothing on the honest records
    for code in ("shared_bank_account", "linked_employer", "collusion_ring", "copied_attendance"):
        assert honest[code] == [], code
    for code, rule in signals.RULES.items():
        if code == "outlier_rate":
            # ~70 trainees an institution: rates this noisy give a wide MAD, and an all-pass institution
            # stays under z 3.5 here. Its recall is measured at 100,000 people (bench/README.md).
            continue
        found = [_refs(item.records) for item in rule.find(None)]
        for incident in truth["incidents"].get(code, []):
            assert any(refs & set(incident) for refs in found), f"{code} missed {incident}"
        for miss in truth["near_misses"].get(code, []):
            assert not any(refs & set(miss) for refs in found), f"{code} fired on the near miss {miss}"
    pairs = {frozenset({f"people.person:{pair.person_a}", f"people.person:{pair.person_b}"})
             for pair in linkage.find_pairs(person_records(None))}
    assert {frozenset(incident) for incident in truth["incidents"]["linkage"]} <= pairs


def _person(ref: str) -> Person:
    return Person.objects.get(pk=ref.split(":", 1)[1])


@pytest.mark.django_db
def test_one_planted_twin_holds_three_trainings_so_the_merge_denies_the_fourth(tmp_path: Path,
                                                                               nanning_official: User) -> None:
    """The pair of the browser test (tests/browser/test_risk_merge.py): the twin's three earlier trainings
    and the person's pending claim, granted as two persons and denied by 3.5b alone as one."""
    ensure_province(PEOPLE, SEED, progress=False)
    truth = plant_fraud(SEED, tmp_path / "truth.json", INCIDENTS)
    (planted,) = truth["fourth_training"]
    assert sorted([planted["person"], planted["twin"]]) in truth["incidents"]["linkage"]
    person, twin = _person(planted["person"]), _person(planted["twin"])
    claim = SubsidyClaim.objects.get(number=planted["claim"])
    assert claim.person_id == person.pk and claim.status == ClaimStatus.PENDING and claim.city_id == planted["city"]
    assert sorted(f"funding.subsidyclaim:{pk}" for pk in twin.claims.values_list("pk", flat=True)) == planted["history"]
    assert explain_stored_claim(None, claim).eligible
    link = link_persons(nanning_official, person, twin, "测试：同一人", source="test")
    assert explain_stored_claim(None, claim).denied_by == "3.5b"
    undo_link(nanning_official, link, "测试：撤销")
    assert explain_stored_claim(None, claim).eligible
