"""Risk's dated parameters: each threshold with the day it takes effect, its value and its source.

The plan (6d) names no figure for any of them, so every source is local practice: the figure this
deployment's city officials agreed to start with, to be revised when the false-alarm rates are measured
(docs/risk.md). A new figure is a new entry with a later `effective_from`; the old one stays, so a signal
found last year can still say which threshold found it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured

from qiancheng.clock import today

LOCAL_PRACTICE = "本地做法 local practice (the plan names no figure)"


@dataclass(frozen=True)
class Parameter:
    name: str
    effective_from: dt.date
    value: Decimal | int
    source: str
    last_checked: dt.date

    def as_record(self) -> dict[str, str]:
        return {"name": self.name, "value": str(self.value), "effective_from": self.effective_from.isoformat(),
                "source": self.source}


_START = dt.date(2025, 1, 1)
_CHECKED = dt.date(2026, 12, 6)

PARAMETERS: tuple[Parameter, ...] = (
    # Linkage: a pair at or above this match probability goes to the city's review.
    Parameter("link_threshold", _START, Decimal("0.90"), LOCAL_PRACTICE, _CHECKED),
    # (a) one phone number behind at least this many trainees of different names ...
    Parameter("shared_phone_min_names", _START, 3, LOCAL_PRACTICE, _CHECKED),
    # ... enrolled at at least this many institutions.
    Parameter("shared_phone_min_institutions", _START, 2, LOCAL_PRACTICE, _CHECKED),
    # (b) a trainee's two classes overlap by at least this many days.
    Parameter("trainee_overlap_min_days", _START, 1, LOCAL_PRACTICE, _CHECKED),
    # (c) a teacher's two classes (another institution or another venue) overlap by at least this many days.
    Parameter("teacher_overlap_min_days", _START, 1, LOCAL_PRACTICE, _CHECKED),
    # (d) a class of at least this many trainees with attendance ...
    Parameter("copied_attendance_min_trainees", _START, 5, LOCAL_PRACTICE, _CHECKED),
    # ... over at least this many session days, every trainee's the same.
    Parameter("copied_attendance_min_sessions", _START, 3, LOCAL_PRACTICE, _CHECKED),
    # (e) one bank account (keyed hash) behind at least this many trainees of one institution.
    Parameter("shared_bank_min_trainees", _START, 3, LOCAL_PRACTICE, _CHECKED),
    # (f) at least this many of a class's employment proofs name one employer ...
    Parameter("linked_employer_min_proofs", _START, 5, LOCAL_PRACTICE, _CHECKED),
    # ... and that employer names at least this share of the class's proofs (and is linked to the institution).
    Parameter("linked_employer_min_share", _START, Decimal("0.80"), LOCAL_PRACTICE, _CHECKED),
    # (g) an institution's rate is judged only over at least this many trainees (evaluated, or claimed) ...
    Parameter("outlier_rate_min_trainees", _START, 20, LOCAL_PRACTICE, _CHECKED),
    # ... and is an outlier at or above this robust z-score (median/MAD; 3.5 is Iglewicz and Hoaglin's cut).
    Parameter("outlier_rate_min_z", _START, Decimal("3.5"), LOCAL_PRACTICE, _CHECKED),
    # (h) a connected group of institutions, enterprises and trainees over shared phones, bank accounts,
    # addresses and legal representatives, with an organisation in it, of at least this many members.
    Parameter("collusion_ring_min_size", _START, 6, LOCAL_PRACTICE, _CHECKED),
)


def parameter(name: str, day: dt.date | None = None) -> Parameter:
    """The entry of `name` in force on `day` (the programme's today by default)."""
    day = day or today()
    started = [entry for entry in PARAMETERS if entry.name == name and entry.effective_from <= day]
    if not started:
        raise ImproperlyConfigured(f"risk parameter {name} has no entry in force on {day}")
    return max(started, key=lambda entry: entry.effective_from)
