"""State changes of persons: registering, and every read of a clear personal value (PIPL).

Each function takes the acting user, runs in one transaction and writes the audit trail. The audit
trail only ever sees masked values: a clear ID number, phone or bank account never leaves this module
except as the return value of a `reveal_*` call, which is itself an audit event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import polars as pl
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from qiancheng.clock import today
from qiancheng.people import crypto
from qiancheng.people.identity import check_id_number
from qiancheng.people.masking import mask_bank_account, mask_id_number, mask_phone
from qiancheng.people.models import Person, PersonCategory
from qiancheng.web.tabular import write_frame

if TYPE_CHECKING:
    from qiancheng.accounts.models import User

# Associated-data labels: a token sealed for one column does not open as another (declared with the columns).
ID_NUMBER, PHONE, BANK_ACCOUNT = crypto.ID_NUMBER, crypto.PHONE, crypto.BANK_ACCOUNT


def _masked_view(person: Person | Mapping[str, object]) -> dict[str, object]:
    """What the audit trail records about a person (a Person, or the row `_new_person` makes): never a clear
    personal value."""
    row = person if isinstance(person, Mapping) else {name: getattr(person, name) for name in _MASKED_FIELDS}
    return {
        "id_number": row["id_number_masked"],
        "name": row["name"],
        "sex": row["sex"],
        "birth_date": row["birth_date"],
        "county_code": row["county_code"],
        "phone": row["phone_masked"],
        "bank_account": row["bank_account_masked"],
        "category": row["category"],
        "has_business_licence": row["has_business_licence"],
        "receiving_unemployment_benefit": row["receiving_unemployment_benefit"],
        "unemployment_benefit_since": row["unemployment_benefit_since"],
    }


_MASKED_FIELDS = ("id_number_masked", "name", "sex", "birth_date", "county_code", "phone_masked",
                  "bank_account_masked", "category", "has_business_licence", "receiving_unemployment_benefit",
                  "unemployment_benefit_since")


def _checked_number(id_number: str, as_of: date | None) -> tuple[str, date, str]:
    check = check_id_number(id_number, as_of=as_of)
    if not check.is_valid or check.birth_date is None or check.sex is None:
        reasons = "；".join(reason.zh for reason in check.errors)
        reasons_en = "; ".join(reason.en for reason in check.errors)
        raise ValidationError(
            f"身份证号 {mask_id_number(check.normalised)} 无效：{reasons} / "
            f"ID number {mask_id_number(check.normalised)} is invalid: {reasons_en}",
            code="invalid_id_number",
        )
    return check.normalised, check.birth_date, check.sex


def _validated_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationError("姓名不能为空 / name must not be empty", code="name_required")
    if len(cleaned) > 64:
        raise ValidationError("姓名超过64个字符 / name is longer than 64 characters", code="name_too_long")
    return cleaned


def _new_person(
    normalised: str,
    name: str,
    birth_date: date,
    sex: str,
    phone: str | None,
    bank_account: str | None,
    category: str,
    business_licence_uscc: str,
    unemployment_benefit_since: date | None,
    key: str,
) -> dict[str, object]:
    """The new person's row, column by column, as it is inserted (`_insert_persons`)."""
    phone = "".join((phone or "").split())
    bank_account = "".join((bank_account or "").split())
    return {
        "person_key": key,
        "id_number_enc": crypto.encrypt(normalised, purpose=ID_NUMBER),
        "id_number_masked": mask_id_number(normalised),
        "name": name,
        "sex": sex,
        "birth_date": birth_date,
        "county_code": normalised[:6],
        "phone_enc": crypto.encrypt(phone, purpose=PHONE) if phone else "",
        "phone_masked": mask_phone(phone) if phone else "",
        "bank_account_enc": crypto.encrypt(bank_account, purpose=BANK_ACCOUNT) if bank_account else "",
        "bank_account_masked": mask_bank_account(bank_account) if bank_account else "",
        "category": category,
        "has_business_licence": bool(business_licence_uscc),
        "business_licence_uscc": business_licence_uscc,
        "receiving_unemployment_benefit": unemployment_benefit_since is not None,
        "unemployment_benefit_since": unemployment_benefit_since,
    }


# The inserted columns' types; created_at takes the insert's time (web.tabular.write_frame).
_PERSON_SCHEMA = {
    name: pl.Date if name in ("birth_date", "unemployment_benefit_since") else (
        pl.Boolean if name in ("has_business_licence", "receiving_unemployment_benefit") else pl.String)
    for name in ("person_key", "id_number_enc", "id_number_masked", "name", "sex", "birth_date", "county_code",
                 "phone_enc", "phone_masked", "bank_account_enc", "bank_account_masked", "category",
                 "has_business_licence", "business_licence_uscc", "receiving_unemployment_benefit",
                 "unemployment_benefit_since")
}


def _insert_persons(rows: list[dict[str, object]]) -> None:
    """The new rows straight into the table (executemany / COPY): model instances and `bulk_create` cost ten
    times more at a 100,000-row roster (bench/README.md, 2026-12-07). Person has no database-side defaults
    beyond created_at, so the rows are exactly what `Person(**row).save()` would store."""
    frame = pl.DataFrame({name: [row[name] for row in rows] for name in _PERSON_SCHEMA}, schema=_PERSON_SCHEMA)
    # A number registered meanwhile by another request surfaces as Django's IntegrityError on both databases
    # (COPY talks to psycopg directly), which `register_persons` answers by reading again.
    with connection.wrap_database_errors:
        write_frame(Person, frame)


@dataclass(frozen=True)
class PersonRow:
    """One person to register: the clear values as given (never stored or audited in clear)."""

    id_number: str
    name: str
    phone: str | None = None
    bank_account: str | None = None
    category: str = PersonCategory.OTHER
    business_licence_uscc: str = ""
    unemployment_benefit_since: date | None = None


@dataclass(frozen=True)
class Registration:
    """What `register_persons` did: each row's stored person_key (keyed by its current key), and how many
    persons were new."""

    keys: dict[str, str]
    created: int

    def stored_key(self, id_number: str) -> str:
        """The key the person of this number is stored under (a retired one during a key rotation)."""
        return self.keys[crypto.person_key(id_number)]


def _checked_row(row: PersonRow, as_of: date | None) -> tuple[str, PersonRow, date, str]:
    normalised, birth_date, sex = _checked_number(row.id_number, as_of)
    if row.category not in PersonCategory.values:
        raise ValidationError(f"人员类别 {row.category!r} 无效 / unknown person category {row.category!r}",
                              code="category")
    return normalised, PersonRow(normalised, _validated_name(row.name), row.phone, row.bank_account, row.category,
                                 row.business_licence_uscc.strip().upper(), row.unemployment_benefit_since), \
        birth_date, sex


def _stored_under(candidates: dict[str, str]) -> dict[str, tuple[str, str]]:
    """For each candidate key (current or retired) found in the table: (the row's current key, stored name)."""
    found: dict[str, tuple[str, str]] = {}
    keys = list(candidates)
    for start in range(0, len(keys), 2000):
        rows = Person.objects.filter(person_key__in=keys[start:start + 2000]).values_list("person_key", "name")
        for stored, name in rows:
            found.setdefault(candidates[stored], (stored, name))
    return found


def register_persons(actor: User | None, rows: list[PersonRow], *, as_of: date | None = None) -> Registration:
    """The one writer of Person rows: register each row's person, or find the one already registered.

    Used by single registration, the enrolment of one trainee and the roster import alike. Every number is
    checked (GB 11643); a registered person is found under the current key or any retired key (a key
    rotation in progress, people.rotation), so it is never registered twice; a registered number given with
    another name is refused (name_mismatch), as is one number given twice with two names. New persons are
    inserted in one bulk write and each gets its own "person.registered" audit entry (masked values only).
    """
    checked: dict[str, tuple[PersonRow, date, str]] = {}
    as_of = as_of or today()  # read once: the programme's clock costs more than checking a number
    for row in rows:
        normalised, clean, birth_date, sex = _checked_row(row, as_of)
        key = crypto.person_key(normalised)
        if key in checked and checked[key][0].name != clean.name:
            raise ValidationError(f"身份证号 {mask_id_number(normalised)} 出现两次且姓名不同 / ID number "
                                  f"{mask_id_number(normalised)} is given twice with two names", code="name_mismatch")
        checked.setdefault(key, (clean, birth_date, sex))
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _register_checked(actor, checked)
        except IntegrityError:
            # Another request registered one of these numbers between our read and our insert: read again.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _register_checked(actor: User | None, checked: dict[str, tuple[PersonRow, date, str]]) -> Registration:
    candidates = {candidate: key for key, (row, _, _) in checked.items()
                  for candidate in crypto.person_key_candidates(row.id_number)}
    existing = _stored_under(candidates)
    keys: dict[str, str] = {}
    new: list[dict[str, object]] = []
    for key, (row, birth_date, sex) in checked.items():
        if key in existing:
            stored, name = existing[key]
            if name != row.name:
                raise ValidationError(
                    f"身份证号 {mask_id_number(row.id_number)} 已登记为另一姓名，请核实 / "
                    f"ID number {mask_id_number(row.id_number)} is registered under another name: please check",
                    code="name_mismatch",
                )
            keys[key] = stored
            continue
        new.append(_new_person(row.id_number, row.name, birth_date, sex, row.phone, row.bank_account, row.category,
                               row.business_licence_uscc, row.unemployment_benefit_since, key))
        keys[key] = key
    if new:
        from qiancheng.accounts.audit import record_events

        _insert_persons(new)
        record_events(actor, "person.registered", Person, ((p["person_key"], _masked_view(p)) for p in new))
    return Registration(keys, len(new))


def register_person(
    actor: User | None,
    id_number: str,
    name: str,
    phone: str | None = None,
    *,
    bank_account: str | None = None,
    category: str = PersonCategory.OTHER,
    business_licence_uscc: str = "",
    unemployment_benefit_since: date | None = None,
    as_of: date | None = None,
) -> Person:
    """Register a person by ID number, or return the one already registered with it.

    The number is checked (GB 11643, identity.check_id_number); birth date, sex and county code come
    from it. Idempotent on person_key: registering the same number again (in any spelling that
    normalises alike) returns the existing person unchanged and writes nothing. A different name for a
    registered number is refused rather than silently accepted or overwritten: it is either a typing
    error or an identity problem, and both need a person to look.
    """
    row = PersonRow(id_number, name, phone, bank_account, category, business_licence_uscc, unemployment_benefit_since)
    registration = register_persons(actor, [row], as_of=as_of)
    return Person.objects.get(person_key=next(iter(registration.keys.values())))


def _record(actor: User | None, action: str, person: Person, **details: object) -> None:
    # Imported here so this module loads before the accounts app is migrated or while it is rebuilt.
    from qiancheng.accounts.audit import record_event

    record_event(actor, action, target=person, **details)  # type: ignore[arg-type]


_WHAT_ZH = {"id_number": "身份证号", "phone": "手机号", "bank_account": "银行账号"}


def _reveal(
    actor: User | None, person: Person, reason: str, what: str, token: str | None, purpose: str
) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            "查看完整个人信息须说明理由 / a reason is required to see a personal value in clear",
            code="reason_required",
        )
    if not token:
        raise ValidationError(
            f"该人员未登记{_WHAT_ZH[what]} / this person has no {what.replace('_', ' ')} on record",
            code="nothing_to_reveal",
        )
    clear = crypto.decrypt(token, purpose=purpose)
    if what == "id_number" and person.person_key not in crypto.person_key_candidates(clear):
        # A ciphertext copied from another row would otherwise reveal someone else's number.
        raise crypto.DecryptionError("身份证号密文与人员标识不符 / the sealed ID number does not belong to this person")
    with transaction.atomic():
        _record(actor, f"person.{what}_revealed", person, reason=reason)
    return clear


def reveal_id_number(actor: User | None, person: Person, reason: str) -> str:
    """The clear ID number, for a stated reason; the read itself is an audit event (PIPL)."""
    return _reveal(actor, person, reason, "id_number", person.id_number_enc, ID_NUMBER)


def reveal_phone(actor: User | None, person: Person, reason: str) -> str:
    """The clear phone number, for a stated reason; audited like an ID number."""
    return _reveal(actor, person, reason, "phone", person.phone_enc, PHONE)


def reveal_bank_account(actor: User | None, person: Person, reason: str) -> str:
    """The clear bank account (for a payment file), for a stated reason; audited."""
    return _reveal(actor, person, reason, "bank_account", person.bank_account_enc, BANK_ACCOUNT)
