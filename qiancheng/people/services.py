"""State changes of persons: registering, and every read of a clear personal value (PIPL).

Each function takes the acting user, runs in one transaction and writes the audit trail. The audit
trail only ever sees masked values: a clear ID number, phone or bank account never leaves this module
except as the return value of a `reveal_*` call, which is itself an audit event.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from qiancheng.people import crypto
from qiancheng.people.identity import check_id_number
from qiancheng.people.masking import mask_bank_account, mask_id_number, mask_phone
from qiancheng.people.models import Person, PersonCategory

if TYPE_CHECKING:
    from qiancheng.accounts.models import User

# Associated-data labels: a token sealed for one column does not open as another (declared with the columns).
ID_NUMBER, PHONE, BANK_ACCOUNT = crypto.ID_NUMBER, crypto.PHONE, crypto.BANK_ACCOUNT


def _masked_view(person: Person) -> dict[str, object]:
    """What the audit trail records about a person: never a clear personal value."""
    return {
        "id_number": person.id_number_masked,
        "name": person.name,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "county_code": person.county_code,
        "phone": person.phone_masked,
        "bank_account": person.bank_account_masked,
        "category": person.category,
        "has_business_licence": person.has_business_licence,
        "receiving_unemployment_benefit": person.receiving_unemployment_benefit,
        "unemployment_benefit_since": person.unemployment_benefit_since,
    }


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
) -> Person:
    phone = "".join((phone or "").split())
    bank_account = "".join((bank_account or "").split())
    return Person(
        person_key=crypto.person_key(normalised),
        id_number_enc=crypto.encrypt(normalised, purpose=ID_NUMBER),
        id_number_masked=mask_id_number(normalised),
        name=name,
        sex=sex,
        birth_date=birth_date,
        county_code=normalised[:6],
        phone_enc=crypto.encrypt(phone, purpose=PHONE) if phone else "",
        phone_masked=mask_phone(phone) if phone else "",
        bank_account_enc=crypto.encrypt(bank_account, purpose=BANK_ACCOUNT) if bank_account else "",
        bank_account_masked=mask_bank_account(bank_account) if bank_account else "",
        category=category,
        has_business_licence=bool(business_licence_uscc),
        business_licence_uscc=business_licence_uscc,
        receiving_unemployment_benefit=unemployment_benefit_since is not None,
        unemployment_benefit_since=unemployment_benefit_since,
    )


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
    normalised, birth_date, sex = _checked_number(id_number, as_of)
    name = _validated_name(name)
    if category not in PersonCategory.values:
        raise ValidationError(f"人员类别 {category!r} 无效 / unknown person category {category!r}", code="category")
    key = crypto.person_key(normalised)
    with transaction.atomic():
        # Every candidate key: during a key rotation the person may still be stored under a retired key.
        existing = Person.objects.filter(person_key__in=crypto.person_key_candidates(normalised)).first()
        if existing is not None:
            return _same_person(existing, name)
        person = _new_person(
            normalised, name, birth_date, sex, phone, bank_account, category,
            business_licence_uscc.strip().upper(), unemployment_benefit_since,
        )
        try:
            with transaction.atomic():
                person.save(force_insert=True)
        except IntegrityError:
            # Another request registered the same number between our read and our insert.
            return _same_person(Person.objects.get(person_key=key), name)
        _record(actor, "person.registered", person, after=_masked_view(person))
    return person


def _same_person(existing: Person, name: str) -> Person:
    if existing.name != name:
        raise ValidationError(
            f"身份证号 {existing.id_number_masked} 已登记为另一姓名，请核实 / "
            f"ID number {existing.id_number_masked} is registered under another name: please check",
            code="name_mismatch",
        )
    return existing


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
