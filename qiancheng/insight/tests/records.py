"""Claims for the insight tests, built through the ORM with every constraint active, and an independent count.

`independent_count` reads every claim back and applies docs/statistics.md's definition in plain Python, without
`insight.figures`, so a test compares the two.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from qiancheng.catalog.models import City
from qiancheng.funding.models import ClaimStatus, SubsidyClaim
from qiancheng.people.models import PersonCategory
from qiancheng.training.models import TrainingClass
from qiancheng.training.tests import builders

_serial = itertools.count(1)
KEY = PersonCategory.RURAL_MIGRANT_WORKER
OTHER = PersonCategory.ENTERPRISE_EMPLOYEE
_classes: dict[tuple[str, dt.date], TrainingClass] = {}


def training_for(city: City, end: dt.date) -> TrainingClass:
    """One class per city and end date (the cache is keyed by the primary keys, so a new test database starts
    over: the builders' get_or_create cities survive, classes are looked up again)."""
    key = (city.code, end)
    found = _classes.get(key)
    if found is None or not TrainingClass.objects.filter(pk=found.pk).exists():
        found = builders.training_class(city=city, institution=builders.institution(city=city),
                                        start_date=end - dt.timedelta(days=20), end_date=end)
        _classes[key] = found
    return found


def claim(city: City, end: dt.date, category: str, status: str = ClaimStatus.PENDING,
          eligible: bool | None = True) -> SubsidyClaim:
    """A claim of a new trainee in a class of `city` ending on `end`, decided `eligible` (None: undecided)."""
    training = training_for(city, end)
    enrolment = builders.enrolment(training, builders.person(category=category), category=category)
    decision: dict[str, Any] = {}
    if eligible is True:
        decision = dict(eligible=True, training_amount=Decimal("1000.00"), employment_amount=Decimal("0.00"),
                        total_amount=Decimal("1000.00"), decided_at=timezone.now())
    elif eligible is False:
        decision = dict(eligible=False, training_amount=Decimal("0.00"), employment_amount=Decimal("0.00"),
                        total_amount=Decimal("0.00"), decided_at=timezone.now(), denied_by="3.5a")
    return builders.subsidy_claim(enrolment, f"INS{next(_serial):07d}", status=status, **decision)


def refreshed() -> None:
    """The figures read the pre-aggregate (docs/statistics.md): after building claims through the ORM (no writer's
    commit queues a refresh inside a test's transaction), rebuild it, as `qiancheng refresh_statistics --full` does."""
    from qiancheng.insight.statistics_refresh import refresh

    refresh(None, None, "test")


def independent_count(year: int, city: str | None = None, month: int | None = None) -> tuple[int, int]:
    """(trainings, key-group trainings) by docs/statistics.md, counted claim by claim in Python."""
    counting = {"pending", "approved", "paid"}  # RULES.md "What counts", written out on purpose
    key_groups = {"graduate_youth", "rural_migrant_worker", "registered_unemployed", "employment_difficulty"}
    trainings = key = 0
    for each in SubsidyClaim.objects.all():
        if each.status not in counting or each.eligible is not True or each.end_date.year != year:
            continue
        if city is not None and each.city_id != city:
            continue
        if month is not None and each.end_date.month != month:
            continue
        trainings += 1
        key += each.person_category in key_groups
    return trainings, key
