"""Building Polars columns from numpy draws.

numpy's fixed-width string arrays are slow to build and to hand to Polars, so draws stay integer
indices until the end, where `labels` turns them into text with one Polars gather.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl


def labels(name: str, options: Sequence[str], index: np.ndarray) -> pl.Series:
    """`options[index]` for every element, as a String column."""
    return pl.Series(name, list(options), dtype=pl.String).gather(np.asarray(index, dtype=np.int64))


def digits(name: str, values: np.ndarray, width: int) -> pl.Series:
    """Integers as zero-padded text of `width` digits."""
    return pl.Series(name, values, dtype=pl.Int64).cast(pl.String).str.zfill(width)


def masked(name: str, values: np.ndarray | pl.Series, present: np.ndarray) -> pl.Series:
    """`values` where `present` is True, null elsewhere (numpy has no null for strings or booleans)."""
    series = values if isinstance(values, pl.Series) else pl.Series(values)
    return pl.select(pl.when(pl.Series(present)).then(series).alias(name)).to_series()


def either(name: str, condition: np.ndarray, yes: pl.Series, no: pl.Series) -> pl.Series:
    """Element-wise choice between two columns (np.where for text)."""
    return pl.select(pl.when(pl.Series(condition)).then(yes).otherwise(no).alias(name)).to_series()
