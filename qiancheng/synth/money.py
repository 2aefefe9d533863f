"""The synthetic province's money: fund accounts, allocations, reservations and payments.

Postings follow the funding ledger's chart of accounts (qiancheng/funding/services/ledger.py):
allocation Dr budget.appropriation / Cr fund.available; an approved claim's reservation Dr
fund.available / Cr fund.reserved; its payment Dr fund.reserved / Cr fund.paid. The cached balances
of each FundAccount are the sums of its entries, so `qiancheng ledger verify` holds on the result.
Each account is allocated enough for its approved and paid claims plus room for the pending ones,
so an official can go on approving and paying in the demo.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from qiancheng.funding.services.ledger import APPROPRIATION, AVAILABLE, PAID, RESERVED
from qiancheng.funding.services.payment_batches import batch_reference_column
from qiancheng.synth import reference as ref
from qiancheng.synth.records import at_local

CLAIM_FUNDS = ("employment_subsidy", "special_account", "unemployment_insurance")
YEARS = (2025, 2026, 2027)
# 4.1: each border/port park receives 10,000,000 CNY a year in 2025 and 2026.
PARK_ALLOCATION = 10_000_000
PARK_YEARS = (2025, 2026)
HEADROOM_PER_PENDING = 4_000  # above the largest synthetic standard with the AI uplift
BASE_HEADROOM = 100_000
MONEY = pl.Decimal(14, 2)


@dataclass(frozen=True)
class Ledger:
    accounts: pl.DataFrame  # FundAccount rows
    transactions: pl.DataFrame  # LedgerTransaction rows
    entries: pl.DataFrame  # LedgerEntry rows
    claim_accounts: pl.DataFrame  # claim id -> fund_account_id
    payment_transactions: pl.DataFrame  # claim id -> ledger_transaction_id of its payment


def _accounts(claims: pl.DataFrame, park_rows: list[tuple[int, str | None]], first_id: int) -> pl.DataFrame:
    cities = [code for code, _, _ in ref.CITIES]
    grid = pl.DataFrame({"source": CLAIM_FUNDS}).join(pl.DataFrame({"city_id": cities}), how="cross", maintain_order="left").join(
        pl.DataFrame({"year": YEARS}), how="cross", maintain_order="left").with_columns(pl.lit(None, dtype=pl.Int64).alias("park_id"))
    totals = claims.group_by("source", "city_id", "year", maintain_order=True).agg(
        pl.col("total_amount").filter(pl.col("status") == "approved").sum().alias("reserved"),
        pl.col("total_amount").filter(pl.col("status") == "paid").sum().alias("paid"),
        (pl.col("status") == "pending").sum().alias("pending"),
    )
    grid = grid.join(totals, on=["source", "city_id", "year"], how="left", maintain_order="left").with_columns(
        pl.col("reserved").fill_null(0).cast(MONEY), pl.col("paid").fill_null(0).cast(MONEY),
        pl.col("pending").fill_null(0),
    )
    need = (pl.col("reserved") + pl.col("paid")).cast(pl.Float64) * 1.2 + pl.col("pending") * HEADROOM_PER_PENDING
    grid = grid.with_columns((((need + BASE_HEADROOM) / 10_000).ceil() * 10_000).cast(pl.Int64).cast(MONEY)
                             .alias("allocated"))
    parks = pl.DataFrame(
        [(park, city, year) for park, city in park_rows for year in PARK_YEARS],
        schema={"park_id": pl.Int64, "city_id": pl.String, "year": pl.Int64}, orient="row",
    ).with_columns(
        pl.lit("employment_subsidy").alias("source"), pl.lit(PARK_ALLOCATION).cast(MONEY).alias("allocated"),
        pl.lit(0).cast(MONEY).alias("reserved"), pl.lit(0).cast(MONEY).alias("paid"),
    )
    both = pl.concat([grid.drop("pending"), parks.select(grid.drop("pending").columns)])
    return both.with_columns((pl.int_range(pl.len()) + first_id).alias("id"))


def build_ledger(claims: pl.DataFrame, park_rows: list[tuple[int, str | None]], seed: int, actor_id: int,
                 first: dict[str, int]) -> Ledger:
    """`claims`: system claims as written (id, number, fund, city_id, end_date, status, total_amount,
    reviewed_at, paid_on). `first`: first free ids of fund_account, transaction, entry."""
    claims = claims.with_columns(pl.col("fund").alias("source"), pl.col("end_date").dt.year().cast(pl.Int64)
                                 .alias("year"))
    accounts = _accounts(claims, park_rows, first["fund_account"])
    city_accounts = accounts.filter(pl.col("park_id").is_null()).select("source", "city_id", "year",
                                                                         pl.col("id").alias("fund_account_id"))
    claims = claims.join(city_accounts, on=["source", "city_id", "year"], how="left", maintain_order="left")

    allocations = accounts.select(
        pl.lit("allocation").alias("kind"), pl.col("id").alias("fund"), pl.col("allocated").alias("amount"),
        pl.format("下达 {} {} / allocation (synthetic)", "year", "source").alias("memo"),
        pl.format("桂人社发〔{}〕{}号（合成）", "year", pl.col("id")).alias("document_ref"),
        pl.lit(None, dtype=pl.Int64).alias("claim_id"),
        # 下达 on 10 January of the account's year, 09:00 in Guangxi.
        pl.datetime(pl.col("year"), 1, 10, 1, time_zone="UTC").alias("created_at"),
        pl.lit(None, dtype=pl.String).alias("idempotency_key"),
        pl.lit(APPROPRIATION).alias("debit_account"), pl.lit(AVAILABLE).alias("credit_account"),
    )
    held = claims.filter(pl.col("status").is_in(["approved", "paid"]) & (pl.col("total_amount") > 0))
    reservations = held.select(
        pl.lit("reservation").alias("kind"), pl.col("fund_account_id").alias("fund"),
        pl.col("total_amount").alias("amount"),
        pl.format("核准预留 {} / reservation for an approved claim", "number").alias("memo"),
        pl.lit("").alias("document_ref"), pl.col("id").alias("claim_id"), pl.col("reviewed_at").alias("created_at"),
        pl.lit(None, dtype=pl.String).alias("idempotency_key"),
        pl.lit(AVAILABLE).alias("debit_account"), pl.lit(RESERVED).alias("credit_account"),
    )
    paid = held.filter(pl.col("status") == "paid")
    payments = paid.select(
        pl.lit("payment").alias("kind"), pl.col("fund_account_id").alias("fund"),
        pl.col("total_amount").alias("amount"), pl.format("支付 {} / payment", "number").alias("memo"),
        batch_reference_column("paid_on", "city_id", f"synth-{seed}").alias("document_ref"),
        pl.col("id").alias("claim_id"), at_local("paid_on", 14).alias("created_at"),
        pl.format("payment:synth-{}-{}", pl.lit(seed), "number").alias("idempotency_key"),
        pl.lit(RESERVED).alias("debit_account"), pl.lit(PAID).alias("credit_account"),
    )
    postings = pl.concat([allocations, reservations, payments], how="vertical_relaxed").with_columns(
        (pl.int_range(pl.len()) + first["transaction"]).alias("id"))
    transactions = postings.select("id", "kind", "memo", "document_ref", "claim_id",
                                   pl.lit(actor_id).alias("created_by_id"), "created_at", "idempotency_key")
    zero = pl.lit(0).cast(MONEY)
    debits = postings.select(pl.col("id").alias("transaction_id"), pl.col("debit_account").alias("account"),
                             pl.col("fund").alias("fund_id"), pl.col("amount").alias("debit"), zero.alias("credit"))
    credits = postings.select(pl.col("id").alias("transaction_id"), pl.col("credit_account").alias("account"),
                              pl.col("fund").alias("fund_id"), zero.alias("debit"), pl.col("amount").alias("credit"))
    entries = pl.concat([debits, credits]).sort("transaction_id", "credit").with_columns(
        (pl.int_range(pl.len()) + first["entry"]).alias("id"))
    return Ledger(
        accounts=accounts.select("id", "source", "city_id", "park_id", "year", "allocated", "reserved", "paid"),
        transactions=transactions,
        entries=entries,
        claim_accounts=claims.select("id", "fund_account_id"),
        payment_transactions=postings.filter(pl.col("kind") == "payment").select(
            "claim_id", pl.col("id").alias("ledger_transaction_id")),
    )

