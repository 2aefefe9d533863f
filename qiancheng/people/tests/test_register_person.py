"""people.services: registering persons and revealing their sealed values, with the audit trail."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from qiancheng.accounts.models import AuditEntry
from qiancheng.people import crypto
from qiancheng.people.models import Person, PersonCategory, Sex
from qiancheng.people.services import register_person, reveal_bank_account, reveal_id_number, reveal_phone
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


def test_registering_seals_the_number_and_derives_birth_date_sex_and_county() -> None:
    actor = builders.official()
    person = register_person(
        actor, "45030219900307005x", "李四", phone="13812345678",
        category=PersonCategory.RURAL_MIGRANT_WORKER,
    )
    person.refresh_from_db()
    assert person.person_key == crypto.person_key("45030219900307005X")
    assert person.id_number_masked == "450302********005X"
    assert person.birth_date == date(1990, 3, 7)
    assert person.sex == Sex.MALE  # 17th digit 1 is odd
    assert person.county_code == "450302"
    assert person.phone_masked == "138****5678"
    assert crypto.decrypt(person.id_number_enc, purpose="people.id_number") == "45030219900307005X"
    assert person.category == PersonCategory.RURAL_MIGRANT_WORKER


def test_registering_is_audited_with_masked_values_only() -> None:
    actor = builders.official()
    person = register_person(actor, "450102199001011231", "王五", phone="13812345678")
    entry = AuditEntry.objects.get(action="person.registered")
    assert entry.actor == actor and entry.target_pk == person.pk
    assert entry.after["id_number"] == "450102********1231"
    assert "450102199001011231" not in str(entry.after) and "13812345678" not in str(entry.after)


def test_registering_the_same_number_again_returns_the_same_person_and_writes_nothing() -> None:
    first = register_person(None, "45030219900307005X", "李四")
    entries = AuditEntry.objects.count()
    again = register_person(None, " 45030219900307005x ", "李四")
    assert again.pk == first.pk
    assert Person.objects.count() == 1
    assert AuditEntry.objects.count() == entries


def test_the_same_number_under_another_name_is_refused() -> None:
    register_person(None, "45030219900307005X", "李四")
    with pytest.raises(ValidationError, match="另一姓名.*another name"):
        register_person(None, "45030219900307005X", "李思")


def test_a_wrong_check_character_is_refused_in_chinese_and_english_without_echoing_the_number() -> None:
    with pytest.raises(ValidationError) as raised:
        register_person(None, "450102199001011235", "赵六")
    message = raised.value.messages[0]
    assert "无效" in message and "invalid" in message
    assert "450102199001011235" not in message and "450102********1235" in message
    assert not Person.objects.exists()


def test_a_birth_date_after_the_as_of_date_is_refused() -> None:
    number = builders.id_number(birth="20300101")
    with pytest.raises(ValidationError):
        register_person(None, number, "未来", as_of=date(2026, 1, 1))


def test_a_historical_county_code_is_valid() -> None:
    # EXCHANGE.md: numbers keep the code of the place and time they were issued.
    person = register_person(None, "450123199001011233", "隆安人")
    assert person.county_code == "450123"


def test_an_empty_name_is_refused() -> None:
    with pytest.raises(ValidationError, match="姓名"):
        register_person(None, builders.id_number(), "  ")


def test_business_licence_and_benefit_are_recorded() -> None:
    person = register_person(
        None, builders.id_number(), "创业者", business_licence_uscc="91450100MA5KXXXX1A",
        unemployment_benefit_since=date(2025, 3, 1),
    )
    assert person.has_business_licence and person.business_licence_uscc == "91450100MA5KXXXX1A"
    assert person.receiving_unemployment_benefit and person.unemployment_benefit_since == date(2025, 3, 1)


def test_reveal_returns_the_clear_number_and_audits_the_reason() -> None:
    actor = builders.official()
    person = register_person(actor, "450102199001011231", "王五")
    assert reveal_id_number(actor, person, "核对补贴申领 claim C1 review") == "450102199001011231"
    entry = AuditEntry.objects.get(action="person.id_number_revealed")
    assert entry.actor == actor and entry.target_pk == person.pk
    assert entry.reason == "核对补贴申领 claim C1 review"


def test_reveal_without_a_reason_is_refused_and_not_audited() -> None:
    person = register_person(None, "450102199001011231", "王五")
    with pytest.raises(ValidationError, match="理由"):
        reveal_id_number(builders.official(), person, "  ")
    assert not AuditEntry.objects.filter(action="person.id_number_revealed").exists()


def test_reveal_refuses_a_ciphertext_copied_from_another_person() -> None:
    alice = register_person(None, builders.id_number(), "甲")
    bob = register_person(None, builders.id_number(), "乙")
    Person.objects.filter(pk=bob.pk).update(id_number_enc=alice.id_number_enc)
    bob.refresh_from_db()
    with pytest.raises(crypto.DecryptionError):
        reveal_id_number(builders.official(), bob, "核对")
    assert not AuditEntry.objects.filter(action="person.id_number_revealed").exists()


def test_phone_and_bank_account_reveal_like_the_id_number() -> None:
    actor = builders.official()
    person = register_person(actor, builders.id_number(), "丙", phone="13812345678", bank_account="6222021234567890123")
    assert reveal_phone(actor, person, "通知领证") == "13812345678"
    assert reveal_bank_account(actor, person, "生成拨付文件") == "6222021234567890123"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"person.phone_revealed", "person.bank_account_revealed"} <= actions


def test_revealing_a_value_never_recorded_says_so() -> None:
    person = register_person(None, builders.id_number(), "丁")
    with pytest.raises(ValidationError, match="未登记"):
        reveal_bank_account(builders.official(), person, "生成拨付文件")


def test_registration_stays_idempotent_while_a_key_rotation_is_under_way() -> None:
    from django.test import override_settings

    old_key, new_key = "o" * 43, "n" * 43
    with override_settings(DATA_KEY=old_key, DATA_KEYS_RETIRED=[]):
        first = register_person(None, "450102199001011231", "王五")
    with override_settings(DATA_KEY=new_key, DATA_KEYS_RETIRED=[old_key]):
        again = register_person(None, "450102199001011231", "王五")
        assert reveal_id_number(builders.official(), again, "核对") == "450102199001011231"
    assert again.pk == first.pk and Person.objects.count() == 1
