"""Linkage finds one person registered under two ID numbers, and does not join two different people."""

from __future__ import annotations

import pytest

from qiancheng.accounts.models import AuditEntry
from qiancheng.risk import services
from qiancheng.risk.models import CandidateStatus, LinkCandidate
from qiancheng.risk.tests import records
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


def _number(birth: str, sequence: int) -> str:
    return builders.id_number(county="450102", birth=birth, sequence=sequence)


def test_a_planted_duplicate_is_found_and_two_different_people_are_not(nanning_official) -> None:
    records.county()
    # the same woman, registered twice: the sequence digits of her number mistyped, same phone
    first = builders.person(id_number=_number("19880315", 124), name="黄丽娟", phone="13712345678")
    second = builders.person(id_number=_number("19880315", 142), name="黄丽娟", phone="13712345678")
    # two different people born on the same day in the same county, different names and phones
    builders.person(id_number=_number("19900101", 311), name="韦小明", phone="13600000001")
    builders.person(id_number=_number("19900101", 532), name="蒙建国", phone="13600000002")
    result = services.run_linkage(None)
    pairs = list(LinkCandidate.objects.all())
    assert [(pair.person_a_id, pair.person_b_id) for pair in pairs] == [tuple(sorted([first.pk, second.pk]))]
    assert pairs[0].city_id == "450100" and pairs[0].match_probability >= 0.9 and pairs[0].driver
    assert set(pairs[0].comparisons) == {"name", "birth_date", "sex", "phone_hash", "county_code", "id_tail"}
    assert result.new == 1 and services.run_linkage(None).new == 0  # a re-run adds nothing
    assert AuditEntry.objects.filter(action="person.phones_read_for_risk").exists()

    decided = services.decide_candidate(nanning_official, pairs[0], True, "户籍核实为同一人")
    assert decided.status == CandidateStatus.CONFIRMED
    with pytest.raises(services.RiskRefused):
        services.decide_candidate(nanning_official, decided, False, "再次")
