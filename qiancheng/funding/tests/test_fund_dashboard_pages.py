"""The fund dashboard pages its accounts (the province holds one per source, city, park and year: over a
hundred), searched by city or park and filtered by year, with the province's allocation form at the top."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from qiancheng.funding.models import FundSource
from qiancheng.funding.tests.money import funded
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_accounts(province_official) -> None:
    """52 accounts: 26 cities' employment-subsidy funds for 2025 and 2026."""
    for serial in range(1, 27):
        city = builders.city(f"45{serial:02d}99", f"测试{serial}市")
        for year in (2025, 2026):
            funded(province_official, "1000.00", city=city, year=year)


def rows(page: str) -> int:
    return page.count('data-testid="fund-row"')


def test_the_accounts_page_at_50_with_the_allocation_form_first(client: Client, login, province_official,
                                                                many_accounts) -> None:
    login(client, province_official)
    first = client.get("/money/funds/").content.decode()
    assert rows(first) == 50 and 'data-testid="pager"' in first
    assert first.index('data-testid="allocate-form"') < first.index('data-testid="fund-table"')
    assert rows(client.get("/money/funds/?page=2").content.decode()) == 2
    # The chart has a bar per fund source, not one per account (134 bars on the demo province blurred).
    chart = re.search(r'<figure class="bar-chart" id="fund-chart">(.*?)</figure>', first, re.S)[1]
    assert 1 <= chart.count('<g class="bar">') <= len(FundSource.choices)


def test_the_accounts_are_searched_by_city_and_filtered_by_year(client: Client, login, province_official,
                                                                many_accounts) -> None:
    login(client, province_official)
    assert rows(client.get("/money/funds/?q=测试7市").content.decode()) == 2
    by_year = client.get("/money/funds/?year=2026").content.decode()
    assert rows(by_year) == 26 and 'data-testid="pager"' not in by_year
    # An unknown year or page is ignored, never a 500.
    assert client.get("/money/funds/?year=1999&page=x").status_code == 200
