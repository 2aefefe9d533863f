"""The synthetic province's subsidy parameters, in the EXCHANGE.md `params.json` shape.

Guangxi's amounts per level were not found in public copies (shared/data/README.md): every figure
here is a placeholder of the synthetic world, labelled as such in its `source`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

PLACEHOLDER = "synthetic placeholder, to be confirmed by the department / 合成数据占位值，待人社厅确认"
AS_OF = date(2027, 12, 31)

# (valid_from, valid_to, {level: amount}) for occupational training, two dated periods.
OCCUPATIONAL = (
    ("2023-01-01", "2025-12-31", {5: "1000.00", 4: "1500.00", 3: "2000.00", 2: "2500.00", 1: "3000.00"}),
    ("2026-01-01", None, {5: "1100.00", 4: "1600.00", 3: "2100.00", 2: "2700.00", 1: "3200.00"}),
)
SPECIAL_ABILITY = "600.00"
ENTREPRENEURSHIP = {
    "GYB": "300.00", "SYB": "1000.00", "IYB": "800.00", "EYB": "1200.00",
    "online_live": "600.00", "online_ecommerce": "600.00", "online_simulation": "400.00",
}
PROJECT = "900.00"
UNEMPLOYMENT_INSURANCE = (("2023-01-01", "2025-12-31", "1000.00"), ("2026-01-01", None, "1100.00"))
# 4.2: at most 20%; two cities at the cap, others lower, most none.
AI_UPLIFT = {"450100": "0.20", "450200": "0.15", "450300": "0.10", "450500": "0.10", "451400": "0.05"}


def standards() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for valid_from, valid_to, amounts in OCCUPATIONAL:
        for level, amount in amounts.items():
            rows.append({"training_type": "occupational", "level": level, "amount": amount,
                         "valid_from": valid_from, "valid_to": valid_to, "source": PLACEHOLDER})
    rows.append({"training_type": "special_ability", "amount": SPECIAL_ABILITY, "valid_from": "2023-01-01",
                 "valid_to": None, "source": PLACEHOLDER})
    for kind, amount in ENTREPRENEURSHIP.items():
        rows.append({"training_type": "entrepreneurship", "course_kind": kind, "amount": amount,
                     "valid_from": "2023-01-01", "valid_to": None, "source": PLACEHOLDER})
    rows.append({"training_type": "project", "amount": PROJECT, "valid_from": "2023-01-01", "valid_to": None,
                 "source": PLACEHOLDER})
    return rows


def params(ai_occupations: tuple[str, ...], as_of: date = AS_OF) -> dict[str, Any]:
    """The complete parameter set of a run over the synthetic province."""
    return {
        "as_of_date": as_of.isoformat(),
        "standards": standards(),
        "unemployment_insurance_standards": [
            {"amount": amount, "valid_from": start, "valid_to": end, "source": PLACEHOLDER}
            for start, end, amount in UNEMPLOYMENT_INSURANCE
        ],
        "ai_occupations": list(ai_occupations),
        "ai_uplift": dict(AI_UPLIFT),
    }

