"""The star-rating list pages at 50 (every institution, every month: thousands a year for the province),
searched by institution and filtered by month and stars, instead of stopping at the first 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from qiancheng.insight.tests.rating_records import rated

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_months(persona_institution) -> None:
    """51 monthly snapshots of one institution: 4 stars, then 5 from the 51st month on."""
    for month in range(51):
        year, index = divmod(month, 12)
        rated(persona_institution, 5 if month == 50 else 4, on=dt.date(2025 + year, index + 1, 28))


def test_the_ratings_page_at_50_and_filter(client: Client, login, province_official, persona_institution,
                                           many_months) -> None:
    login(client, province_official)
    first = client.get("/insight/rating/").content.decode()
    assert first.count('<tr data-testid="rating-') == 50 and 'data-testid="pager"' in first
    assert client.get("/insight/rating/?page=2").content.decode().count('<tr data-testid="rating-') == 1
    five = client.get("/insight/rating/?stars=5").content.decode()
    assert five.count('<tr data-testid="rating-') == 1 and "<td>2029-03</td>" in five
    assert client.get("/insight/rating/?month=2025-02").content.decode().count('<tr data-testid="rating-') == 1
    named = client.get(f"/insight/rating/?q={persona_institution.name[:4]}").content.decode()
    assert named.count('<tr data-testid="rating-') == 50
    assert client.get("/insight/rating/?q=没有这个机构").content.decode().count('<tr data-testid="rating-') == 0
