"""No clear personal value is ever stored: a scan of every text column of every table after real use."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from qiancheng.people.models import Person
from qiancheng.people.services import register_person, reveal_id_number
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

PEOPLE = [
    ("450102199001011231", "王五", "13812345678", "6222021234567890123"),
    ("45030219900307005X", "李四", "13987654321", "6217001234567890"),
    ("450123199001011233", "隆安人", "15900001111", "6228480012345678901"),
]


def _all_stored_text() -> str:
    """Every value of every column of every table, as text: what a stolen database file would show."""
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # table names come from introspection
            chunks.extend(str(value) for row in cursor.fetchall() for value in row if value is not None)
    return "\n".join(chunks)


def test_registered_people_leave_no_clear_id_phone_or_bank_account_anywhere_in_the_database() -> None:
    actor = builders.official()
    for number, name, phone, bank in PEOPLE:
        person = register_person(actor, number, name, phone=phone, bank_account=bank)
        reveal_id_number(actor, person, "核对")  # the reveal's audit entry must not hold it either
        enrolment = builders.enrolment(trainee=person)
        assert enrolment.person_id == person.person_key
    stored = _all_stored_text()
    assert "王五" in stored  # the scan does see the people tables
    for number, _, phone, bank in PEOPLE:
        assert number not in stored
        assert number[6:14] + number[14:] not in stored  # not even the birth date and sequence together
        assert phone not in stored and bank not in stored


@pytest.mark.parametrize(
    "column", ["id_number_enc", "phone_enc", "bank_account_enc"]
)
def test_the_database_refuses_a_clear_value_in_a_ciphertext_column(column: str) -> None:
    person = register_person(None, builders.id_number(), "戊", phone="13812345678", bank_account="6222021234567890")
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=person.pk).update(**{column: "450102199001011231"})


def test_the_database_refuses_an_unmasked_id_number_in_the_masked_column() -> None:
    person = register_person(None, builders.id_number(), "己")
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=person.pk).update(id_number_masked="450102199001011231")
