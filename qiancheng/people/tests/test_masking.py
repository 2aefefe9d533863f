from __future__ import annotations

import pytest

from qiancheng.people.masking import mask_bank_account, mask_id_number, mask_phone


def test_id_number_keeps_division_code_and_last_four() -> None:
    assert mask_id_number("450102199001011234") == "450102********1234"


def test_id_number_is_normalised_before_masking() -> None:
    assert mask_id_number(" 45030219900307005x ") == "450302********005X"


def test_phone_keeps_first_three_and_last_four() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("138 1234 5678") == "138****5678"


def test_bank_account_shows_only_last_four() -> None:
    assert mask_bank_account("6222021234567890123") == "***************0123"
    assert mask_bank_account("6222 0212 3456 7890 123") == "***************0123"


@pytest.mark.parametrize("mask", [mask_id_number, mask_phone, mask_bank_account])
def test_short_values_are_still_mostly_hidden(mask) -> None:  # type: ignore[no-untyped-def]
    masked = mask("12345")
    assert len(masked) == 5 and masked.count("*") >= 3
