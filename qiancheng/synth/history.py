"""What the province knew before and beside the programme: earlier claims (2019-2024), certificates,
insured-employee skill-upgrade subsidies (参保职工技能提升补贴) and the blacklist (6d)."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from qiancheng.synth import reference as ref
from qiancheng.synth.columns import labels, masked
from qiancheng.synth.population import pick

EARLIER_CLAIMS_PER_PERSON = (0.60, 0.28, 0.116, 0.004)  # none, one, two, three claims in 2019-2024
EARLIER_YEARS = (2019, 2020, 2021, 2022, 2023, 2024)
EARLIER_TYPES = (("occupational", 0.7), ("special_ability", 0.15), ("entrepreneurship", 0.15))
EARLIER_STATUSES = (("paid", 0.80), ("approved", 0.03), ("rejected", 0.12), ("withdrawn", 0.05))
SKILL_UPGRADE_SHARE = 0.03  # of enterprise employees
OTHER_CERTIFICATE_SHARE = 0.25  # people holding a certificate earned without any subsidy
# 初级/中级/高级 caps of the skill-upgrade subsidy (人社部发〔2017〕40号).
SKILL_UPGRADE_AMOUNTS = {5: "1000.00", 4: "1500.00", 3: "2000.00"}
HIGHER_CERTIFICATE_SHARE = 0.003  # 3.5d defect
SAME_SKILL_UPGRADE_SHARE = 0.002  # 3.5c defect
BLACKLISTED_PEOPLE_SHARE = 0.001
BLACKLISTED_INSTITUTION_SHARE = 0.005
CERTIFICATE_KINDS = {
    "occupational": "skill_level",  # 职业技能等级证书
    "special_ability": "special_ability",  # 专项职业能力证书
    "entrepreneurship": "entrepreneurship",  # 创业培训合格证书
    "project": "project",  # 项目制培训合格证书
}


def _dates_in_years(rng: np.random.Generator, years: np.ndarray) -> np.ndarray:
    start = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    return start + rng.integers(10, 350, len(years)).astype("timedelta64[D]")


def earlier_claims(rng: np.random.Generator, persons: pl.DataFrame) -> pl.DataFrame:
    """Claims of 2019-2024 imported from earlier programmes, in distinct years per person."""
    per = pick(rng, np.array(EARLIER_CLAIMS_PER_PERSON), persons.height)
    person_no = np.repeat(persons["person_no"].to_numpy(), per)
    nth = np.arange(len(person_no)) - np.repeat(np.cumsum(per) - per, per)
    first = np.repeat(rng.integers(0, len(EARLIER_YEARS), persons.height), per)
    years = np.array(EARLIER_YEARS)[(first + nth * 2) % len(EARLIER_YEARS)]
    size = len(person_no)
    types = pick(rng, np.array([w for _, w in EARLIER_TYPES]), size)
    occ = ref.TRAINED_OCCUPATIONS
    chosen = pick(rng, np.array([o.weight for o in occ]), size)
    level = np.clip(5 - pick(rng, np.array(ref.LEVEL_SHARES), size),
                    np.array([o.highest for o in occ])[chosen], np.array([o.lowest for o in occ])[chosen])
    items = [code for code, _ in ref.special_ability_items()]
    kinds = ("GYB", "SYB", "online_live", "online_ecommerce")
    status = pick(rng, np.array([w for _, w in EARLIER_STATUSES]), size)
    return pl.DataFrame(
        [
            pl.Series("person_no", person_no),
            labels("training_type", [t for t, _ in EARLIER_TYPES], types),
            labels("fund", ["employment_subsidy", "unemployment_insurance"], (rng.random(size) >= 0.9).astype(np.int64)),
            masked("occupation_code", labels("o", [o.code for o in occ], chosen), types == 0),
            masked("level", level, types == 0),
            masked("item_code", labels("i", items, rng.integers(0, len(items), size)), types == 1),
            masked("course_kind", labels("k", kinds, rng.integers(0, len(kinds), size)), types == 2),
            pl.Series("end_date", _dates_in_years(rng, years)),
            labels("status", [s for s, _ in EARLIER_STATUSES], status),
        ]
    ).with_columns(pl.format("H{}", pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(8)).alias("record_id"))


def earlier_certificates(rng: np.random.Generator, earlier: pl.DataFrame) -> pl.DataFrame:
    """A skill-level certificate for each earlier occupational claim that was paid or approved."""
    held = earlier.filter((pl.col("training_type") == "occupational") & pl.col("status").is_in(["paid", "approved"]))
    issued = held["end_date"].to_numpy().astype("datetime64[D]") + rng.integers(7, 40, held.height).astype("timedelta64[D]")
    return held.select("person_no", "occupation_code", "level").with_columns(
        pl.Series("issued_on", issued).cast(pl.Date), pl.lit("skill_level").alias("kind"),
        pl.lit(None, dtype=pl.Int64).alias("enrolment_no"), pl.lit(None, dtype=pl.Int64).alias("defect_for"),
    )


def other_certificates(rng: np.random.Generator, persons: pl.DataFrame) -> pl.DataFrame:
    """Skill-level certificates earned 2012-2024 outside any subsidised training (at work, self-paid)."""
    holders = persons.filter(pl.Series(rng.random(persons.height) < OTHER_CERTIFICATE_SHARE)).select("person_no")
    occ = ref.TRAINED_OCCUPATIONS
    chosen = pick(rng, np.array([o.weight for o in occ]), holders.height)
    level = np.clip(5 - rng.integers(0, 3, holders.height), np.array([o.highest for o in occ])[chosen],
                    np.array([o.lowest for o in occ])[chosen])
    return holders.with_columns(
        pl.Series("occupation_code", np.array([o.code for o in occ])[chosen]),
        pl.Series("level", level),
        pl.Series("issued_on", _dates_in_years(rng, rng.integers(2012, 2025, holders.height))).cast(pl.Date),
        pl.lit("skill_level").alias("kind"),
        pl.lit(None, dtype=pl.Int64).alias("enrolment_no"),
        pl.lit(None, dtype=pl.Int64).alias("defect_for"),
    )


def programme_certificates(rng: np.random.Generator, enrolments: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Certificates of passed 2025-2027 trainings, issued 7-30 days after the class ends."""
    passed = enrolments.filter(pl.col("passed").fill_null(False))
    issued = passed["end_date"].to_numpy().astype("datetime64[D]") + rng.integers(7, 31, passed.height).astype("timedelta64[D]")
    occupational = pl.col("training_type") == "occupational"
    return passed.with_columns(pl.Series("issued_on", issued).cast(pl.Date)).filter(
        pl.col("issued_on") <= pl.lit(as_of)
    ).select(
        "person_no",
        pl.when(occupational).then(pl.col("subject")).otherwise(None).alias("occupation_code"),
        pl.when(occupational).then(pl.col("level")).otherwise(None).alias("level"),
        "issued_on",
        pl.col("training_type").replace_strict(CERTIFICATE_KINDS).alias("kind"),
        "enrolment_no",
        pl.lit(None, dtype=pl.Int64).alias("defect_for"),
    )


def defect_certificates(rng: np.random.Generator, enrolments: pl.DataFrame) -> pl.DataFrame:
    """3.5d defect: a certificate of the same occupation at a higher level, held since before 2025."""
    highest = {o.code: o.highest for o in ref.TRAINED_OCCUPATIONS}
    source = enrolments.filter(
        (pl.col("training_type") == "occupational") & pl.col("defect").is_null()
        & (pl.col("level") > pl.col("subject").replace_strict(highest, default=None, return_dtype=pl.Int64))
    )
    chosen = source.filter(pl.Series(rng.random(source.height) < HIGHER_CERTIFICATE_SHARE))
    years = rng.integers(2022, 2025, chosen.height)
    return chosen.select(
        "person_no", pl.col("subject").alias("occupation_code"), (pl.col("level") - 1).alias("level"),
        pl.Series("issued_on", _dates_in_years(rng, years)).cast(pl.Date),
        pl.lit("skill_level").alias("kind"), pl.lit(None, dtype=pl.Int64).alias("enrolment_no"),
        pl.col("enrolment_no").alias("defect_for"),
    )


def skill_upgrades(rng: np.random.Generator, persons: pl.DataFrame, enrolments: pl.DataFrame) -> pl.DataFrame:
    """Skill-upgrade subsidies granted to insured employees, and a few matching a later training (3.5c)."""
    employees = persons.filter(pl.col("category") == "enterprise_employee")
    some = employees.filter(pl.Series(rng.random(employees.height) < SKILL_UPGRADE_SHARE))
    occ = ref.TRAINED_OCCUPATIONS
    chosen = pick(rng, np.array([o.weight for o in occ]), some.height)
    ordinary = some.select("person_no").with_columns(
        pl.Series("occupation_code", np.array([o.code for o in occ])[chosen]),
        pl.Series("level", np.clip(5 - rng.integers(0, 3, some.height),
                                   np.array([o.highest for o in occ])[chosen], 5)),
        pl.lit(None, dtype=pl.Int64).alias("defect_for"),
    )
    source = enrolments.filter(
        (pl.col("training_type") == "occupational") & pl.col("defect").is_null() & (pl.col("level") >= 3)
    )
    matching = source.filter(pl.Series(rng.random(source.height) < SAME_SKILL_UPGRADE_SHARE)).select(
        "person_no", pl.col("subject").alias("occupation_code"), "level", pl.col("enrolment_no").alias("defect_for")
    )
    both = pl.concat([ordinary, matching])
    granted = _dates_in_years(rng, rng.integers(2020, 2025, both.height))
    return both.with_columns(
        pl.Series("granted_on", granted).cast(pl.Date),
        pl.col("level").replace_strict(SKILL_UPGRADE_AMOUNTS, return_dtype=pl.String).cast(pl.Decimal(12, 2))
        .alias("amount"),
        pl.format("JT{}", pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(8)).alias("record_id"),
    )


def blacklist(rng: np.random.Generator, persons: pl.DataFrame, institutions: pl.DataFrame) -> pl.DataFrame:
    """6d: people and institutions listed for a period (some still listed)."""
    people = persons.filter(pl.Series(rng.random(persons.height) < BLACKLISTED_PEOPLE_SHARE)).select("person_no")
    # The listed institutions are small ones (one or two stars), at least one in any province.
    count = max(1, round(institutions.height * BLACKLISTED_INSTITUTION_SHARE))
    small = institutions.filter(pl.col("stars") <= 2)
    small = small if small.height else institutions
    listed = small[np.sort(rng.permutation(small.height)[:count])]
    people = people.with_columns(pl.lit(None, dtype=pl.Int64).alias("institution_no"),
                                 pl.lit("骗取培训补贴 / obtained a training subsidy by fraud").alias("reason"))
    firms = listed.select(pl.lit(None, dtype=pl.Int64).alias("person_no"), "institution_no").with_columns(
        pl.lit("虚报培训人数 / reported trainees who did not attend").alias("reason")
    )
    entries = pl.concat([people, firms])
    start = np.datetime64("2024-01-01") + rng.integers(0, 365 * 3 + 180, entries.height).astype("timedelta64[D]")
    until = start + rng.integers(90, 365, entries.height).astype("timedelta64[D]")
    open_ended = rng.random(entries.height) < 0.3
    return entries.with_columns(
        pl.Series("listed_from", start).cast(pl.Date),
        pl.Series("listed_until", np.where(open_ended, np.datetime64("NaT"), until)).cast(pl.Date),
        pl.format("HMD{}", pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(6)).alias("entry_id"),
    )
