"""The synthetic province written as batch-exchange files (EXCHANGE.md): claims, history, params.

`generate_exchange(n_claims, seed, folder)` is what the decision-engine benchmark calls: exactly
`n_claims` claims of 2025-2027 with their people's history (about 1.5 history rows per claim) and a
complete parameter set dated to cover every claim, as-of 2027-12-31.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import polars as pl

from qiancheng.synth import reference as ref
from qiancheng.synth.generator import Province, generate_province
from qiancheng.synth.params import AS_OF, params

CLAIM_COLUMNS = (
    "claim_id", "id_number", "training_type", "fund", "city_code", "occupation_code", "level", "item_code",
    "course_kind", "project_id", "applicant_relation", "class_hours", "start_date", "end_date", "passed",
    "person_category", "receiving_unemployment_benefit", "has_business_licence", "institution_id",
    "advanced_by", "advanced_by_id", "claimant", "claimant_id", "employment_proof_kind", "employment_proof_date",
)
HISTORY_COLUMNS = (
    "record_type", "record_id", "id_number", "institution_id", "training_type", "fund", "occupation_code",
    "level", "item_code", "course_kind", "project_id", "end_date", "status", "record_date", "listed_from",
    "listed_until",
)
# Claims per synthetic person, a little under what the generator yields, so one pass is enough.
CLAIMS_PER_PERSON = 1.0


def _subject(training_type: str, name: str) -> pl.Expr:
    return pl.when(pl.col("training_type") == training_type).then(pl.col("subject")).otherwise(None).alias(name)


def claims_frame(province: Province) -> pl.DataFrame:
    """Claims of the province in the exchange columns, ordered by claim ID."""
    view = province.enrolment_view().select(
        "enrolment_no", "training_type", "subject", "level", "city_code", "class_hours", "start_date", "end_date",
        "passed", "applicant_relation", "institution_no",
    )
    persons = province.persons.select(
        "person_no", "id_number", pl.col("category").alias("person_category"), "receiving_unemployment_benefit",
        "has_business_licence",
    )
    institutions = province.institutions.select("institution_no", pl.col("uscc").alias("institution_id"))
    joined = (
        province.claims.join(view, on="enrolment_no", maintain_order="left").join(persons, on="person_no", maintain_order="left")
        .join(institutions, on="institution_no", maintain_order="left")
    )
    occupational = pl.col("training_type") == "occupational"
    return joined.with_columns(
        _subject("occupational", "occupation_code"),
        pl.when(occupational).then(pl.col("level")).otherwise(None).alias("level"),
        _subject("special_ability", "item_code"),
        _subject("entrepreneurship", "course_kind"),
        _subject("project", "project_id"),
    ).select(CLAIM_COLUMNS).sort("claim_id")


def _empty(frame: pl.DataFrame) -> pl.DataFrame:
    """Add every history column the frame lacks, as empty text (ints stay ints)."""
    missing = [pl.lit(None, dtype=pl.Int64 if c == "level" else pl.String).alias(c)
               for c in HISTORY_COLUMNS if c not in frame.columns]
    return frame.with_columns(missing).select(HISTORY_COLUMNS)


def history_frame(province: Province) -> pl.DataFrame:
    """Earlier claims, skill-level certificates, skill-upgrade subsidies and the blacklist, as history rows."""
    ids = province.persons.select("person_no", "id_number")
    dates = {"end_date": pl.Date, "record_date": pl.Date, "listed_from": pl.Date, "listed_until": pl.Date}
    earlier = province.earlier_claims.join(ids, on="person_no", maintain_order="left").select(
        pl.lit("claim").alias("record_type"), "record_id", "id_number", "training_type", "fund", "occupation_code",
        "level", "item_code", "course_kind", "end_date", "status",
    )
    certificates = province.certificates.filter(pl.col("kind") == "skill_level").join(ids, on="person_no", maintain_order="left").select(
        pl.lit("certificate").alias("record_type"), pl.col("certificate_no").alias("record_id"), "id_number",
        "occupation_code", "level", pl.col("issued_on").alias("record_date"),
    )
    upgrades = province.skill_upgrades.join(ids, on="person_no", maintain_order="left").select(
        pl.lit("skill_upgrade").alias("record_type"), "record_id", "id_number", "occupation_code", "level",
        pl.col("granted_on").alias("record_date"),
    )
    institutions = province.institutions.select("institution_no", pl.col("uscc").alias("institution_id"))
    listed = province.blacklist.join(ids, on="person_no", how="left", maintain_order="left").join(institutions, on="institution_no",
                                                                           how="left", maintain_order="left").select(
        pl.lit("blacklist").alias("record_type"), pl.col("entry_id").alias("record_id"), "id_number",
        "institution_id", "listed_from", "listed_until",
    )
    parts = [_empty(part).with_columns(pl.col(c).cast(t) for c, t in dates.items())
             for part in (earlier, certificates, upgrades, listed)]
    return pl.concat(parts).sort("record_type", "record_id")


def _write(frame: pl.DataFrame, folder: Path, stem: str, jsonl: bool) -> dict[str, Path]:
    paths = {stem: folder / f"{stem}.csv"}
    frame.write_csv(paths[stem])
    if jsonl:
        paths[f"{stem}_jsonl"] = folder / f"{stem}.jsonl"
        frame.write_ndjson(paths[f"{stem}_jsonl"])
    return paths


def write_exchange(province: Province, folder: Path, *, jsonl: bool = True,
                   claims: pl.DataFrame | None = None) -> dict[str, Path]:
    """Write claims.csv, history.csv (and their .jsonl twins) and params.json; return their paths.

    Keys: "claims", "history", "params" (and "claims_jsonl", "history_jsonl" when `jsonl`).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = _write(claims if claims is not None else claims_frame(province), folder, "claims", jsonl)
    paths |= _write(history_frame(province), folder, "history", jsonl)
    paths["params"] = folder / "params.json"
    document = params(ref.ai_occupations(), province.as_of)
    paths["params"].write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return paths


def generate_exchange(n_claims: int, seed: int, folder: Path, *, jsonl: bool = False) -> dict[str, Path]:
    """Exactly `n_claims` synthetic claims with realistic history and parameters, in `folder`.

    Returns {"claims": .../claims.csv, "history": .../history.csv, "params": .../params.json}
    (plus the .jsonl twins when `jsonl`). The same (n_claims, seed) gives the same files.
    """
    if n_claims < 1:
        raise ValueError("n_claims must be at least 1 / 申请数至少为 1")
    people = max(50, math.ceil(n_claims / CLAIMS_PER_PERSON))
    while True:
        province = generate_province(people, seed, AS_OF)
        claims = claims_frame(province)
        if claims.height >= n_claims:
            break
        people = math.ceil(people * 1.2)
    # Drop a seeded random selection of the surplus, so every year and defect keeps its share.
    keep = np.random.default_rng(seed).permutation(claims.height)[:n_claims]
    claims = claims[np.sort(keep)]
    return write_exchange(province, Path(folder), jsonl=jsonl, claims=claims)
