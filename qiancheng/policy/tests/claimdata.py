"""Building claims, history and parameters for engine tests, through the same validation as files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl

from qiancheng.policy.batch import claims_from_records, history_from_records
from qiancheng.policy.engine import DecisionRun, decide
from qiancheng.policy.params import ParamSet, params_from_exchange

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(first17: str) -> str:
    """A valid ID number from its first 17 digits (GB 11643 check character)."""
    value = (12 - sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11) % 11
    return first17 + ("X" if value == 10 else str(value))


PERSON_A = id_number("45010219900101123")
PERSON_B = id_number("45020219850505002")
PERSON_C = id_number("45030219951231004")

BASE_CLAIM = {
    "training_type": "occupational", "fund": "employment_subsidy", "city_code": "450102",
    "occupation_code": "4-04-05-05", "level": 5, "class_hours": 40,
    "start_date": "2025-03-01", "end_date": "2025-04-30", "passed": True, "person_category": "graduate_youth",
    "receiving_unemployment_benefit": False, "has_business_licence": False, "institution_id": "I-NN-1",
    "advanced_by": "individual", "claimant": "individual",
}

BASE_PARAMS = {
    "as_of_date": "2027-12-31",
    "standards": [
        *({"training_type": "occupational", "level": level, "amount": amount, "valid_from": "2023-01-01"}
          for level, amount in ((5, "1200.00"), (4, "1500.00"), (3, "2000.00"), (2, "2500.00"), (1, "3000.00"))),
        {"training_type": "special_ability", "amount": "800.00", "valid_from": "2023-01-01"},
        *({"training_type": "entrepreneurship", "course_kind": kind, "amount": "1000.00", "valid_from": "2023-01-01"}
          for kind in ("GYB", "SYB", "IYB", "EYB", "online_live", "online_ecommerce", "online_simulation")),
        {"training_type": "project", "amount": "900.00", "valid_from": "2023-01-01"},
    ],
    "unemployment_insurance_standards": [{"amount": "1100.00", "valid_from": "2023-01-01"}],
    "ai_occupations": ["4-04-05-05"],
    "ai_uplift": {"450100": "0.20", "450200": "0.10"},
}


def claim(claim_id: str, person: str = PERSON_A, **fields: object) -> dict:
    row = {**BASE_CLAIM, "claim_id": claim_id, "id_number": person, **fields}
    row.setdefault("advanced_by_id", person if row["advanced_by"] == "individual" else row["institution_id"])
    row.setdefault("claimant_id", row["advanced_by_id"])
    return row


def params(**changes: object) -> ParamSet:
    return params_from_exchange({**BASE_PARAMS, **changes}, "test params")


def run(claims: list[dict], history: list[dict] | None = None, param_set: ParamSet | None = None,
        as_of: dt.date | None = None, trace: bool = False) -> DecisionRun:
    param_set = param_set or params()
    return decide(claims_from_records(claims), history_from_records(history or []), param_set,
                  as_of or param_set.as_of or dt.date(2027, 12, 31), trace=trace)


def by_id(result: DecisionRun | pl.DataFrame) -> dict[str, dict]:
    frame = result.decisions if isinstance(result, DecisionRun) else result
    return {row["claim_id"]: row for row in frame.to_dicts()}


def amount(text: str) -> Decimal:
    return Decimal(text)
