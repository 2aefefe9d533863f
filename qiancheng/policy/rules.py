"""The plan's rules, one unit each, named after the rule and carrying its clause.

A rule is either a *claim rule*: a Polars expression over one claim's own fields (true = the claim
fails it), or a *limit rule*: a test of one claim against one earlier record of the same person (a
history record or an earlier accepted claim of the batch), which the engine joins in. Both serve a
million claims in a batch and one claim online: there is no second implementation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl

from qiancheng.policy.params import PlanFigures
from qiancheng.policy.vocabulary import FUNDS, LICENCE_COURSE_KINDS, PROVINCE_CODES

RULE_VERSION = "2025-08-13.r1"  # the plan's date and our revision of its rules; bump with a CHANGELOG entry

c = pl.col


@dataclass(frozen=True)
class Rule:
    id: str
    clause: str  # the CLAUSES.md ID it enforces ("data" for the exchange-format rules)
    title_zh: str  # the requirement, as an official would name it
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class ClaimRule(Rule):
    """`fails(as_of, plan)`: the plan's figures (28 hours, the funds per type) come from `plan`, never a literal."""

    fails: Callable[[dt.date, PlanFigures], pl.Expr] = lambda as_of, plan: pl.lit(False)


def in_force(plan: PlanFigures, name: str, value: Callable[[Any], pl.Expr], day: pl.Expr | None = None) -> pl.Expr:
    """Per claim, `value` of the figure's entry in force on its end date (or `day`); a day before the first
    entry takes the first, as `PlanFigures.entry_on` does."""
    day = c("end_date") if day is None else day
    periods = plan.periods(name)
    expr: Any = pl
    for entry, following in zip(periods, periods[1:], strict=False):
        expr = expr.when(day < pl.lit(following.valid_from)).then(value(entry.value))
    return value(periods[-1].value) if expr is pl else expr.otherwise(value(periods[-1].value))


def _types_paid_by(fund: str) -> Callable[[Any], pl.Expr]:
    """The training types whose list of funds (`training_type_funds`) names `fund`."""
    return lambda table: c("training_type").is_in([kind for kind, funds in table.items() if fund in funds])


@dataclass(frozen=True)
class LimitMatch:
    """One way an earlier record of the same person trips a limit rule.

    The claim (`claim_filter`, `claim_keys`) and the earlier record (`prior_filter`, `prior_keys`) are
    joined on equal keys, so a rule costs one hash join, never a comparison of every pair of records.
    `condition` then compares the pair; the record's columns carry the suffix `_p` there.
    """

    claim_filter: Callable[[], pl.Expr]
    prior_filter: Callable[[], pl.Expr]
    keys: tuple[str, ...]  # the same column names on both sides (the person always first)
    condition: Callable[[], pl.Expr] | None = None


@dataclass(frozen=True)
class LimitRule(Rule):
    """Fails when any earlier record (history, or an accepted batch claim before it) matches."""

    matches: tuple[LimitMatch, ...] = ()


# ---------------------------------------------------------------- identity (GB 11643)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_SHAPE = r"^[0-9]{17}[0-9X]$"


def _check_characters_match(numbers: pl.Expr) -> pl.Expr:
    """GB 11643 check character, (12 - Σ digit x weight mod 11) mod 11 with 10 written X, as one Polars
    expression over numbers that all have the 18-character shape (no NumPy: `qiancheng check` starts
    faster without importing it)."""
    digits = [numbers.str.slice(i, 1).cast(pl.Int64) * weight for i, weight in enumerate(_WEIGHTS)]
    expected = (12 - pl.sum_horizontal(digits) % 11) % 11
    last = numbers.str.slice(17, 1)
    given = pl.when(last == "X").then(pl.lit(10, pl.Int64)).otherwise(last.cast(pl.Int64, strict=False))
    return expected == given


def id_number_is_valid(person: pl.Expr, as_of: dt.date) -> pl.Expr:
    """EXCHANGE.md: 18 characters, check character, a real birth date not after as-of, a province code.

    The county code is not checked: numbers keep the code of where and when they were issued.
    """
    shape = person.str.contains(_ID_SHAPE).fill_null(False)
    province = person.str.slice(0, 2).is_in(list(PROVINCE_CODES))
    birth = person.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    birth_ok = birth.is_not_null() & (person.str.slice(6, 4) != "0000") & (birth <= pl.lit(as_of))
    shaped = pl.when(shape).then(person).otherwise(pl.lit("0" * 18))  # "000...0" has a matching check
    check_ok = _check_characters_match(shaped)
    return (shape & province & birth_ok & check_ok).fill_null(False)


# ---------------------------------------------------------------- claim rules

def _is_fund(*funds: str) -> pl.Expr:
    assert set(funds) <= set(FUNDS)
    return c("fund").is_in(list(funds))


CLAIM_RULES: tuple[ClaimRule, ...] = (
    ClaimRule(
        "data.id", "data", "身份证号有效",
        "身份证号码不符合GB 11643（格式、校验位或出生日期有误），请核对证件后重新录入。",
        "The ID number fails GB 11643 (format, check character or birth date); check the card and re-enter it.",
        lambda as_of, plan: ~id_number_is_valid(c("person"), as_of),
    ),
    ClaimRule(
        "data.dates", "data", "日期合理",
        "培训结束日期早于开始日期，或有日期晚于判定日期，请核对培训起止日期和就业证明日期。",
        "The end date is before the start date, or a date is after the decision date; check the training and "
        "employment-proof dates.",
        lambda as_of, plan: (
            (c("end_date") < c("start_date"))
            | (c("start_date") > as_of)
            | (c("end_date") > as_of)
            | (c("employment_proof_date") > as_of).fill_null(False)
        ),
    ),
    ClaimRule(
        "5.1", "5.1", "培训合格取得证书",
        "就业补助资金和失业保险基金只补贴培训合格（取得证书）的人员（第5.1条）；该学员未通过评价。",
        "The employment-subsidy and unemployment-insurance funds pay only for trainees who passed (clause 5.1); "
        "this trainee did not pass.",
        # 5.1: 对取得证书的人员按规定给予补贴
        lambda as_of, plan: _is_fund("employment_subsidy", "unemployment_insurance") & ~c("passed"),
    ),
    ClaimRule(
        "5.2b", "5.2b", "项目制培训合格",
        "专账资金只按项目制培训合格人数给予补贴（第5.2条(二)）；该学员未合格。",
        "The special account pays only for trainees who pass project training (clause 5.2b); this trainee did not pass.",
        # 5.2b: 按每人……标准给予培训合格人员补贴 (the amount: plan_figures special_account_training_amount)
        lambda as_of, plan: _is_fund("special_account") & ~c("passed"),
    ),
    ClaimRule(
        "3.2", "3.2", "专项能力培训课时达标",
        "专项职业能力培训课时不得少于第3.2条规定的最低课时，该培训课时不足。",
        "Special vocational ability training needs the class hours clause 3.2 sets as a minimum; this training has "
        "fewer.",
        # 3.2: 培训课时不少于……课时 (the figure in force on the end date: plan_figures special_ability_min_hours)
        lambda as_of, plan: (c("training_type") == "special_ability")
        & (c("class_hours") < in_force(plan, "special_ability_min_hours", pl.lit)),
    ),
    ClaimRule(
        "3.3", "3.3", "IYB/EYB须持营业执照",
        "IYB、EYB创业培训面向持有营业执照的人员（第3.3条），该学员无营业执照记录。",
        "IYB and EYB courses are for people holding a business licence (clause 3.3); none is on record.",
        # 3.3: 对持有营业执照的人员开展IYB或EYB培训
        lambda as_of, plan: (c("training_type") == "entrepreneurship")
        & c("course_kind").is_in(list(LICENCE_COURSE_KINDS))
        & ~c("has_business_licence"),
    ),
    ClaimRule(
        "3.4e", "3.4e", "学员为申报企业职工或拟招用人员",
        "项目制培训学员须为申报企业的拟招用人员或在职职工（含劳务派遣人员）（第3.4条(五)）。",
        "Project-training trainees must be the applicant's employees or prospective hires (clause 3.4e).",
        # 3.4e: 培训对象须为申报企业拟招用人员或在职职工（含劳务派遣人员）
        lambda as_of, plan: (c("training_type") == "project") & (c("applicant_relation") == "none"),
    ),
    ClaimRule(
        "3.6", "3.6", "谁垫付、谁申领",
        "按“谁垫付、谁申领”（第3.6条），申领人须为垫付培训费用的一方。",
        "Whoever advanced the cost claims it (clause 3.6, 谁垫付、谁申领); the claimant is not the advancer.",
        # 3.6: 谁垫付、谁申领
        lambda as_of, plan: (c("claimant") != c("advanced_by")) | (c("claimant_id") != c("advanced_by_id")),
    ),
    ClaimRule(
        "5.2a", "5.2a", "专账资金补给组织项目制培训的机构",
        "职业技能提升行动专账资金仅用于向组织项目制培训的培训机构给予补贴（第5.2条(一)）。",
        "The skills-upgrade special account pays only the institution that organised project training (clause 5.2a).",
        # 5.2a: 向组织项目制培训的培训机构给予补贴 (the types the special account pays: training_type_funds)
        lambda as_of, plan: _is_fund("special_account")
        & (~in_force(plan, "training_type_funds", _types_paid_by("special_account")) | (c("claimant") != "institution")
           | (c("claimant_id") != c("institution_id"))),
    ),
    ClaimRule(
        "5.3", "5.3", "领取失业保险金",
        "失业保险基金只补贴领取失业保险金人员的培训（第5.3条）。",
        "The unemployment-insurance fund pays only for people receiving unemployment benefit (clause 5.3).",
        # 5.3: 领取失业保险金人员参加培训
        lambda as_of, plan: _is_fund("unemployment_insurance") & ~c("receiving_unemployment_benefit"),
    ),
)

BLACKLIST_RULE = Rule(
    "6d", "6d", "未列入黑名单",
    "学员或培训机构在培训结束日处于失信黑名单（第6条(四)），不予补贴。",
    "The trainee or the institution was on the blacklist on the training's end date (clause 6d).",
)


# ---------------------------------------------------------------- limit rules (history and the batch)

_ALWAYS = lambda: pl.lit(True)  # noqa: E731
_EARLIER_CLAIM = lambda: c("kind") == "claim"  # noqa: E731


def _of_type(training_type: str) -> Callable[[], pl.Expr]:
    return lambda: c("training_type") == training_type


LIMIT_RULES: tuple[LimitRule, ...] = (
    LimitRule(
        "3.5a", "3.5a", "每年不超过一次",
        "同一劳动者每年只能享受一次补贴性培训（第3.5条(一)），该学员当年已有一次。",
        "Each person may have one subsidised training a year (clause 3.5a); this year's is already used.",
        # 3.5a: 每人每年享受补贴性培训不超过1次 (a year = the calendar year of the end date)
        (LimitMatch(_ALWAYS, _EARLIER_CLAIM, ("person", "year")),),
    ),
    LimitRule(
        "3.5c", "3.5c", "同职业同等级不重复",
        "同一职业（工种）同一等级只能享受一次补贴，含参保职工技能提升补贴（第3.5条(三)）。",
        "The same occupation at the same level is subsidised once, the skill-upgrade subsidy included (clause 3.5c).",
        # 3.5c: 同一职业（工种）同一等级不可重复享受（含参保职工技能提升补贴）;
        # RULES reading 7: occupation + level for occupational, the item for special ability, nothing else.
        (
            LimitMatch(_of_type("occupational"),
                       lambda: c("kind").is_in(["claim", "upgrade"]) & (c("training_type") == "occupational"),
                       ("person", "occupation_code", "level")),
            LimitMatch(_of_type("special_ability"),
                       lambda: (c("kind") == "claim") & (c("training_type") == "special_ability"),
                       ("person", "item_code")),
        ),
    ),
    LimitRule(
        "3.5d", "3.5d", "未持同职业更高等级证书",
        "已取得某职业高等级证书的，不得申领同职业低等级的培训补贴（第3.5条(四)）。",
        "A person holding a higher-level certificate of the occupation cannot claim for a lower level (clause 3.5d).",
        # 3.5d: 已取得高等级证书的不得申领同职业低等级补贴 (held on the end date; 1 is the highest level)
        (LimitMatch(_of_type("occupational"), lambda: c("kind") == "certificate", ("person", "occupation_code"),
                    lambda: (c("level_p") < c("level")) & (c("date_p") <= c("end_date"))),),
    ),
    LimitRule(
        "5.2d", "5.2d", "项目制补贴不重复",
        "专账资金项目制培训补贴与就业补助资金项目制培训补贴不可重复享受（第5.2条(四)）。",
        "A project's training subsidy is paid once, across the special account and the employment-subsidy fund "
        "(clause 5.2d).",
        # 5.2d: 不可与就业补助资金项目制培训补贴重复享受
        (LimitMatch(_of_type("project"), lambda: (c("kind") == "claim") & (c("training_type") == "project"),
                    ("person", "project_id")),),
    ),
)

COUNT_RULE = Rule(
    "3.5b", "3.5b", "累计不超过三次",
    "每人累计享受补贴性培训不超过3次（第3.5条(二)），该学员已有3次。",
    "A person may have at most three subsidised trainings in all (clause 3.5b); three are already counted.",
)
MAX_COUNTED_TRAININGS = 3  # 3.5b: 累计不超过3次

ALL_RULES: dict[str, Rule] = {
    rule.id: rule for rule in (*CLAIM_RULES, BLACKLIST_RULE, *LIMIT_RULES, COUNT_RULE)
}
