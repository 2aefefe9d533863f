"""Issuing identity numbers in bulk: resident ID numbers (GB 11643) and credit codes (GB 32100).

Check characters are computed on whole numpy arrays, so a million numbers take well under a second.
"""

from __future__ import annotations

import numpy as np
import polars as pl

ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
ID_CHECK_CHARS = np.array(list("10X98765432"))
_POW10_17 = 10 ** np.arange(16, -1, -1, dtype=np.int64)

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28], dtype=np.int64)
# GB 11714 organisation code: 8 characters and a check character.
ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (values.astype(np.int64)[:, None] // powers[None, :]) % 10


def id_check_index(body17: np.ndarray) -> np.ndarray:
    """Index into ID_CHECK_CHARS of the GB 11643 check character of 17-digit bodies (as int64)."""
    total = (_digits(body17, 17) * ID_WEIGHTS[None, :]).sum(axis=1)
    # GB 11643: check = (12 - sum mod 11) mod 11; ID_CHECK_CHARS is indexed by sum mod 11.
    return total % 11


def id_numbers(county: np.ndarray, birth_yyyymmdd: np.ndarray, sequence: np.ndarray, valid: np.ndarray) -> pl.Series:
    """18-character ID numbers; where `valid` is False the check character is deliberately wrong."""
    body = county.astype(np.int64) * 10**11 + birth_yyyymmdd.astype(np.int64) * 1000 + sequence.astype(np.int64)
    index = id_check_index(body)
    # A wrong character: shift the right one by 1..10 positions in the 11-character cycle.
    shift = (body % 10) + 1
    index = np.where(valid, index, (index + shift) % 11)
    check = pl.Series(list(ID_CHECK_CHARS)).gather(index)
    return pl.select(pl.concat_str([pl.Series(body).cast(pl.String), check]).alias("id_number")).to_series()


def _org_codes(rng: np.random.Generator, count: int) -> np.ndarray:
    body = rng.integers(10_000_000, 99_999_999, size=count, dtype=np.int64)
    total = (_digits(body, 8) * ORG_WEIGHTS[None, :]).sum(axis=1)
    check = 11 - total % 11
    chars = np.where(check == 10, "X", np.where(check == 11, "0", check.astype("U2")))
    return np.char.add(body.astype("U8"), chars)


def credit_codes(rng: np.random.Generator, registrar: str, division: np.ndarray) -> np.ndarray:
    """Unified social credit codes: registrar+type (e.g. '91' company, '52' private school), division, org code."""
    heads = np.char.add(np.char.add(registrar, division.astype("U6")), _org_codes(rng, len(division)))
    lookup = {char: value for value, char in enumerate(USCC_ALPHABET)}
    matrix = np.array([[lookup[c] for c in head] for head in heads.tolist()], dtype=np.int64).reshape(-1, 17)
    check = (31 - (matrix * USCC_WEIGHTS[None, :]).sum(axis=1) % 31) % 31
    return np.char.add(heads, np.array(list(USCC_ALPHABET))[check])
