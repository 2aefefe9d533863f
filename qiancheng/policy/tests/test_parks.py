"""Clause 4.1 as code: the park's money pays three training types, the five groups the plan names, and at
most the yearly amount of the dated parameter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from qiancheng.policy.params import PROGRAMME_END, PROGRAMME_START, ParameterError
from qiancheng.policy.parks import (
    PARK_GROUP_RULE,
    PARK_TRAINING_TYPE_RULE,
    load_park_allocation_caps,
    park_allocation_cap,
    park_group_fails,
    park_training_type_fails,
)
from qiancheng.policy.vocabulary import KEY_GROUPS, PERSON_CATEGORIES, TRAINING_TYPES


def test_the_park_pays_occupational_special_ability_and_project_training_not_entrepreneurship() -> None:
    # 4.1: "职业（工种）技能培训、专项职业能力技能培训、项目培训" — entrepreneurship (3.3) is not named.
    assert [t for t in TRAINING_TYPES if park_training_type_fails(t)] == ["entrepreneurship"]
    assert PARK_TRAINING_TYPE_RULE.clause == "4.1" and "创业培训" in PARK_TRAINING_TYPE_RULE.message_zh


def test_the_groups_are_4_1s_own_list_enterprise_employees_in_and_others_out() -> None:
    # 4.1: 高校毕业生、农村转移就业劳动者、城镇登记失业人员、就业困难人员以及企业职工 — not 2.1b's key groups.
    paid = [c for c in PERSON_CATEGORIES if not park_group_fails(c)]
    assert paid == [*KEY_GROUPS, "enterprise_employee"]
    assert park_group_fails("other")
    assert PARK_GROUP_RULE.clause == "4.1" and "企业职工" in PARK_GROUP_RULE.message_zh


def test_ten_million_a_park_a_year_for_2025_and_2026_with_its_source() -> None:
    for year in (2025, 2026):
        cap = park_allocation_cap(year)
        assert cap is not None and cap.amount == Decimal("10000000.00") and cap.fund_source == "employment_subsidy"
        assert cap.source.startswith("plan clause 4.1") and "1000万元" in cap.source and cap.last_checked
    # 2027 is in the programme (1a) but 4.1 gives the parks nothing for it; 2024 is before it.
    assert park_allocation_cap(2027) is None and park_allocation_cap(2024) is None
    assert PROGRAMME_START.year <= 2027 <= PROGRAMME_END.year


def test_a_year_is_covered_only_when_the_period_holds_all_of_it() -> None:
    (cap,) = load_park_allocation_caps()
    assert cap.covers_year(2026) and not cap.covers_year(2027)
    half = type(cap)(cap.amount, cap.fund_source, dt.date(2025, 1, 1), dt.date(2025, 6, 30), cap.source,
                     cap.last_checked)
    assert not half.covers_year(2025)


def test_an_entry_without_a_source_is_refused(tmp_path: Path) -> None:
    (tmp_path / "park_allocation.yaml").write_text(
        "fund_source: employment_subsidy\nentries:\n  - amount: '1.00'\n    valid_from: 2025-01-01\n"
        "    valid_to: 2025-12-31\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="source"):
        load_park_allocation_caps(tmp_path)


def test_an_open_ended_or_reversed_period_is_refused(tmp_path: Path) -> None:
    body = ("fund_source: employment_subsidy\nentries:\n  - amount: '1.00'\n    valid_from: 2025-01-01\n"
            "    valid_to: {to}\n    source: x\n    last_checked: 2026-12-06\n")
    for to in ("null", "2024-12-31"):
        (tmp_path / "park_allocation.yaml").write_text(body.format(to=to), encoding="utf-8")
        with pytest.raises(ParameterError):
            load_park_allocation_caps(tmp_path)
