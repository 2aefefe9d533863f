"""Fund accounts and the ledger: available money never goes negative, every entry is one-sided."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import F

from qiancheng.catalog.models import IndustrialPark
from qiancheng.funding.models import FundAccount, FundSource, LedgerEntry, LedgerTransaction, TransactionKind
from qiancheng.training.tests import builders
from qiancheng.training.tests.builders import refused

pytestmark = pytest.mark.django_db


def _fund(**fields: object) -> FundAccount:
    values: dict[str, object] = {
        "source": FundSource.EMPLOYMENT_SUBSIDY, "city": builders.city(), "year": 2025,
        "allocated": Decimal("1000.00"),
    }
    values.update(fields)
    return FundAccount.objects.create(**values)


def test_reserved_plus_paid_beyond_allocated_is_refused() -> None:
    with refused():
        _fund(reserved=Decimal("600.00"), paid=Decimal("400.01"))


def test_reserved_plus_paid_exactly_allocated_is_accepted() -> None:
    fund = _fund(reserved=Decimal("600.00"), paid=Decimal("400.00"))
    assert fund.available == Decimal("0.00")


def test_an_update_that_would_overspend_is_refused() -> None:
    fund = _fund(reserved=Decimal("999.99"))
    with refused():
        FundAccount.objects.filter(pk=fund.pk).update(reserved=F("reserved") + Decimal("0.02"))
    FundAccount.objects.filter(pk=fund.pk).update(reserved=F("reserved") + Decimal("0.01"))


def test_sums_are_compared_in_fen_not_in_binary_floats() -> None:
    # 0.10 + 0.20 > 0.30 in floats (SQLite's DECIMAL); in fen it is exactly 30 = 30.
    _fund(allocated=Decimal("0.30"), reserved=Decimal("0.10"), paid=Decimal("0.20"))


@pytest.mark.parametrize("column", ["allocated", "reserved", "paid"])
def test_no_balance_is_negative(column: str) -> None:
    fund = _fund()
    with refused():
        FundAccount.objects.filter(pk=fund.pk).update(**{column: Decimal("-0.01")})


def test_one_account_per_source_year_and_holder_even_where_holder_columns_are_empty() -> None:
    _fund(city=None)  # the province's own account
    with refused():
        _fund(city=None)
    _fund()  # Nanning's
    with refused():
        _fund()
    _fund(source=FundSource.SPECIAL_ACCOUNT)
    _fund(year=2026)
    park = IndustrialPark.objects.create(code="qinzhou-port", name="钦州港临港产业园")
    _fund(city=None, park=park)  # 4.1: the park's own 10,000,000 a year, its city not yet set
    with refused():
        _fund(city=None, park=park)


def test_a_ledger_entry_is_a_debit_or_a_credit_never_both_or_neither() -> None:
    posting = LedgerTransaction.objects.create(kind=TransactionKind.ALLOCATION, created_by=builders.official())
    with refused():
        LedgerEntry.objects.create(transaction=posting, account="fund.allocated", debit=Decimal("1"), credit=Decimal("1"))
    with refused():
        LedgerEntry.objects.create(transaction=posting, account="fund.allocated")
    with refused():
        LedgerEntry.objects.create(transaction=posting, account="fund.allocated", debit=Decimal("-5"), credit=Decimal("0"))


def test_unbalanced_transactions_are_found() -> None:
    actor, fund = builders.official(), _fund()
    balanced = LedgerTransaction.objects.create(kind=TransactionKind.ALLOCATION, created_by=actor)
    LedgerEntry.objects.create(transaction=balanced, account="budget.source", fund=fund, debit=Decimal("1000.00"))
    LedgerEntry.objects.create(transaction=balanced, account="fund.allocated", fund=fund, credit=Decimal("1000.00"))
    lopsided = LedgerTransaction.objects.create(kind=TransactionKind.ALLOCATION, created_by=actor)
    LedgerEntry.objects.create(transaction=lopsided, account="budget.source", fund=fund, debit=Decimal("1000.00"))
    LedgerEntry.objects.create(transaction=lopsided, account="fund.allocated", fund=fund, credit=Decimal("999.99"))
    assert list(LedgerTransaction.objects.unbalanced()) == [lopsided]


def test_an_idempotency_key_is_used_once() -> None:
    actor = builders.official()
    LedgerTransaction.objects.create(kind=TransactionKind.PAYMENT, created_by=actor, idempotency_key="batch-7/claim-1")
    LedgerTransaction.objects.create(kind=TransactionKind.PAYMENT, created_by=actor)  # no key: no constraint
    LedgerTransaction.objects.create(kind=TransactionKind.PAYMENT, created_by=actor)
    with refused():
        LedgerTransaction.objects.create(
            kind=TransactionKind.PAYMENT, created_by=actor, idempotency_key="batch-7/claim-1"
        )
