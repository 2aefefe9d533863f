"""Small builders for the domain model's tests: the least data that makes one row of each kind valid.

Shared by the model tests of people, providers, projects, training, evaluation, funding and risk.
Every builder writes through the ORM with the database's constraints active; persons go through
`register_person`, the real path, so their personal data is sealed as in production.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from qiancheng import clock
from qiancheng.accounts.models import Role, User
from qiancheng.catalog.models import City, CourseKind, Occupation, SpecialAbilityItem
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.demand.models import Enterprise
from qiancheng.people.identity import id_number_check_character
from qiancheng.people.models import Person, PersonCategory
from qiancheng.people.services import register_person
from qiancheng.projects.models import Project, ProjectStatus, TraineeLink
from qiancheng.providers.models import Institution, InstitutionKind, InstitutionStatus
from qiancheng.training.models import ClassStatus, Enrolment, TrainingClass

_serial = itertools.count(1)


@contextmanager
def refused() -> Iterator[None]:
    """Expect the database to refuse what the block writes; the savepoint keeps the test usable after."""
    with pytest.raises(IntegrityError), transaction.atomic():
        yield


def id_number(county: str = "450102", birth: str = "19900101", sequence: int | None = None) -> str:
    """A valid ID number (GB 11643 check character) that no other call in this run returns."""
    number = sequence if sequence is not None else next(_serial)
    first17 = f"{county}{birth}{number % 1000:03d}"
    return first17 + id_number_check_character(first17)


def uscc(serial: int | None = None) -> str:
    """An 18-character code shaped like a USCC (the models check length; services check the checksum)."""
    return f"91450100MA{(serial if serial is not None else next(_serial)):08d}"


def official() -> User:
    return User.objects.create_user(
        username=f"province{next(_serial)}", password="not-used-in-tests", role=Role.PROVINCE_OFFICIAL
    )


def city(code: str = "450100", name: str = "南宁市") -> City:
    return City.objects.get_or_create(code=code, defaults={"name": name})[0]


def occupation(code: str = "4-04-05-05", name: str = "人工智能训练师") -> Occupation:
    groups = {
        "major_code": code[0], "major_name": "大类", "middle_code": code[:4], "middle_name": "中类",
        "minor_code": code[:7], "minor_name": "小类", "name": name,
    }
    return Occupation.objects.get_or_create(code=code, defaults=groups)[0]


def item(code: str = "S-0001", name: str = "螺蛳粉制作") -> SpecialAbilityItem:
    return SpecialAbilityItem.objects.get_or_create(code=code, defaults={"name": name})[0]


def course_kind(code: str = "SYB") -> CourseKind:
    return CourseKind.objects.get_or_create(code=code, defaults={"name": code, "name_en": code})[0]


def institution(**fields: Any) -> Institution:
    values: dict[str, Any] = {
        "name": f"机构{next(_serial)}",
        "uscc": uscc(),
        "kind": InstitutionKind.TECHNICAL_SCHOOL,
        "city": city(),
        "status": InstitutionStatus.APPROVED,
        "approved_until": still_approved(),
    }
    values.update(fields)
    return Institution.objects.create(**values)


def still_approved() -> date:
    """A qualification end that is still ahead on the programme's today, whatever day the suite runs
    (QIANCHENG_TODAY may be past the programme's end): the programme's end, or three years on."""
    return max(date(2027, 12, 31), clock.today() + timedelta(days=3 * 365))


def enterprise(**fields: Any) -> Enterprise:
    values: dict[str, Any] = {"name": f"企业{next(_serial)}", "uscc": uscc(), "city": city()}
    values.update(fields)
    return Enterprise.objects.create(**values)


def project(**fields: Any) -> Project:
    values: dict[str, Any] = {
        "code": f"P{next(_serial):05d}",
        "applicant": enterprise(),
        "city": city(),
        "title": "新能源汽车装调项目",
        "headcount": 30,
        "skill_requirements": "电池包装调",
        "content": "装调与检测",
        "duration_hours": 40,
        "method": "线下集中 + 岗位实操",
        "expected_effect": "结业即上岗",
        "trainee_link": TraineeLink.BOTH,
        "status": ProjectStatus.PUBLISHED,
    }
    values.update(fields)
    return Project.objects.create(**values)


def person(actor: User | None = None, **fields: Any) -> Person:
    values: dict[str, Any] = {"id_number": id_number(), "name": "张三", "category": PersonCategory.GRADUATE_YOUTH}
    values.update(fields)
    return register_person(actor, **values)


def training_class(**fields: Any) -> TrainingClass:
    values: dict[str, Any] = {
        "name": f"班级{next(_serial)}",
        "institution": fields.pop("institution", None) or institution(),
        "city": city(),
        "training_type": TrainingType.OCCUPATIONAL,
        "start_date": date(2025, 9, 1),
        "end_date": date(2025, 9, 30),
        "class_hours": 80,
        "status": ClassStatus.FINISHED,
    }
    values.update(fields)
    if values["training_type"] == TrainingType.OCCUPATIONAL:
        values.setdefault("occupation", occupation())
        values.setdefault("level", 4)
    return TrainingClass.objects.create(**values)


def enrolment(training: TrainingClass | None = None, trainee: Person | None = None, **fields: Any) -> Enrolment:
    values: dict[str, Any] = {
        "training_class": training or training_class(),
        "person": trainee or person(),
        "category": PersonCategory.GRADUATE_YOUTH,
        "enrolled_on": date(2025, 9, 1),
    }
    values.update(fields)
    return Enrolment.objects.create(**values)


def money(text: str) -> Decimal:
    return Decimal(text)


def subsidy_claim(enrolment: Enrolment, number: str, **fields: Any) -> Any:
    """A pending employment-subsidy claim with the facts copied from the enrolment and its class, advanced and
    claimed by the class's institution; `fields` override any of them."""
    from qiancheng.funding.models import ClaimStatus, FundSource, PartyKind, SubsidyClaim

    training = enrolment.training_class
    values: dict[str, Any] = dict(
        number=number, enrolment=enrolment, person=enrolment.person, training_type=training.training_type,
        occupation=training.occupation, level=training.level, class_hours=training.class_hours,
        start_date=training.start_date, end_date=training.end_date, passed=True,
        person_category=enrolment.category, receiving_unemployment_benefit=False, has_business_licence=False,
        fund=FundSource.EMPLOYMENT_SUBSIDY, city=training.city, institution=training.institution,
        advanced_by=PartyKind.INSTITUTION, advanced_by_ref=training.institution.uscc,
        claimant=PartyKind.INSTITUTION, claimant_ref=training.institution.uscc, status=ClaimStatus.PENDING,
    )
    return SubsidyClaim.objects.create(**{**values, **fields})


def attended(enrolment: Enrolment, hours: Decimal | int | None = None) -> None:
    """Attendance of `hours` (default: every class hour) recorded in sessions of at most 8 hours, one a day
    from the class's first day: a claim needs attendance at the city's threshold (6c)."""
    from datetime import timedelta

    from qiancheng.training.models import AttendanceRecord

    training = enrolment.training_class
    left = Decimal(training.class_hours if hours is None else hours)
    day = training.start_date
    while left > 0:
        session = min(left, Decimal("8"))
        AttendanceRecord.objects.create(enrolment=enrolment, person=enrolment.person, session_date=day,
                                        present=True, hours=session)
        left -= session
        day += timedelta(days=1)
