"""A hypothesis state machine drives random allocations, reservations, releases and payments, and claims
that are filed, approved, paid, recovered and repaid, or rejected and appealed, through the funding
services, and checks the ledger invariants after every step."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from qiancheng.accounts.models import Role, User
from qiancheng.catalog.models import IndustrialPark
from qiancheng.funding.models import (
    AppealStatus,
    ClaimStatus,
    FundSource,
    LedgerEntry,
    RecoveryCase,
    RecoveryReason,
    SubsidyClaim,
    TransactionKind,
)
from qiancheng.funding.services.appeals import decide_appeal, file_appeal
from qiancheng.funding.services.claims import approve_claim, reject_claim
from qiancheng.funding.services.funds import allocate, balances
from qiancheng.funding.services.ledger import (
    AVAILABLE,
    PAID,
    RECEIVABLE,
    RESERVED,
    post_transaction,
    transfer,
    verify_ledger,
)
from qiancheng.funding.services.payments import pay_claim
from qiancheng.funding.services.recovery import open_recovery, record_repayment
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.tests.money import filed_claim, finished_class, institution_user_of, paid_for_enrolment
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000.00"), places=2)
shares = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1.00"), places=2)
picks = st.integers(min_value=0, max_value=1_000)
_parks = itertools.count(1)
_keys = itertools.count(1)


def test_random_money_movements_keep_the_ledger_true() -> None:
    official = User.objects.create(username="machine-province", role=Role.PROVINCE_OFFICIAL)
    # The appeal is decided by someone other than the official who rejected the claim.
    second_official = User.objects.create(username="machine-province-2", role=Role.PROVINCE_OFFICIAL)

    class MoneyMachine(RuleBasedStateMachine):
        """Shadow balances in Python; the services must agree with them and with the ledger at every step."""

        def __init__(self) -> None:
            super().__init__()
            # 4.1: a park's account, paying a class delivered for that park in the park's city.
            park = IndustrialPark.objects.create(code=f"machine-{next(_parks)}", name="测试园区", city=builders.city())
            self.fund = allocate(official, FundSource.EMPLOYMENT_SUBSIDY, 2025, Decimal("100.00"), "初始下达", park=park)
            self.allocated, self.reserved, self.paid = Decimal("100.00"), Decimal("0.00"), Decimal("0.00")
            self.receivable = Decimal("0.00")
            self.training = finished_class(park=park)
            self.claimant = institution_user_of(self.training)
            self.approved: list[SubsidyClaim] = []
            self.paid_claims: list[SubsidyClaim] = []
            self.cases: list[RecoveryCase] = []

        def _new_claim(self) -> SubsidyClaim:
            return filed_claim(official, paid_for_enrolment(self.training), self.fund)

        def _approve(self, claim: SubsidyClaim, approve: object) -> None:
            """Approve (or uphold) and check the reservation against the shadow: refused only for want of money."""
            fits = claim.total_amount <= self.allocated - self.reserved - self.paid
            try:
                approve()
            except FundingRefused as refusal:
                assert refusal.code == "over_budget" and not fits
                return
            assert fits
            self.reserved += claim.total_amount
            claim.refresh_from_db()
            self.approved.append(claim)

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

        @rule()
        def file_and_approve_a_claim(self) -> None:
            claim = self._new_claim()
            self._approve(claim, lambda: approve_claim(official, claim))

        @precondition(lambda self: self.approved)
        @rule(pick=picks)
        def pay_a_claim(self, pick: int) -> None:
            claim = self.approved[pick % len(self.approved)]
            fits = claim.total_amount <= self.reserved
            try:
                pay_claim(official, claim, f"machine-pay-{next(_keys)}")
            except FundingRefused as refusal:
                # The raw `pay`/`release` steps may have used the reservation up; the ledger refuses.
                assert refusal.code == "over_budget" and not fits
                return
            assert fits
            self.approved.remove(claim)
            self.paid_claims.append(claim)
            self.reserved -= claim.total_amount
            self.paid += claim.total_amount

        @precondition(lambda self: self.paid_claims)
        @rule(pick=picks, share=shares)
        def recover_a_paid_claim(self, pick: int, share: Decimal) -> None:
            claim = self.paid_claims.pop(pick % len(self.paid_claims))
            owed = max((claim.total_amount * share).quantize(Decimal("0.01")), Decimal("0.01"))
            self.cases.append(open_recovery(official, claim, RecoveryReason.FRAUD, "随机追回", owed))
            self.receivable += owed
            assert SubsidyClaim.objects.get(pk=claim.pk).status == ClaimStatus.RECOVERED

        @precondition(lambda self: self.cases)
        @rule(pick=picks, share=shares)
        def repay_a_recovery(self, pick: int, share: Decimal) -> None:
            case = self.cases[pick % len(self.cases)]
            case.refresh_from_db()
            amount = (case.amount_owed * share).quantize(Decimal("0.01"))
            if amount <= 0:
                return
            try:
                record_repayment(official, case, amount, f"machine-voucher-{next(_keys)}")
            except FundingRefused as refusal:
                assert refusal.code in ("above_owed", "case_closed") and amount > case.outstanding
                return
            assert amount <= case.outstanding
            self.paid -= amount
            self.receivable -= amount

        @rule(upheld=st.booleans())
        def reject_appeal_and_decide(self, upheld: bool) -> None:
            claim = self._new_claim()
            reject_claim(official, claim, "随机驳回")
            appeal = file_appeal(self.claimant, claim, "随机申诉", [("a.pdf", b"%PDF-1.4 proof")])
            if not upheld:
                assert decide_appeal(second_official, appeal, False, "维持").status == AppealStatus.DISMISSED
                return
            self._approve(claim, lambda: decide_appeal(second_official, appeal, True, "成立"))

        @invariant()
        def the_receivable_is_what_the_cases_still_owe(self) -> None:
            entries = LedgerEntry.objects.filter(fund=self.fund, account=RECEIVABLE)
            assert sum((e.debit - e.credit for e in entries), Decimal("0.00")) == self.receivable

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
        max_examples=15, stateful_step_count=15, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    ))
