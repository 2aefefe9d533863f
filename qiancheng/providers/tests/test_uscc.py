"""Unified social credit codes: stdnum's rules, errors and warnings in Chinese and English."""

from __future__ import annotations

import pytest
from stdnum.cn import uscc

from qiancheng.providers.uscc import check_uscc, normalise_uscc

# stdnum's documented example: registered in Beijing (110000) by market regulation (9), an enterprise (1)
VALID = "91110000600037341L"


def with_check_character(first17: str) -> str:
    return first17 + uscc.calc_check_digit(first17)


def test_a_real_code_is_valid_with_its_region():
    check = check_uscc(VALID)
    assert check.is_valid and check.errors == () and check.warnings == ()
    assert check.region_code == "110000"
    assert check.normalised == VALID


def test_spaces_dashes_and_lower_case_are_normalised():
    assert normalise_uscc(" 9111-0000-6000-3734-1l ") == VALID
    assert check_uscc(" 9111 0000 6000 3734 1l").is_valid


def test_wrong_check_character_names_the_expected_one():
    check = check_uscc(VALID[:-1] + "A")
    assert not check.is_valid and [e.code for e in check.errors] == ["check_character"]
    assert check.errors[0].zh == "统一社会信用代码校验位错误（应为L）"
    assert check.errors[0].en == "unified social credit code check character is wrong (expected L)"


@pytest.mark.parametrize("raw", [VALID[:-1], VALID + "0", ""])
def test_wrong_length(raw):
    check = check_uscc(raw)
    assert not check.is_valid and [e.code for e in check.errors] == ["length"]
    assert "18位" in check.errors[0].zh and "18 characters" in check.errors[0].en
    assert check.region_code is None


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_letters_outside_the_code_alphabet_are_a_format_error(letter):
    check = check_uscc(VALID[:10] + letter + VALID[11:])
    assert not check.is_valid and [e.code for e in check.errors] == ["format"]
    assert "I、O、S、V、Z" in check.errors[0].zh


def test_a_letter_among_the_region_digits_is_a_format_error():
    check = check_uscc(with_check_character("911100A0600037341"))
    assert not check.is_valid and [e.code for e in check.errors] == ["format"]


def test_letter_authorities_of_the_standard_are_accepted():
    # N = agriculture (rural collective economic organisations); stdnum alone would refuse the letter
    code = with_check_character("N2450102MA5K00004")
    assert not uscc.is_valid(code)
    check = check_uscc(code)
    assert check.is_valid and check.region_code == "450102" and check.warnings == ()


def test_a_letter_authority_with_a_wrong_check_character_is_refused():
    code = with_check_character("N2450102MA5K00004")
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert [e.code for e in check_uscc(wrong).errors] == ["check_character"]


def test_a_letter_outside_the_authority_table_is_a_format_error():
    assert [e.code for e in check_uscc(with_check_character("B1110000600037341")).errors] == ["format"]


def test_organisation_code_mismatch_only_warns():
    # characters 9-17 "600037342": GB 11714 expects the last to be 1
    check = check_uscc(with_check_character("91110000600037342"))
    assert check.is_valid
    assert [w.code for w in check.warnings] == ["organisation_code_check"]
    assert "仅提示" in check.warnings[0].zh and "warning only" in check.warnings[0].en


def test_authority_zero_is_outside_the_table_and_only_warns():
    check = check_uscc(with_check_character("01110000600037341"))
    assert check.is_valid and [w.code for w in check.warnings] == ["authority_unknown"]
