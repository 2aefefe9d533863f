"""Personal data at rest (PIPL): authenticated encryption and the keyed hash `person_key`.

Why and how, including key rotation: docs/adr/0001-personal-data-at-rest.md.

- `encrypt` / `decrypt`: AES-256-GCM with a random 96-bit nonce. A token reads
  `v1.<key id>.<base64url(nonce + ciphertext + tag)>`; `v1` names the format, the key id names the
  key that sealed it, so old tokens stay readable while a new key is rolled out. The prefix and an
  optional `purpose` (e.g. "id_number") are authenticated as associated data: a token moved to another
  column, or with its prefix edited, fails to decrypt instead of yielding a wrong value.
- `person_key`: HMAC-SHA256 of the normalised ID number, 64 hex characters. Equal ID numbers give equal
  keys, so it serves exact lookup and is the distribution column of every person-owned table.

Both keys are derived with HKDF-SHA256 from `settings.DATA_KEY` under different labels, so neither can
be computed from the other. `settings.DATA_KEYS_RETIRED` (optional) holds earlier master keys that
may still decrypt old tokens during a rotation; they never encrypt and never hash.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

from qiancheng.people.identity import normalise_id_number

TOKEN_VERSION = "v1"
NONCE_BYTES = 12  # 96 bits: the size GCM is specified for
KEY_ID_CHARS = 8
PERSON_KEY_CHARS = 64

# Associated-data labels (the `purpose` of a sealed column): a token sealed for one column does not open as
# another. people.services re-exports them under the same names.
ID_NUMBER = "people.id_number"
PHONE = "people.phone"
BANK_ACCOUNT = "people.bank_account"


class SealedTextField(models.TextField):
    """A column of tokens sealed by `encrypt(clear, purpose=purpose)` (empty = no value).

    Declaring a column with this class is what makes a key rotation re-seal it: `people.rotation` finds
    every such column of every installed model through the app registry, so people names no app above
    it. `keyed_as` names the column of the same row that holds `person_key(clear)` (an ID number's
    lookup hash), recomputed with the token; the person's own key is its primary key and moves with
    every reference (`people.rotation`).

    In migrations it is a plain TextField (the class adds no database behaviour), so declaring it
    changed no schema.
    """

    def __init__(self, *args: object, purpose: str = "", keyed_as: str = "", **kwargs: object) -> None:
        self.purpose = purpose
        self.keyed_as = keyed_as
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs

_SALT = b"qiancheng/people/personal-data"
_ENCRYPTION_LABEL = b"qiancheng/people/encryption/aes-256-gcm/v1"
_HASH_LABEL = b"qiancheng/people/person-key/hmac-sha256/v1"
_KEY_ID_LABEL = b"qiancheng/people/key-id/v1"


class DecryptionError(ValueError):
    """A token is malformed, was tampered with, or was sealed under a key this server does not hold."""


@dataclass(frozen=True)
class _SealingKey:
    key_id: str
    aead: AESGCM


@lru_cache(maxsize=16)
def _derive(master: str, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=label).derive(master.encode("utf-8"))


@lru_cache(maxsize=16)
def _sealing_key(master: str) -> _SealingKey:
    key_id = _derive(master, _KEY_ID_LABEL).hex()[:KEY_ID_CHARS]
    return _SealingKey(key_id=key_id, aead=AESGCM(_derive(master, _ENCRYPTION_LABEL)))


def _current_master() -> str:
    master = getattr(settings, "DATA_KEY", "")
    if not master:
        raise RuntimeError("settings.DATA_KEY is empty: personal data cannot be encrypted")
    return master


def _keyring() -> dict[str, _SealingKey]:
    masters = [_current_master(), *getattr(settings, "DATA_KEYS_RETIRED", ())]
    ring: dict[str, _SealingKey] = {}
    for master in masters:
        key = _sealing_key(master)
        ring.setdefault(key.key_id, key)
    return ring


def current_key_id() -> str:
    """The id of the key new tokens are sealed with (a rotation re-encrypts tokens with other ids)."""
    return _sealing_key(_current_master()).key_id


def _associated_data(key_id: str, purpose: str) -> bytes:
    return f"{TOKEN_VERSION}.{key_id}.{purpose}".encode()


def encrypt(text: str, *, purpose: str = "") -> str:
    """Seal `text`; two calls with the same text give different tokens (fresh nonce each time)."""
    key = _sealing_key(_current_master())
    nonce = os.urandom(NONCE_BYTES)
    sealed = key.aead.encrypt(nonce, text.encode("utf-8"), _associated_data(key.key_id, purpose))
    body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
    return f"{TOKEN_VERSION}.{key.key_id}.{body}"


def decrypt(token: str, *, purpose: str = "") -> str:
    """Open a token made by `encrypt` with the same purpose; raise DecryptionError on any tampering."""
    _, key_id, body = _split(token)
    key = _keyring().get(key_id)
    if key is None:
        raise DecryptionError(
            f"密文所用密钥 {key_id} 不在本机密钥环中 / token was sealed with key {key_id}, which this server does not hold"
        )
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError("密文不是有效的 base64 / token body is not valid base64") from exc
    if len(raw) < NONCE_BYTES + 16:
        raise DecryptionError("密文过短 / token is too short to hold a nonce and a tag")
    try:
        plain = key.aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _associated_data(key_id, purpose))
    except InvalidTag as exc:
        raise DecryptionError("密文校验失败，可能被篡改 / token failed authentication: it was altered") from exc
    return plain.decode("utf-8")


def _split(token: str) -> tuple[str, str, str]:
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3 or not all(parts):
        raise DecryptionError("密文格式错误 / token is not of the form version.key_id.body")
    if parts[0] != TOKEN_VERSION:
        raise DecryptionError(f"不支持的密文版本 {parts[0]!r} / unsupported token version {parts[0]!r}")
    return parts[0], parts[1], parts[2]


def needs_reencryption(token: str) -> bool:
    """True when a token was sealed with a retired key (a rotation should re-encrypt it)."""
    return _split(token)[1] != current_key_id()


def _hash_key(master: str | None = None) -> bytes:
    return _derive(master or _current_master(), _HASH_LABEL)


def person_key(id_number: str) -> str:
    """The keyed hash of the normalised ID number: 64 hex characters, stable for one DATA_KEY."""
    normalised = normalise_id_number(id_number)
    return hmac.new(_hash_key(), normalised.encode("utf-8"), hashlib.sha256).hexdigest()


def person_key_candidates(id_number: str) -> list[str]:
    """The person_key under the current key, then under each retired key.

    While a rotation is re-keying the tables (docs/adr/0001), a person may still be stored under the
    key of a retired DATA_KEY; looking up all candidates keeps registration idempotent meanwhile.
    """
    normalised = normalise_id_number(id_number).encode("utf-8")
    masters = [_current_master(), *getattr(settings, "DATA_KEYS_RETIRED", ())]
    keys = [hmac.new(_hash_key(master), normalised, hashlib.sha256).hexdigest() for master in masters]
    return list(dict.fromkeys(keys))


def person_keys(id_numbers: Iterable[str]) -> list[str]:
    """`person_key` for many numbers at once (imports, batch checks): derives the key once."""
    key = _hash_key()
    return [
        hmac.new(key, normalise_id_number(raw).encode("utf-8"), hashlib.sha256).hexdigest()
        for raw in id_numbers
    ]
