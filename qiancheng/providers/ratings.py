"""The star rating in force on an institution (1c), read through a hook.

Ratings are computed from outcomes (classes, evaluations, employment, the register) by `insight`, which sits
above providers and funding in the layers; the consumers below it (credit payment, 3.6; the choice of an
institution, 3.4c) ask here, and insight registers how to answer in its AppConfig.ready
(`insight.services.snapshot_in_force`). The answer names the snapshot, so a decision can record which rating
it used. Asking before anything registered is a configuration error, not a silent "unrated".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class RatingInForce:
    snapshot_id: int
    stars: int
    period: dt.date  # the rating month's first day
    rating_day: dt.date


RatingReader = Callable[[int, dt.date], "RatingInForce | None"]
_reader: list[RatingReader] = []


def register_rating_reader(reader: RatingReader) -> None:
    _reader[:] = [reader]


def rating_in_force(institution_id: int, on: dt.date) -> RatingInForce | None:
    """The institution's rating in force on `on` (None: not rated by then)."""
    if not _reader:
        raise ImproperlyConfigured("no app registered the star rating (qiancheng.insight registers it)")
    return _reader[0](institution_id, on)
