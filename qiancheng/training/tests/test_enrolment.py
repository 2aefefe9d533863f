"""Enrolling one trainee by name and ID number: the same refusals as a roster, shown before training."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qiancheng.accounts.models import AuditEntry
from qiancheng.catalog.vocabulary import ApplicantRelation, TrainingType
from qiancheng.people.identity import id_number_check_character
from qiancheng.people.models import Person
from qiancheng.training.models import ClassStatus, Enrolment
from qiancheng.training.services.enrolment import enrol_person
from qiancheng.training.tests import builders

# Enrolment closes after a class's last day: the clock stands on a day the classes take trainees.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("roster_open")]


def number(serial: int) -> str:
    first17 = f"45010219920202{serial:03d}"
    return first17 + id_number_check_character(first17)


@pytest.fixture
def training(persona_institution):
    return builders.training_class(institution=persona_institution, status=ClassStatus.APPROVED,
                                   start_date=date(2026, 5, 4), end_date=date(2026, 5, 29))


def test_a_trainee_is_registered_and_enrolled_once(training, institution_user) -> None:
    first = enrol_person(institution_user, training, id_number=number(1), name="黄一", category="graduate_youth",
                         phone="13900000001")
    again = enrol_person(institution_user, training, id_number=number(1), name="黄一", category="graduate_youth")
    assert first.pk == again.pk and Enrolment.objects.filter(training_class=training).count() == 1
    assert AuditEntry.objects.filter(action="enrolment.created").count() == 1


def test_a_second_training_in_2026_is_refused_before_it_starts(training, institution_user) -> None:
    # 3.5a: one subsidised training a year; the person already finished a 2026 class.
    person = builders.person(id_number=number(2), name="黄二")
    earlier = builders.training_class(status=ClassStatus.FINISHED, start_date=date(2026, 3, 2),
                                      end_date=date(2026, 3, 27), occupation=builders.occupation("6-20-01-01", "电工"))
    builders.enrolment(earlier, person, enrolled_on=date(2026, 3, 2))
    with pytest.raises(ValidationError) as refusal:
        enrol_person(institution_user, training, id_number=number(2), name="黄二", category="other")
    assert any("第3.5条" in message and "this year's is already used" in message for message in refusal.value.messages)
    assert not Enrolment.objects.filter(training_class=training).exists()


def test_a_refused_newcomer_is_not_left_registered(persona_institution, institution_user) -> None:
    project = builders.project(chosen_institution=persona_institution, choice_reason="实训条件最好",
                               trainee_link="prospective_hires")
    training = builders.training_class(institution=persona_institution, training_type=TrainingType.PROJECT,
                                       project=project, status=ClassStatus.APPROVED,
                                       start_date=date(2026, 5, 4), end_date=date(2026, 5, 29))
    with pytest.raises(ValidationError, match="3.4e") as refused:
        enrol_person(institution_user, training, id_number=number(3), name="黄三", category="other",
                     relation=ApplicantRelation.EMPLOYEE)
    assert "须为申报企业的拟招用人员（第3.4条(五)）" in str(refused.value)
    assert not Person.objects.filter(name="黄三").exists()
    enrolled = enrol_person(institution_user, training, id_number=number(3), name="黄三", category="other",
                            relation=ApplicantRelation.PROSPECTIVE_HIRE)
    assert enrolled.applicant_relation == ApplicantRelation.PROSPECTIVE_HIRE


@pytest.mark.parametrize("who", ["liuzhou_official", "outsider", "trainee_user"])
def test_others_cannot_enrol(request, training, who) -> None:
    with pytest.raises(PermissionDenied):
        enrol_person(request.getfixturevalue(who), training, id_number=number(4), name="黄四", category="other")
