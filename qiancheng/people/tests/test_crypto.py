"""Encryption at rest and the keyed hash (docs/adr/0001-personal-data-at-rest.md)."""

from __future__ import annotations

import base64

import pytest
from django.test import override_settings

from qiancheng.people import crypto

ID = "450102199001011234"
KEY_A = "a" * 43
KEY_B = "b" * 43


def _flip_body_byte(token: str, index: int) -> str:
    version, key_id, body = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[index] ^= 0x01
    return f"{version}.{key_id}.{base64.urlsafe_b64encode(bytes(raw)).decode().rstrip('=')}"


@pytest.mark.parametrize("text", [ID, "", "张三 13812345678", "6222 0212 3456 7890 123"])
def test_decrypt_returns_what_was_encrypted(text: str) -> None:
    assert crypto.decrypt(crypto.encrypt(text)) == text


def test_two_encryptions_of_the_same_value_differ() -> None:
    first, second = crypto.encrypt(ID), crypto.encrypt(ID)
    assert first != second
    assert crypto.decrypt(first) == crypto.decrypt(second) == ID


def test_token_names_format_and_key_and_hides_the_value() -> None:
    token = crypto.encrypt(ID)
    version, key_id, body = token.split(".")
    assert (version, key_id) == ("v1", crypto.current_key_id())
    assert ID not in token and "1990" not in body


@pytest.mark.parametrize("index", [0, 11, 12, -1])  # nonce first/last byte, first ciphertext byte, tag
def test_a_flipped_bit_anywhere_is_detected(index: int) -> None:
    with pytest.raises(crypto.DecryptionError, match="篡改|altered"):
        crypto.decrypt(_flip_body_byte(crypto.encrypt(ID), index))


def test_a_token_opened_for_another_purpose_fails() -> None:
    token = crypto.encrypt(ID, purpose="people.id_number")
    assert crypto.decrypt(token, purpose="people.id_number") == ID
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, purpose="people.phone")


@pytest.mark.parametrize(
    "token",
    [ID, "v1.deadbeef", "v2.00000000.AAAA", "v1..AAAA", "v1.{kid}.!!!not-base64!!!", "v1.{kid}.AAAA"],
)
def test_malformed_tokens_raise_a_clear_error(token: str) -> None:
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token.format(kid=crypto.current_key_id()))


def test_an_edited_key_id_is_refused() -> None:
    version, _, body = crypto.encrypt(ID).split(".")
    with pytest.raises(crypto.DecryptionError, match="key"):
        crypto.decrypt(f"{version}.00000000.{body}")


def test_rotation_old_tokens_open_while_their_key_is_retired_and_not_after() -> None:
    with override_settings(DATA_KEY=KEY_A, DATA_KEYS_RETIRED=[]):
        old = crypto.encrypt(ID)
    with override_settings(DATA_KEY=KEY_B, DATA_KEYS_RETIRED=[KEY_A]):
        assert crypto.decrypt(old) == ID
        assert crypto.needs_reencryption(old)
        assert not crypto.needs_reencryption(crypto.encrypt(ID))
    with override_settings(DATA_KEY=KEY_B, DATA_KEYS_RETIRED=[]), pytest.raises(crypto.DecryptionError):
        crypto.decrypt(old)


def test_person_key_is_64_hex_and_stable() -> None:
    key = crypto.person_key(ID)
    assert len(key) == 64 and int(key, 16) >= 0
    assert crypto.person_key(ID) == key


def test_person_key_hashes_the_normalised_number() -> None:
    upper, lower = "45030219900307005X", " 45030219900307005x "
    full_width = "４５０３０２１９９００３０７００５x"  # full-width digits
    assert crypto.person_key(lower) == crypto.person_key(upper) == crypto.person_key(full_width)
    assert crypto.person_key("450302199003070629") != crypto.person_key(upper)


def test_person_key_differs_across_data_keys_and_from_a_plain_hash() -> None:
    import hashlib

    with override_settings(DATA_KEY=KEY_A):
        under_a = crypto.person_key(ID)
    with override_settings(DATA_KEY=KEY_B):
        under_b = crypto.person_key(ID)
    assert under_a != under_b
    assert hashlib.sha256(ID.encode()).hexdigest() not in (under_a, under_b)


def test_person_keys_in_bulk_equal_one_by_one() -> None:
    numbers = [ID, "45030219900307005x", "450102200001010011"]
    assert crypto.person_keys(numbers) == [crypto.person_key(number) for number in numbers]


def test_person_key_candidates_cover_the_retired_keys_in_order() -> None:
    with override_settings(DATA_KEY=KEY_A, DATA_KEYS_RETIRED=[]):
        under_a = crypto.person_key(ID)
        assert crypto.person_key_candidates(ID) == [under_a]
    with override_settings(DATA_KEY=KEY_B, DATA_KEYS_RETIRED=[KEY_A]):
        assert crypto.person_key_candidates(ID) == [crypto.person_key(ID), under_a]
