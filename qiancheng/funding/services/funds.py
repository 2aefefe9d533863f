"""Fund accounts and their budgets (5.1-5.4, 4.1): the province allocates, balances come from the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from qiancheng.accounts.models import Role
from qiancheng.catalog.models import City, IndustrialPark
from qiancheng.funding.models import FundAccount, FundSource, LedgerTransaction, TransactionKind
from qiancheng.funding.services.ledger import APPROPRIATION, AVAILABLE, FEN, ZERO, post_transaction, transfer
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.policy.params import PROGRAMME_END, PROGRAMME_START
from qiancheng.policy.parks import park_allocation_cap

# The largest amount a money column holds (max_digits=14, decimal_places=2).
MAX_AMOUNT = Decimal("999999999999.99")


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


def _refuse_bad_amount(amount: Any) -> None:
    """A positive, finite amount to the fen that a money column can hold; "1e30" is bad input, not a crash."""
    refusal = FundingRefused("bad_amount", f"下达金额须为大于零、精确到分、不超过{MAX_AMOUNT:,}元的金额",
                             f"an allocation must be a positive amount to the fen, at most {MAX_AMOUNT:,}", status=422)
    # Checked in this order so that quantize never meets a NaN or a number beyond its precision.
    if not isinstance(amount, Decimal) or not amount.is_finite() or not ZERO < amount <= MAX_AMOUNT:
        raise refusal
    if amount != amount.quantize(FEN):
        raise refusal


def _refuse_year_outside_programme(year: int) -> None:
    # 1a: the plan runs 2025-2027 (三年行动计划); no budget year outside it is ever drawn on.
    first, last = PROGRAMME_START.year, PROGRAMME_END.year
    if not first <= year <= last:
        raise FundingRefused("year_outside_programme", f"{year}年不在行动计划期内（{first}—{last}年，第1a条）",
                             f"{year} is outside the programme's years {first}-{last} (clause 1a)", status=422)


def _refuse_park_allocation(source: str, year: int, amount: Decimal, park: IndustrialPark) -> None:
    """4.1: each border/port park receives at most the yearly amount, of the employment-subsidy fund, in the
    years the plan names; the cap is cumulative over every allocation to that park for that year."""
    cap = park_allocation_cap(year)
    if cap is None:
        raise FundingRefused("park_year_not_funded", f"第4.1条只在规定年度给予园区资金，{year}年不在其中",
                             f"clause 4.1 gives the parks money only in the years it names; {year} is not one",
                             status=422)
    if source != cap.fund_source:
        raise FundingRefused("park_fund_source", "第4.1条园区资金为就业补助资金，不能下达其他来源的资金",
                             "clause 4.1 gives the parks employment-subsidy money; no other source", status=422)
    park = IndustrialPark.objects.get(pk=park.pk)  # the list as it is now, not as the caller read it
    if not park.in_force_during(year):
        raise FundingRefused("park_not_in_force", f"园区“{park.name}”在{year}年不在支持名单有效期内（第4.1条）",
                             f"park {park.code} is not on the supported list in {year} (clause 4.1)", status=422)
    already = FundAccount.objects.filter(source=source, year=year, park=park).values_list("allocated", flat=True).first()
    already = already or ZERO
    if already + amount > cap.amount:
        raise FundingRefused(
            "park_cap_exceeded",
            f"园区“{park.name}”{year}年已下达{already:,.2f}元，再下达{amount:,.2f}元将超过第4.1条每园区每年"
            f"{cap.amount:,.2f}元的额度（{cap.source}）",
            f"park {park.code} already has {already:,.2f} for {year}; {amount:,.2f} more would exceed clause 4.1's "
            f"{cap.amount:,.2f} per park per year",
            status=422,
        )


def check_allocation(source: str, year: int, amount: Decimal, document_ref: str,
                     park: IndustrialPark | None = None) -> None:
    """Every rule an allocation must pass, without writing: the allocation page shows these before it asks
    for a confirmation, and `allocate` checks them again, under the fund row's lock."""
    if source not in FundSource.values:
        raise FundingRefused("bad_source", f"未知的资金来源：{source}", f"unknown fund source: {source}", status=422)
    _refuse_bad_amount(amount)
    if not document_ref.strip():
        raise FundingRefused("document_ref_missing", "下达资金须注明文号", "an allocation needs its document reference",
                             status=422)
    _refuse_year_outside_programme(year)
    if park is not None:
        _refuse_park_allocation(source, year, amount, park)


def allocate(actor: Any, source: str, year: int, amount: Decimal, document_ref: str, city: City | None = None,
             park: IndustrialPark | None = None, *, idempotency_key: str | None = None) -> FundAccount:
    """Record an allocation (下达) of `amount` to the account of `source`/`year` held by the province, a city
    or a park (4.1: each border/port park receives its own, up to its yearly cap), with the document that
    ordered it. A repeated idempotency key returns the account and allocates nothing more."""
    require_province_official(actor, "下达资金", "allocate funds")
    if idempotency_key and LedgerTransaction.objects.filter(idempotency_key=idempotency_key).exists():
        return fund_account(source, year, city, park)
    check_allocation(source, year, amount, document_ref, park)
    with transaction.atomic():
        fund = fund_account(source, year, city, park)
        if park is not None:
            # Two allocations to one park at once: the second waits on the park's row and then sees the first
            # in the cap. The park row, not the fund row: it is taken before the audit chain and the fund rows
            # that post_transaction locks (ADR 0003's order), and no other posting locks it.
            IndustrialPark.objects.select_for_update().filter(pk=park.pk).first()
            _refuse_park_allocation(source, year, amount, park)
        post_transaction(
            actor, TransactionKind.ALLOCATION, transfer(fund, amount, debit=APPROPRIATION, credit=AVAILABLE),
            memo=f"下达 {fund} / allocation", document_ref=document_ref.strip(), idempotency_key=idempotency_key,
        )
    fund.refresh_from_db()
    return fund
