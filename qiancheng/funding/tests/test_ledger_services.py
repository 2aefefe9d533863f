"""The ledger service: balanced, append-only, idempotent, and its cached balances provably right."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from qiancheng.accounts.models import AuditEntry, User
from qiancheng.catalog.models import IndustrialPark
from qiancheng.funding.models import FundAccount, FundSource, LedgerEntry, LedgerTransaction, TransactionKind
from qiancheng.funding.models.ledger import LedgerImmutable
from qiancheng.funding.services.funds import Balances, allocate, balances
from qiancheng.funding.services.ledger import (
    APPROPRIATION,
    AVAILABLE,
    PAID,
    RESERVED,
    Entry,
    post_transaction,
    transfer,
    verify_ledger,
)
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.tests.money import funded
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


def test_an_allocation_is_a_balanced_posting_and_moves_the_cache(province_official: User) -> None:
    fund = funded(province_official, "1000.00")
    assert balances(fund) == Balances(Decimal("1000.00"), Decimal("0.00"), Decimal("0.00"), Decimal("1000.00"))
    posting = LedgerTransaction.objects.get()
    assert posting.kind == TransactionKind.ALLOCATION and posting.document_ref == "桂人社发〔2025〕1号"
    assert sorted(posting.entries.values_list("account", "debit", "credit")) == [
        (APPROPRIATION, Decimal("1000.00"), Decimal("0.00")), (AVAILABLE, Decimal("0.00"), Decimal("1000.00"))]
    assert AuditEntry.objects.filter(action="ledger.posted").count() == 1
    report = verify_ledger()
    assert report.ok and (report.transactions, report.funds) == (1, 1)


def test_unbalanced_entries_are_refused_and_nothing_is_written(province_official: User) -> None:
    fund = funded(province_official, "1000.00")
    with pytest.raises(FundingRefused) as refused:
        post_transaction(province_official, TransactionKind.RESERVATION,
                         [Entry(AVAILABLE, fund, debit=Decimal("10.00")), Entry(RESERVED, fund, credit=Decimal("9.99"))],
                         memo="wrong")
    assert refused.value.code == "unbalanced"
    assert LedgerTransaction.objects.count() == 1 and balances(fund).reserved == Decimal("0.00")


@pytest.mark.parametrize("entries", [
    [Entry(AVAILABLE, None, debit=Decimal("1.00")), Entry(RESERVED, None, credit=Decimal("1.00"))],
    [Entry("x", None, debit=Decimal("1.00"), credit=Decimal("1.00")), Entry("y", None)],
    [Entry("x", None, debit=Decimal("1.001")), Entry("y", None, credit=Decimal("1.001"))],
    [Entry("x", None, debit=Decimal("1.00"))],
])
def test_malformed_entries_are_refused(province_official: User, entries: list[Entry]) -> None:
    with pytest.raises(FundingRefused):
        post_transaction(province_official, TransactionKind.CORRECTION, entries, memo="bad")
    assert not LedgerTransaction.objects.exists()


def test_a_posting_that_would_overspend_is_refused(province_official: User) -> None:
    fund = funded(province_official, "100.00")
    post_transaction(province_official, TransactionKind.RESERVATION,
                     transfer(fund, Decimal("60.00"), debit=AVAILABLE, credit=RESERVED), memo="a")
    with pytest.raises(FundingRefused) as refused:
        post_transaction(province_official, TransactionKind.RESERVATION,
                         transfer(fund, Decimal("40.01"), debit=AVAILABLE, credit=RESERVED), memo="b")
    assert refused.value.code == "over_budget"
    post_transaction(province_official, TransactionKind.PAYMENT,
                     transfer(fund, Decimal("60.00"), debit=RESERVED, credit=PAID), memo="c")
    post_transaction(province_official, TransactionKind.RESERVATION,
                     transfer(fund, Decimal("40.00"), debit=AVAILABLE, credit=RESERVED), memo="d")
    assert balances(fund) == Balances(Decimal("100.00"), Decimal("40.00"), Decimal("60.00"), Decimal("0.00"))
    assert verify_ledger().ok


def test_the_same_idempotency_key_returns_the_first_transaction(province_official: User) -> None:
    fund = funded(province_official, "100.00")
    entries = transfer(fund, Decimal("10.00"), debit=AVAILABLE, credit=RESERVED)
    first = post_transaction(province_official, TransactionKind.RESERVATION, entries, memo="a", idempotency_key="k1")
    again = post_transaction(province_official, TransactionKind.RESERVATION, entries, memo="a", idempotency_key="k1")
    assert again.pk == first.pk
    assert balances(fund).reserved == Decimal("10.00")


def test_written_ledger_rows_cannot_be_changed_or_deleted(province_official: User) -> None:
    funded(province_official, "100.00")
    posting, entry = LedgerTransaction.objects.get(), LedgerEntry.objects.first()
    assert entry is not None
    posting.memo = "rewritten"
    for change in (posting.save, posting.delete, entry.delete, LedgerEntry.objects.all().delete,
                   lambda: LedgerEntry.objects.update(debit=F("debit") * 2),
                   lambda: LedgerTransaction.objects.filter(pk=posting.pk).update(memo="x")):
        with pytest.raises(LedgerImmutable):
            change()
    assert LedgerTransaction.objects.get().memo != "rewritten"


def test_verify_names_a_cache_that_drifted_from_its_entries(province_official: User) -> None:
    fund = funded(province_official, "100.00")
    FundAccount.objects.filter(pk=fund.pk).update(allocated=Decimal("150.00"))  # a write behind the ledger's back
    report = verify_ledger()
    assert not report.ok and any("allocated" in problem and "150.00" in problem for problem in report.problems)
    err = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("ledger", "verify", stderr=err)
    assert failed.value.returncode == 1 and "allocated" in err.getvalue()


def test_verify_names_an_unbalanced_transaction_written_behind_the_service(province_official: User) -> None:
    posting = LedgerTransaction.objects.create(kind=TransactionKind.CORRECTION, created_by=province_official)
    LedgerEntry.objects.create(transaction=posting, account="suspense", debit=Decimal("0.10"))
    LedgerEntry.objects.create(transaction=posting, account="suspense", credit=Decimal("0.20"))
    report = verify_ledger()
    assert [p for p in report.problems if f"#{posting.pk}" in p and "does not balance" in p]


def test_verify_sums_in_fen(province_official: User) -> None:
    # 0.10 + 0.20 against 0.30 is unequal in binary floats (SQLite), equal in fen.
    posting = LedgerTransaction.objects.create(kind=TransactionKind.CORRECTION, created_by=province_official)
    LedgerEntry.objects.bulk_create([
        LedgerEntry(transaction=posting, account="a", debit=Decimal("0.10")),
        LedgerEntry(transaction=posting, account="a", debit=Decimal("0.20")),
        LedgerEntry(transaction=posting, account="b", credit=Decimal("0.30")),
    ])
    assert verify_ledger().ok


def test_the_command_passes_on_a_sound_ledger(province_official: User) -> None:
    funded(province_official, "100.00")
    out = StringIO()
    call_command("ledger", "verify", stdout=out)
    assert "ledger verified" in out.getvalue()


def test_each_park_gets_its_own_allocation(province_official: User) -> None:
    # 4.1: each border/port park receives 10,000,000 CNY a year for 2025 and 2026.
    parks = [IndustrialPark.objects.create(code=f"park-{n}", name=f"园区{n}") for n in range(4)]
    for park in parks:
        for year in (2025, 2026):
            allocate(province_official, FundSource.EMPLOYMENT_SUBSIDY, year, Decimal("10000000.00"),
                     "桂人社发〔2025〕4号", park=park)
    assert FundAccount.objects.filter(park__isnull=False).count() == 8
    assert {fund.allocated for fund in FundAccount.objects.all()} == {Decimal("10000000.00")}
    # The yearly 10,000,000 is the most a park receives (cumulative): a top-up past it is refused, nothing posted.
    with pytest.raises(FundingRefused) as refused:
        allocate(province_official, FundSource.EMPLOYMENT_SUBSIDY, 2025, Decimal("5.00"), "补充", park=parks[0])
    assert refused.value.code == "park_cap_exceeded"
    assert FundAccount.objects.get(park=parks[0], year=2025).allocated == Decimal("10000000.00")
    assert verify_ledger().ok


def test_only_the_province_allocates_and_amounts_are_exact(province_official: User, nanning_official: User) -> None:
    with pytest.raises(FundingRefused) as refused:
        allocate(nanning_official, FundSource.EMPLOYMENT_SUBSIDY, 2025, Decimal("1.00"), "x", city=builders.city())
    assert refused.value.code == "forbidden"
    for amount in (Decimal("0"), Decimal("-1.00"), Decimal("0.001")):
        with pytest.raises(FundingRefused):
            allocate(province_official, FundSource.EMPLOYMENT_SUBSIDY, 2025, amount, "x", city=builders.city())
    with pytest.raises(FundingRefused):
        allocate(province_official, FundSource.EMPLOYMENT_SUBSIDY, 2025, Decimal("1.00"), " ", city=builders.city())
    assert not LedgerTransaction.objects.exists()
