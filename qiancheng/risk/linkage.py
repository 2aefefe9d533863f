"""Person linkage (同一人识别) with Splink on DuckDB: one person registered under two ID numbers.

The model (docs/risk.md):

- Records: every Person, with the fields it keeps in clear (name, surname, sex and birth date read from
  the ID number at registration, county of issue, the masked number's last four characters) and a keyed
  hash of the phone (risk.features). No clear ID number or phone reaches DuckDB, which runs in memory.
- Blocking (which pairs are compared at all): same birth date; or same phone hash; or same name and
  county. A person re-registered under a mistyped number keeps at least one of these.
- Comparisons, each with levels and fixed m/u probabilities (a documented prior, not trained: the
  demo province is too small for EM to be stable): name (exact / one character different / else),
  birth date (exact / one digit different / else), sex, phone hash, county of issue, last four of the
  ID number.
- Threshold: `link_threshold` in risk.parameters (dated, local practice). Pairs at or above it become
  LinkCandidate rows for the city to confirm or dismiss (risk.services.decide_candidate).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from qiancheng.risk.parameters import parameter

MODEL_NAME = "splink-duckdb-v1"
PROBABILITY_TWO_RANDOM_RECORDS_MATCH = 1e-5

# Each comparison: (column, the levels' m probabilities, u probabilities), highest level first, "else" last.
COMPARISON_PRIORS: dict[str, tuple[list[float], list[float]]] = {
    "name": ([0.88, 0.10, 0.02], [0.0005, 0.01, 0.9895]),
    "birth_date": ([0.90, 0.08, 0.02], [0.0001, 0.003, 0.9969]),
    "sex": ([0.99, 0.01], [0.5, 0.5]),
    "phone_hash": ([0.80, 0.20], [0.00001, 0.99999]),
    "county_code": ([0.85, 0.15], [0.01, 0.99]),
    "id_tail": ([0.75, 0.25], [0.0001, 0.9999]),
}


COMPARISON_LABELS = {
    "name": _("姓名"), "birth_date": _("出生日期"), "sex": _("性别"), "phone_hash": _("手机号"),
    "county_code": _("签发地"), "id_tail": _("身份证号末四位"),
}


@dataclass(frozen=True)
class Pair:
    person_a: str
    person_b: str
    match_probability: Decimal
    match_weight: Decimal
    driver: str  # the comparison that added the largest match weight
    comparisons: dict[str, dict[str, Any]]


def _settings() -> Any:
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    def configured(comparison: Any, column: str) -> Any:
        m, u = COMPARISON_PRIORS[column]
        return comparison.configure(m_probabilities=m, u_probabilities=u)

    return SettingsCreator(
        link_type="dedupe_only",
        probability_two_random_records_match=PROBABILITY_TWO_RANDOM_RECORDS_MATCH,
        blocking_rules_to_generate_predictions=[
            block_on("birth_date"), block_on("phone_hash"), block_on("name", "county_code"),
        ],
        comparisons=[
            configured(cl.LevenshteinAtThresholds("name", [1]), "name"),
            configured(cl.LevenshteinAtThresholds("birth_date", [1]), "birth_date"),
            configured(cl.ExactMatch("sex"), "sex"),
            configured(cl.ExactMatch("phone_hash"), "phone_hash"),
            configured(cl.ExactMatch("county_code"), "county_code"),
            configured(cl.ExactMatch("id_tail"), "id_tail"),
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=True,  # mw_<comparison>: what each one added
    )


def find_pairs(records: list[dict[str, Any]], threshold: Decimal | None = None) -> list[Pair]:
    """The pairs of records at or above the threshold in force, best first."""
    if len(records) < 2:
        return []
    import pyarrow as pa
    from splink import DuckDBAPI, Linker

    threshold = parameter("link_threshold").value if threshold is None else threshold
    logging.getLogger("splink").setLevel(logging.WARNING)
    db_api = DuckDBAPI(":memory:")
    frame = pa.Table.from_pylist(records)  # pyarrow comes with splink; no pandas needed
    linker = Linker(db_api.register(frame), _settings(), log_level=logging.WARNING)
    predictions = linker.inference.predict(threshold_match_probability=float(threshold), warning_mode="never")
    pairs = []
    for row in predictions.as_record_list():
        comparisons = {
            column: {"match_weight": round(float(row[f"mw_{column}"]), 3)} for column in COMPARISON_PRIORS
        }
        driver = max(comparisons, key=lambda column: comparisons[column]["match_weight"])
        first, second = sorted((row["unique_id_l"], row["unique_id_r"]))
        pairs.append(Pair(first, second, Decimal(str(round(float(row["match_probability"]), 5))),
                          Decimal(str(round(float(row["match_weight"]), 3))), driver, comparisons))
    return sorted(pairs, key=lambda pair: (-pair.match_probability, pair.person_a, pair.person_b))
