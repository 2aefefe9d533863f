"""Resident ID numbers: the validity rules of EXCHANGE.md, county codes only warn."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from qiancheng.catalog.shipped import county_codes
from qiancheng.people.identity import (
    IdCheck,
    check_id_number,
    id_number_check_character,
    normalise_id_number,
)

AS_OF = date(2025, 9, 1)


def number(first17: str) -> str:
    """A number with the right check character, built from its first 17 digits."""
    return first17 + id_number_check_character(first17)


def codes(check: IdCheck, kind: str = "errors") -> list[str]:
    return [reason.code for reason in getattr(check, kind)]


def test_check_character_follows_gb_11643():
    # 4*7 + 5*9 + 0*10 + 1*5 + 2*8 + 3*4 + 1*2 + 9*1 + 9*6 + 0*3 + 0*7 + 1*9 + 0*10 + 1*5 + 1*8 + 2*4 + 3*2
    # = 207; 207 mod 11 = 9; (12 - 9) mod 11 = 3
    assert id_number_check_character("45012319900101123") == "3"
    # 11010519491231002: sum 167, 167 mod 11 = 2, (12 - 2) mod 11 = 10, written X
    assert id_number_check_character("11010519491231002") == "X"


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_character_agrees_with_stdnum(first17):
    assert id_number_check_character(first17) == ric.calc_check_digit(first17 + "0")


@pytest.mark.parametrize("bad", ["4501231990010112", "4501231990010112a", "４５０１２３１９９００１０１１２"])
def test_check_character_needs_17_ascii_digits(bad):
    with pytest.raises(ValueError, match="17"):
        id_number_check_character(bad)


def test_a_constructed_guangxi_number_is_valid_with_no_warning():
    # 横州市 450181 exists since 2021
    check = check_id_number(number("45018120220101123"), as_of=AS_OF)
    assert check.is_valid and check.errors == () and check.warnings == ()
    assert check.birth_date == date(2022, 1, 1)
    assert check.sex == "M"


def test_even_sequence_digit_is_female():
    assert check_id_number(number("45010219880229002"), as_of=AS_OF).sex == "F"


def test_a_number_from_another_province_is_checked_against_the_national_table():
    check = check_id_number(number("43010219900101123"), as_of=AS_OF)
    assert check.is_valid and check.warnings == ()


def test_historical_code_450123_is_valid_with_a_warning_only():
    # 隆安县 took code 450123 in 2002; a person born in 1990 and registered there later carries it.
    check = check_id_number("450123199001011233", as_of=AS_OF)
    assert check.is_valid and check.errors == ()
    assert codes(check, "warnings") == ["county_not_in_use_at_birth"]
    assert "450123" in check.warnings[0].zh and "1990" in check.warnings[0].en


def test_withdrawn_code_of_hengxian_is_known_to_the_catalog():
    # 横县 used 450127 from 2002 to 2021, then became 横州市 450181: the old code stays valid, no warning
    check = check_id_number(number("45012720100101123"), as_of=AS_OF)
    assert check.is_valid and check.warnings == ()


def test_a_code_born_after_the_holder_warns_that_other_systems_may_refuse_it():
    check = check_id_number(number("45018120050101123"), as_of=AS_OF)
    assert check.is_valid and codes(check, "warnings") == ["county_not_in_use_at_birth"]
    assert "stdnum" in check.warnings[0].en


def test_a_county_code_no_table_knows_warns_but_does_not_invalidate():
    check = check_id_number(number("45019919900101123"), as_of=AS_OF)
    assert check.is_valid
    assert codes(check, "warnings") == ["county_unknown"]
    assert "仅提示" in check.warnings[0].zh and "warning only" in check.warnings[0].en


def test_wrong_check_character_is_an_error_naming_the_expected_one():
    check = check_id_number("450123199001011234", as_of=AS_OF)
    assert not check.is_valid and codes(check) == ["check_character"]
    assert check.errors[0].zh == "身份证号校验位错误（应为3）"
    assert check.errors[0].en == "ID number check character is wrong (expected 3)"


def test_30_february_is_not_a_date():
    check = check_id_number(number("45012319900230123"), as_of=AS_OF)
    assert not check.is_valid and codes(check) == ["birth_date_invalid"]
    assert check.birth_date is None
    assert "19900230" in check.errors[0].zh


def test_29_february_of_a_leap_year_is_a_date():
    assert check_id_number(number("45012319880229123"), as_of=AS_OF).is_valid


def test_birth_date_after_the_as_of_date_is_an_error_and_the_day_itself_is_not():
    assert check_id_number(number("45018120250901123"), as_of=AS_OF).is_valid
    check = check_id_number(number("45018120250902123"), as_of=AS_OF)
    assert not check.is_valid and codes(check) == ["birth_date_future"]


def test_as_of_defaults_to_today():
    far_future = number("45018121000101123")
    assert codes(check_id_number(far_future)) == ["birth_date_future"]


def test_province_99_is_an_error_and_not_checked_for_a_county():
    check = check_id_number(number("99012319900101123"), as_of=AS_OF)
    assert not check.is_valid and codes(check) == ["province_unknown"]
    assert check.warnings == ()


@pytest.mark.parametrize("province", ["11", "15", "21", "23", "31", "37", "41", "46", "50", "54", "61", "65",
                                      "71", "81", "82"])
def test_every_listed_province_prefix_passes(province):
    check = check_id_number(number(province + "010219900101123"), as_of=AS_OF)
    assert "province_unknown" not in codes(check)


@pytest.mark.parametrize("province", ["10", "16", "20", "24", "30", "38", "40", "47", "55", "60", "66", "70",
                                      "72", "80", "83", "91"])
def test_unlisted_province_prefixes_fail(province):
    assert "province_unknown" in codes(check_id_number(number(province + "010219900101123"), as_of=AS_OF))


def test_lowercase_x_normalises_to_upper_case():
    upper = number("11010519491231002")
    assert upper.endswith("X")
    lower = upper[:-1] + "x"
    assert normalise_id_number(lower) == upper
    check = check_id_number(f"  {lower} ", as_of=AS_OF)
    assert check.normalised == upper and check.is_valid


def test_full_width_digits_normalise_to_ascii():
    full_width = "４５０１２３１９９００１０１１２３３"
    assert normalise_id_number(full_width) == "450123199001011233"
    assert check_id_number(full_width, as_of=AS_OF).is_valid


def test_normalising_is_exactly_stdnum_compact():
    for raw in (" 45030219900307061x ", "４５０３０２１９９００３０７０６１Ｘ", "4503 0219"):
        assert normalise_id_number(raw) == ric.compact(raw)


def test_17_characters_is_a_format_error():
    check = check_id_number("45012319900101123", as_of=AS_OF)
    assert not check.is_valid and codes(check) == ["format"]
    assert check.errors[0].zh == "身份证号应为18位，实为17位"
    assert (check.birth_date, check.sex) == (None, None)


@pytest.mark.parametrize("raw", ["45012319900101123A", "4501231990O101123X", "450123-199001011X", "X50123199001011233"])
def test_letters_other_than_a_final_x_are_a_format_error(raw):
    check = check_id_number(raw, as_of=AS_OF)
    assert not check.is_valid and codes(check) == ["format"]
    assert "17位数字" in check.errors[0].zh or "18位" in check.errors[0].zh


def test_several_errors_are_all_reported():
    check = check_id_number("990123199002301230", as_of=AS_OF)
    assert set(codes(check)) >= {"birth_date_invalid", "province_unknown"}


def test_result_is_immutable():
    check = check_id_number("450123199001011233", as_of=AS_OF)
    with pytest.raises(AttributeError):
        check.is_valid = False  # type: ignore[misc]


GUANGXI_CODES = sorted(county_codes())


@given(st.sampled_from([*GUANGXI_CODES, "430102", "110105", "320581"]), st.integers(1950, 2024))
def test_the_birth_year_warning_agrees_with_stdnum_birth_place(code, year):
    candidate = number(f"{code}{year}0615123")
    try:
        ric.get_birth_place(candidate)
        stdnum_accepts = True
    except ValidationError:
        stdnum_accepts = False
    warned = "county_not_in_use_at_birth" in codes(check_id_number(candidate, as_of=AS_OF), "warnings")
    assert warned == (not stdnum_accepts)
