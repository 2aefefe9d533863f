"""An organisation's registry facts: legal representative (法定代表人), contact phone (联系电话) and address.

Institutions (providers) and enterprises (demand) state them when they register and when they correct their
record; risk's rules compare them (linked_employer, collusion_ring: 6d). Both apps are siblings, so the one
check lives here, below them.

What is personal data here (PIPL): the legal representative's name is published by the market-regulation
register (企业信息公示暂行条例 art. 6: registration facts), a public fact of the organisation, so it is kept and shown in clear;
an organisation's phone is often its owner's mobile, so pages, the API and the audit trail show it masked
(`people.masking.mask_phone`, as persons' phones are) and only the comparison of digits in risk reads it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

REPRESENTATIVE_MAX = 64
ADDRESS_MAX = 256
PHONE_MAX = 32
PHONE_DIGITS = (7, 15)  # a landline without area code up to an international mobile (ITU-T E.164: 15)
_PHONE_SIGNS = set("+-() ")


@dataclass(frozen=True)
class RegistryFacts:
    legal_representative: str
    phone: str
    address: str


def clean_representative(value: str) -> str:
    name = " ".join((value or "").split())
    if len(name) > REPRESENTATIVE_MAX:
        raise ValidationError(f"法定代表人姓名超过{REPRESENTATIVE_MAX}字 / the legal representative's name is longer "
                              f"than {REPRESENTATIVE_MAX} characters", code="representative_too_long")
    if any(ch.isdigit() for ch in name):
        raise ValidationError("法定代表人姓名不能含数字 / the legal representative's name has no digits",
                              code="representative_invalid")
    return name


def clean_phone(value: str) -> str:
    """Digits with the usual signs (0771-1234567, +86 138 1234 5678); blank stays blank. Kept as written,
    spaces collapsed: risk compares the digits alone."""
    phone = " ".join((value or "").split())
    if not phone:
        return ""
    digits = sum(ch.isdigit() for ch in phone)
    if len(phone) > PHONE_MAX or any(not ch.isdigit() and ch not in _PHONE_SIGNS for ch in phone) or not (
            PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]):
        raise ValidationError("联系电话应为7至15位数字，可含 + - ( ) 和空格 / the phone is 7 to 15 digits, with + - ( ) "
                              "and spaces allowed", code="phone_invalid")
    return phone


def clean_address(value: str) -> str:
    address = " ".join((value or "").split())
    if len(address) > ADDRESS_MAX:
        raise ValidationError(f"地址超过{ADDRESS_MAX}字 / the address is longer than {ADDRESS_MAX} characters",
                              code="address_too_long")
    return address


def check_registry_facts(legal_representative: str, phone: str, address: str) -> RegistryFacts:
    """The three facts cleaned; every wrong one at once, by field name, in a ValidationError dict."""
    problems: dict[str, list[ValidationError]] = {}
    cleaned: dict[str, str] = {}
    for field, cleaner, value in (("legal_representative", clean_representative, legal_representative),
                                  ("phone", clean_phone, phone), ("address", clean_address, address)):
        try:
            cleaned[field] = cleaner(value)
        except ValidationError as refusal:
            problems[field] = refusal.error_list
    if problems:
        raise ValidationError(problems)
    return RegistryFacts(**cleaned)


def registry_facts_problems(legal_representative: str, phone: str, address: str) -> dict[str, ValidationError]:
    """The wrong facts by field name, to be merged with a registration's other problems (the page shows each beside
    its field); empty when all three are right."""
    try:
        check_registry_facts(legal_representative, phone, address)
    except ValidationError as refusal:
        return {field: ValidationError(errors) for field, errors in refusal.error_dict.items()}
    return {}
