"""Linkage finds one person registered under two ID numbers, and does not join two different people."""

from __future__ import annotations

import pytest

from qiancheng.accounts.models import AuditEntry
from qiancheng.risk import services
from qiancheng.risk.features import name_pinyin
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


def test_a_name_mistyped_by_a_homophone_is_found_and_a_different_name_one_character_off_is_not() -> None:
    records.county()
    # the same man taken down by ear twice: 张伟 / 章伟 read "zhang wei"; different phones, a mistyped number
    same_a = builders.person(id_number=_number("19850607", 131), name="张伟", phone="13711110001")
    same_b = builders.person(id_number=_number("19850607", 113), name="章伟", phone="13711110002")
    # a variant character: 李娜 / 李纳 read "li na"
    variant_a = builders.person(id_number=_number("19790812", 246), name="李娜", phone="13711110003")
    variant_b = builders.person(id_number=_number("19790812", 264), name="李纳", phone="13711110004")
    # two different men: one character apart on paper, but 张伟 and 张强 do not sound alike
    builders.person(id_number=_number("19920202", 351), name="张伟", phone="13711110005")
    builders.person(id_number=_number("19920202", 315), name="张强", phone="13711110006")
    services.run_linkage(None)
    found = {(pair.person_a_id, pair.person_b_id) for pair in LinkCandidate.objects.all()}
    assert found == {tuple(sorted([same_a.pk, same_b.pk])), tuple(sorted([variant_a.pk, variant_b.pk]))}


def test_name_pinyin_is_toneless_and_joins_homophones() -> None:
    assert name_pinyin("章伟") == name_pinyin(" 张伟 ") == "zhang wei"
    assert name_pinyin("李纳") == name_pinyin("李娜") == "li na"
    assert name_pinyin("张强") != name_pinyin("张伟")
