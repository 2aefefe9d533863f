"""Opening a class: the institution applies, the class's city approves or refuses (3.1, 3.2, 3.4c)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qiancheng.accounts.models import AuditEntry
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.people import crypto
from qiancheng.people.masking import mask_id_number
from qiancheng.providers.models import InstitutionScope, InstitutionStatus, Teacher
from qiancheng.training.models import ClassStatus
from qiancheng.training.services.classes import ClassPlan, apply_for_class, approve_class, refuse_class
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

START, END = date(2026, 3, 2), date(2026, 3, 27)


@pytest.fixture
def school(persona_institution):
    persona_institution.approved_until = builders.still_approved()
    persona_institution.save()
    InstitutionScope.objects.create(institution=persona_institution, training_type=TrainingType.OCCUPATIONAL,
                                    occupation=builders.occupation(), max_level=3)
    InstitutionScope.objects.create(institution=persona_institution, training_type=TrainingType.SPECIAL_ABILITY,
                                    item=builders.item())
    return persona_institution


def teacher(institution, name: str = "王老师") -> Teacher:
    number = builders.id_number(county="450103")
    return Teacher.objects.create(institution=institution, name=name, person_key=crypto.person_key(number),
                                  id_number_enc=crypto.encrypt(number, purpose="providers.teacher"),
                                  id_number_masked=mask_id_number(number))


def occupational(**changes) -> ClassPlan:
    values = {"name": "人工智能训练师四级班", "training_type": TrainingType.OCCUPATIONAL, "start_date": START,
              "end_date": END, "class_hours": 120, "occupation": builders.occupation(), "level": 4,
              "cost_government": Decimal("1200.00"), "cost_individual": Decimal("300.00")}
    values.update(changes)
    return ClassPlan(**values)


def special(hours: int) -> ClassPlan:
    return ClassPlan(name="螺蛳粉制作班", training_type=TrainingType.SPECIAL_ABILITY, start_date=START, end_date=END,
                     class_hours=hours, item=builders.item())


def test_an_application_is_submitted_with_its_cost_split_added_up(school, institution_user) -> None:
    training = apply_for_class(institution_user, school, occupational())
    assert training.status == ClassStatus.SUBMITTED and training.cost_total == Decimal("1500.00")
    assert AuditEntry.objects.filter(action="class.submitted", target_pk=str(training.pk)).exists()


def test_nanning_approves_its_class(school, institution_user, nanning_official) -> None:
    training = approve_class(nanning_official, apply_for_class(institution_user, school, occupational()))
    assert (training.status, training.reviewed_by) == (ClassStatus.APPROVED, nanning_official)


@pytest.mark.parametrize("who", ["liuzhou_official", "outsider", "province_official", "institution_user"])
def test_only_the_class_city_official_approves(request, school, institution_user, who) -> None:
    training = apply_for_class(institution_user, school, occupational())
    with pytest.raises(PermissionDenied):
        approve_class(request.getfixturevalue(who), training)


def test_another_institution_cannot_apply_for_this_one(school, liuzhou_official) -> None:
    with pytest.raises(PermissionDenied):
        apply_for_class(liuzhou_official, school, occupational())


def test_special_ability_28_hours_is_approved(school, institution_user, nanning_official) -> None:
    # 3.2: 不少于28课时 — exactly 28 passes.
    training = apply_for_class(institution_user, school, special(28))
    assert approve_class(nanning_official, training).status == ClassStatus.APPROVED


def test_special_ability_27_hours_is_refused_at_application(school, institution_user) -> None:
    # 3.2: 27 is one short of 28.
    with pytest.raises(ValidationError, match="clause 3.2"):
        apply_for_class(institution_user, school, special(27))


def test_approval_refuses_a_special_ability_class_cut_below_28_hours(school, institution_user, nanning_official) -> None:
    training = apply_for_class(institution_user, school, special(28))
    training.class_hours = 27
    training.save()
    with pytest.raises(ValidationError, match="clause 3.2"):
        approve_class(nanning_official, training)
    training.refresh_from_db()
    assert training.status == ClassStatus.SUBMITTED


def test_a_level_the_occupation_does_not_have_is_refused(school, institution_user) -> None:
    occupation = builders.occupation()
    occupation.levels = "54"  # this occupation has levels 5 and 4 only
    occupation.save()
    with pytest.raises(ValidationError, match="has no level 3"):
        apply_for_class(institution_user, school, occupational(level=3, occupation=occupation))
    assert apply_for_class(institution_user, school, occupational(level=4, occupation=occupation))


def test_a_level_above_the_institutions_scope_is_refused(school, institution_user) -> None:
    with pytest.raises(ValidationError, match="scope"):
        apply_for_class(institution_user, school, occupational(level=2))


@pytest.mark.parametrize("status", [InstitutionStatus.SUSPENDED, InstitutionStatus.EXPIRED,
                                    InstitutionStatus.BLACKLISTED])
def test_a_suspended_expired_or_blacklisted_institution_cannot_open_a_class(school, institution_user, status) -> None:
    school.status = status
    school.save()
    with pytest.raises(ValidationError):
        apply_for_class(institution_user, school, occupational())


def test_a_teacher_cannot_teach_two_overlapping_classes(school, institution_user, nanning_official) -> None:
    wang = teacher(school)
    approve_class(nanning_official, apply_for_class(institution_user, school, occupational(teachers=[wang])))
    with pytest.raises(ValidationError, match="already teaches"):
        apply_for_class(institution_user, school, occupational(teachers=[wang], start_date=END, end_date=date(2026, 4, 10)))
    # The day after the first class ends, the teacher is free.
    assert apply_for_class(institution_user, school, occupational(
        teachers=[wang], start_date=date(2026, 3, 28), end_date=date(2026, 4, 10)))


def test_a_teacher_of_another_institution_is_refused(school, institution_user) -> None:
    stranger = teacher(builders.institution())
    with pytest.raises(ValidationError, match="not an active teacher"):
        apply_for_class(institution_user, school, occupational(teachers=[stranger]))


def test_refusing_needs_a_reason_and_records_it(school, institution_user, nanning_official) -> None:
    training = apply_for_class(institution_user, school, occupational())
    with pytest.raises(ValidationError):
        refuse_class(nanning_official, training, " ")
    training = refuse_class(nanning_official, training, "实训场地不足")
    assert (training.status, training.review_note) == (ClassStatus.REFUSED, "实训场地不足")
    assert AuditEntry.objects.get(action="class.refused").reason == "实训场地不足"


def test_a_project_class_needs_the_project_that_chose_the_institution(school, institution_user) -> None:
    chosen = builders.project(chosen_institution=school, choice_reason="实训条件最好")
    other = builders.project(chosen_institution=builders.institution(), choice_reason="师资最强")
    plan = ClassPlan(name="电池装调班", training_type=TrainingType.PROJECT, start_date=START, end_date=END,
                     class_hours=40, project=chosen)
    assert apply_for_class(institution_user, school, plan).project == chosen
    plan.project = other
    with pytest.raises(ValidationError, match="3.4c"):
        apply_for_class(institution_user, school, plan)
