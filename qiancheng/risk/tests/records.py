"""Builders for the risk tests: planted cases for each signal and for the linkage."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from qiancheng.catalog.models import County
from qiancheng.people import crypto
from qiancheng.people.masking import mask_id_number
from qiancheng.providers.models import Teacher
from qiancheng.training.models import AttendanceRecord, Enrolment, EnrolmentStatus
from qiancheng.training.tests import builders


def county(code: str = "450102", city_code: str = "450100") -> County:
    city = builders.city(city_code, {"450100": "南宁市", "450200": "柳州市"}[city_code])
    return County.objects.get_or_create(code=code, defaults={"name": f"县{code}", "city": city})[0]


def teacher(institution: Any, number: str, name: str = "王老师") -> Teacher:
    return Teacher.objects.create(institution=institution, name=name,
                                  id_number_enc=crypto.encrypt(number, purpose="providers.teacher"),
                                  id_number_masked=mask_id_number(number), person_key=crypto.person_key(number))


def attendance(enrolment: Enrolment, pattern: list[tuple[bool, str]]) -> None:
    day = enrolment.training_class.start_date
    for present, hours in pattern:
        AttendanceRecord.objects.create(enrolment=enrolment, person=enrolment.person, session_date=day,
                                        present=present, hours=Decimal(hours))
        day += timedelta(days=1)


def class_with_attendance(patterns: list[list[tuple[bool, str]]]) -> Any:
    training = builders.training_class()
    for index, pattern in enumerate(patterns):
        trainee = builders.person(name=f"学员{index}")
        attendance(builders.enrolment(training, trainee, status=EnrolmentStatus.COMPLETED,
                                              left_on=training.end_date), pattern)
    return training


def two_classes(first: tuple[date, date], second: tuple[date, date], **fields: Any) -> tuple[Any, Any]:
    one = builders.training_class(start_date=first[0], end_date=first[1], **fields)
    two = builders.training_class(start_date=second[0], end_date=second[1], **fields)
    return one, two
