"""Parameters: dated, sourced, and refused when the plan forbids them (4.2) or they are ambiguous."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from qiancheng.policy.params import (
    PACKAGED_DIR,
    ParameterError,
    apply_override,
    load_packaged,
    params_from_exchange,
)
from qiancheng.policy.tests.claimdata import BASE_PARAMS, params


def test_an_uplift_of_exactly_twenty_percent_loads():
    assert params(ai_uplift={"450100": "0.20"}).ai_uplift == {"450100": Decimal("0.20")}


@pytest.mark.parametrize("value", ["0.2001", "0.25", "-0.05", "abc"])
def test_an_uplift_outside_zero_to_twenty_percent_is_refused_naming_ai_uplift(value):
    with pytest.raises(ParameterError, match="ai_uplift"):
        params(ai_uplift={"450100": value})


def test_an_uplift_keyed_by_a_county_instead_of_a_city_is_refused():
    with pytest.raises(ParameterError, match="ai_uplift"):
        params(ai_uplift={"450102": "0.10"})


def test_a_county_code_takes_its_prefecture_uplift_and_an_unlisted_city_has_none():
    param_set = params(ai_uplift={"450100": "0.15"})
    assert param_set.uplift_for("450103") == Decimal("0.15")
    assert param_set.uplift_for("450300") == Decimal("0")


def test_overlapping_periods_of_one_standard_are_refused_naming_the_entries():
    standards = [
        {"training_type": "special_ability", "amount": "800", "valid_from": "2023-01-01", "valid_to": "2025-06-30"},
        {"training_type": "special_ability", "amount": "900", "valid_from": "2025-06-30"},
    ]
    with pytest.raises(ParameterError, match=r"standards\[1\].*overlaps.*standards\[0\]"):
        params(standards=standards)


def test_adjacent_periods_are_not_an_overlap():
    standards = [
        {"training_type": "special_ability", "amount": "800", "valid_from": "2023-01-01", "valid_to": "2025-06-29"},
        {"training_type": "special_ability", "amount": "900", "valid_from": "2025-06-30"},
    ]
    assert len(params(standards=standards).standards) == 2


def test_json_numbers_are_read_as_exact_decimals():
    param_set = params_from_exchange({"standards": [
        {"training_type": "project", "amount": Decimal("900.005"), "valid_from": "2023-01-01"}]}, "t")
    assert param_set.standards[0].amount == Decimal("900.005")


def test_an_omitted_section_is_empty_not_filled_from_the_packaged_set():
    param_set = params_from_exchange({"standards": []}, "t")
    assert param_set.ai_occupations == frozenset() and param_set.ai_uplift == {} and param_set.ui_standards == ()


def test_an_occupational_standard_needs_a_level_and_entrepreneurship_a_course_kind():
    with pytest.raises(ParameterError, match="level"):
        params(standards=[{"training_type": "occupational", "amount": "1", "valid_from": "2023-01-01"}])
    with pytest.raises(ParameterError, match="course_kind"):
        params(standards=[{"training_type": "entrepreneurship", "amount": "1", "valid_from": "2023-01-01"}])


def test_the_parameter_set_id_changes_with_any_value_and_only_then():
    assert params().id == params().id
    assert params().id != params(ai_uplift={"450100": "0.19"}).id


def test_the_packaged_parameters_load_with_a_source_and_a_check_date_on_every_standard():
    packaged = load_packaged()
    assert packaged.standards and packaged.ui_standards
    assert all(s.source and s.last_checked for s in (*packaged.standards, *packaged.ui_standards))
    assert "4-04-05-05" in packaged.ai_occupations  # 4.2 names 人工智能训练师


def _packaged_copy(tmp_path: Path) -> Path:
    target = tmp_path / "parameters"
    shutil.copytree(PACKAGED_DIR, target)
    return target


def test_a_packaged_uplift_above_twenty_percent_is_refused_naming_the_file(tmp_path):
    folder = _packaged_copy(tmp_path)
    (folder / "ai_uplift.yaml").write_text("entries:\n  - city_code: '450100'\n    uplift: '0.21'\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"ai_uplift\.yaml.*ai_uplift"):
        load_packaged(folder)


def test_a_packaged_standard_without_a_source_is_refused(tmp_path):
    folder = _packaged_copy(tmp_path)
    text = (folder / "training_standards.yaml").read_text(encoding="utf-8")
    (folder / "training_standards.yaml").write_text(text.replace("    source:", "    note:", 1), encoding="utf-8")
    with pytest.raises(ParameterError, match=r"training_standards\.yaml: entries\[0\]"):
        load_packaged(folder)


def test_a_packaged_gap_in_a_standard_is_a_missing_standard(tmp_path):
    folder = _packaged_copy(tmp_path)
    text = (folder / "unemployment_insurance_standards.yaml").read_text(encoding="utf-8")
    (folder / "unemployment_insurance_standards.yaml").write_text(
        text.replace("valid_to: null", "valid_to: 2026-06-30"), encoding="utf-8")
    with pytest.raises(ParameterError, match="no standard for unemployment_insurance on 2026-07-01"):
        load_packaged(folder)


def test_an_override_changes_only_what_it_gives():
    base = params()
    changed = apply_override(base, {"ai_uplift": {"450300": "0.05"},
                                    "standards": [{"training_type": "project", "amount": "950",
                                                   "valid_from": "2023-01-01"}]}, "what-if")
    assert changed.ai_uplift == {**base.ai_uplift, "450300": Decimal("0.05")}
    assert [s.amount for s in changed.standards if s.key == "project"] == [Decimal("950")]
    assert len(changed.standards) == len(base.standards)
    assert changed.ui_standards == base.ui_standards


def test_as_of_date_is_read_from_the_parameters():
    assert params_from_exchange({**BASE_PARAMS, "as_of_date": "2026-01-02"}, "t").as_of == dt.date(2026, 1, 2)
