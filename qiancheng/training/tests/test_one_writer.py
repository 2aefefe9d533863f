"""One writer per state: Person rows only through `register_persons`, Enrolment rows only through `enrol`.

Every path (enrol one trainee on the page or the API, the roster import, the demo province) registers and
enrols through the same two services, so each audits every row it writes, finds a person stored under a
retired key instead of registering them twice, and refuses the same bad input the same way.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from qiancheng.accounts.models import AuditEntry
from qiancheng.catalog.vocabulary import ApplicantRelation, TrainingType
from qiancheng.people import crypto
from qiancheng.people.identity import id_number_check_character
from qiancheng.people.models import Person
from qiancheng.people.services import PersonRow, register_persons
from qiancheng.projects.models import TraineeLink
from qiancheng.training.models import ClassStatus, Enrolment, ImportStatus
from qiancheng.training.services.enrolment import enrol_frame, enrol_person
from qiancheng.training.services.roster_import import apply_roster, receive_roster
from qiancheng.training.tests import builders
from qiancheng.training.tests.rosters import roster_xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("roster_open")]
OLD, NEW = "old-data-key-" + "o" * 40, "new-data-key-" + "n" * 40


def number(serial: int) -> str:
    first17 = f"45010219900101{serial:03d}"
    return first17 + id_number_check_character(first17)


def open_class(institution, **fields):
    return builders.training_class(institution=institution, status=ClassStatus.APPROVED,
                                   start_date=date(2026, 5, 4), end_date=date(2026, 5, 29), **fields)


def audited(action: str, model: str) -> set[str]:
    return set(AuditEntry.objects.filter(action=action, target_model=model).values_list("target_pk", flat=True))


def test_every_path_audits_each_person_and_each_enrolment(persona_institution, institution_user) -> None:
    one = enrol_person(institution_user, open_class(persona_institution), id_number=number(1), name="单人",
                       category="other")
    job = receive_roster(institution_user, open_class(persona_institution), "名册.xlsx",
                         roster_xlsx([("名册甲", number(2), None, "其他", None), ("名册乙", number(3), None, "其他", None)]))
    apply_roster(institution_user, job)
    enrolments = {str(pk) for pk in Enrolment.objects.values_list("pk", flat=True)}
    assert len(enrolments) == 3 and str(one.pk) in enrolments
    assert audited("enrolment.created", "training.enrolment") == enrolments  # the roster's rows too, each
    assert audited("person.registered", "people.person") == set(Person.objects.values_list("person_key", flat=True))


def test_the_demo_writes_enrolments_through_the_same_writer_with_an_entry_each(persona_institution) -> None:
    training = open_class(persona_institution)
    person = builders.person()
    frame = pl.DataFrame({"id": [9001], "training_class_id": [training.pk], "person_key": [person.person_key],
                          "id_number_masked": [person.id_number_masked], "category": ["other"],
                          "applicant_relation": ["none"], "enrolled_on": [date(2026, 5, 4)]})
    from django.db import transaction

    with transaction.atomic():
        assert enrol_frame(None, frame) == 1
    entry = AuditEntry.objects.get(action="enrolment.created", target_pk="9001")
    assert entry.after["person"] == person.id_number_masked and Enrolment.objects.get(pk=9001).person == person


def test_a_person_stored_under_a_retired_key_is_found_not_registered_again(persona_institution,
                                                                            institution_user) -> None:
    with override_settings(DATA_KEY=OLD, DATA_KEYS_RETIRED=[]):
        stored = register_persons(None, [PersonRow(number(7), "旧钥")]).stored_key(number(7))
    with override_settings(DATA_KEY=NEW, DATA_KEYS_RETIRED=[OLD]):
        assert crypto.person_key(number(7)) != stored
        again = register_persons(None, [PersonRow(number(7), "旧钥")])
        assert (again.created, again.stored_key(number(7))) == (0, stored)
        training = open_class(persona_institution)
        enrolment = enrol_person(institution_user, training, id_number=number(7), name="旧钥", category="other")
        job = receive_roster(institution_user, training, "名册.xlsx",
                             roster_xlsx([("旧钥", number(7), None, "其他", None)]))
        apply_roster(institution_user, job)
    assert Person.objects.count() == 1
    assert enrolment.person_id == stored
    assert set(Enrolment.objects.values_list("person_id", flat=True)) == {stored}


def test_a_registered_number_with_another_name_is_refused_by_every_writer(persona_institution,
                                                                           institution_user) -> None:
    register_persons(None, [PersonRow(number(8), "本名")])
    with pytest.raises(ValidationError) as one:
        enrol_person(institution_user, open_class(persona_institution), id_number=number(8), name="别名",
                     category="other")
    with pytest.raises(ValidationError) as bulk:
        register_persons(None, [PersonRow(number(9), "新人"), PersonRow(number(8), "别名")])
    assert one.value.error_list[0].code == bulk.value.error_list[0].code == "name_mismatch"
    assert Person.objects.count() == 1  # the bulk call wrote nothing, not even the good row


def test_a_project_trainee_without_the_link_is_refused_the_same_way_on_both_paths(persona_institution,
                                                                                   institution_user) -> None:
    # 3.4e: a project class takes only the applicant's employees (this project) — "none" is refused.
    project = builders.project(trainee_link=TraineeLink.EMPLOYEES)
    training = open_class(persona_institution, training_type=TrainingType.PROJECT, project=project)
    with pytest.raises(ValidationError) as one:
        enrol_person(institution_user, training, id_number=number(10), name="无关", category="other",
                     relation=ApplicantRelation.NONE)
    job = receive_roster(institution_user, training, "名册.xlsx", roster_xlsx([("无关", number(10), None, "其他", None)]))
    assert job.status == ImportStatus.VALIDATED and job.good_count == 0
    assert one.value.error_list[0].code == job.problems[0]["code"] == "3.4e"
    assert not Enrolment.objects.exists()
