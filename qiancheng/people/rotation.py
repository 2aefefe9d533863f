"""Re-keying personal data after a DATA_KEY rotation (docs/adr/0001-personal-data-at-rest.md, step 2).

After the new master key is set and the old one moved to QIANCHENG_DATA_KEYS_RETIRED, every token
sealed under the old key is re-encrypted under the new one, and every person_key computed under the
old key is replaced by its value under the new key, in `people_person` and in every column that
refers to it. Foreign keys are deferrable (Django creates them DEFERRABLE INITIALLY DEFERRED on both
databases), so a person's row and its children change together inside one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models, transaction

from qiancheng.people import crypto
from qiancheng.people.models import TOKEN_PREFIX, Person
from qiancheng.people.services import BANK_ACCOUNT, ID_NUMBER, PHONE

if TYPE_CHECKING:
    from qiancheng.accounts.models import User

# Columns holding a person_key that are not foreign keys: 3.6 names an individual payer by its key.
_INDIVIDUAL_REFS = (("funding", "SubsidyClaim", "advanced_by", "advanced_by_ref"),
                    ("funding", "SubsidyClaim", "claimant", "claimant_ref"))


@dataclass(frozen=True)
class RekeyReport:
    persons: int
    teachers: int


def _stale(column: str) -> models.Q:
    """Rows whose token was sealed with a key other than the current one."""
    current = f"{TOKEN_PREFIX}{crypto.current_key_id()}."
    return models.Q(**{f"{column}__startswith": TOKEN_PREFIX}) & ~models.Q(**{f"{column}__startswith": current})


def _resealed(token: str, purpose: str) -> str:
    return crypto.encrypt(crypto.decrypt(token, purpose=purpose), purpose=purpose) if token else ""


def _move_references(old: str, new: str) -> None:
    from django.apps import apps

    # include_hidden: relations declared with related_name="+" (attendance, evaluations, payments) count too.
    reverse = [f for f in Person._meta.get_fields(include_hidden=True) if f.auto_created and not f.concrete]
    for relation in reverse:
        if relation.many_to_many:
            continue
        field = relation.field
        field.model._base_manager.filter(**{field.attname: old}).update(**{field.attname: new})
    for app_label, model_name, kind_field, ref_field in _INDIVIDUAL_REFS:
        model = apps.get_model(app_label, model_name)
        model._base_manager.filter(**{kind_field: "individual", ref_field: old}).update(**{ref_field: new})


def _rekey_person(person: Person) -> tuple[str, str]:
    clear = crypto.decrypt(person.id_number_enc, purpose=ID_NUMBER)
    old, new = person.person_key, crypto.person_key(clear)
    Person.objects.filter(pk=old).update(
        person_key=new,
        id_number_enc=crypto.encrypt(clear, purpose=ID_NUMBER),
        phone_enc=_resealed(person.phone_enc, PHONE),
        bank_account_enc=_resealed(person.bank_account_enc, BANK_ACCOUNT),
    )
    if new != old:
        _move_references(old, new)
    return old, new


def _rekey_teachers() -> int:
    from qiancheng.providers.models import Teacher

    count = 0
    for teacher in Teacher.objects.filter(_stale("id_number_enc")).iterator():
        clear = crypto.decrypt(teacher.id_number_enc, purpose=ID_NUMBER)
        Teacher.objects.filter(pk=teacher.pk).update(
            id_number_enc=crypto.encrypt(clear, purpose=ID_NUMBER), person_key=crypto.person_key(clear)
        )
        count += 1
    return count


def rekey_personal_data(actor: User | None, batch_size: int = 500) -> RekeyReport:
    """Re-seal and re-key every person and teacher still under a retired key; safe to run again.

    Each batch is one transaction with one audit event listing the old → new person_keys (pseudonyms
    only), so the audit history of a person can be followed across the rotation.
    """
    from qiancheng.accounts.audit import record_event

    persons = 0
    while True:
        with transaction.atomic():
            batch = list(Person.objects.filter(_stale("id_number_enc")).order_by("pk")[:batch_size])
            if not batch:
                break
            mapping = dict(_rekey_person(person) for person in batch)
            record_event(actor, "person.rekeyed", after={"key_id": crypto.current_key_id(), "rekeyed": mapping})
        persons += len(batch)
    with transaction.atomic():
        teachers = _rekey_teachers()
        if teachers:
            record_event(actor, "teacher.rekeyed", after={"key_id": crypto.current_key_id(), "teachers": teachers})
    return RekeyReport(persons=persons, teachers=teachers)
