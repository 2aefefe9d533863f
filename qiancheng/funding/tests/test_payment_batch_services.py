"""Payment batches: each approved claim paid once however often the batch runs; the treasury list."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from qiancheng.accounts.models import AuditEntry, User
from qiancheng.funding.models import ClaimStatus, PartyKind, Payment, SubsidyClaim
from qiancheng.funding.services.claims import Parties, approve_claims, file_class_claims
from qiancheng.funding.services.payment_list import payment_list_xlsx
from qiancheng.funding.services.payments import pay_batch
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.tests.money import finished_class, funded, institution_parties, paid_for_enrolment

pytestmark = pytest.mark.django_db


def test_a_batch_pays_each_approved_claim_once_and_lists_it_for_the_treasury(
    province_official: User, nanning_official: User, liuzhou_official: User
) -> None:
    training = finished_class()
    for _ in range(3):
        paid_for_enrolment(training)
    paid_for_enrolment(training, passed=False)
    fund = funded(province_official, "100000.00")
    claims, _ = file_class_claims(province_official, training, fund, institution_parties(training))
    approved, refused = approve_claims(nanning_official, claims)
    assert len(approved) == 3 and [r.code for r in refused.values()] == ["not_eligible"]

    payments, not_paid = pay_batch(nanning_official, claims, "PAY202510-450100")
    assert len(payments) == 3 and [r.code for r in not_paid.values()] == ["not_approved"]
    again, _ = pay_batch(nanning_official, claims, "PAY202510-450100")
    assert sorted(p.pk for p in again) == sorted(p.pk for p in payments) and Payment.objects.count() == 3
    statuses = SubsidyClaim.objects.filter(pk__in=[c.pk for c in approved]).values_list("status", flat=True)
    assert set(statuses) == {ClaimStatus.PAID}

    rows = CalamineWorkbook.from_filelike(io.BytesIO(payment_list_xlsx(nanning_official, "PAY202510-450100"))) \
        .get_sheet_by_index(0).to_python()
    body = rows[2:-1]
    assert [row[1] for row in body] == sorted(c.number for c in approved)
    assert {row[3] for row in body} == {training.institution.name}
    assert {row[4] for row in body} == {training.institution.uscc}
    total = sum((p.amount for p in payments), Decimal("0.00"))
    assert rows[-1][7] == f"{total:.2f}" and Decimal(str(rows[-1][6])).quantize(Decimal("0.01")) == total
    assert AuditEntry.objects.filter(action="payments.list_exported").count() == 1
    # Another city's official gets an empty list, not Nanning's payees.
    assert len(CalamineWorkbook.from_filelike(io.BytesIO(payment_list_xlsx(liuzhou_official, "PAY202510-450100")))
               .get_sheet_by_index(0).to_python()) == 3


def test_an_individual_payee_is_shown_masked(province_official: User) -> None:
    training = finished_class()
    enrolment = paid_for_enrolment(training)
    person = enrolment.person
    fund = funded(province_official, "100000.00")
    individual = Parties(PartyKind.INDIVIDUAL, person.person_key, PartyKind.INDIVIDUAL, person.person_key)
    claims, _ = file_class_claims(province_official, training, fund, individual)
    approve_claims(province_official, claims)
    pay_batch(province_official, claims, "B1")
    data = payment_list_xlsx(province_official, "B1")
    row = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()[2]
    assert row[3] == person.name and row[4] == person.id_number_masked and "*" in row[4]
    assert person.person_key.encode() not in data


def test_a_batch_needs_a_reference(province_official: User) -> None:
    with pytest.raises(FundingRefused):
        pay_batch(province_official, [], " ")
