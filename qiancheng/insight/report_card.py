"""The public report card (1e 培训质量公开): training institutions with their star rating in force, their classes,
pass and employment rates; the courses on offer; the outcomes by occupation. For anyone, with no login, so every
count of people is suppressed under the small-cell minimum (statistics.yaml: fewer than 10 → "<10") and a rate
over fewer people than that is not shown. docs/statistics.md "The public report card".

The window is the star rating's (insight/rating.py): the classes that finished in the `window_months` calendar
months ending on the day of the data (today), so an institution's rates here are read the way its rating reads
them. Per institution and occupation of the class:

- classes: finished classes; trainees: enrolments in them; completed: enrolments completed;
- pass rate: trainees with a passed evaluation / trainees evaluated (rating.py "pass rate");
- employment rate: special-account project claims that earned the 5.2c employment subsidy / those whose three
  months have passed by the day (the same claims as funding.services.employment.employment_by_institution,
  which the rating reads), counted under the occupation of the claim's class.

The figures of the day are computed once and kept in the cache for CACHE_SECONDS (a figure is at most that
stale; the page says the day of the data); anonymous readers are throttled per address (PER_MINUTE).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Exists, OuterRef

from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.clock import today
from qiancheng.evaluation.models import Evaluation
from qiancheng.funding.models import COUNTING_STATUSES, ClaimOrigin, ClaimStatus, FundSource, SubsidyClaim
from qiancheng.funding.services.employment import proof_due_on
from qiancheng.insight.models import RatingAppeal, RatingAppealStatus, RatingSnapshot
from qiancheng.insight.rating import parameters_on, window_start
from qiancheng.insight.statistics import small_cell_min, suppress_small
from qiancheng.training.models import ClassStatus, Enrolment, EnrolmentStatus

CACHE_SECONDS = 600
PER_MINUTE = 120  # page views a minute from one address before 429 (a person reads far fewer)
RATE_PLACES = Decimal("0.1")


@dataclass
class Counts:
    """Counts of one institution × occupation (or a sum of them)."""

    classes: set[int] = field(default_factory=set)
    enrolled: int = 0
    completed: int = 0
    assessed: int = 0
    passed: int = 0
    employed: int = 0
    employment_due: int = 0

    def add(self, other: Counts) -> None:
        self.classes |= other.classes
        for name in ("enrolled", "completed", "assessed", "passed", "employed", "employment_due"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class Outcomes:
    """The figures of one day: counts per (institution id, city code, occupation code or "")."""

    day: dt.date
    start: dt.date
    cells: dict[tuple[int, str, str], Counts]
    minimum: int

    def institution_ids(self, city: str = "", occupation: str = "") -> set[int]:
        return {i for (i, c, o) in self.cells if (not city or c == city) and (not occupation or o == occupation)}

    def occupation_codes(self, city: str = "") -> set[str]:
        return {o for (_i, c, o) in self.cells if o and (not city or c == city)}

    def summed(self, keep: Iterable[tuple[int, str, str]]) -> Counts:
        total = Counts()
        for key in keep:
            total.add(self.cells[key])
        return total

    def of_institution(self, institution_id: int, occupation: str = "") -> Counts:
        return self.summed(k for k in self.cells if k[0] == institution_id and (not occupation or k[2] == occupation))

    def of_occupation(self, code: str, city: str = "") -> Counts:
        return self.summed(k for k in self.cells if k[2] == code and (not city or k[1] == city))


def _rate(top: int, bottom: int, minimum: int) -> str | None:
    """A percentage with one decimal, or None when fewer than `minimum` people stand behind it (not shown)."""
    if bottom < minimum or bottom == 0:
        return None
    return f"{(Decimal(top * 100) / Decimal(bottom)).quantize(RATE_PLACES, ROUND_HALF_UP)}%"


@dataclass(frozen=True)
class PublicFigures:
    """What a public row may show: classes, suppressed counts, rates only over enough people."""

    classes: int
    trainees: int | str | None
    completed: int | str | None
    pass_rate: str | None
    employment_rate: str | None

    @staticmethod
    def of(counts: Counts, minimum: int) -> PublicFigures:
        return PublicFigures(
            classes=len(counts.classes), trainees=suppress_small(counts.enrolled, minimum),
            completed=suppress_small(counts.completed, minimum),
            pass_rate=_rate(counts.passed, counts.assessed, minimum),
            employment_rate=_rate(counts.employed, counts.employment_due, minimum))


def compute(day: dt.date) -> Outcomes:
    """Read the records: the window's finished classes, their trainees and evaluations, and the employment claims."""
    start = window_start(day, parameters_on(day).window_months)
    cells: dict[tuple[int, str, str], Counts] = defaultdict(Counts)
    enrolments = Enrolment.objects.filter(
        training_class__status=ClassStatus.FINISHED, training_class__end_date__gte=start,
        training_class__end_date__lte=day,
    ).annotate(
        evaluated=Exists(Evaluation.objects.filter(enrolment=OuterRef("pk"))),
        passed_any=Exists(Evaluation.objects.filter(enrolment=OuterRef("pk"), passed=True)),
    ).values_list("training_class_id", "training_class__institution_id", "training_class__city_id",
                  "training_class__occupation_id", "status", "evaluated", "passed_any")
    for class_id, institution_id, city_id, occupation, status, evaluated, passed in enrolments.iterator():
        cell = cells[(institution_id, city_id, occupation or "")]
        cell.classes.add(class_id)
        cell.enrolled += 1
        cell.completed += status == EnrolmentStatus.COMPLETED
        cell.assessed += bool(evaluated)
        cell.passed += bool(passed)
    # 5.2c, as funding.services.employment.employment_by_institution counts it for the rating.
    claims = SubsidyClaim.objects.filter(
        origin=ClaimOrigin.SYSTEM, fund=FundSource.SPECIAL_ACCOUNT, training_type=TrainingType.PROJECT,
        status__in=[*COUNTING_STATUSES, ClaimStatus.RECOVERED], eligible=True, end_date__gte=start,
        end_date__lte=day, institution_id__isnull=False,
    ).values_list("institution_id", "enrolment__training_class__city_id", "enrolment__training_class__occupation_id",
                  "city_id", "end_date", "employment_amount")
    due_on: dict[dt.date, dt.date] = {}
    for institution_id, class_city, occupation, claim_city, end_date, employment_amount in claims.iterator():
        if end_date not in due_on:
            due_on[end_date] = proof_due_on(end_date)
        if due_on[end_date] > day:
            continue
        cell = cells[(institution_id, class_city or claim_city, occupation or "")]
        cell.employment_due += 1
        cell.employed += 1 if employment_amount and employment_amount > 0 else 0
    return Outcomes(day, start, dict(cells), small_cell_min(day))


def outcomes(day: dt.date | None = None) -> Outcomes:
    """The day's figures, from the cache when another reader computed them in the last CACHE_SECONDS."""
    day = day or today()
    key = f"insight:report-card:{day.isoformat()}"
    found = cache.get(key)
    if found is None:
        found = compute(day)
        cache.set(key, found, CACHE_SECONDS)
    return found


@dataclass(frozen=True)
class Stars:
    stars: int
    period: dt.date


def stars_in_force(institution_ids: Iterable[int], day: dt.date) -> dict[int, Stars]:
    """Each institution's rating in force on `day` (the latest snapshot rated by then; a revised appeal's stars),
    as insight.services.rating_in_force reads it, for a page of institutions in two queries."""
    latest: dict[int, RatingSnapshot] = {}
    for snapshot in RatingSnapshot.objects.filter(institution_id__in=list(institution_ids), rating_day__lte=day) \
            .order_by("institution_id", "-period"):
        latest.setdefault(snapshot.institution_id, snapshot)
    revised = dict(RatingAppeal.objects.filter(snapshot__in=list(latest.values()), status=RatingAppealStatus.REVISED)
                   .values_list("snapshot_id", "revised_stars"))
    return {pk: Stars(revised.get(s.pk) or s.stars, s.period) for pk, s in latest.items()}


def throttled(cache_key: str) -> bool:
    """Count one view for `cache_key` (an address) in the current minute; True past PER_MINUTE."""
    key = f"insight:report-card:views:{cache_key}:{today().isoformat()}:{_minute()}"
    if cache.add(key, 1, 70):
        return False
    try:
        return cache.incr(key) > PER_MINUTE
    except ValueError:  # expired between add and incr: a new minute
        cache.add(key, 1, 70)
        return False


def _minute() -> int:
    import time

    return int(time.time() // 60)


def public_row_values(figures: PublicFigures) -> list[Any]:
    return [figures.classes, figures.trainees, figures.completed, figures.pass_rate or "—",
            figures.employment_rate or "—"]
