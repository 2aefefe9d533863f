"""Re-keying personal data after a DATA_KEY rotation (docs/adr/0001-personal-data-at-rest.md, step 2).

After the new master key is set and the old one moved to QIANCHENG_DATA_KEYS_RETIRED, every token
sealed under the old key is re-encrypted under the new one, and every person_key computed under the
old key is replaced by its value under the new key, in `people_person` and in every column that
refers to it. Foreign keys are deferrable (Django creates them DEFERRABLE INITIALLY DEFERRED on both
databases), so a person's row and its children change together inside one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.apps import apps
from django.db import models, transaction

from qiancheng.people import crypto
from qiancheng.people.crypto import SealedTextField
from qiancheng.people.models import TOKEN_PREFIX, Person

if TYPE_CHECKING:
    from qiancheng.accounts.models import User

# Columns holding a person_key that are not foreign keys: 3.6 names an individual payer by its key.
# Named by app label, read through the registry: people imports no app above it.
_INDIVIDUAL_REFS = (("funding", "SubsidyClaim", "advanced_by", "advanced_by_ref"),
                    ("funding", "SubsidyClaim", "claimant", "claimant_ref"))


@dataclass(frozen=True)
class RekeyReport:
    persons: int
    # Rows re-sealed in every other model with sealed columns, by model label ("providers.teacher": 3).
    others: dict[str, int] = field(default_factory=dict)

    @property
    def teachers(self) -> int:
        return self.others.get("providers.teacher", 0)


def sealed_columns() -> dict[type[models.Model], list[SealedTextField]]:
    """Every installed model with sealed columns (`crypto.SealedTextField`), and those columns."""
    found: dict[type[models.Model], list[SealedTextField]] = {}
    for model in apps.get_models():
        sealed = [f for f in model._meta.concrete_fields if isinstance(f, SealedTextField)]
        if sealed:
            found[model] = sealed
    return found


def _stale(column: str) -> models.Q:
    """Rows whose token was sealed with a key other than the current one."""
    current = f"{TOKEN_PREFIX}{crypto.current_key_id()}."
    return models.Q(**{f"{column}__startswith": TOKEN_PREFIX}) & ~models.Q(**{f"{column}__startswith": current})


def _resealed(token: str, purpose: str) -> str:
    return crypto.encrypt(crypto.decrypt(token, purpose=purpose), purpose=purpose) if token else ""


def _move_references(old: str, new: str) -> None:
    # include_hidden: relations declared with related_name="+" (attendance, evaluations, payments) count too.
    reverse = [f for f in Person._meta.get_fields(include_hidden=True) if f.auto_created and not f.concrete]
    for relation in reverse:
        if relation.many_to_many:
            continue
        fk = relation.field
        fk.model._base_manager.filter(**{fk.attname: old}).update(**{fk.attname: new})
    for app_label, model_name, kind_field, ref_field in _INDIVIDUAL_REFS:
        if not apps.is_installed(f"qiancheng.{app_label}"):
            continue
        model = apps.get_model(app_label, model_name)
        model._base_manager.filter(**{kind_field: "individual", ref_field: old}).update(**{ref_field: new})


def _resealed_row(row: models.Model, sealed: list[SealedTextField]) -> dict[str, str]:
    """New values of a row's sealed columns and of the lookup hashes kept beside them."""
    values: dict[str, str] = {}
    for column in sealed:
        token = getattr(row, column.attname)
        if not token:
            continue
        clear = crypto.decrypt(token, purpose=column.purpose)
        values[column.attname] = crypto.encrypt(clear, purpose=column.purpose)
        if column.keyed_as:
            values[column.keyed_as] = crypto.person_key(clear)
    return values


def _rekey_person(person: Person, sealed: list[SealedTextField]) -> tuple[str, str]:
    old = person.person_key
    values = _resealed_row(person, sealed)
    new = values.pop("person_key")
    Person.objects.filter(pk=old).update(person_key=new, **values)
    if new != old:
        _move_references(old, new)
    return old, new


def _stale_rows(model: type[models.Model], sealed: list[SealedTextField]) -> models.QuerySet:
    condition = models.Q()
    for column in sealed:
        condition |= _stale(column.attname)
    return model._base_manager.filter(condition).order_by("pk")


def _rekey_model(model: type[models.Model], sealed: list[SealedTextField]) -> int:
    count = 0
    for row in _stale_rows(model, sealed).iterator():
        model._base_manager.filter(pk=row.pk).update(**_resealed_row(row, sealed))
        count += 1
    return count


def rekey_personal_data(actor: User | None, batch_size: int = 500) -> RekeyReport:
    """Re-seal and re-key every sealed column still under a retired key; safe to run again.

    Persons go in batches, each one transaction with one audit event listing the old → new person_keys
    (pseudonyms only), so the audit history of a person can be followed across the rotation. Every
    other model with sealed columns (teachers, and whatever is declared with `SealedTextField` later)
    follows, one transaction and one audit event per model.
    """
    from qiancheng.accounts.audit import record_event

    columns = sealed_columns()
    person_columns = columns.pop(Person)
    persons = 0
    while True:
        with transaction.atomic():
            batch = list(_stale_rows(Person, person_columns)[:batch_size])
            if not batch:
                break
            mapping = dict(_rekey_person(person, person_columns) for person in batch)
            record_event(actor, "person.rekeyed", after={"key_id": crypto.current_key_id(), "rekeyed": mapping})
        persons += len(batch)
    others: dict[str, int] = {}
    for model, sealed in columns.items():
        with transaction.atomic():
            count = _rekey_model(model, sealed)
            if count:
                record_event(actor, f"{model._meta.model_name}.rekeyed",
                             after={"key_id": crypto.current_key_id(), "model": model._meta.label_lower,
                                    "rows": count})
        others[model._meta.label_lower] = count
    return RekeyReport(persons=persons, others=others)
