"""Synthetic trainees: where they live, who they are (2.1b groups), ID numbers, names and phones."""

from __future__ import annotations

import numpy as np
import polars as pl

from qiancheng.synth import reference as ref
from qiancheng.synth.codes import credit_codes, id_numbers
from qiancheng.synth.columns import digits, either, labels, masked

AGE_REFERENCE = np.datetime64("2025-07-01")
# Share of people whose ID number carries a wrong check character (a deliberate data.id defect).
INVALID_ID_SHARE = 0.002


def pick(rng: np.random.Generator, weights: np.ndarray, count: int) -> np.ndarray:
    """Indices drawn with the given (unnormalised) weights."""
    cumulative = np.cumsum(weights, dtype=np.float64)
    return np.searchsorted(cumulative / cumulative[-1], rng.random(count), side="right").clip(0, len(weights) - 1)


def pick_by_row(rng: np.random.Generator, table: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each element, an index drawn from the weights in `table[row]` (one weight row per group)."""
    cumulative = np.cumsum(table, axis=1)
    cumulative = cumulative / cumulative[:, -1:]
    draws = rng.random(len(rows))
    return (cumulative[rows] < draws[:, None]).sum(axis=1).clip(0, table.shape[1] - 1)


def places(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    """(county code, city index) of `count` people, cities weighted by population, counties uniform."""
    city_codes = [code for code, _, _ in ref.CITIES]
    city_index = pick(rng, np.array([w for _, _, w in ref.CITIES]), count)
    current = ref.current_counties()
    county_codes = np.array([int(c.code) for c in current], dtype=np.int64)
    county_city = np.array([city_codes.index(c.city_code) for c in current])
    order = np.argsort(county_city, kind="stable")
    county_codes, county_city = county_codes[order], county_city[order]
    starts = np.searchsorted(county_city, np.arange(len(city_codes)))
    sizes = np.bincount(county_city, minlength=len(city_codes))
    offset = (rng.random(count) * sizes[city_index]).astype(np.int64)
    return county_codes[starts[city_index] + offset], city_index


def historical_codes(rng: np.random.Generator, county: np.ndarray, birth_year: np.ndarray) -> np.ndarray:
    """Give half of those born while an old code was issued the old code their ID number still carries."""
    result = county.copy()
    eligible = rng.random(len(county)) < 0.5
    for old in ref.counties():
        if old.is_current:
            continue
        hit = eligible & (county == int(old.successor_code))
        if old.first_year is not None:
            hit &= birth_year >= old.first_year
        if old.last_year is not None:
            hit &= birth_year <= old.last_year
        # `county` stays unchanged, so a person takes at most one old code.
        result[hit] = int(old.code)
    return result


def birth_dates(rng: np.random.Generator, category: np.ndarray) -> np.ndarray:
    """Birth dates giving each category's plausible age on 2025-07-01 (16-58, so ≤ 60 by 2027)."""
    ages = np.array(ref.CATEGORY_AGES, dtype=np.float64)
    low, high = ages[category, 0], ages[category, 1]
    # A beta(2, 3) draw leans towards the young end, as training populations do.
    years = low + (high - low + 1) * rng.beta(2.0, 3.0, len(category))
    days = (years * 365.25).astype(np.int64)
    return AGE_REFERENCE - days.astype("timedelta64[D]")


def yyyymmdd(dates: np.ndarray) -> np.ndarray:
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    months = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    return years * 10000 + months * 100 + days


def names(rng: np.random.Generator, male: np.ndarray) -> pl.Series:
    """Two- or three-character Chinese names: a surname weighted by Guangxi's frequency, one or two given characters."""
    count = len(male)
    family = labels("family", [s for s, _ in ref.SURNAMES], pick(rng, np.array([w for _, w in ref.SURNAMES]), count))
    male_chars, female_chars = ref.GIVEN_MALE + ref.GIVEN_ANY, ref.GIVEN_FEMALE + ref.GIVEN_ANY

    def given(name: str) -> pl.Series:
        m = labels(name, list(male_chars), rng.integers(0, len(male_chars), count))
        f = labels(name, list(female_chars), rng.integers(0, len(female_chars), count))
        return either(name, male, m, f)

    first, second = given("first"), given("second")
    two = pl.Series(rng.random(count) < 0.7)
    return pl.select(
        pl.concat_str([family, first, pl.when(two).then(second).otherwise(pl.lit(""))]).alias("name")
    ).to_series()


def phones(rng: np.random.Generator, count: int) -> pl.Series:
    prefixes = labels("prefix", ref.MOBILE_PREFIXES, rng.integers(0, len(ref.MOBILE_PREFIXES), count))
    return pl.select(pl.concat_str([prefixes, digits("rest", rng.integers(0, 10**8, count), 8)]).alias("phone")).to_series()


def unique_id_numbers(
    rng: np.random.Generator, county: np.ndarray, birth: np.ndarray, male: np.ndarray, valid: np.ndarray,
    taken: np.ndarray | None = None,
) -> pl.Series:
    """ID numbers, redrawing sequence numbers until no two people share a number.

    `taken` holds 17-digit bodies (int64) already issued to others (e.g. trainees, when issuing
    teachers' numbers), which are avoided too.
    """
    ymd = yyyymmdd(birth)
    parity = male.astype(np.int64)
    # GB 11643: the sequence number is odd for men, even for women.
    sequence = rng.integers(0, 500, len(county)) * 2 + parity
    already = pl.Series(taken if taken is not None else np.array([], dtype=np.int64))
    for _ in range(100):
        body = pl.Series(county * 10**11 + ymd * 1000 + sequence)
        clash = (~body.is_first_distinct() | body.is_in(already.implode())).to_numpy()
        if not clash.any():
            return id_numbers(county, ymd, sequence, valid)
        sequence[clash] = rng.integers(0, 500, int(clash.sum())) * 2 + parity[clash]
    raise RuntimeError("could not issue unique ID numbers: too many people for the birth dates drawn")


def id_bodies(numbers: pl.Series) -> np.ndarray:
    """The 17-digit bodies (int64) of issued ID numbers."""
    return numbers.str.slice(0, 17).cast(pl.Int64).to_numpy()


def persons(rng: np.random.Generator, count: int) -> pl.DataFrame:
    """The trainees of the province, one row each, numbered 0..count-1 (`person_no`)."""
    county, city_index = places(rng, count)
    city_codes = [code for code, _, _ in ref.CITIES]
    low = np.isin(np.array(city_codes), ref.LOW_KEY_GROUP_CITIES)
    shares = np.where(low[:, None], np.array(ref.LOW_CITY_CATEGORY_SHARES), np.array(ref.CATEGORY_SHARES))
    category = pick_by_row(rng, shares, city_index)
    birth = birth_dates(rng, category)
    birth_year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    county = historical_codes(rng, county, birth_year)
    male = rng.random(count) < 0.5
    valid = rng.random(count) >= INVALID_ID_SHARE
    licence = rng.random(count) < np.array(ref.CATEGORY_LICENCE)[category]
    benefit = rng.random(count) < np.array(ref.CATEGORY_BENEFIT)[category]
    frame = pl.DataFrame(
        {
            "person_no": np.arange(count, dtype=np.int64),
            "id_number": unique_id_numbers(rng, county, birth, male, valid),
            "id_valid": valid,
            "name": names(rng, male),
            "sex": labels("sex", ["F", "M"], male.astype(np.int64)),
            "birth_date": birth,
            "phone": phones(rng, count),
            "county_code": digits("county_code", county, 6),
            "city_code": labels("city_code", city_codes, city_index),
            "category": labels("category", ref.PERSON_CATEGORIES, category),
            "receiving_unemployment_benefit": benefit,
            "has_business_licence": licence,
        }
    )
    return _licences_and_benefits(rng, frame, licence, benefit)


def _licences_and_benefits(rng: np.random.Generator, frame: pl.DataFrame, licence: np.ndarray,
                           benefit: np.ndarray) -> pl.DataFrame:
    """3.3: the licence holders' business licence (个体工商户, USCC 92…); 5.3: since when benefit is paid."""
    holders = np.flatnonzero(licence)
    cities = frame["city_code"].gather(holders).to_numpy().astype("U6")
    codes = np.full(frame.height, "", dtype="U18")
    codes[holders] = credit_codes(rng, "92", cities)
    since = np.datetime64("2024-07-01") + rng.integers(0, 365, frame.height).astype("timedelta64[D]")
    return frame.with_columns(
        masked("business_licence_uscc", pl.Series(codes), licence),
        masked("unemployment_benefit_since", pl.Series(since).cast(pl.Date), benefit),
    )
