"""Classes with trainees for the star-rating tests, written in bulk through the ORM with every constraint active:
`rated_class(institution, trainees, passed=…, completed=…, attended=…)` gives a finished class whose first
`completed` trainees completed (the rest withdrew), whose first `passed` were evaluated and passed (the other
completed ones failed) and whose first `attended` met the attendance threshold (every hour)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from qiancheng.evaluation.models import Evaluation
from qiancheng.people.identity import id_number_check_character
from qiancheng.people.models import PersonCategory
from qiancheng.people.services import PersonRow, register_persons
from qiancheng.providers.models import Institution
from qiancheng.training.models import AttendanceRecord, Enrolment, EnrolmentStatus, TrainingClass
from qiancheng.training.tests import builders

_serial = itertools.count(1)
END = dt.date(2026, 5, 29)  # a Friday: the classes finish inside the window of June 2026


def _id_number() -> str:
    serial = next(_serial)
    birth = dt.date(1980, 1, 1) + dt.timedelta(days=serial // 1000)
    first17 = f"450103{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + id_number_check_character(first17)


def rated_class(institution: Institution, trainees: int, *, passed: int, completed: int, attended: int,
                end: dt.date = END) -> TrainingClass:
    assert passed <= completed <= trainees and attended <= trainees
    training = builders.training_class(institution=institution, city=institution.city, class_hours=8,
                                       start_date=end - dt.timedelta(days=4), end_date=end)
    numbers = [_id_number() for _ in range(trainees)]
    registered = register_persons(None, [PersonRow(id_number=n, name="学员", category=PersonCategory.GRADUATE_YOUTH)
                                         for n in numbers])
    keys = [registered.stored_key(n) for n in numbers]
    Enrolment.objects.bulk_create([
        Enrolment(training_class=training, person_id=key, category=PersonCategory.GRADUATE_YOUTH,
                  enrolled_on=training.start_date,
                  status=EnrolmentStatus.COMPLETED if i < completed else EnrolmentStatus.WITHDRAWN, left_on=end)
        for i, key in enumerate(keys)])
    enrolments = list(training.enrolments.order_by("pk"))
    Evaluation.objects.bulk_create([
        Evaluation(enrolment=each, person_id=each.person_id, passed=i < passed, evaluated_on=end,
                   evaluator="南宁市职业技能鉴定中心") for i, each in enumerate(enrolments[:completed])])
    AttendanceRecord.objects.bulk_create([
        AttendanceRecord(enrolment=each, person_id=each.person_id, session_date=training.start_date, present=True,
                         hours=Decimal(8)) for each in enrolments[:attended]])
    return training


def formula_inputs(passed: int = 8, assessed: int = 10) -> dict[str, Any]:
    """Inputs of the shape `rating.compute` stores (counts, the city's pooled rates as text, listings), so that a
    snapshot a test writes can be explained on its page like a computed one."""
    return {"passed": passed, "assessed": assessed, "employed": 5, "employment_due": 8, "attendance_met": 9,
            "attendance_held": 10, "completed": 9, "enrolled": 10, "listings_in_window": 0,
            "listed_on_rating_day": False,
            "city_rates": {"pass_rate": "0.8000", "employment_rate": "0.6000", "attendance_integrity": "0.9000",
                           "completion": "0.9000"}}


def rated(institution: Institution, stars: int = 4, on: dt.date = dt.date(2025, 6, 30)) -> Institution:
    """A snapshot of `stars` in force from `on` for the institution (the tests of the rating's consumers: credit
    payment reads the snapshot in force, 3.6), with its copy on the institution as `rate_month` writes it."""
    from django.utils import timezone

    from qiancheng.insight.models import RatingSnapshot
    from qiancheng.insight.rating import parameters_on

    parameters = parameters_on(on)
    RatingSnapshot.objects.create(
        institution=institution, city_id=institution.city_id, period=on.replace(day=1), rating_day=on, stars=stars,
        score=parameters.cut_points.get(stars, Decimal("0")), inputs=formula_inputs(),
        parameter_version=parameters.version, parameters=parameters.as_json(), computed_at=timezone.now())
    institution.star_rating, institution.star_rated_on = stars, on
    institution.save(update_fields=["star_rating", "star_rated_on"])
    return institution
