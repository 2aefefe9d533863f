"""Synthetic trainings 2025-2027: enrolments first, then grouped into classes and projects.

Each person takes one to three trainings in different years; the trainings of a city, year and
subject are cut into classes of a realistic size. Deliberate defects (an extra enrolment in the
same year, the same occupation and level again, a duplicate enrolment) are added afterwards and
named in the `defect` column, so that tests and later checks know what to look for.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from qiancheng.policy.params import plan_figures
from qiancheng.synth import reference as ref
from qiancheng.synth.columns import labels, masked
from qiancheng.synth.population import pick, pick_by_row

YEARS = (2025, 2026, 2027)
TRAININGS_PER_PERSON = (0.82, 0.14, 0.04)  # one, two, three trainings over the three years
CLASS_SIZE = {"occupational": 40, "special_ability": 30, "entrepreneurship": 35, "project": 30}
PROJECT_SIZE = 60
PASS_RATE = {"occupational": 0.86, "special_ability": 0.90, "entrepreneurship": 0.93, "project": 0.92}
# Shares of deliberately defective records (each is a check a later stage must catch).
SHORT_SPECIAL_CLASS_SHARE = 0.01  # 3.2: a special-ability class of 27 hours
IYB_WITHOUT_LICENCE_SHARE = 0.01  # 3.3: IYB/EYB taken by someone with no business licence
NO_RELATION_SHARE = 0.01  # 3.4e: project trainee neither employed nor to be hired
EXTRA_ENROLMENT_SHARE = 0.0015  # each of: duplicate enrolment, same year, same occupation+level


def _offered(rng: np.random.Generator, demand: np.ndarray, weights: np.ndarray, per_class: int) -> np.ndarray:
    """Weights per group (row) over subjects, keeping only the K subjects a group's demand fills.

    A city-year with few trainees offers few subjects, so small provinces still get full classes.
    """
    keep = np.clip(np.round(demand / per_class), 1, len(weights)).astype(np.int64)
    noisy = np.log(weights)[None, :] + rng.gumbel(size=(len(demand), len(weights)))
    rank = np.argsort(np.argsort(-noisy, axis=1), axis=1)
    return np.where(rank < keep[:, None], weights[None, :], 0.0)


def enrolment_plan(rng: np.random.Generator, persons: pl.DataFrame) -> pl.DataFrame:
    """One row per (person, training): year, city, type and subject, before classes exist."""
    count = persons.height
    per = pick(rng, np.array(TRAININGS_PER_PERSON), count) + 1
    person_no = np.repeat(np.arange(count, dtype=np.int64), per)
    nth = np.arange(len(person_no)) - np.repeat(np.cumsum(per) - per, per)
    year = 2025 + (np.repeat(rng.integers(0, 3, count), per) + nth) % 3
    category_index = {c: i for i, c in enumerate(ref.PERSON_CATEGORIES)}
    category = persons["category"].replace_strict(category_index, return_dtype=pl.Int64).to_numpy()[person_no]
    types = pick_by_row(rng, np.array(ref.CATEGORY_TRAINING_TYPES), category)
    city_codes = [code for code, _, _ in ref.CITIES]
    home = persons["city_code"].replace_strict({c: i for i, c in enumerate(city_codes)},
                                               return_dtype=pl.Int64).to_numpy()[person_no]
    # A tenth train away from home, mostly in the two big cities (南宁 index 0, 柳州 index 1).
    away = rng.random(len(person_no)) < 0.10
    city = np.where(away, np.where(rng.random(len(person_no)) < 0.6, 0, 1), home)
    return pl.DataFrame([
        pl.Series("person_no", person_no), pl.Series("year", year.astype(np.int64)),
        labels("training_type", ref.TRAINING_TYPES, types), labels("city_code", city_codes, city),
    ])


def _city_year_index(plan: pl.DataFrame) -> tuple[np.ndarray, int]:
    city_codes = [code for code, _, _ in ref.CITIES]
    city = plan["city_code"].replace_strict({c: i for i, c in enumerate(city_codes)}, return_dtype=pl.Int64).to_numpy()
    return city * len(YEARS) + (plan["year"].to_numpy() - YEARS[0]), len(city_codes) * len(YEARS)


def assign_subjects(rng: np.random.Generator, plan: pl.DataFrame, persons: pl.DataFrame) -> pl.DataFrame:
    """Occupation and level, item, or course kind of each planned training (project: empty for now)."""
    size = plan.height
    group, groups = _city_year_index(plan)
    types = plan["training_type"].to_numpy()
    occ = ref.TRAINED_OCCUPATIONS
    item_codes = [code for code, _ in ref.special_ability_items()]
    # One vocabulary for every subject: occupations, then items, then course kinds, then "" (project).
    vocabulary = [o.code for o in occ] + item_codes + list(ref.COURSE_KINDS) + [""]
    subject = np.full(size, len(vocabulary) - 1, dtype=np.int64)
    level = np.zeros(size, dtype=np.int64)

    occupational = types == "occupational"
    demand = np.bincount(group[occupational], minlength=groups)
    table = _offered(rng, demand, np.array([o.weight for o in occ]), CLASS_SIZE["occupational"] * 2)
    chosen = pick_by_row(rng, table, group[occupational])
    subject[occupational] = chosen
    drawn = 5 - pick(rng, np.array(ref.LEVEL_SHARES), int(occupational.sum()))
    lowest, highest = np.array([o.lowest for o in occ])[chosen], np.array([o.highest for o in occ])[chosen]
    level[occupational] = np.clip(drawn, highest, lowest)

    special = types == "special_ability"
    demand = np.bincount(group[special], minlength=groups)
    table = _offered(rng, demand, np.ones(len(item_codes)), CLASS_SIZE["special_ability"])
    subject[special] = len(occ) + pick_by_row(rng, table, group[special])

    entre = types == "entrepreneurship"
    licence = persons["has_business_licence"].to_numpy()[plan["person_no"].to_numpy()[entre]]
    shares = np.array([ref.COURSE_SHARES_NO_LICENCE, ref.COURSE_SHARES_LICENCE])
    kinds = pick_by_row(rng, shares, licence.astype(np.int64))
    # 3.3 defect: a few people without a business licence are put on IYB anyway.
    forced = (~licence) & (rng.random(len(licence)) < IYB_WITHOUT_LICENCE_SHARE)
    kinds[forced] = ref.COURSE_KINDS.index("IYB")
    subject[entre] = len(occ) + len(item_codes) + kinds
    defect = np.zeros(size, dtype=bool)
    defect[np.flatnonzero(entre)[forced]] = True
    return plan.with_columns(
        labels("subject", vocabulary, subject),
        masked("level", level, level > 0),
        pl.select(pl.when(pl.Series(defect)).then(pl.lit("iyb_without_licence")).alias("defect")).to_series(),
    )


def assign_projects(
    rng: np.random.Generator, plan: pl.DataFrame, enterprises: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cut project trainees of each city and year into projects of ~60, each applied for by an enterprise.

    Returns (projects, plan with `project_no`); `plan` must carry a unique `plan_no`.
    """
    project_rows = plan.filter(pl.col("training_type") == "project").with_columns(
        pl.Series("shuffle", rng.random(int((plan["training_type"] == "project").sum())))
    )
    project_rows = project_rows.sort("city_code", "year", "shuffle").with_columns(
        (pl.int_range(pl.len()).over("city_code", "year") // PROJECT_SIZE).alias("chunk")
    )
    keys = project_rows.select("city_code", "year", "chunk").unique(maintain_order=True).sort("city_code", "year", "chunk")
    keys = keys.with_row_index("project_no").with_columns(pl.col("project_no").cast(pl.Int64))
    applicants = _pick_applicants(rng, keys, enterprises)
    projects = keys.with_columns(
        pl.Series("enterprise_no", applicants),
        pl.format("XM{}{}{}", pl.col("city_code"), pl.col("year"), pl.col("project_no").cast(pl.String).str.zfill(6))
        .alias("project_id"),
    ).join(enterprises.select("enterprise_no", "park_no", "industry"), on="enterprise_no", how="left", maintain_order="left")
    projects = projects.with_columns(
        pl.format("{}产业技能提升项目（{}年）", pl.col("industry"), pl.col("year")).alias("title")
    )
    members = project_rows.join(keys, on=["city_code", "year", "chunk"], maintain_order="left").select("plan_no", "project_no")
    headcount = members.group_by("project_no", maintain_order=True).len("headcount")
    projects = projects.join(headcount, on="project_no", maintain_order="left").sort("project_no").drop("chunk")
    return projects, plan.join(members, on="plan_no", how="left", maintain_order="left")


def _pick_applicants(rng: np.random.Generator, keys: pl.DataFrame, enterprises: pl.DataFrame) -> np.ndarray:
    """An enterprise of the project's city; park enterprises apply more often (4.1)."""
    result = np.empty(keys.height, dtype=np.int64)
    cities = keys["city_code"].to_numpy()
    for city in np.unique(cities):
        local = enterprises.filter(pl.col("city_code") == city)
        weights = np.where(local["park_no"].is_null().to_numpy(), 1.0, 5.0)
        where = cities == city
        result[where] = local["enterprise_no"].to_numpy()[pick(rng, weights, int(where.sum()))]
    return result


def class_hours(rng: np.random.Generator, classes: pl.DataFrame) -> np.ndarray:
    """Class hours (课时) by type: occupational by level, special ability at least 3.2's minimum (plan_figures.yaml,
    the larger of the figures at either end of the class's year), courses by kind."""
    size = classes.height
    types = classes["training_type"].to_numpy()
    level = classes["level"].fill_null(5).to_numpy()
    hours = np.zeros(size, dtype=np.int64)
    occupational = types == "occupational"
    base = np.array([0, 240, 200, 160, 120, 80])[level]
    hours[occupational] = (base + rng.integers(0, 5, size) * 10)[occupational]
    special = types == "special_ability"
    # 3.2: 不少于……课时 — a few classes one hour short are the deliberate defect.
    plan = plan_figures()
    by_year = {year: max(plan.min_hours(date(year, 1, 1)), plan.min_hours(date(year, 12, 31)))
               for year in classes["year"].unique().to_list()}
    minimum = classes["year"].replace_strict(by_year, return_dtype=pl.Int64).to_numpy()
    short = special & (rng.random(size) < SHORT_SPECIAL_CLASS_SHARE)
    hours[special] = (minimum + rng.integers(0, 5, size) * 7)[special]
    if special.any() and not short.any():
        short[np.flatnonzero(special)[0]] = True  # even a small province has one to find
    hours[short] = minimum[short] - 1
    entre = types == "entrepreneurship"
    kind_hours = dict(zip(ref.COURSE_KINDS, ref.COURSE_HOURS, strict=True))
    subjects = classes["subject"].to_numpy()
    hours[entre] = np.array([kind_hours[s] for s in subjects[entre]], dtype=np.int64)
    project = types == "project"
    hours[project] = (40 + rng.integers(0, 9, size) * 10)[project]
    return hours


def build_classes(
    rng: np.random.Generator, plan: pl.DataFrame, institutions: pl.DataFrame, as_of: date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Group planned trainings into classes; return (classes, plan with class_no)."""
    plan = plan.with_columns(pl.Series("shuffle", rng.random(plan.height)))
    key = ["training_type", "subject", "level", "project_no", "year", "city_code"]
    plan = plan.sort([*key, "shuffle"], nulls_last=True).with_columns(
        (pl.int_range(pl.len()).over(key) // pl.col("training_type").replace_strict(CLASS_SIZE, return_dtype=pl.Int64))
        .alias("chunk")
    )
    classes = plan.select([*key, "chunk"]).unique(maintain_order=True).sort([*key, "chunk"], nulls_last=True)
    classes = classes.with_row_index("class_no").with_columns(pl.col("class_no").cast(pl.Int64))
    plan = plan.join(classes, on=[*key, "chunk"], nulls_equal=True, maintain_order="left").drop("chunk", "shuffle")
    classes = classes.drop("chunk")
    classes = classes.with_columns(
        pl.Series("institution_no", _pick_institutions(rng, classes, institutions)),
        pl.Series("class_hours", class_hours(rng, classes)),
    )
    # 3.4c: every class of a project is delivered by the project's chosen institution.
    chosen = classes.filter(pl.col("project_no").is_not_null()).group_by("project_no", maintain_order=True).agg(
        pl.col("institution_no").min().alias("project_institution")
    )
    classes = classes.join(chosen, on="project_no", how="left", maintain_order="left").with_columns(
        pl.coalesce("project_institution", "institution_no").alias("institution_no")
    ).drop("project_institution").sort("class_no")
    classes = _schedule(rng, classes, as_of)
    return classes, plan


def _pick_institutions(rng: np.random.Generator, classes: pl.DataFrame, institutions: pl.DataFrame) -> np.ndarray:
    result = np.empty(classes.height, dtype=np.int64)
    cities = classes["city_code"].to_numpy()
    for city in np.unique(cities):
        local = institutions.filter(pl.col("city_code") == city)
        where = cities == city
        # Better-rated institutions win more classes.
        weights = local["stars"].to_numpy().astype(np.float64)
        result[where] = local["institution_no"].to_numpy()[pick(rng, weights, int(where.sum()))]
    return result


def _schedule(rng: np.random.Generator, classes: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Start and end dates within the class's year, about 7 class hours a weekday."""
    size = classes.height
    year_start = (classes["year"].to_numpy() - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    days = np.ceil(classes["class_hours"].to_numpy() / 7 * 7 / 5).astype(np.int64)
    latest = 358 - days
    offset = (rng.random(size) * (latest - 5)).astype(np.int64) + 5
    start = year_start + offset.astype("timedelta64[D]")
    end = start + (days - 1).astype("timedelta64[D]")
    as_of_day = np.datetime64(as_of.isoformat())
    status = np.where(end <= as_of_day, "finished", np.where(start <= as_of_day, "running", "planned"))
    code = pl.format(
        "BJ{}{}{}", pl.col("city_code"), pl.col("year"), pl.col("class_no").cast(pl.String).str.zfill(7)
    )
    return classes.with_columns(
        pl.Series("start_date", start), pl.Series("end_date", end), pl.Series("status", status),
        code.alias("class_code"),
    )


RELATIONS = ("employee", "prospective_hire", "none")


def project_relations(rng: np.random.Generator, enrolments: pl.DataFrame, persons: pl.DataFrame) -> pl.Series:
    """3.4e: employees of the applicant, or its prospective hires; a few 'none' as the defect."""
    employee = (persons["category"] == "enterprise_employee").to_numpy()[enrolments["person_no"].to_numpy()]
    draw = rng.random(enrolments.height)
    relation = np.where(employee, 0, np.where(draw < 0.85, 1, 0))
    relation[rng.random(enrolments.height) < NO_RELATION_SHARE] = 2
    project = enrolments["training_type"].to_numpy() == "project"
    return masked("applicant_relation", labels("applicant_relation", RELATIONS, relation), project)


def extra_enrolments(rng: np.random.Generator, enrolments: pl.DataFrame, classes: pl.DataFrame) -> pl.DataFrame:
    """Deliberate defects: a duplicate enrolment (same subject and year, another class), a second
    training in the same year, and the same occupation and level in a later year.

    The extra enrolment always ends after the original, so in a batch decided in end-date order it
    is the extra one (the one labelled) that a check denies.
    """
    columns = ["class_no", "training_type", "subject", "level", "year", "end_date"]
    specs = (
        ("duplicate_enrolment", ["training_type", "subject", "level", "year"]),
        ("same_year", ["year"]),
        ("same_occupation_level", ["training_type", "subject", "level"]),
    )
    frames = []
    for label, group in specs:
        source = enrolments.filter(pl.col("defect").is_null())
        if label == "same_occupation_level":
            source = source.filter(pl.col("training_type") == "occupational")
        source = source.filter(pl.Series(rng.random(source.height) < EXTRA_ENROLMENT_SHARE)).select(
            "person_no", "enrolment_no", *columns
        )
        chosen = _another_class(rng, source, classes.select(columns), group, later_year=label == "same_occupation_level")
        frames.append(chosen.select("person_no", pl.col("class_no_new").alias("class_no"), pl.lit(label).alias("defect")))
    return pl.concat(frames)


def _another_class(rng: np.random.Generator, source: pl.DataFrame, catalogue: pl.DataFrame, group: list[str],
                   later_year: bool, tries: int = 16) -> pl.DataFrame:
    """For each source enrolment, a random other class of the same group that ends later (if one is found)."""
    catalogue = catalogue.sort(group, nulls_last=True).with_row_index("position")
    bounds = catalogue.group_by(group, maintain_order=True).agg(pl.col("position").min().alias("first"), pl.len().alias("size"))
    candidates = source.join(bounds, on=group, nulls_equal=True, maintain_order="left").with_row_index("row")
    offsets = (rng.random((candidates.height, tries)) * candidates["size"].to_numpy()[:, None]).astype(np.int64)
    picked = pl.DataFrame({
        "row": np.repeat(candidates["row"].to_numpy(), tries),
        "position": (candidates["first"].to_numpy().astype(np.int64)[:, None] + offsets).ravel(),
    }).with_columns(pl.col("row").cast(pl.UInt32), pl.col("position").cast(pl.UInt32))
    new = catalogue.select("position", *[pl.col(c).alias(f"{c}_new") for c in catalogue.columns if c != "position"])
    pairs = candidates.join(picked, on="row", maintain_order="left").join(new, on="position", maintain_order="left")
    pairs = pairs.filter((pl.col("class_no_new") != pl.col("class_no")) & (pl.col("end_date_new") > pl.col("end_date")))
    if later_year:
        pairs = pairs.filter(pl.col("year_new") > pl.col("year"))
    return pairs.unique("row", keep="first", maintain_order=True)
