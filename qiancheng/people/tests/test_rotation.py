"""Re-keying after a DATA_KEY rotation: every token re-sealed, every person_key reference moved."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import override_settings

from qiancheng.accounts.models import AuditEntry, Role, User
from qiancheng.evaluation.models import Evaluation
from qiancheng.funding.models import ClaimOrigin, ClaimStatus, FundSource, PartyKind, SubsidyClaim
from qiancheng.people import crypto
from qiancheng.people.models import Person
from qiancheng.people.rotation import rekey_personal_data
from qiancheng.people.services import register_person, reveal_id_number, reveal_phone
from qiancheng.training.models import AttendanceRecord
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

OLD, NEW = "o" * 43, "n" * 43
NUMBER = "450102199001011231"


def test_rekeying_moves_every_reference_and_reseals_every_token() -> None:
    with override_settings(DATA_KEY=OLD, DATA_KEYS_RETIRED=[]):
        person = register_person(None, NUMBER, "王五", phone="13812345678")
        old_key = person.person_key
        enrolment = builders.enrolment(trainee=person)
        AttendanceRecord.objects.create(
            enrolment=enrolment, person=person, session_date=date(2025, 9, 2), present=True, hours=6
        )
        Evaluation.objects.create(
            enrolment=enrolment, person=person, passed=True, evaluated_on=date(2025, 9, 30), evaluator="中心"
        )
        SubsidyClaim.objects.create(
            number="H1", origin=ClaimOrigin.IMPORTED, person=person, training_type="entrepreneurship",
            course_kind=builders.course_kind("SYB"), end_date=date(2024, 6, 30), fund=FundSource.EMPLOYMENT_SUBSIDY,
            status=ClaimStatus.PAID, claimant=PartyKind.INDIVIDUAL, claimant_ref=old_key,
        )
        User.objects.create_user(username="trainee", password="x" * 12, role=Role.TRAINEE, person=person)
    with override_settings(DATA_KEY=NEW, DATA_KEYS_RETIRED=[OLD]):
        report = rekey_personal_data(builders.official(), batch_size=1)
        new_key = crypto.person_key(NUMBER)
        assert report.persons == 1 and new_key != old_key
        moved = Person.objects.get()
        assert moved.pk == new_key and not crypto.needs_reencryption(moved.id_number_enc)
        assert not crypto.needs_reencryption(moved.phone_enc)
        assert AttendanceRecord.objects.get().person_id == new_key
        assert Evaluation.objects.get().person_id == new_key
        assert SubsidyClaim.objects.get().claimant_ref == new_key
        assert User.objects.get(username="trainee").person_id == new_key
        connection.check_constraints()  # the deferred foreign keys hold
        entry = AuditEntry.objects.get(action="person.rekeyed")
        assert entry.after["rekeyed"] == {old_key: new_key}
        assert rekey_personal_data(None).persons == 0  # nothing left: running again changes nothing
    with override_settings(DATA_KEY=NEW, DATA_KEYS_RETIRED=[]):
        moved = Person.objects.get()
        assert reveal_id_number(None, moved, "核对") == NUMBER
        assert reveal_phone(None, moved, "通知") == "13812345678"


def test_rekeying_with_nothing_stale_does_nothing() -> None:
    register_person(None, NUMBER, "王五")
    assert rekey_personal_data(None).persons == 0
    assert not AuditEntry.objects.filter(action="person.rekeyed").exists()


def test_rekeying_reseals_teachers() -> None:
    from qiancheng.people.masking import mask_id_number
    from qiancheng.providers.models import Teacher

    with override_settings(DATA_KEY=OLD, DATA_KEYS_RETIRED=[]):
        Teacher.objects.create(
            institution=builders.institution(), name="陈老师", id_number_masked=mask_id_number(NUMBER),
            id_number_enc=crypto.encrypt(NUMBER, purpose="people.id_number"), person_key=crypto.person_key(NUMBER),
        )
    with override_settings(DATA_KEY=NEW, DATA_KEYS_RETIRED=[OLD]):
        assert rekey_personal_data(None).teachers == 1
        teacher = Teacher.objects.get()
        assert teacher.person_key == crypto.person_key(NUMBER)
        assert crypto.decrypt(teacher.id_number_enc, purpose="people.id_number") == NUMBER
        assert not crypto.needs_reencryption(teacher.id_number_enc)


def test_the_sealed_columns_are_found_through_the_registry() -> None:
    from qiancheng.people.rotation import sealed_columns

    found = {model._meta.label: {(f.name, f.purpose, f.keyed_as) for f in fields}
             for model, fields in sealed_columns().items()}
    assert found == {
        "people.Person": {("id_number_enc", "people.id_number", "person_key"), ("phone_enc", "people.phone", ""),
                          ("bank_account_enc", "people.bank_account", "")},
        "providers.Teacher": {("id_number_enc", "people.id_number", "person_key")},
    }


def test_a_person_with_only_a_stale_phone_is_resealed_and_keeps_the_key() -> None:
    with override_settings(DATA_KEY=NEW, DATA_KEYS_RETIRED=[]):
        person = register_person(None, NUMBER, "王五", phone="13812345678")
    with override_settings(DATA_KEY=OLD, DATA_KEYS_RETIRED=[]):
        Person.objects.filter(pk=person.pk).update(phone_enc=crypto.encrypt("13812345678", purpose="people.phone"))
    with override_settings(DATA_KEY=NEW, DATA_KEYS_RETIRED=[OLD]):
        assert rekey_personal_data(None).persons == 1
        moved = Person.objects.get()
        assert moved.pk == person.pk and not crypto.needs_reencryption(moved.phone_enc)
        assert reveal_phone(None, moved, "通知") == "13812345678"
