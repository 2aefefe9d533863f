"""Person linkage (同一人识别) with Splink on DuckDB: one person registered under two ID numbers.

The model (docs/risk.md):

- Records: every Person, with the fields it keeps in clear (name, surname, sex and birth date read from
  the ID number at registration, county of issue, the masked number's last four characters) and a keyed
  hash of the phone (risk.features). No clear ID number or phone reaches DuckDB, which runs in memory.
- Blocking (which pairs are compared at all, BLOCKING_RULES): same birth date and surname in pinyin; or
  same phone hash; or same name in pinyin and county. A person re-registered under a mistyped number keeps
  at least one of these unless the phone changed as well.
- Comparisons, each with levels and m/u probabilities: the newest model trained on the register
  (`train`, `qiancheng risk train`, stored as risk.models.TrainedLinkageModel) where there is one, else a
  documented prior (COMPARISON_PRIORS): name (exact / same toneless pinyin, i.e. a homophone
  or variant character / one character different / else),
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
    # exact / same pinyin (homophone, variant character: 张伟 and 章伟) / one character off / else
    "name": ([0.84, 0.06, 0.08, 0.02], [0.0005, 0.0002, 0.01, 0.9893]),
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


def _name_comparison() -> Any:
    """Name: exact; else the same toneless pinyin (risk.features.name_pinyin: a homophone or variant character,
    which reads the same aloud and is how a clerk mistypes a name taken down by ear); else one character off."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("name"),
            cll.ExactMatchLevel("name"),
            cll.ExactMatchLevel("name_pinyin"),
            cll.LevenshteinLevel("name", 1),
            cll.ElseLevel(),
        ],
        comparison_description="name: exact / same pinyin / one character off / else",
    )


# Trained probabilities are kept off 0 and 1: EM on a small register drives a level never seen among
# matches to m = 1e-100, which would make one disagreement (a sex mistyped) veto every other agreement.
PROBABILITY_FLOOR = 1e-6

Probabilities = dict[str, tuple[list[float], list[float]]]


def _probabilities(trained: Probabilities | None) -> Probabilities:
    """The m/u per comparison to apply: each trained comparison whose levels match the model's, else its prior."""
    chosen = dict(COMPARISON_PRIORS)
    for column, (m_prior, u_prior) in COMPARISON_PRIORS.items():
        m, u = (trained or {}).get(column, (None, None))
        if m is None or u is None or len(m) != len(m_prior) or len(u) != len(u_prior):
            continue
        chosen[column] = ([min(max(value, PROBABILITY_FLOOR), 1.0) for value in m],
                          [min(max(value, PROBABILITY_FLOOR), 1.0) for value in u])
    return chosen


def _settings(trained: Probabilities | None = None) -> Any:
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    in_force = _probabilities(trained)

    def configured(comparison: Any, column: str) -> Any:
        m, u = in_force[column]
        return comparison.configure(m_probabilities=m, u_probabilities=u)

    return SettingsCreator(
        link_type="dedupe_only",
        probability_two_random_records_match=PROBABILITY_TWO_RANDOM_RECORDS_MATCH,
        blocking_rules_to_generate_predictions=[block_on(*columns) for columns in BLOCKING_RULES],
        comparisons=[
            configured(_name_comparison(), "name"),
            configured(cl.LevenshteinAtThresholds("birth_date", [1]), "birth_date"),
            configured(cl.ExactMatch("sex"), "sex"),
            configured(cl.ExactMatch("phone_hash"), "phone_hash"),
            configured(cl.ExactMatch("county_code"), "county_code"),
            configured(cl.ExactMatch("id_tail"), "id_tail"),
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=True,  # mw_<comparison>: what each one added
    )


# Which pairs are compared at all. A person re-registered under a mistyped number keeps at least one of these
# unless the phone changed too. The birth date alone would be the widest net, but at 1,000,000 people it is
# 35.6 million pairs (40 birth years: ~70 people a day) and the linkage took 274 s; with the surname's sound
# it is 0.9 million (bench/README.md), and a surname typed through a pinyin input method is a homophone (章 for
# 张), which keeps its sound. The same name always has the same pinyin, so name and county needs no rule of its
# own beside pinyin and county.
BLOCKING_RULES: tuple[tuple[str, ...], ...] = (
    ("birth_date", "surname_pinyin"),
    ("phone_hash",),
    ("name_pinyin", "county_code"),
)

ENGINES = ("duckdb", "spark")


@contextmanager
def _linker(records: list[dict[str, Any]], engine: str, trained: Probabilities | None = None) -> Iterator[Any]:
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
        yield Linker(db_api.register(frame), _settings(trained), log_level=logging.WARNING)
        return
    from qiancheng.risk.spark_backend import splink_spark_api

    with splink_spark_api() as db_api:
        yield Linker(db_api.register(frame), _settings(trained), log_level=logging.WARNING)


def find_pairs(records: list[dict[str, Any]], threshold: Decimal | None = None, *,
               engine: str = "duckdb", trained: Probabilities | None = None) -> list[Pair]:
    """The pairs of records at or above the threshold in force, best first."""
    if len(records) < 2:
        return []
    threshold = parameter("link_threshold").value if threshold is None else threshold
    with _linker(records, engine, trained) as linker:
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
                  engine: str = "duckdb", trained: Probabilities | None = None) -> list[frozenset[str]]:
    """The groups of records Splink puts together at or above the threshold (connected components of the
    predicted pairs, computed by Splink in the engine's own SQL), largest first; single records left out."""
    if len(records) < 2:
        return []
    threshold = parameter("link_threshold").value if threshold is None else threshold
    with _linker(records, engine, trained) as linker:
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


@dataclass(frozen=True)
class Training:
    model_json: dict[str, Any]  # Splink's saved model, as trained
    probabilities: Probabilities  # what linkage applies: comparison -> (m per level, u per level)


# EM runs once per blocking rule; each estimates the m of every comparison but the ones it blocks on, so the
# two together train them all (birth date under the phone rule, the rest under the birth-date rule).
TRAINING_BLOCKS = (("birth_date",), ("phone_hash",))
U_SAMPLE_PAIRS = 1_000_000


def train(records: list[dict[str, Any]], *, engine: str = "duckdb", seed: int = 1) -> Training:
    """Estimate u by random sampling and m by expectation maximisation on the records, starting from the
    priors; a level EM never saw keeps its prior. Deterministic for a seed and the same records."""
    from splink import block_on

    with _linker(records, engine) as linker:
        linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=seed)
        for columns in TRAINING_BLOCKS:
            linker.training.estimate_parameters_using_expectation_maximisation(block_on(*columns))
        model = linker.misc.save_model_to_json()
    probabilities: Probabilities = {}
    for comparison in model["comparisons"]:
        column = comparison["output_column_name"]
        if column not in COMPARISON_PRIORS:
            continue
        m_prior, u_prior = COMPARISON_PRIORS[column]
        levels = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
        probabilities[column] = (
            [float(level.get("m_probability") or prior) for level, prior in zip(levels, m_prior, strict=False)],
            [float(level.get("u_probability") or prior) for level, prior in zip(levels, u_prior, strict=False)],
        )
    return Training(model, probabilities)
