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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from qiancheng.risk.parameters import parameter


def model_name(engine: str) -> str:
    """The stored model version: the same settings on either backend, named with the one that ran them."""
    return f"splink-{engine}-v1"


MODEL_NAME = model_name("duckdb")
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


ENGINES = ("duckdb", "spark")


@contextmanager
def _linker(records: list[dict[str, Any]], engine: str) -> Iterator[Any]:
    """A Splink linker over the records with the one model (`_settings`), on DuckDB in memory or on Spark
    (risk.spark_backend: the same settings, Splink writes the Spark SQL)."""
    import pyarrow as pa
    from splink import DuckDBAPI, Linker

    if engine not in ENGINES:
        raise ValueError(f"unknown linkage engine {engine!r}: one of {', '.join(ENGINES)}")
    logging.getLogger("splink").setLevel(logging.WARNING)
    frame = pa.Table.from_pylist(records)  # pyarrow comes with splink; no pandas needed
    if engine == "duckdb":
        db_api = DuckDBAPI(":memory:")
        yield Linker(db_api.register(frame), _settings(), log_level=logging.WARNING)
        return
    from qiancheng.risk.spark_backend import splink_spark_api

    with splink_spark_api() as db_api:
        yield Linker(db_api.register(frame), _settings(), log_level=logging.WARNING)


def find_pairs(records: list[dict[str, Any]], threshold: Decimal | None = None, *,
               engine: str = "duckdb") -> list[Pair]:
    """The pairs of records at or above the threshold in force, best first."""
    if len(records) < 2:
        return []
    threshold = parameter("link_threshold").value if threshold is None else threshold
    with _linker(records, engine) as linker:
        predictions = linker.inference.predict(threshold_match_probability=float(threshold),
                                               warning_mode="never")
        rows = predictions.as_record_list()
    pairs = []
    for row in rows:
        comparisons = {
            column: {"match_weight": round(float(row[f"mw_{column}"]), 3)} for column in COMPARISON_PRIORS
        }
        driver = max(comparisons, key=lambda column: comparisons[column]["match_weight"])
        first, second = sorted((row["unique_id_l"], row["unique_id_r"]))
        pairs.append(Pair(first, second, Decimal(str(round(float(row["match_probability"]), 5))),
                          Decimal(str(round(float(row["match_weight"]), 3))), driver, comparisons))
    return sorted(pairs, key=lambda pair: (-pair.match_probability, pair.person_a, pair.person_b))


def find_clusters(records: list[dict[str, Any]], threshold: Decimal | None = None, *,
                  engine: str = "duckdb") -> list[frozenset[str]]:
    """The groups of records Splink puts together at or above the threshold (connected components of the
    predicted pairs, computed by Splink in the engine's own SQL), largest first; single records left out."""
    if len(records) < 2:
        return []
    threshold = parameter("link_threshold").value if threshold is None else threshold
    with _linker(records, engine) as linker:
        predictions = linker.inference.predict(threshold_match_probability=float(threshold),
                                               warning_mode="never")
        clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=float(threshold))
        rows = clustered.as_record_list()
    members: dict[str, set[str]] = {}
    for row in rows:
        members.setdefault(str(row["cluster_id"]), set()).add(row["unique_id"])
    groups = [frozenset(group) for group in members.values() if len(group) > 1]
    return sorted(groups, key=lambda group: (-len(group), min(group)))
