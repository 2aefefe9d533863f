"""What the database refuses for institutions, teachers and scopes."""

from __future__ import annotations

from datetime import date

import pytest

from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.people import crypto
from qiancheng.people.masking import mask_id_number
from qiancheng.providers.models import Institution, InstitutionScope, InstitutionStatus, Teacher
from qiancheng.training.tests import builders
from qiancheng.training.tests.builders import refused

pytestmark = pytest.mark.django_db


def test_an_approved_institution_has_an_end_date() -> None:
    with refused():
        builders.institution(status=InstitutionStatus.APPROVED, approved_until=None)
    builders.institution(status=InstitutionStatus.APPLIED, approved_until=None)


@pytest.mark.parametrize("stars", [0, 5])
def test_star_ratings_0_to_5_are_accepted(stars: int) -> None:
    builders.institution(star_rating=stars, star_rated_on=date(2025, 12, 31))


def test_a_sixth_star_or_an_undated_rating_is_refused() -> None:
    with refused():
        builders.institution(star_rating=6, star_rated_on=date(2025, 12, 31))
    with refused():
        builders.institution(star_rating=3)
    with refused():
        builders.institution(star_rated_on=date(2025, 12, 31))  # a date without a rating


def test_the_uscc_is_unique_and_18_characters() -> None:
    first = builders.institution()
    with refused():
        builders.institution(uscc=first.uscc)
    with refused():
        builders.institution(uscc="91450100MA")


def test_an_unknown_status_is_refused() -> None:
    institution = builders.institution()
    with refused():
        Institution.objects.filter(pk=institution.pk).update(status="trusted")


def _teacher(institution: Institution, number: str, **fields: object) -> Teacher:
    values: dict[str, object] = {
        "institution": institution,
        "name": "陈老师",
        "id_number_enc": crypto.encrypt(number, purpose="people.id_number"),
        "id_number_masked": mask_id_number(number),
        "person_key": crypto.person_key(number),
    }
    values.update(fields)
    return Teacher.objects.create(**values)


def test_a_teacher_is_sealed_like_a_trainee_and_listed_once_per_institution() -> None:
    institution, number = builders.institution(), builders.id_number()
    _teacher(institution, number)
    with refused():
        _teacher(institution, number)
    _teacher(builders.institution(), number)  # the same person may teach at another institution
    with refused():
        _teacher(institution, builders.id_number(), id_number_enc=number)


def test_a_scope_names_exactly_the_subject_of_its_type() -> None:
    institution = builders.institution()
    InstitutionScope.objects.create(
        institution=institution, training_type=TrainingType.OCCUPATIONAL, occupation=builders.occupation(), max_level=3
    )
    InstitutionScope.objects.create(
        institution=institution, training_type=TrainingType.SPECIAL_ABILITY, item=builders.item()
    )
    with refused():  # occupational without a level
        InstitutionScope.objects.create(
            institution=institution, training_type=TrainingType.OCCUPATIONAL, occupation=builders.occupation("4-01-06-02")
        )
    with refused():  # project training is chosen per project (3.4c), not a standing scope
        InstitutionScope.objects.create(institution=institution, training_type=TrainingType.PROJECT)
    with refused():  # the same occupation twice
        InstitutionScope.objects.create(
            institution=institution, training_type=TrainingType.OCCUPATIONAL, occupation=builders.occupation(),
            max_level=2,
        )
