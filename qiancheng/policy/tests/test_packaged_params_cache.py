"""The packaged parameters are parsed once per process and again when a packaged file changes (issue 14 item 5)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from qiancheng.policy import params


def test_the_packaged_set_is_parsed_once_and_equals_a_fresh_load():
    first = params.packaged_params()
    assert params.packaged_params() is first
    assert first.id == params.load_packaged().id


def test_the_plan_figures_in_force_are_read_on_every_call():
    base = params.packaged_params()
    other = params.PlanFigures(tuple(replace(entry, value=99) if entry.name == "special_ability_min_hours" else entry
                                     for entry in base.plan.entries))
    with params.plan_figures_in_force(other):
        assert params.packaged_params().plan is other
        assert params.packaged_params().id != base.id
    assert params.packaged_params() is base


def test_a_changed_parameter_file_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "parameters"
    shutil.copytree(params.PACKAGED_DIR, folder)
    monkeypatch.setattr(params, "PACKAGED_DIR", folder)
    before = params.packaged_params()
    assert params.packaged_params() is before
    standards = folder / "training_standards.yaml"
    text = standards.read_text(encoding="utf-8")
    assert "amount: '1000.00'" in text
    standards.write_text(text.replace("amount: '1000.00'", "amount: '1001.00'", 1), encoding="utf-8")
    after = params.packaged_params()
    assert after is not before and after.id != before.id
    assert any(standard.amount == params.Decimal("1001.00") for standard in after.standards)
