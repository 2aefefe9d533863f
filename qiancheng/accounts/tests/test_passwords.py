"""Passwords that are the username, or a common password in disguise, are refused (等保 level 3)."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from qiancheng.accounts.models import User
from qiancheng.accounts.passwords import plain_forms


@pytest.mark.parametrize("password", ["Passw0rd!!", "P@ssword123", "!!qwerty123", "Admin12345!"])
def test_disguised_common_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_password(password, User(username="someone"))
    assert "password_too_common" in [error.code for error in refused.value.error_list]


@pytest.mark.parametrize("password", ["nanning-official", "Nanning-Official2026", "nanning-official!!"])
def test_the_username_is_refused(password: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_password(password, User(username="nanning-official"))
    assert "password_is_username" in [error.code for error in refused.value.error_list]


def test_a_strong_password_passes() -> None:
    validate_password("邕江-晨跑-Kapok-7319", User(username="nanning-official"))
    validate_password("tulip-granite-47-orbit", User(username="someone"))


def test_plain_forms_read_look_alikes_as_letters() -> None:
    assert "password" in plain_forms("Passw0rd!!")
    assert "password" in plain_forms("123P@55word")
