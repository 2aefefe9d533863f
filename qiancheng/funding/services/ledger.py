"""The double-entry ledger: the only writer of LedgerTransaction and LedgerEntry, and its verifier.

Chart of accounts, per fund account (every entry on these names its FundAccount):

| account                | normal side | meaning                                              | cached column |
|------------------------|-------------|------------------------------------------------------|---------------|
| `budget.appropriation` | debit       | money placed in the fund by allocations (文件下达)     | `allocated`   |
| `fund.available`       | credit      | allocated and not yet reserved or paid               | (derived)     |
| `fund.reserved`        | credit      | set aside for approved claims                        | `reserved`    |
| `fund.paid`            | credit      | paid out to claimants                                | `paid`        |

Allocation: Dr appropriation / Cr available. Reservation: Dr available / Cr reserved. Release: Dr
reserved / Cr available. Payment: Dr reserved / Cr paid. Because every transaction balances, the
credit balance of `fund.available` always equals allocated − reserved − paid, so "available never
negative" is the DB CHECK `fund_reserved_plus_paid_within_allocated` on the cached row.

Recovery (6d) and credit payment (3.6) use the same four accounts for the money itself, plus two
memorandum accounts that never touch a cached balance and record what is owed back to a fund:

| account               | normal side | meaning                                                 |
|-----------------------|-------------|---------------------------------------------------------|
| `recovery.receivable` | debit       | owed back to the fund by a recovery case's debtor       |
| `recovery.assessed`   | credit      | improper payments found (the receivable's counterpart)  |

Advance (grant): a reservation (Dr available / Cr reserved) and an ADVANCE payment (Dr reserved / Cr
paid). Claim payment netting an advance: Dr reserved (the claim's total) / Cr paid (the net paid now) /
Cr available (the part the advance already paid). Recovery opened: Dr receivable / Cr assessed.
Repayment: Dr paid / Cr available (the money is back in the fund) and Dr assessed / Cr receivable.
Write-off: Dr assessed / Cr receivable (the debt is cancelled; nothing comes back).
`verify_ledger` also checks that each fund's receivable equals what its recovery cases still have owed.

Race safety (docs/adr/0003-race-safe-money.md): the cached FundAccount rows a posting touches are
locked with `select_for_update()` in primary-key order (no deadlock between two postings), the new
balances are checked under the lock, and written in the same transaction as the entries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum

from qiancheng.accounts.audit import record_event
from qiancheng.funding.models import (
    FundAccount,
    LedgerEntry,
    LedgerTransaction,
    RecoveryCase,
    SubsidyClaim,
    TransactionKind,
)
from qiancheng.funding.services.refusal import FundingRefused

APPROPRIATION = "budget.appropriation"
AVAILABLE = "fund.available"
RESERVED = "fund.reserved"
PAID = "fund.paid"
RECEIVABLE = "recovery.receivable"
ASSESSED = "recovery.assessed"
FUND_ACCOUNTS = (APPROPRIATION, AVAILABLE, RESERVED, PAID, RECEIVABLE, ASSESSED)
# Which cached column each account feeds, and with which sign of (debit − credit).
CACHED = {APPROPRIATION: ("allocated", 1), RESERVED: ("reserved", -1), PAID: ("paid", -1)}
FEN = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Entry:
    """One line of a posting before it is written: exactly one of debit and credit is positive."""

    account: str
    fund: FundAccount | None
    debit: Decimal = ZERO
    credit: Decimal = ZERO


def transfer(fund: FundAccount, amount: Decimal, *, debit: str, credit: str) -> list[Entry]:
    """The two entries that move `amount` within one fund account from one ledger account to another."""
    return [Entry(debit, fund, debit=amount), Entry(credit, fund, credit=amount)]


def _check_entries(entries: Sequence[Entry]) -> None:
    if len(entries) < 2:
        raise FundingRefused("too_few_entries", "记账凭证至少需要两条分录", "a transaction needs at least two entries",
                             status=422)
    for number, entry in enumerate(entries, start=1):
        for side in (entry.debit, entry.credit):
            if not isinstance(side, Decimal) or side != side.quantize(FEN):
                raise FundingRefused("bad_amount", f"第{number}条分录：金额须为精确到分的Decimal",
                                     f"entry {number}: amounts must be Decimals to the fen", status=422)
        if not (entry.debit > 0 and entry.credit == 0 or entry.credit > 0 and entry.debit == 0):
            raise FundingRefused("one_sided", f"第{number}条分录：借方与贷方须恰有一方为正",
                                 f"entry {number}: exactly one of debit and credit must be positive", status=422)
        if entry.account in FUND_ACCOUNTS and entry.fund is None:
            raise FundingRefused("fund_missing", f"第{number}条分录：科目{entry.account}须指明资金账户",
                                 f"entry {number}: account {entry.account} needs a fund account", status=422)
    debits, credits = sum(e.debit for e in entries), sum(e.credit for e in entries)
    if debits != credits:
        raise FundingRefused("unbalanced", f"借贷不平：借方{debits}，贷方{credits}",
                             f"debits {debits} do not equal credits {credits}", status=422)


def _balance_changes(entries: Iterable[Entry]) -> dict[int, dict[str, Decimal]]:
    changes: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for entry in entries:
        if entry.fund is not None and entry.account in CACHED:
            column, sign = CACHED[entry.account]
            changes[entry.fund.pk][column] += sign * (entry.debit - entry.credit)
    return changes


def post_transaction(actor: Any, kind: str, entries: Sequence[Entry], *, memo: str, document_ref: str = "",
                     claim: SubsidyClaim | None = None, idempotency_key: str | None = None) -> LedgerTransaction:
    """Write one balanced transaction and move the cached balances of its fund accounts with it.

    The same `idempotency_key` returns the first transaction and writes nothing. A posting that would
    leave any fund account over-committed (reserved + paid > allocated) or negative is refused.
    """
    if kind not in TransactionKind.values:
        raise FundingRefused("bad_kind", f"未知的记账类型：{kind}", f"unknown transaction kind: {kind}", status=422)
    _check_entries(entries)
    if idempotency_key:
        first = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
        if first is not None:
            return first
    try:
        with transaction.atomic():
            posting = LedgerTransaction.objects.create(
                kind=kind, memo=memo, document_ref=document_ref, claim=claim, created_by=actor,
                idempotency_key=idempotency_key or None,
            )
            LedgerEntry.objects.bulk_create(
                LedgerEntry(transaction=posting, account=e.account, fund=e.fund, debit=e.debit, credit=e.credit)
                for e in entries
            )
            # The audit chain's lock is taken before the fund rows are locked, never after: every money
            # change locks claim row -> audit chain -> fund rows in that order (ADR 0003), so no cycle.
            record_event(actor, "ledger.posted", posting, after={
                "kind": kind, "document_ref": document_ref, "claim": claim.number if claim else None,
                "entries": [[e.account, e.fund.pk if e.fund else None, e.debit, e.credit] for e in entries],
            }, reason=memo)
            _move_balances(_balance_changes(entries))
    except IntegrityError:
        # Another request posted the same key first and has committed (PostgreSQL made this insert wait
        # on the unique index); its transaction is the answer. Anything else is re-raised.
        first = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first() if idempotency_key else None
        if first is None:
            raise
        return first
    return posting


def _move_balances(changes: dict[int, dict[str, Decimal]]) -> None:
    if not changes:
        return
    # Locked in primary-key order so two postings on the same accounts never wait on each other in a cycle.
    locked = {fund.pk: fund for fund in FundAccount.objects.select_for_update().filter(pk__in=changes).order_by("pk")}
    for pk in sorted(changes):
        fund = locked[pk]
        for column, delta in changes[pk].items():
            setattr(fund, column, getattr(fund, column) + delta)
        if min(fund.allocated, fund.reserved, fund.paid) < 0 or fund.available < 0:
            raise FundingRefused(
                "over_budget",
                f"资金账户{fund}可用余额不足：此笔记账后可用余额将为{fund.available}",
                f"fund account {fund} has not enough available money: after this posting available would be "
                f"{fund.available}",
            )
        fund.save(update_fields=["allocated", "reserved", "paid", "updated_at"])


@dataclass
class LedgerReport:
    """What `verify_ledger` found: empty `problems` means the ledger and the cached balances agree."""

    transactions: int = 0
    funds: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_ledger() -> LedgerReport:
    """Every transaction balances and has two or more entries; every fund's cache equals its entries."""
    report = LedgerReport(transactions=LedgerTransaction.objects.count(), funds=FundAccount.objects.count())
    for posting in LedgerTransaction.objects.unbalanced().order_by("pk"):
        report.problems.append(
            f"凭证#{posting.pk}借贷不平 / transaction #{posting.pk} does not balance: "
            f"debits {posting.debits}, credits {posting.credits}"
        )
    for posting in LedgerTransaction.objects.filter(entries__isnull=True).order_by("pk"):
        report.problems.append(f"凭证#{posting.pk}无分录 / transaction #{posting.pk} has no entries")
    sums: dict[tuple[int, str], Decimal] = {
        (row["fund"], row["account"]): (row["debits"] or ZERO) - (row["credits"] or ZERO)
        for row in LedgerEntry.objects.filter(fund__isnull=False).values("fund", "account")
        .annotate(debits=Sum("debit"), credits=Sum("credit"))
    }
    for fund in FundAccount.objects.order_by("pk"):
        for account, (column, sign) in CACHED.items():
            expected = sign * sums.get((fund.pk, account), ZERO)
            cached = getattr(fund, column)
            if cached != expected:
                report.problems.append(
                    f"资金账户#{fund.pk}（{fund}）{column}缓存{cached}≠分录合计{expected} / fund account #{fund.pk} "
                    f"({fund}) cached {column} {cached} != sum of its {account} entries {expected}"
                )
        available = -sums.get((fund.pk, AVAILABLE), ZERO)
        if available != fund.available:
            report.problems.append(
                f"资金账户#{fund.pk}可用余额{fund.available}≠分录{available} / fund account #{fund.pk} available "
                f"{fund.available} != its {AVAILABLE} entries {available}"
            )
    _verify_receivables(report, sums)
    stray = LedgerEntry.objects.filter(Q(account__in=FUND_ACCOUNTS) & Q(fund__isnull=True)).count()
    if stray:
        report.problems.append(f"{stray}条资金科目分录未指明资金账户 / {stray} fund entries name no fund account")
    return report


def _verify_receivables(report: LedgerReport, sums: dict[tuple[int, str], Decimal]) -> None:
    """Each fund's `recovery.receivable` balance equals the outstanding amounts of its recovery cases."""
    owed: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for case in RecoveryCase.objects.only("fund_account", "amount_owed", "repaid", "written_off"):
        owed[case.fund_account_id] += case.outstanding
    funds = {fund for fund, account in sums if account == RECEIVABLE} | set(owed)
    for fund in sorted(funds):
        in_ledger = sums.get((fund, RECEIVABLE), ZERO)
        if in_ledger != owed[fund]:
            report.problems.append(
                f"资金账户#{fund}应收追回款{in_ledger}≠追回案件未还合计{owed[fund]} / fund account #{fund} recovery "
                f"receivable {in_ledger} != outstanding recovery cases {owed[fund]}"
            )
