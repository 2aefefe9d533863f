"""Each number of the plan is stated once (policy/parameters/plan_figures.yaml) and every consumer reads it.

For each figure, a parameter set with another value is put in force and every place that applies the
figure follows: the engine's rule or amount, the Django validation or service, the demo generator. A
source scan keeps the literals from coming back in the places they used to live.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tokenize
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml
from django.core.exceptions import ValidationError

from qiancheng.catalog.models import SpecialAbilityItem
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.funding.models import COUNTING_STATUSES as FUNDING_COUNTING
from qiancheng.funding.services.advances import per_person_amount
from qiancheng.funding.services.employment import proof_due_on
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.views.claims import rule_fund
from qiancheng.policy.params import (
    PACKAGED_DIR,
    PlanFigures,
    load_packaged,
    load_plan_figures,
    plan_figures_in_force,
)
from qiancheng.policy.tests.claimdata import PERSON_B, by_id, claim, params, run
from qiancheng.policy.vocabulary import COUNTING_STATUSES
from qiancheng.synth import claims as synth_claims
from qiancheng.synth import records as synth_records
from qiancheng.synth import trainings as synth_trainings
from qiancheng.training.services import enrolment as enrolment_service
from qiancheng.training.services.classes import subject_refusals
from qiancheng.training.tests import builders

ROOT = Path(__file__).resolve().parent.parent / "qiancheng"
END = dt.date(2026, 5, 29)


def figures_with(tmp_path: Path, name: str, value: object) -> PlanFigures:
    """The packaged figures with one figure's value replaced, loaded from a copy of the file."""
    document = yaml.safe_load((PACKAGED_DIR / "plan_figures.yaml").read_text(encoding="utf-8"))
    document["figures"][name]["entries"][0]["value"] = value
    (tmp_path / "plan_figures.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return load_plan_figures(tmp_path)


def test_the_packaged_figures_are_the_plans() -> None:
    plan = load_packaged().plan
    assert plan.min_hours(END) == 28  # 3.2
    assert (plan.training_amount(END), plan.employment_amount(END)) == (Decimal("600"), Decimal("200"))  # 5.2b, 5.2c
    assert plan.proof_months(END) == 3  # 5.2c
    assert plan.route_fund("project", END) == "special_account"  # 5.2a
    assert {plan.route_fund(kind, END) for kind in ("occupational", "special_ability", "entrepreneurship")} == {
        "employment_subsidy"}  # 5.1


def test_a_figure_in_force_is_read_on_the_day_and_a_day_before_the_plan_takes_the_first(tmp_path: Path) -> None:
    document = yaml.safe_load((PACKAGED_DIR / "plan_figures.yaml").read_text(encoding="utf-8"))
    hours = document["figures"]["special_ability_min_hours"]["entries"]
    hours[0]["valid_to"] = dt.date(2026, 12, 31)
    hours.append({**hours[0], "value": 32, "valid_from": dt.date(2027, 1, 1), "valid_to": None})
    (tmp_path / "plan_figures.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    plan = load_plan_figures(tmp_path)
    assert [plan.min_hours(day) for day in (dt.date(2019, 5, 1), dt.date(2026, 12, 31), dt.date(2027, 1, 1))] == [
        28, 28, 32]
    with plan_figures_in_force(plan):
        # The engine reads the same entry per claim: a 30-hour class passes 3.2 in 2026 and fails it in 2027.
        result = by_id(run([claim("in-2026", training_type="special_ability", item_code="S1", class_hours=30,
                                  end_date="2026-12-31", fund="employment_subsidy"),
                            claim("in-2027", person=PERSON_B, training_type="special_ability",
                                  item_code="S1", class_hours=30, start_date="2027-01-01", end_date="2027-01-01")],
                           param_set=params()))
    assert "3.2" not in result["in-2026"]["denied_by"].split(";")
    assert "3.2" in result["in-2027"]["denied_by"].split(";")


@pytest.mark.django_db
def test_the_28_hours_reach_the_engine_the_approval_the_catalog_and_the_demo(tmp_path: Path) -> None:
    # 3.2: 不少于28课时 — with 30 in force, 29 fails everywhere and 30 passes.
    with plan_figures_in_force(figures_with(tmp_path, "special_ability_min_hours", 30)):
        result = by_id(run([claim(f"h{hours}", training_type="special_ability", item_code="S1", class_hours=hours)
                            for hours in (29, 30)], param_set=params()))
        assert "3.2" in result["h29"]["denied_by"] and "3.2" not in result["h30"]["denied_by"]
        refusals = subject_refusals(TrainingType.SPECIAL_ABILITY, 29, None, None, END)
        assert [r.code for r in refusals] == ["3.2"] and "30" in refusals[0].zh
        assert not subject_refusals(TrainingType.SPECIAL_ABILITY, 30, None, None, END)
        assert SpecialAbilityItem(code="new", name="新项目").min_hours == 30
        with pytest.raises(ValidationError, match="30"):
            SpecialAbilityItem(code="short", name="短项目", min_hours=29).full_clean()
        classes = pl.DataFrame({"training_type": ["special_ability"] * 400, "level": [None] * 400,
                                "subject": ["S1"] * 400, "year": [2026] * 400},
                               schema={"training_type": pl.String, "level": pl.Int64, "subject": pl.String,
                                       "year": pl.Int64})
        hours = synth_trainings.class_hours(np.random.default_rng(1), classes)
        assert hours.min() == 29 and (hours >= 30).sum() > 300  # the demo's short classes are one hour short


@pytest.mark.django_db
def test_600_and_200_reach_the_engine_the_credit_advance_and_the_demo(tmp_path: Path) -> None:
    # 5.2b 每人600元, 5.2c 每人200元 — with 700 and 250 in force, every consumer pays them.
    plan = figures_with(tmp_path, "special_account_training_amount", "700.00")
    document = yaml.safe_load((tmp_path / "plan_figures.yaml").read_text(encoding="utf-8"))
    document["figures"]["special_account_employment_amount"]["entries"][0]["value"] = "250.00"
    (tmp_path / "plan_figures.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    plan = load_plan_figures(tmp_path)
    project_claim = {"training_type": "project", "fund": "special_account", "project_id": "P1",
                     "applicant_relation": "employee", "advanced_by": "institution", "claimant": "institution",
                     "end_date": "2025-04-30", "employment_proof_kind": "labour_contract",
                     "employment_proof_date": "2025-08-01"}
    with plan_figures_in_force(plan):
        decided = by_id(run([claim("sa", **project_claim)], param_set=params()))["sa"]
        assert (decided["training_amount"], decided["employment_amount"], decided["total_amount"]) == (
            "700.00", "250.00", "950.00")
        training = builders.training_class(training_type=TrainingType.PROJECT, project=builders.project(),
                                           end_date=END, start_date=dt.date(2026, 5, 4))
        assert per_person_amount(training, "special_account") == Decimal("700.00")
        frame = pl.DataFrame({"fund": ["special_account"], "end_date": [END], "training_type": ["project"],
                              "level": [None], "subject": ["P1"]},
                             schema={"fund": pl.String, "end_date": pl.Date, "training_type": pl.String,
                                     "level": pl.Int64, "subject": pl.String})
        assert frame.select(synth_claims._requested_amount()).item() == Decimal("700.00")


@pytest.mark.django_db
def test_the_three_months_reach_the_engine_and_the_employment_follow_up(tmp_path: Path) -> None:
    # 5.2c 培训后3个月 — with 4 in force, a proof dated end + 3 months no longer earns the 200.
    proof = {"training_type": "project", "fund": "special_account", "project_id": "P1",
             "applicant_relation": "employee", "advanced_by": "institution", "claimant": "institution",
             "end_date": "2025-04-30", "employment_proof_kind": "labour_contract"}
    three = claim("three", **proof, employment_proof_date="2025-07-30")
    assert by_id(run([three], param_set=params()))["three"]["employment_amount"] == "200.00"
    with plan_figures_in_force(figures_with(tmp_path, "employment_proof_months", 4)):
        assert by_id(run([three], param_set=params()))["three"]["employment_amount"] == "0.00"
        assert by_id(run([claim("four", **proof, employment_proof_date="2025-08-30")], param_set=params())
                     )["four"]["employment_amount"] == "200.00"
        assert proof_due_on(dt.date(2025, 11, 30)) == dt.date(2026, 3, 30)
    assert proof_due_on(dt.date(2025, 11, 30)) == dt.date(2026, 2, 28)  # RULES reading 14


@pytest.mark.django_db
def test_the_funds_per_training_type_reach_the_engine_the_claim_form_the_advance_and_the_prediction(
        tmp_path: Path) -> None:
    # 5.1 / 5.2a: project training goes to the special account; here the table sends it to the employment fund
    # first and lets the special account pay special-ability training too.
    funds = {"occupational": ["employment_subsidy"], "entrepreneurship": ["employment_subsidy"],
             "special_ability": ["employment_subsidy", "special_account"],
             "project": ["employment_subsidy", "special_account"]}
    special = claim("sa-special", training_type="special_ability", item_code="S1", fund="special_account",
                    advanced_by="institution", claimant="institution")
    assert "5.2a" in by_id(run([special], param_set=params()))["sa-special"]["denied_by"]
    with plan_figures_in_force(figures_with(tmp_path, "training_type_funds", funds)):
        assert "5.2a" not in by_id(run([special], param_set=params()))["sa-special"]["denied_by"]
        training = builders.training_class(training_type=TrainingType.PROJECT, project=builders.project(),
                                           end_date=END, start_date=dt.date(2026, 5, 4))
        assert rule_fund(training) == "employment_subsidy"
        assert enrolment_service._would_be_claim(
            training, 0, enrolment_service.Candidate("k", "x", "other", "employee"))["fund"] == "employment_subsidy"
        with pytest.raises(FundingRefused) as refused:
            per_person_amount(training, "unemployment_insurance")
        assert refused.value.code == "fund_not_for_class"


def test_the_statuses_that_count_are_one_vocabulary() -> None:
    # RULES.md "What counts": pending, approved and paid.
    assert COUNTING_STATUSES == ("pending", "approved", "paid")
    assert tuple(FUNDING_COUNTING) == COUNTING_STATUSES
    assert synth_records.COUNTING == list(COUNTING_STATUSES)


# ---------------------------------------------------------------- no second statement of a number

# The places the numbers used to be written (issue 13), and the figure each must read instead.
KNOWN_PLACES = (
    "policy/rules.py", "policy/engine.py", "policy/explain.py", "training/models.py", "training/services/classes.py",
    "training/services/enrolment.py", "catalog/models.py", "catalog/shipped.py", "catalog/schemas.py",
    "funding/services/employment.py", "funding/services/advances.py", "funding/views/claims.py",
    "funding/models/claims.py", "synth/claims.py", "synth/records.py", "synth/generator.py", "synth/trainings.py",
)
STRAY_NUMBERS = {"28", "27", "600"}  # 200 is also an HTTP status: caught as "200.00" text
THREE_MONTHS = re.compile(r"MONTHS\s*=\s*3\b|months\s*=\s*3\b|relativedelta\(months=")
STRAY_TEXT = re.compile(r"(^|\D)(28|600|200)(\.00)?($|\D)|3mo|三个月")
COUNTING_LITERAL = re.compile(r"""["']pending["'],\s*["']approved["'],\s*["']paid["']""")
FUND_BY_TYPE = re.compile(r"""["']special_account["']\s+if\b|SPECIAL_ACCOUNT\s+if\b""")

def _code_literals(path: Path) -> list[tuple[int, str]]:
    """Numbers and strings in code (comments quoting the plan are allowed: they cite, they do not decide)."""
    found = []
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    for token in tokens:
        if token.type == tokenize.NUMBER and token.string in STRAY_NUMBERS:
            found.append((token.start[0], token.string))
        elif token.type == tokenize.STRING and not token.string.startswith(('"""', "'''")) \
                and STRAY_TEXT.search(token.string):  # docstrings are prose
            found.append((token.start[0], token.string))
    return found


@pytest.mark.parametrize("relative", KNOWN_PLACES)
def test_no_known_place_states_a_number_of_the_plan_again(relative: str) -> None:
    path = ROOT / relative
    stray = _code_literals(path)
    assert not stray, f"{relative}: the plan's numbers belong in plan_figures.yaml: {stray}"
    text = path.read_text(encoding="utf-8")
    assert not COUNTING_LITERAL.search(text), f"{relative}: read COUNTING_STATUSES from policy.vocabulary"
    assert not FUND_BY_TYPE.search(text), f"{relative}: read the fund from plan_figures training_type_funds"
    assert not THREE_MONTHS.search(text), f"{relative}: read employment_proof_months from plan_figures"


def test_the_scan_would_find_a_number_written_again(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text('MIN = 28  # 3.2\nAMOUNT = "600.00"\nSTATUSES = ("pending", "approved", "paid")\n'
                       "EMPLOYMENT_PROOF_MONTHS = 3\n", encoding="utf-8")
    assert [literal for _, literal in _code_literals(planted)] == ["28", '"600.00"']
    text = planted.read_text(encoding="utf-8")
    assert COUNTING_LITERAL.search(text) and THREE_MONTHS.search(text)


# ---------------------------------------------------------------- the portfolio measures (1a, 2.1b)


def test_the_targets_and_the_key_group_share_are_the_plans() -> None:
    # 1a: 2025年……18万人次, 2026年、2027年……21万人次, 三年60万人次以上; 2.1b: 不少于70%.
    plan = load_packaged().plan
    assert [plan.annual_target(year) for year in (2024, 2025, 2026, 2027, 2028)] == [
        None, 180_000, 210_000, 210_000, None]
    assert plan.target_years() == (2025, 2026, 2027)
    assert plan.programme_target(END) == 600_000 and plan.key_group_min_share(END) == Decimal("0.70")


def test_the_portfolio_measures_leave_a_parameter_sets_id_alone(tmp_path: Path) -> None:
    # No claim's decision reads a target or the 70 %: changing one must not make stored decisions look stale.
    before = params().id
    with plan_figures_in_force(figures_with(tmp_path, "key_group_min_share", "0.75")):
        assert params().id == before
    with plan_figures_in_force(figures_with(tmp_path, "special_ability_min_hours", 30)):
        assert params().id != before


@pytest.mark.django_db
def test_the_targets_and_the_70_percent_reach_the_progress_report(tmp_path: Path, province_official) -> None:
    from qiancheng.clock import frozen_at
    from qiancheng.insight.figures import Cell, report, share_if_added
    from qiancheng.insight.services import set_target

    document = yaml.safe_load((PACKAGED_DIR / "plan_figures.yaml").read_text(encoding="utf-8"))
    document["figures"]["annual_training_target"]["entries"][1]["value"] = 250_000
    document["figures"]["key_group_min_share"]["entries"][0]["value"] = "0.80"
    (tmp_path / "plan_figures.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    builders.city("450100", "南宁市")
    with plan_figures_in_force(load_plan_figures(tmp_path)), frozen_at(END):
        year = report(province_official, 2026)
        assert year.province is not None and year.province.target is not None
        assert year.province.target.count == 250_000 and year.min_share == Decimal("0.80")
        assert share_if_added("450100", 2026, ["rural_migrant_worker"] * 3 + ["other"]).after == Cell(4, 3)
        assert share_if_added("450100", 2026, ["rural_migrant_worker"] * 3 + ["other"]).below_after  # 75 % < 80 %
        with pytest.raises(ValidationError, match="250000"):
            set_target(province_official, 2026, None, 240_000, "桂人社发〔2026〕1号", END)


TARGET_LITERAL = re.compile(r"(?<![\d.])(180_?000|210_?000|600_?000|0\.70?|70)(?![\d.])")


@pytest.mark.parametrize("relative", ["insight/figures.py", "insight/services.py", "insight/api.py",
                                      "insight/views.py", "insight/forms.py"])
def test_insight_states_no_target_and_no_70_percent_of_its_own(relative: str) -> None:
    found = []
    for token in tokenize.generate_tokens(io.StringIO((ROOT / relative).read_text(encoding="utf-8")).readline):
        if token.type == tokenize.NUMBER and TARGET_LITERAL.fullmatch(token.string):
            found.append((token.start[0], token.string))
        elif token.type == tokenize.STRING and not token.string.startswith(('"""', "'''")) \
                and TARGET_LITERAL.search(token.string):
            found.append((token.start[0], token.string))
    assert not found, f"{relative}: 1a's targets and 2.1b's 70 % belong in plan_figures.yaml: {found}"
