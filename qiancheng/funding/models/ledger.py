"""The double-entry ledger behind the fund balances: every movement of money is a balanced transaction."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from qiancheng.catalog.vocabulary import in_fen, money


class TransactionKind(models.TextChoices):
    """Why money moved."""

    ALLOCATION = "allocation", _("下达")  # budget placed in a fund account
    RESERVATION = "reservation", _("预留")  # set aside for an approved claim
    RELEASE = "release", _("释放")  # a reservation given back (claim withdrawn, rejected, paid less)
    PAYMENT = "payment", _("支付")  # reserved money paid out to the claimant (6c)
    ADVANCE = "advance", _("垫付")  # 3.6: credit payment advanced before the claim is settled
    RECOVERY = "recovery", _("追回")  # 6d: money recovered after an improper payment
    CORRECTION = "correction", _("更正")  # reverses an erroneous posting; the memo says which
    BANK_RETURN = "bank_return", _("退票")  # the bank sent a payment back: its posting reversed


IMMUTABLE_MESSAGE = "账簿只增不改：更正请记一笔更正凭证 / the ledger is append-only: post a correction instead"


class LedgerImmutable(Exception):
    """An attempt to change or delete a written ledger row."""


def _refuse_change(*args: Any, **kwargs: Any) -> NoReturn:
    raise LedgerImmutable(IMMUTABLE_MESSAGE)


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk UPDATE and DELETE are refused too: a ledger row, once written, stays as written."""

    update = _refuse_change
    delete = _refuse_change


class AppendOnly(models.Model):
    """save() inserts only; delete() is refused."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse_change()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse_change()


class LedgerTransactionQuerySet(AppendOnlyQuerySet):
    def unbalanced(self) -> LedgerTransactionQuerySet:
        """Transactions whose debits and credits differ: always empty unless something bypassed the service."""
        totals = self.annotate(debits=Sum("entries__debit"), credits=Sum("entries__credit"))
        # Compared in whole fen: SQLite sums DECIMAL columns as binary floats.
        return totals.exclude(Exact(in_fen(models.F("debits")), in_fen(models.F("credits"))))


class LedgerTransaction(AppendOnly):
    """One business event that moves money, made of two or more LedgerEntry rows.

    Debits equal credits within a transaction. That is a rule across rows, which a CHECK constraint (one
    row at a time) cannot express; PostgreSQL could with a deferred constraint trigger, SQLite cannot, and
    the project keeps one code path for both. So the funding service builds all entries of a transaction
    in memory, refuses them unless the Decimal sums of debits and credits are equal, and inserts them
    with the transaction row and the FundAccount balance updates in one `transaction.atomic()` block.
    Rows are never updated or deleted afterwards (a mistake is fixed by a CORRECTION transaction), and
    `LedgerTransaction.objects.unbalanced()` lets tests and reconciliation prove the rule held.
    """

    kind = models.CharField(max_length=16, choices=TransactionKind.choices)
    memo = models.TextField(blank=True, default="")
    document_ref = models.CharField(max_length=128, blank=True, default="", help_text="文号 / voucher number")
    claim = models.ForeignKey(
        "funding.SubsidyClaim", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_transactions"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # A retried request carrying the same key finds the first posting instead of posting twice.
    idempotency_key = models.CharField(max_length=128, unique=True, null=True, blank=True)

    objects = LedgerTransactionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "记账凭证 ledger transaction"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=TransactionKind.values), name="ledger_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.document_ref}"


class LedgerEntry(AppendOnly):
    """One side of a posting: a debit or a credit to one ledger account.

    `account` is a code of the chart of accounts kept by the funding service (e.g. "fund.allocated",
    "fund.reserved", "fund.paid", "budget.source", "payable.claimant"); `fund` names the fund account
    when the posting concerns one.
    """

    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.CharField(max_length=64)
    fund = models.ForeignKey(
        "funding.FundAccount", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    debit = money(default=0)
    credit = money(default=0)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["transaction_id", "id"]
        verbose_name = "分录 ledger entry"
        indexes = [models.Index(fields=["fund", "account"], name="ledger_entry_fund_account")]
        constraints = [
            models.CheckConstraint(
                condition=Q(debit__gt=0, credit=0) | Q(debit=0, credit__gt=0),
                name="ledger_entry_one_side_positive",
            ),
        ]

    def __str__(self) -> str:
        side = f"Dr {self.debit}" if self.debit else f"Cr {self.credit}"
        return f"{self.account} {side}"
