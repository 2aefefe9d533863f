"""The treasury's unmasked payment list: the province only, and the personal-data read is audited."""

from __future__ import annotations

import io

import pytest
from python_calamine import CalamineWorkbook

from qiancheng.accounts.models import AuditEntry, User
from qiancheng.funding.models import PartyKind
from qiancheng.funding.services.claims import Parties, approve_claims, file_class_claims
from qiancheng.funding.services.payment_list import payment_list_xlsx
from qiancheng.funding.services.payments import pay_batch
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.tests.money import finished_class, funded, paid_for_enrolment
from qiancheng.people.identity import id_number_check_character
from qiancheng.people.services import register_person

pytestmark = pytest.mark.django_db
BANK = "6222020200112233445"


def test_the_province_exports_clear_id_numbers_and_bank_accounts_and_it_is_audited(
    province_official: User, nanning_official: User
) -> None:
    first17 = "45010219900101003"
    id_number = first17 + id_number_check_character(first17)
    person = register_person(None, id_number, "王付款", bank_account=BANK)
    training = finished_class()
    paid_for_enrolment(training, trainee=person)
    individual = Parties(PartyKind.INDIVIDUAL, person.person_key, PartyKind.INDIVIDUAL, person.person_key)
    claims, _ = file_class_claims(province_official, training, funded(province_official, "100000.00"), individual)
    approve_claims(nanning_official, claims)
    pay_batch(nanning_official, claims, "B-CLEAR")

    with pytest.raises(FundingRefused) as city:
        payment_list_xlsx(nanning_official, "B-CLEAR", unmasked=True)
    assert city.value.status == 403
    assert not AuditEntry.objects.filter(action="payments.list_exported_unmasked").exists()

    masked = CalamineWorkbook.from_filelike(io.BytesIO(payment_list_xlsx(nanning_official, "B-CLEAR")))
    assert masked.get_sheet_by_index(0).to_python()[2][4] == person.id_number_masked
    with pytest.raises(FundingRefused) as no_reason:
        payment_list_xlsx(province_official, "B-CLEAR", unmasked=True)
    assert no_reason.value.code == "reason_missing"
    clear = CalamineWorkbook.from_filelike(io.BytesIO(payment_list_xlsx(province_official, "B-CLEAR", unmasked=True,
                                                                        reason="报送国库集中支付")))
    row = clear.get_sheet_by_index(0).to_python()[2]
    assert (row[3], row[4], row[5]) == ("王付款", id_number, BANK)
    event = AuditEntry.objects.get(action="payments.list_exported_unmasked")
    assert event.actor == province_official and person.person_key in str(event.after)
    assert event.reason == "报送国库集中支付"
    assert id_number not in str(event.after) and BANK not in str(event.after)
