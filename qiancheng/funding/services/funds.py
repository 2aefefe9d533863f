"""Fund accounts and their budgets (5.1-5.4, 4.1): the province allocates, balances come from the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from qiancheng.accounts.models import Role
from qiancheng.catalog.models import City, IndustrialPark
from qiancheng.funding.models import FundAccount, FundSource, TransactionKind
from qiancheng.funding.services.ledger import APPROPRIATION, AVAILABLE, FEN, post_transaction, transfer
from qiancheng.funding.services.refusal import FundingRefused


@dataclass(frozen=True)
class Balances:
    """One fund account's money: allocated = reserved + paid + available, none below zero."""

    allocated: Decimal
    reserved: Decimal
    paid: Decimal
    available: Decimal


def balances(fund: FundAccount) -> Balances:
    fund.refresh_from_db(fields=["allocated", "reserved", "paid"])
    return Balances(fund.allocated, fund.reserved, fund.paid, fund.available)


def require_province_official(actor: Any, what_zh: str, what_en: str) -> None:
    if getattr(actor, "role", None) != Role.PROVINCE_OFFICIAL or not actor.is_active:
        raise FundingRefused("forbidden", f"只有自治区人社厅可以{what_zh}", f"only the province may {what_en}",
                             status=403)


def fund_account(source: str, year: int, city: City | None = None, park: IndustrialPark | None = None) -> FundAccount:
    """The one account of this source, year and holder, opened empty the first time it is asked for."""
    if source not in FundSource.values:
        raise FundingRefused("bad_source", f"未知的资金来源：{source}", f"unknown fund source: {source}", status=422)
    if park is not None:
        # 4.1: a park's allocation is its own; its city, when known, says whose officials see it.
        city = park.city
        found, _ = FundAccount.objects.get_or_create(source=source, year=year, park=park, defaults={"city": city})
        return found
    found, _ = FundAccount.objects.get_or_create(source=source, year=year, city=city, park=None)
    return found


def allocate(actor: Any, source: str, year: int, amount: Decimal, document_ref: str, city: City | None = None,
             park: IndustrialPark | None = None, *, idempotency_key: str | None = None) -> FundAccount:
    """Record an allocation (下达) of `amount` to the account of `source`/`year` held by the province, a city
    or a park (4.1: each border/port park receives its own), with the document that ordered it."""
    require_province_official(actor, "下达资金", "allocate funds")
    if not isinstance(amount, Decimal) or amount <= 0 or amount != amount.quantize(FEN):
        raise FundingRefused("bad_amount", "下达金额须为大于零、精确到分的金额",
                             "an allocation must be a positive amount to the fen", status=422)
    if not document_ref.strip():
        raise FundingRefused("document_ref_missing", "下达资金须注明文号", "an allocation needs its document reference",
                             status=422)
    with transaction.atomic():
        fund = fund_account(source, year, city, park)
        post_transaction(
            actor, TransactionKind.ALLOCATION, transfer(fund, amount, debit=APPROPRIATION, credit=AVAILABLE),
            memo=f"下达 {fund} / allocation", document_ref=document_ref.strip(), idempotency_key=idempotency_key,
        )
    fund.refresh_from_db()
    return fund
