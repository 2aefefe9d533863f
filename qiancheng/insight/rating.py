"""The star rating of training institutions (1c): the published formula (docs/star-rating.md), its dated
parameters (star_rating.yaml) and the inputs read from the records.

For a rating month the rating day is the month's last day (today, for the month under way). The window is the
`window_months` calendar months ending on it; an institution is rated when it had trainees in a class that
finished in the window. Four rates, each a count over a count:

- **pass rate**: trainees with a passed evaluation / trainees evaluated (evaluation);
- **employment rate**: special-account project trainees employed three months after training / those due (5.2c,
  `funding.services.employment.employment_by_institution`);
- **attendance integrity**: trainees (not withdrawn) whose attendance met their class's threshold / trainees not
  withdrawn (training: the threshold of the class's city on its last day, 6c); a trainee with no attendance
  recorded has not met it; a city with no attendance recorded at all in the window has no data for this rate;
- **completion**: trainees who completed / trainees enrolled.

Each rate is shrunk toward the city's pooled rate: (n·rate + k·city) / (n + k), n the institution's count, k
`prior_strength`, so three trainees never outweigh the city. A rate the city has no count for is left out and
the other weights share its weight. Score = 100 × weighted mean of the shrunk rates, less `sanction_penalty` per
listing (6d) that began in the window, not below 0; stars by `cut_points`; an institution on the register on the
rating day has at most `sanction_cap` stars. Exact fractions throughout; the score is kept to two places.

`compute(month)` reads the records; `score_of(inputs, parameters)` is the pure formula that a stored snapshot's
inputs are run through again to explain and reproduce it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml
from django.db.models import Exists, OuterRef, Q, Sum

from qiancheng.clock import today
from qiancheng.evaluation.models import Evaluation
from qiancheng.funding.services.employment import add_calendar_months, employment_by_institution
from qiancheng.providers.models import Institution
from qiancheng.sanctions.models import BlacklistEntry
from qiancheng.sanctions.services import in_force
from qiancheng.training.models import ClassStatus, Enrolment, EnrolmentStatus
from qiancheng.training.services.attendance import threshold_on

PARAMETERS_FILE = Path(__file__).with_name("star_rating.yaml")
COMPONENTS = ("pass_rate", "employment_rate", "attendance_integrity", "completion")
# each rate's (numerator, denominator) in the inputs
COUNTS = {"pass_rate": ("passed", "assessed"), "employment_rate": ("employed", "employment_due"),
          "attendance_integrity": ("attendance_met", "attendance_held"), "completion": ("completed", "enrolled")}
SCORE_PLACES = Decimal("0.01")
RATE_PLACES = Decimal("0.0001")
FIRST_MONTH = dt.date(2025, 1, 1)


class RatingRefused(ValueError):
    """A rating month that cannot be rated (before the parameters, or in the future)."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.code, self.zh, self.en = code, zh, en


@dataclass(frozen=True)
class Parameters:
    """One version of the formula's parameters, as stored on a snapshot (`as_json`)."""

    version: str
    valid_from: dt.date
    window_months: int
    prior_strength: int
    weights: dict[str, Decimal]
    cut_points: dict[int, Decimal]  # stars -> lowest score
    sanction_penalty: Decimal
    sanction_cap: int
    sources: dict[str, str]

    def as_json(self) -> dict[str, Any]:
        return {"version": self.version, "valid_from": self.valid_from.isoformat(),
                "window_months": self.window_months, "prior_strength": self.prior_strength,
                "weights": {name: str(value) for name, value in self.weights.items()},
                "cut_points": {str(stars): str(score) for stars, score in self.cut_points.items()},
                "sanction_penalty": str(self.sanction_penalty), "sanction_cap": self.sanction_cap,
                "sources": dict(self.sources)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Parameters:
        return cls(version=data["version"], valid_from=dt.date.fromisoformat(data["valid_from"]),
                   window_months=int(data["window_months"]), prior_strength=int(data["prior_strength"]),
                   weights={name: Decimal(value) for name, value in data["weights"].items()},
                   cut_points={int(stars): Decimal(score) for stars, score in data["cut_points"].items()},
                   sanction_penalty=Decimal(data["sanction_penalty"]), sanction_cap=int(data["sanction_cap"]),
                   sources=dict(data.get("sources", {})))


def _version(entry: dict[str, Any]) -> Parameters:
    weights = {name: Decimal(str(item["value"])) for name, item in entry["weights"].items()}
    if set(weights) != set(COMPONENTS) or any(value < 0 for value in weights.values()) or not sum(weights.values()):
        raise ValueError(f"star_rating.yaml {entry['version']}: weights must name {COMPONENTS}, not negative")
    cuts = {int(stars): Decimal(str(score)) for stars, score in entry["cut_points"]["value"].items()}
    if sorted(cuts) != [2, 3, 4, 5] or [cuts[s] for s in (2, 3, 4, 5)] != sorted(cuts.values()):
        raise ValueError(f"star_rating.yaml {entry['version']}: cut points for 2-5 stars, rising")
    sources = {name: entry[name]["source"] for name in ("window_months", "prior_strength", "cut_points",
                                                          "sanction_penalty", "sanction_cap")}
    sources.update({f"weight.{name}": item["source"] for name, item in entry["weights"].items()})
    return Parameters(version=str(entry["version"]), valid_from=entry["valid_from"],
                      window_months=int(entry["window_months"]["value"]),
                      prior_strength=int(entry["prior_strength"]["value"]), weights=weights, cut_points=cuts,
                      sanction_penalty=Decimal(str(entry["sanction_penalty"]["value"])),
                      sanction_cap=int(entry["sanction_cap"]["value"]), sources=sources)


@functools.cache
def rating_parameters() -> tuple[Parameters, ...]:
    """Every version of the formula's parameters, oldest first (the one function that reads the file)."""
    document = yaml.safe_load(PARAMETERS_FILE.read_text(encoding="utf-8"))
    return tuple(sorted((_version(entry) for entry in document["versions"]), key=lambda p: p.valid_from))


def parameters_on(day: dt.date) -> Parameters:
    """The version in force on `day`: the latest that has started."""
    started = [version for version in rating_parameters() if version.valid_from <= day]
    if not started:
        raise RatingRefused("no_parameters", f"{day}没有生效的星级评定参数", f"no star-rating parameters in force on {day}")
    return started[-1]


# ---------------------------------------------------------------- the month and its window


def month_start(text_or_day: str | dt.date) -> dt.date:
    """The first day of a month given as YYYY-MM (or any day of it)."""
    if isinstance(text_or_day, dt.date):
        return text_or_day.replace(day=1)
    try:
        year, month = (int(part) for part in str(text_or_day).split("-"))
        return dt.date(year, month, 1)
    except (TypeError, ValueError) as exc:
        raise RatingRefused("bad_month", f"月份格式应为YYYY-MM：{text_or_day}", f"a month is YYYY-MM: {text_or_day}") \
            from exc


def rating_day(period: dt.date) -> dt.date:
    """The month's last day, or today while the month is under way; a month not yet begun is refused."""
    if period < FIRST_MONTH:
        raise RatingRefused("before_programme", f"{period:%Y-%m}早于星级评定开始的月份",
                            f"{period:%Y-%m} is before the star rating began ({FIRST_MONTH:%Y-%m})")
    now = today()
    if period > now:
        raise RatingRefused("future_month", f"{period:%Y-%m}尚未开始，不能评定", f"{period:%Y-%m} has not begun")
    last = period.replace(day=calendar.monthrange(period.year, period.month)[1])
    return min(last, now)


def window_start(day: dt.date, months: int) -> dt.date:
    """The first day of the window of `months` calendar months ending on `day` (12 months to 2026-06-30 start
    on 2025-07-01)."""
    return add_calendar_months(day.replace(day=1), 1 - months)


# ---------------------------------------------------------------- the formula (pure)


def _frac(text: str | int) -> Fraction:
    return Fraction(Decimal(str(text)))


def rate_text(value: Fraction | None) -> str | None:
    if value is None:
        return None
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(RATE_PLACES, ROUND_HALF_UP))


def shrunk(numerator: int, denominator: int, city_rate: Fraction, k: int) -> Fraction:
    """(n·rate + k·city) / (n + k) = (numerator + k·city) / (denominator + k)."""
    return (numerator + k * city_rate) / (denominator + k)


@dataclass(frozen=True)
class Result:
    score: Decimal
    stars: int
    components: dict[str, dict[str, str | None]]  # per rate: raw, city, shrunk, weight used


def score_of(inputs: dict[str, Any], parameters: Parameters) -> Result:
    """The formula over one institution's inputs (its counts, its city's pooled rates as text, its listings)."""
    k = parameters.prior_strength
    used: dict[str, Fraction] = {}
    components: dict[str, dict[str, str | None]] = {}
    for name in COMPONENTS:
        top, bottom = COUNTS[name]
        numerator, denominator = int(inputs[top]), int(inputs[bottom])
        city_text = inputs["city_rates"].get(name)
        raw = Fraction(numerator, denominator) if denominator else None
        if city_text is None:
            components[name] = {"rate": rate_text(raw), "city": None, "shrunk": None, "weight": None}
            continue
        city = _frac(city_text)
        used[name] = shrunk(numerator, denominator, city, k)
        components[name] = {"rate": rate_text(raw), "city": city_text, "shrunk": rate_text(used[name])}
    total_weight = sum((_frac(parameters.weights[name]) for name in used), Fraction(0))
    if total_weight:
        mean = sum((_frac(parameters.weights[name]) * used[name] for name in used), Fraction(0)) / total_weight
    else:
        mean = Fraction(0)
    for name in used:
        components[name]["weight"] = rate_text(_frac(parameters.weights[name]) / total_weight)
    score = max(100 * mean - int(inputs["listings_in_window"]) * _frac(parameters.sanction_penalty), Fraction(0))
    score_decimal = (Decimal(score.numerator) / Decimal(score.denominator)).quantize(SCORE_PLACES, ROUND_HALF_UP)
    stars = 1
    for count, lowest in sorted(parameters.cut_points.items()):
        if score_decimal >= lowest:
            stars = count
    if inputs["listed_on_rating_day"]:
        stars = min(stars, parameters.sanction_cap)
    return Result(score_decimal, max(stars, 1), components)


# ---------------------------------------------------------------- the inputs (read from the records)


@dataclass(frozen=True)
class Rated:
    institution_id: int
    city_id: str
    inputs: dict[str, Any]
    result: Result


def _counts(start: dt.date, day: dt.date) -> tuple[dict[int, dict[str, int]], dict[int, str], set[str]]:
    """Each institution's counts over the classes that finished in [start, day], each institution's city, and the
    cities where any attendance was recorded in the window."""
    enrolments = Enrolment.objects.filter(
        training_class__status=ClassStatus.FINISHED, training_class__end_date__gte=start,
        training_class__end_date__lte=day,
    ).annotate(
        attended=Sum("attendance__hours", filter=Q(attendance__present=True)),
        evaluated=Exists(Evaluation.objects.filter(enrolment=OuterRef("pk"))),
        passed_any=Exists(Evaluation.objects.filter(enrolment=OuterRef("pk"), passed=True)),
    ).values_list("training_class__institution_id", "training_class__city_id", "training_class__end_date",
                  "training_class__class_hours", "status", "attended", "evaluated", "passed_any")
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(
        ("enrolled", "completed", "assessed", "passed", "attendance_held", "attendance_met"), 0))
    thresholds: dict[tuple[str, dt.date], Decimal] = {}
    recorded: set[str] = set()
    for institution_id, city_id, end_date, class_hours, status, attended, evaluated, passed in enrolments.iterator():
        row = counts[institution_id]
        row["enrolled"] += 1
        row["completed"] += status == EnrolmentStatus.COMPLETED
        row["assessed"] += bool(evaluated)
        row["passed"] += bool(passed)
        if attended is not None:
            recorded.add(city_id)
        if status != EnrolmentStatus.WITHDRAWN:
            key = (city_id, end_date)
            if key not in thresholds:
                thresholds[key] = threshold_on(end_date, city_id).rate
            # training.services.attendance: the rate to two places against the threshold; exactly it meets it
            rate = min(Decimal(attended or 0) / Decimal(class_hours or 1), Decimal("1")).quantize(
                Decimal("0.01"), ROUND_HALF_UP)
            row["attendance_held"] += 1
            row["attendance_met"] += rate >= thresholds[key]
    cities = dict(Institution.objects.filter(pk__in=list(counts)).values_list("pk", "city_id"))
    return counts, cities, recorded


def compute(period: dt.date) -> tuple[dt.date, Parameters, list[Rated]]:
    """Every institution with trainees in the window of `period`'s month: its inputs and its rating."""
    day = rating_day(period)
    parameters = parameters_on(day)
    start = window_start(day, parameters.window_months)
    counts, cities, recorded = _counts(start, day)
    employment = employment_by_institution(start, day)
    for institution_id, (employed, due) in employment.items():
        if institution_id in counts:
            counts[institution_id]["employed"], counts[institution_id]["employment_due"] = employed, due
    listed_now = set(BlacklistEntry.objects.filter(in_force(day), institution__isnull=False)
                     .values_list("institution_id", flat=True))
    listings = defaultdict(int)
    for institution_id in BlacklistEntry.objects.filter(
            institution__isnull=False, listed_from__gte=start, listed_from__lte=day).values_list(
            "institution_id", flat=True):
        listings[institution_id] += 1
    pooled: dict[str, dict[str, list[int]]] = defaultdict(lambda: {name: [0, 0] for name in COMPONENTS})
    for institution_id, row in counts.items():
        row.setdefault("employed", 0)
        row.setdefault("employment_due", 0)
        for name in COMPONENTS:
            top, bottom = COUNTS[name]
            pooled[cities[institution_id]][name][0] += row[top]
            pooled[cities[institution_id]][name][1] += row[bottom]
    city_rates = {city: {name: rate_text(Fraction(*pair)) if pair[1] else None for name, pair in rates.items()}
                  for city, rates in pooled.items()}
    for city, rates in city_rates.items():
        if city not in recorded:
            # No attendance kept in the system anywhere in the city (imported or synthetic records): the measure
            # has no data there and is left out, like a rate with no count. Within a city that keeps attendance a
            # trainee without a record has not met the threshold.
            rates["attendance_integrity"] = None
    rated = []
    for institution_id in sorted(counts):
        city = cities[institution_id]
        inputs: dict[str, Any] = {
            **counts[institution_id], "city_rates": city_rates[city], "window_start": start.isoformat(),
            "rating_day": day.isoformat(), "listings_in_window": listings.get(institution_id, 0),
            "listed_on_rating_day": institution_id in listed_now,
        }
        rated.append(Rated(institution_id, city, inputs, score_of(inputs, parameters)))
    return day, parameters, rated
