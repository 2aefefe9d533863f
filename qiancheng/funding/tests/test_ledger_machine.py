"""A hypothesis state machine drives random allocations, reservations, releases and payments through the
funding services and checks the ledger invariants after every step."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from qiancheng.accounts.models import Role, User
from qiancheng.catalog.models import IndustrialPark
from qiancheng.funding.models import FundSource, LedgerEntry, TransactionKind
from qiancheng.funding.services.funds import allocate, balances
from qiancheng.funding.services.ledger import (
    AVAILABLE,
    PAID,
    RESERVED,
    post_transaction,
    transfer,
    verify_ledger,
)
from qiancheng.funding.services.refusal import FundingRefused

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000.00"), places=2)
_parks = itertools.count(1)


def test_random_money_movements_keep_the_ledger_true() -> None:
    official = User.objects.create(username="machine-province", role=Role.PROVINCE_OFFICIAL)

    class MoneyMachine(RuleBasedStateMachine):
        """Shadow balances in Python; the services must agree with them and with the ledger at every step."""

        def __init__(self) -> None:
            super().__init__()
            park = IndustrialPark.objects.create(code=f"machine-{next(_parks)}", name="测试园区")
            self.fund = allocate(official, FundSource.EMPLOYMENT_SUBSIDY, 2025, Decimal("100.00"), "初始下达", park=park)
            self.allocated, self.reserved, self.paid = Decimal("100.00"), Decimal("0.00"), Decimal("0.00")

        def _move(self, kind: str, amount: Decimal, debit: str, credit: str) -> bool:
            try:
                post_transaction(official, kind, transfer(self.fund, amount, debit=debit, credit=credit), memo=kind)
            except FundingRefused as refusal:
                assert refusal.code == "over_budget"
                return False
            return True

        @rule(amount=amounts)
        def allocate_more(self, amount: Decimal) -> None:
            allocate(official, FundSource.EMPLOYMENT_SUBSIDY, 2025, amount, "追加下达", park=self.fund.park)
            self.allocated += amount

        @rule(amount=amounts)
        def reserve(self, amount: Decimal) -> None:
            fits = amount <= self.allocated - self.reserved - self.paid
            assert self._move(TransactionKind.RESERVATION, amount, AVAILABLE, RESERVED) == fits
            if fits:
                self.reserved += amount

        @rule(share=st.floats(min_value=0, max_value=1.5))
        def pay(self, share: float) -> None:
            amount = (self.reserved * Decimal(str(round(share, 2)))).quantize(Decimal("0.01"))
            if amount <= 0:
                return
            assert self._move(TransactionKind.PAYMENT, amount, RESERVED, PAID) == (amount <= self.reserved)
            if amount <= self.reserved:
                self.reserved -= amount
                self.paid += amount

        @rule(share=st.floats(min_value=0, max_value=1.5))
        def release(self, share: float) -> None:
            amount = (self.reserved * Decimal(str(round(share, 2)))).quantize(Decimal("0.01"))
            if amount <= 0:
                return
            assert self._move(TransactionKind.RELEASE, amount, RESERVED, AVAILABLE) == (amount <= self.reserved)
            if amount <= self.reserved:
                self.reserved -= amount

        @invariant()
        def balances_match_the_shadow_and_never_go_negative(self) -> None:
            money = balances(self.fund)
            assert (money.allocated, money.reserved, money.paid) == (self.allocated, self.reserved, self.paid)
            assert money.available >= 0 and money.reserved >= 0

        @invariant()
        def the_ledger_verifies(self) -> None:
            report = verify_ledger()
            assert report.ok, report.problems
            entries = LedgerEntry.objects.filter(fund=self.fund)
            assert sum(e.debit for e in entries) == sum(e.credit for e in entries)

    run_state_machine_as_test(MoneyMachine, settings=settings(
        max_examples=25, stateful_step_count=15, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    ))
