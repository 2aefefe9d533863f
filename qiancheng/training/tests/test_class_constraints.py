"""What the database refuses for classes, enrolments and attendance, whatever a service does."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.training.models import AttendanceRecord, ClassStatus, EnrolmentStatus, TrainingClass
from qiancheng.training.tests import builders
from qiancheng.training.tests.builders import refused

pytestmark = pytest.mark.django_db


def test_a_class_ending_before_it_starts_is_refused() -> None:
    with refused():
        builders.training_class(start_date=date(2025, 9, 2), end_date=date(2025, 9, 1))


def test_a_one_day_class_is_fine() -> None:
    builders.training_class(start_date=date(2025, 9, 1), end_date=date(2025, 9, 1))


def test_special_ability_with_28_hours_can_be_approved() -> None:
    builders.training_class(
        training_type=TrainingType.SPECIAL_ABILITY, item=builders.item(), class_hours=28, status=ClassStatus.APPROVED
    )


@pytest.mark.parametrize("status", [ClassStatus.DRAFT, ClassStatus.SUBMITTED, ClassStatus.REFUSED])
def test_special_ability_with_27_hours_may_exist_unapproved(status: str) -> None:
    # It can be drafted and submitted; approval is what 3.2 forbids. A refusal needs its reason.
    builders.training_class(
        training_type=TrainingType.SPECIAL_ABILITY, item=builders.item(), class_hours=27, status=status,
        review_note="3.2: 课时不足28 / fewer than 28 class hours",
    )


def test_other_types_are_not_bound_by_28_hours() -> None:
    builders.training_class(class_hours=16, status=ClassStatus.APPROVED)


def test_negative_class_hours_are_refused() -> None:
    training = builders.training_class()
    with refused():
        TrainingClass.objects.filter(pk=training.pk).update(class_hours=-1)


@pytest.mark.parametrize(
    "subject",
    [
        {"training_type": TrainingType.OCCUPATIONAL, "level": None},  # occupational needs a level
        {"training_type": TrainingType.OCCUPATIONAL, "level": 6},
        {"training_type": TrainingType.SPECIAL_ABILITY},  # needs an item
        {"training_type": TrainingType.ENTREPRENEURSHIP},  # needs a course kind
        {"training_type": TrainingType.PROJECT},  # needs a project
    ],
)
def test_a_class_must_name_the_subject_its_type_needs(subject: dict) -> None:
    with refused():
        builders.training_class(**subject)


def test_a_class_may_not_name_a_second_subject() -> None:
    with refused():
        builders.training_class(course_kind=builders.course_kind("SYB"))  # occupational + a course


def test_each_type_with_its_subject_is_accepted() -> None:
    builders.training_class(training_type=TrainingType.ENTREPRENEURSHIP, course_kind=builders.course_kind("IYB"))
    builders.training_class(training_type=TrainingType.PROJECT, project=builders.project())


def test_the_cost_split_must_add_up_to_the_total() -> None:
    # 5.4: government + enterprise + individual = total.
    with refused():
        builders.training_class(
            cost_total=Decimal("1000.00"), cost_government=Decimal("600.00"),
            cost_enterprise=Decimal("300.00"), cost_individual=Decimal("99.99"),
        )


def test_a_cost_split_adding_up_in_fen_is_accepted_even_where_floats_would_not() -> None:
    # 0.10 + 0.20 is 0.30000000000000004 in binary floating point, which SQLite uses for DECIMAL.
    builders.training_class(
        cost_total=Decimal("0.30"), cost_government=Decimal("0.10"), cost_enterprise=Decimal("0.20"),
        cost_individual=Decimal("0.00"),
    )


def test_a_refusal_needs_its_reason() -> None:
    with refused():
        builders.training_class(status=ClassStatus.REFUSED, review_note="")


def test_a_person_enrols_once_per_class() -> None:
    enrolment = builders.enrolment()
    with refused():
        builders.enrolment(training=enrolment.training_class, trainee=enrolment.person)


def test_a_withdrawal_is_dated_not_before_enrolment() -> None:
    with refused():
        builders.enrolment(status=EnrolmentStatus.WITHDRAWN)  # no date
    with refused():
        builders.enrolment(status=EnrolmentStatus.WITHDRAWN, left_on=date(2025, 8, 31))
    builders.enrolment(status=EnrolmentStatus.WITHDRAWN, left_on=date(2025, 9, 10))


def test_the_enrolment_row_carries_the_person_key() -> None:
    enrolment = builders.enrolment()
    assert enrolment.person_id == enrolment.person.person_key and len(enrolment.person_id) == 64


def test_attendance_is_once_per_day_and_an_absence_has_no_hours() -> None:
    enrolment = builders.enrolment()
    day = date(2025, 9, 2)
    AttendanceRecord.objects.create(
        enrolment=enrolment, person=enrolment.person, session_date=day, present=True, hours=Decimal("6.0")
    )
    with refused():
        AttendanceRecord.objects.create(enrolment=enrolment, person=enrolment.person, session_date=day, present=True)
    with refused():
        AttendanceRecord.objects.create(
            enrolment=enrolment, person=enrolment.person, session_date=date(2025, 9, 3), present=False,
            hours=Decimal("2.0"),
        )
