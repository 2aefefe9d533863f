"""Four-eyes on payment batches and allocations: above the threshold one official prepares, a different
official of the same scope approves (the money moves once) or refuses with a reason; both audited."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from qiancheng.accounts.models import AuditEntry, Role, User
from qiancheng.funding.models import (
    AllocationRequest,
    ClaimStatus,
    FundAccount,
    FundSource,
    Payment,
    PaymentBatch,
    SecondCheck,
    SubsidyClaim,
)
from qiancheng.funding.services import four_eyes
from qiancheng.funding.services.claims import approve_claims, file_class_claims
from qiancheng.funding.services.four_eyes import (
    FourEyesThreshold,
    approve_allocation,
    four_eyes_threshold,
    refuse_allocation,
    request_allocation,
)
from qiancheng.funding.services.payment_batches import (
    BATCH_REFERENCE,
    approve_payment_batch,
    batch_reference,
    prepare_payment_batch,
    refuse_payment_batch,
)
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.tests.money import finished_class, funded, institution_parties, paid_for_enrolment
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_threshold(monkeypatch: pytest.MonkeyPatch) -> Decimal:
    """A threshold of 2,000.00 so that a batch of two claims (2 × 1,500.00 = 3,000.00) needs a second official."""
    monkeypatch.setattr(four_eyes, "FOUR_EYES_THRESHOLDS", (
        FourEyesThreshold(dt.date(2025, 1, 1), Decimal("2000.00"), "test", dt.date(2026, 12, 6)),))
    return Decimal("2000.00")


@pytest.fixture
def second_nanning_official(nanning_official: User) -> User:
    return User.objects.create(username="nanning-2", role=Role.CITY_OFFICIAL, city=nanning_official.city)


@pytest.fixture
def approved(province_official: User, nanning_official: User) -> list[SubsidyClaim]:
    training = finished_class()
    for _ in range(2):
        paid_for_enrolment(training)
    fund = funded(province_official, "100000.00")
    claims, _ = file_class_claims(province_official, training, fund, institution_parties(training))
    done, refused = approve_claims(nanning_official, claims)
    assert refused == {} and len(done) == 2
    return done


def test_the_threshold_is_dated_with_its_source() -> None:
    threshold = four_eyes_threshold(dt.date(2026, 12, 6))
    assert threshold.amount == Decimal("1000000.00") and "local practice" in threshold.source
    with pytest.raises(FundingRefused):
        four_eyes_threshold(dt.date(2024, 12, 31))


def test_batch_references_keep_one_format() -> None:
    reference = batch_reference("450100", dt.date(2026, 12, 6), "0f1e2d3c")
    assert reference.startswith("PAY20261206-450100-") and BATCH_REFERENCE.match(reference)
    assert reference == batch_reference("450100", dt.date(2026, 12, 6), "0f1e2d3c")
    assert BATCH_REFERENCE.match(batch_reference("GX", dt.date(2027, 1, 2), "any key at all"))
    assert not BATCH_REFERENCE.match("PAY202510-450100")


def test_below_the_threshold_a_batch_pays_at_once(nanning_official: User, approved: list[SubsidyClaim]) -> None:
    outcome = prepare_payment_batch(nanning_official, approved, "key-1")
    assert outcome.batch.status == SecondCheck.DONE and outcome.batch.second_official is None
    assert len(outcome.payments) == 2 and outcome.paid_total == Decimal("3000.00") == outcome.batch.total
    assert {payment.batch_ref for payment in outcome.payments} == {outcome.batch.reference}
    again = prepare_payment_batch(nanning_official, approved, "key-1")
    assert again.batch.pk == outcome.batch.pk and Payment.objects.count() == 2


def test_above_the_threshold_the_batch_waits_and_the_same_official_is_refused(
        low_threshold: Decimal, nanning_official: User, approved: list[SubsidyClaim]) -> None:
    outcome = prepare_payment_batch(nanning_official, approved, "key-1")
    batch = outcome.batch
    assert batch.status == SecondCheck.AWAITING and batch.total == Decimal("3000.00") and outcome.payments == []
    assert not Payment.objects.exists()
    with pytest.raises(FundingRefused) as refusal:
        approve_payment_batch(nanning_official, batch)
    assert refusal.value.code == "same_official" and refusal.value.status == 403
    assert not Payment.objects.exists()
    # Its claims are held: a second batch cannot take them meanwhile.
    with pytest.raises(FundingRefused) as held:
        prepare_payment_batch(nanning_official, approved, "key-2")
    assert held.value.code == "nothing_to_pay"


def test_a_second_official_pays_once_and_both_are_audited(
        low_threshold: Decimal, nanning_official: User, second_nanning_official: User,
        approved: list[SubsidyClaim]) -> None:
    batch = prepare_payment_batch(nanning_official, approved, "key-1").batch
    outcome = approve_payment_batch(second_nanning_official, batch)
    assert len(outcome.payments) == 2 and outcome.paid_total == Decimal("3000.00")
    again = approve_payment_batch(second_nanning_official, batch)
    assert sorted(p.pk for p in again.payments) == sorted(p.pk for p in outcome.payments)
    assert Payment.objects.count() == 2
    assert set(SubsidyClaim.objects.values_list("status", flat=True)) == {ClaimStatus.PAID}
    batch.refresh_from_db()
    assert (batch.status, batch.prepared_by, batch.second_official) == (
        SecondCheck.DONE, nanning_official, second_nanning_official)
    prepared = AuditEntry.objects.get(action="payment_batch.prepared")
    approved_entry = AuditEntry.objects.get(action="payment_batch.approved")
    assert prepared.actor == nanning_official and approved_entry.actor == second_nanning_official
    assert sorted(approved_entry.after["paid"]) == sorted(claim.number for claim in approved)


def test_another_city_cannot_approve_and_a_refusal_needs_a_reason(
        low_threshold: Decimal, nanning_official: User, liuzhou_official: User, second_nanning_official: User,
        approved: list[SubsidyClaim]) -> None:
    batch = prepare_payment_batch(nanning_official, approved, "key-1").batch
    with pytest.raises(FundingRefused) as other_city:
        approve_payment_batch(liuzhou_official, batch)
    assert other_city.value.status == 403
    with pytest.raises(FundingRefused):
        refuse_payment_batch(second_nanning_official, batch, " ")
    refuse_payment_batch(second_nanning_official, batch, "金额与花名册不符")
    batch.refresh_from_db()
    assert batch.status == SecondCheck.REFUSED and batch.refusal_reason == "金额与花名册不符"
    with pytest.raises(FundingRefused):
        approve_payment_batch(second_nanning_official, batch)
    assert not Payment.objects.exists()
    assert AuditEntry.objects.filter(action="payment_batch.refused", actor=second_nanning_official).exists()
    # Refused, the claims are free for a new batch.
    assert prepare_payment_batch(nanning_official, approved, "key-2").batch.status == SecondCheck.AWAITING


def test_the_database_refuses_one_person_as_both_officials(nanning_official: User) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentBatch.objects.create(reference="PAY20261206-450100-0000000000", count=1, total=Decimal("1.00"),
                                    status=SecondCheck.DONE, prepared_by=nanning_official,
                                    second_official=nanning_official)


@pytest.fixture
def second_province_official(province_official: User) -> User:
    return User.objects.create(username="province-2", role=Role.PROVINCE_OFFICIAL)


def test_a_small_allocation_is_made_at_once(province_official: User) -> None:
    fund = request_allocation(province_official, FundSource.EMPLOYMENT_SUBSIDY, 2025, Decimal("1000000.00"),
                              "桂人社发〔2025〕1号", city=builders.city())
    assert isinstance(fund, FundAccount) and fund.allocated == Decimal("1000000.00")
    assert not AllocationRequest.objects.exists()


def test_a_large_allocation_waits_for_a_second_province_official(
        province_official: User, second_province_official: User) -> None:
    request = request_allocation(province_official, FundSource.EMPLOYMENT_SUBSIDY, 2025, Decimal("5000000.00"),
                                 "桂人社发〔2025〕2号", city=builders.city())
    assert isinstance(request, AllocationRequest) and request.status == SecondCheck.AWAITING
    assert not FundAccount.objects.filter(allocated__gt=0).exists()
    with pytest.raises(FundingRefused) as same:
        approve_allocation(province_official, request)
    assert same.value.code == "same_official"
    done = approve_allocation(second_province_official, request)
    again = approve_allocation(second_province_official, request)
    assert done.status == again.status == SecondCheck.DONE
    assert done.fund_account is not None and done.fund_account.allocated == Decimal("5000000.00")
    assert AuditEntry.objects.filter(action="allocation.prepared", actor=province_official).exists()
    assert AuditEntry.objects.filter(action="allocation.approved", actor=second_province_official).exists()


def test_a_large_allocation_the_service_would_refuse_is_refused_at_once(province_official: User) -> None:
    with pytest.raises(FundingRefused) as refusal:
        request_allocation(province_official, FundSource.EMPLOYMENT_SUBSIDY, 2025, Decimal("5000000.00"), " ",
                           city=builders.city())
    assert refusal.value.code == "document_ref_missing"
    assert not AllocationRequest.objects.exists() and not FundAccount.objects.filter(allocated__gt=0).exists()


def test_a_refused_allocation_moves_nothing(province_official: User, second_province_official: User,
                                            nanning_official: User) -> None:
    request = request_allocation(province_official, FundSource.EMPLOYMENT_SUBSIDY, 2025, Decimal("5000000.00"),
                                 "桂人社发〔2025〕2号", city=builders.city())
    with pytest.raises(FundingRefused):
        refuse_allocation(nanning_official, request, "不是省级")
    refuse_allocation(second_province_official, request, "文号有误")
    request.refresh_from_db()
    assert request.status == SecondCheck.REFUSED and request.second_official == second_province_official
    assert not FundAccount.objects.filter(allocated__gt=0).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks need PostgreSQL (SQLite serialises writers)")
def test_two_second_officials_at_once_pay_the_batch_once(low_threshold: Decimal, nanning_official: User,
                                                         second_nanning_official: User,
                                                         approved: list[SubsidyClaim]) -> None:
    third = User.objects.create(username="nanning-3", role=Role.CITY_OFFICIAL, city=nanning_official.city)
    batch = prepare_payment_batch(nanning_official, approved, "key-1").batch
    errors: list[BaseException] = []

    def approve(official: User) -> None:
        try:
            approve_payment_batch(official, batch)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(official,)) for official in (second_nanning_official, third)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and Payment.objects.count() == 2
    assert AuditEntry.objects.filter(action="payment_batch.approved").count() == 1


def test_bulk_batch_references_are_made_by_the_same_function() -> None:
    import polars as pl

    from qiancheng.funding.services.payment_batches import batch_reference_column

    frame = pl.DataFrame({"paid_on": [dt.date(2025, 11, 3), dt.date(2025, 11, 3), dt.date(2025, 11, 4)],
                          "city_id": ["450100", "450100", None]})
    references = frame.select(batch_reference_column("paid_on", "city_id", "synth-7").alias("ref"))["ref"].to_list()
    assert references[0] == references[1] == batch_reference("450100", dt.date(2025, 11, 3),
                                                             "synth-7:20251103:450100")
    assert references[2].startswith("PAY20251104-GX-") and all(BATCH_REFERENCE.match(each) for each in references)
