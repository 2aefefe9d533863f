"""Synthetic training institutions, their teachers, enterprises and the four industrial parks (4.1)."""

from __future__ import annotations

import numpy as np
import polars as pl

from qiancheng.synth import reference as ref
from qiancheng.synth.codes import credit_codes
from qiancheng.synth.population import birth_dates, names, phones, pick, places, unique_id_numbers

CITY_CODES = np.array([code for code, _, _ in ref.CITIES])
CITY_WEIGHTS = np.array([w for _, _, w in ref.CITIES])


def spread_over_cities(rng: np.random.Generator, count: int, minimum: int) -> np.ndarray:
    """City index of `count` organisations: `minimum` in every city, the rest by population."""
    fixed = np.repeat(np.arange(len(CITY_CODES)), minimum)
    rest = pick(rng, CITY_WEIGHTS, max(count - len(fixed), 0))
    return np.sort(np.concatenate([fixed, rest]))


def county_in_city(rng: np.random.Generator, city_index: np.ndarray) -> np.ndarray:
    """A current county code inside each given city (drawn, then matched by redrawing)."""
    current = ref.current_counties()
    codes = np.array([c.code for c in current])
    cities = np.array([list(CITY_CODES).index(c.city_code) for c in current])
    result = np.empty(len(city_index), dtype="U6")
    for city in np.unique(city_index):
        members = codes[cities == city]
        where = city_index == city
        result[where] = members[rng.integers(0, len(members), int(where.sum()))]
    return result


def unique_names(base: np.ndarray) -> np.ndarray:
    """Append （2）, （3）… to repeated names so that every organisation's name is unique."""
    frame = pl.DataFrame({"name": base}).with_row_index("row")
    frame = frame.with_columns(pl.col("row").rank("ordinal").over("name").alias("nth"))
    return frame.select(
        pl.when(pl.col("nth") > 1)
        .then(pl.col("name") + "（" + pl.col("nth").cast(pl.String) + "）")
        .otherwise(pl.col("name"))
    ).to_series().to_numpy()


def city_short(codes: np.ndarray) -> np.ndarray:
    short = {code: name.removesuffix("市") for code, name, _ in ref.CITIES}
    return np.array([short[c] for c in codes.tolist()])


def word_pairs(rng: np.random.Generator, words: list[str], count: int) -> np.ndarray:
    first = np.array(words)[rng.integers(0, len(words), count)]
    second = np.array(words)[rng.integers(0, len(words), count)]
    single = (rng.random(count) < 0.6) | (first == second)
    return np.where(single, first, np.char.add(first, second))


def institutions(rng: np.random.Generator, people: int) -> pl.DataFrame:
    """Training institutions (培训机构): about one per 500 trainees, at least 2 per city."""
    count = max(2 * len(CITY_CODES), people // 500)
    city_index = spread_over_cities(rng, count, 2)
    kinds = pick(rng, np.array([w for _, _, w in ref.INSTITUTION_KINDS]), count)
    kind_code = np.array([k for k, _, _ in ref.INSTITUTION_KINDS])[kinds]
    suffix = np.array([s for _, s, _ in ref.INSTITUTION_KINDS])[kinds]
    cities = CITY_CODES[city_index]
    county = county_in_city(rng, city_index)
    # GB 32100 registrar+type: 52 民办非企业单位 (civil affairs), 12 事业单位, 91 企业.
    enterprise = np.isin(kind_code, ["chain_leader_enterprise", "labour_brand_enterprise"])
    registrar = np.where(enterprise, "91", np.where(kind_code == "private_school", "52", "12"))
    codes = np.empty(count, dtype="U18")
    for head in ("91", "52", "12"):
        where = registrar == head
        codes[where] = credit_codes(rng, head, county[where])
    base = np.char.add(np.char.add(city_short(cities), word_pairs(rng, ref.INSTITUTION_WORDS, count)), suffix)
    return pl.DataFrame(
        {
            "institution_no": np.arange(count, dtype=np.int64),
            "uscc": codes,
            "name": unique_names(base),
            "kind": kind_code,
            "city_code": cities,
            "county_code": county,
            "stars": pick(rng, np.array([0.05, 0.15, 0.40, 0.28, 0.12]), count) + 1,
        }
    )


def teachers(rng: np.random.Generator, institution_count: int, taken: np.ndarray) -> pl.DataFrame:
    """3-8 teachers per institution, with their own (unique, valid) ID numbers and phones."""
    per = rng.integers(3, 9, institution_count)
    owner = np.repeat(np.arange(institution_count, dtype=np.int64), per)
    count = len(owner)
    county, _ = places(rng, count)
    category = np.full(count, 4)  # employed adults: the enterprise-employee age range
    birth = birth_dates(rng, category)
    male = rng.random(count) < 0.5
    occupations = np.array([o.code for o in ref.TRAINED_OCCUPATIONS])
    return pl.DataFrame(
        {
            "teacher_no": np.arange(count, dtype=np.int64),
            "institution_no": owner,
            "id_number": unique_id_numbers(rng, county, birth, male, np.ones(count, dtype=bool), taken),
            "name": names(rng, male),
            "phone": phones(rng, count),
            "occupation_code": occupations[rng.integers(0, len(occupations), count)],
            "level": rng.integers(1, 4, count),
        }
    )


def parks() -> pl.DataFrame:
    """The border/port industrial parks of 4.1 shipped in the catalog (those confirmed from public sources)."""
    rows = ref.parks()
    return pl.DataFrame(
        {
            "park_no": np.arange(len(rows), dtype=np.int64),
            "code": [code for code, _, _, _ in rows],
            "name": [name for _, name, _, _ in rows],
            "city_code": [city or None for _, _, city, _ in rows],
            "confirmed": [confirmed for _, _, _, confirmed in rows],
        },
        schema_overrides={"city_code": pl.String},
    )


def enterprises(rng: np.random.Generator, people: int, park_frame: pl.DataFrame) -> pl.DataFrame:
    """Enterprises: about one per 100 trainees, at least 3 per city; a fifth of a park city's are in its park."""
    count = max(3 * len(CITY_CODES), people // 100)
    city_index = spread_over_cities(rng, count, 3)
    cities = CITY_CODES[city_index]
    county = county_in_city(rng, city_index)
    park_no = np.full(count, -1, dtype=np.int64)
    for row in park_frame.filter(pl.col("city_code").is_not_null()).iter_rows(named=True):
        in_city = np.flatnonzero(cities == row["city_code"])
        chosen = in_city[rng.random(len(in_city)) < 0.2]
        park_no[chosen if len(chosen) else in_city[:1]] = row["park_no"]
    industries = np.array(ref.INDUSTRIES)[rng.integers(0, len(ref.INDUSTRIES), count)]
    suffix = np.array(ref.ENTERPRISE_SUFFIXES)[rng.integers(0, len(ref.ENTERPRISE_SUFFIXES), count)]
    prefix = np.where(rng.random(count) < 0.3, "广西", city_short(cities))
    base = np.char.add(np.char.add(prefix, word_pairs(rng, ref.ENTERPRISE_WORDS, count)), suffix)
    return pl.DataFrame(
        {
            "enterprise_no": np.arange(count, dtype=np.int64),
            "uscc": credit_codes(rng, "91", county),
            "name": unique_names(base),
            "city_code": cities,
            "county_code": county,
            "park_no": pl.Series(park_no).replace(-1, None),
            "industry": industries,
        }
    ).with_columns(
        # 4.1: the first enterprise of each park is its operating company (园区运营主体).
        (pl.col("park_no").is_not_null() & (pl.int_range(pl.len()).over("park_no") == 0)).alias("is_park_operator")
    )
