"""Clause 4.1 as code: what a border/port industrial park's own money (沿边临港产业园区) may pay, and how much
a park may receive a year.

The plan: "2025—2026年期间，每年继续给予4个沿边临港产业园区各1000万元就业补助资金支持……面向高校毕业生、农村
转移就业劳动者、城镇登记失业人员、就业困难人员以及企业职工大规模开展职业（工种）技能培训、专项职业能力技能培训、
项目培训". The yearly amount is a dated parameter (`parameters/park_allocation.yaml`); the trainings and the
groups are the plan's words, so they are rules here, each with its clause and message. Like the rest of
`policy`, this module imports no app: the funding services ask it, with plain values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from qiancheng.policy.params import PACKAGED_DIR, ParameterError, _date, _decimal, _yaml
from qiancheng.policy.rules import Rule

PARK_CLAUSE = "4.1"

# 4.1: "开展职业（工种）技能培训、专项职业能力技能培训、项目培训" — entrepreneurship training (3.3) is not named.
PARK_TRAINING_TYPES = ("occupational", "special_ability", "project")

# 4.1: "面向高校毕业生、农村转移就业劳动者、城镇登记失业人员、就业困难人员以及企业职工". Unlike 2.1b's key
# groups, enterprise employees are named; "other" is not. Our category graduate_youth (高校毕业生等青年) is
# the nearest one to 高校毕业生: the enrolment records no finer fact, so the reading counts it (docs/money.md).
PARK_GROUPS = (
    "graduate_youth", "rural_migrant_worker", "registered_unemployed", "employment_difficulty", "enterprise_employee",
)

PARK_TRAINING_TYPE_RULE = Rule(
    id="4.1.type", clause=PARK_CLAUSE, title_zh="园区资金支付的培训类型",
    message_zh="园区资金只支付职业（工种）技能培训、专项职业能力培训和项目制培训（第4.1条），创业培训由市级资金支付",
    message_en="a park's money pays occupational, special-ability and project training only (clause 4.1); "
               "entrepreneurship training is paid from the city's account",
)
PARK_GROUP_RULE = Rule(
    id="4.1.group", clause=PARK_CLAUSE, title_zh="园区资金支付的培训对象",
    message_zh="园区资金面向高校毕业生、农村转移就业劳动者、城镇登记失业人员、就业困难人员以及企业职工（第4.1条），"
               "其他人员由市级资金支付",
    message_en="a park's money is for college graduates, rural migrant workers, registered unemployed, people with "
               "employment difficulties and enterprise employees (clause 4.1); others are paid from the city's account",
)


def park_training_type_fails(training_type: str) -> bool:
    """4.1.type: the park's money does not pay this kind of training."""
    return training_type not in PARK_TRAINING_TYPES


def park_group_fails(category: str) -> bool:
    """4.1.group: the trainee, by the category recorded at enrolment, is not one of the groups 4.1 names."""
    return category not in PARK_GROUPS


@dataclass(frozen=True)
class ParkAllocationCap:
    """The most one park may be allocated for one budget year of a period (4.1), from one fund, with its source."""

    amount: Decimal
    fund_source: str
    valid_from: dt.date
    valid_to: dt.date
    source: str
    last_checked: dt.date

    def covers_year(self, year: int) -> bool:
        """A budget year is covered when its whole calendar year lies in the period."""
        return self.valid_from <= dt.date(year, 1, 1) and dt.date(year, 12, 31) <= self.valid_to


def load_park_allocation_caps(directory: Path = PACKAGED_DIR) -> tuple[ParkAllocationCap, ...]:
    """`park_allocation.yaml`: each entry has a positive amount, a closed period, a source and a check date."""
    path = directory / "park_allocation.yaml"
    document = _yaml(path)
    fund_source = str(document.get("fund_source") or "")
    caps = []
    for i, entry in enumerate(document.get("entries", [])):
        where = f"{path.name}: entries[{i}]"
        if not entry.get("source") or not entry.get("last_checked"):
            raise ParameterError(f"{where}: 每个参数须注明来源和核对日期 / every entry needs a source and last_checked")
        amount = _decimal(entry.get("amount"), f"{where}: amount")
        valid_from = _date(entry.get("valid_from"), f"{where}: valid_from")
        valid_to = _date(entry.get("valid_to"), f"{where}: valid_to")
        last_checked = _date(entry.get("last_checked"), f"{where}: last_checked")
        if valid_from is None or valid_to is None or last_checked is None or amount <= 0 or valid_to < valid_from:
            raise ParameterError(f"{where}: 金额须大于零、有效期须完整且不倒置 / the amount must be positive and the "
                                 "period closed, not ending before it starts")
        caps.append(ParkAllocationCap(amount, fund_source, valid_from, valid_to, str(entry["source"]), last_checked))
    return tuple(caps)


def park_allocation_cap(year: int, caps: tuple[ParkAllocationCap, ...] | None = None) -> ParkAllocationCap | None:
    """The cap in force for budget `year`, or None: 4.1 gives a park no money that year."""
    for cap in caps if caps is not None else load_park_allocation_caps():
        if cap.covers_year(year):
            return cap
    return None
