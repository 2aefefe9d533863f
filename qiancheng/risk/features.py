"""What risk reads of persons, without writing any clear personal value anywhere.

The ID number stays sealed: linkage uses what the Person row keeps in clear (name and its toneless pinyin, sex and birth date
from the number, the county of issue, the masked number's last four characters). Phones are opened in
memory only to be replaced at once by a keyed hash (HMAC-SHA256 under a key derived from DATA_KEY with
risk's own label, so it cannot be compared with person_key); the read is one audit entry per run.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from pypinyin import Style, lazy_pinyin

from qiancheng.accounts.audit import record_event
from qiancheng.people import crypto
from qiancheng.people.models import Person

_PHONE_LABEL = b"qiancheng risk phone hash v1"
_BANK_LABEL = b"qiancheng risk bank account hash v1"


@lru_cache(maxsize=8)
def _derived_key(master: str, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(master.encode("utf-8"))


def _phone_key(master: str) -> bytes:
    return _derived_key(master, _PHONE_LABEL)


def _digits_hash(clear: str, label: bytes) -> str:
    digits = "".join(ch for ch in clear if ch.isdigit())
    return hmac.new(_derived_key(settings.DATA_KEY, label), digits.encode("utf-8"), hashlib.sha256).hexdigest()


def phone_hash(clear: str) -> str:
    """Digits only, so "0771-5551234" of an institution and "07715551234" of a trainee compare equal."""
    return _digits_hash(clear, _PHONE_LABEL)


def bank_hash(clear: str) -> str:
    """A bank account under its own derived key: it cannot be compared with a phone hash or person_key."""
    return _digits_hash(clear, _BANK_LABEL)


@lru_cache(maxsize=1 << 18)  # names repeat a great deal across a register; pypinyin costs ~50 µs a name
def name_pinyin(name: str) -> str:
    """The name in toneless pinyin, syllables space-separated: homophones and variant characters (张伟 / 章伟,
    李娜 / 李纳) read the same, so linkage can score them as a near match. Characters pypinyin does not know
    (Latin letters, a rare variant) are kept as they are."""
    return " ".join(lazy_pinyin(name.strip(), style=Style.NORMAL, errors="default"))


def name_fields(name: str) -> dict[str, str]:
    """The name as linkage reads it: the name, its first character, its toneless pinyin, and the pinyin of its
    first syllable (the surname as it sounds: 张 and 章 both "zhang"), which blocks with the birth date."""
    spoken = name_pinyin(name)
    return {"name": name.strip(), "surname": name.strip()[:1], "name_pinyin": spoken,
            "surname_pinyin": spoken.split(" ", 1)[0]}


def _sealed_hashes(actor: Any, person_keys: Iterable[str] | None, column: str, purpose: str,
                   hasher: Callable[[str], str], action: str, purpose_note: str) -> dict[str, str]:
    """person_key -> keyed hash of one sealed column for the persons given (all when None); the read of the
    clear values is audited once, as `action`."""
    rows = Person.objects.exclude(**{column: ""})
    if person_keys is not None:
        rows = rows.filter(person_key__in=list(person_keys))
    hashes_by_person = {
        key: hasher(crypto.decrypt(token, purpose=purpose))
        for key, token in rows.values_list("person_key", column).iterator(chunk_size=5000)
    }
    if hashes_by_person:
        with transaction.atomic():
            record_event(actor, action, after={"persons": len(hashes_by_person)}, reason=purpose_note)
    return hashes_by_person


def phone_hashes(actor: Any, person_keys: Iterable[str] | None, purpose_note: str) -> dict[str, str]:
    """person_key -> keyed phone hash for the persons given (all when None); audited once."""
    return _sealed_hashes(actor, person_keys, "phone_enc", crypto.PHONE, phone_hash,
                          "person.phones_read_for_risk", purpose_note)


def bank_hashes(actor: Any, person_keys: Iterable[str] | None, purpose_note: str) -> dict[str, str]:
    """person_key -> keyed bank-account hash for the persons given (all when None); audited once."""
    return _sealed_hashes(actor, person_keys, "bank_account_enc", crypto.BANK_ACCOUNT, bank_hash,
                          "person.bank_accounts_read_for_risk", purpose_note)


def person_records(actor: Any) -> list[dict[str, Any]]:
    """One row per person for linkage: clear fields the model keeps, plus the phone hash."""
    phones = phone_hashes(actor, None, "风险识别：疑似同一人比对 / risk: person linkage")
    rows = []
    for key, name, sex, birth, county, masked in Person.objects.values_list(
        "person_key", "name", "sex", "birth_date", "county_code", "id_number_masked"
    ).iterator(chunk_size=5000):
        rows.append({
            "unique_id": key, **name_fields(name), "sex": sex,
            "birth_date": birth.isoformat(), "county_code": county, "id_tail": masked[-4:],
            "phone_hash": phones.get(key),
        })
    return rows
