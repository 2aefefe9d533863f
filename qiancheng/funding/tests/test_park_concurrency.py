"""4.1's yearly cap under real concurrency (PostgreSQL, real threads): two officials allocating to one park
at once can never take it past 10,000,000 for the year. SQLite serialises writers, so this runs only on
PostgreSQL (like test_money_concurrency.py)."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections

from qiancheng.accounts.models import User
from qiancheng.catalog.parks import ParkEntry, add_park
from qiancheng.funding.models import FundAccount, FundSource
from qiancheng.funding.services.funds import allocate
from qiancheng.funding.services.ledger import verify_ledger
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.training.tests import builders

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks and concurrent writers need PostgreSQL"),
]


def test_two_allocations_racing_for_one_park_stay_within_the_yearly_cap(province_official: User) -> None:
    park = add_park(province_official, "race_port", ParkEntry(
        name="测试临港园区", city=builders.city(), source_document="桂人社函〔2025〕99号（测试）",
        valid_from=dt.date(2025, 1, 1)))
    start = threading.Barrier(2)

    def six_million(index: int) -> Any:
        try:
            start.wait(timeout=30)
            return allocate(province_official, FundSource.EMPLOYMENT_SUBSIDY, 2025, Decimal("6000000.00"),
                            f"桂人社发〔2025〕{index}号", park=park)
        except FundingRefused as refusal:
            return refusal
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(six_million, range(2)))
    # 6,000,000 + 6,000,000 > 10,000,000: exactly one of the two is allocated, the other refused by 4.1.
    assert sorted(type(result).__name__ for result in results) == ["FundAccount", "FundingRefused"]
    assert [r.code for r in results if isinstance(r, FundingRefused)] == ["park_cap_exceeded"]
    assert FundAccount.objects.get(park=park, year=2025).allocated == Decimal("6000000.00")
    assert verify_ledger().ok
