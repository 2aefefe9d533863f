"""`/risk/`'s lists page and search on their own (issue 15: no list longer than 50 rows without pagination,
every list searchable by number): the signals and the cases, 50 a page, each with its own pager and search box,
the others' searches and the signal filter kept when one list turns a page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from qiancheng.catalog.models import City
from qiancheng.clock import today
from qiancheng.risk.models import Case, Signal
from qiancheng.web.listing import PER_PAGE

pytestmark = pytest.mark.django_db


def _many(official, signals: int = 120, cases: int = 60) -> None:
    city = City.objects.get(code="450100")
    now = timezone.now()
    Signal.objects.bulk_create(Signal(rule="trainee_overlap", clause="3.5", city=city, fingerprint=f"{n:064d}",
                                      summary=f"学员{n}培训时间重叠", found_on=today(), found_at=now)
                               for n in range(signals))
    Case.objects.bulk_create(Case(city=city, title=f"案件{n}", opened_by=official, opened_at=now) for n in range(cases))


def _rows(html: str, testid: str) -> int:
    table = re.search(rf'data-testid="{testid}".*?<tbody>(.*?)</tbody>', html, re.S)
    return table[1].count("<tr>") if table else 0


def test_signals_and_cases_page_at_50_and_are_found_by_number(nanning_official, login) -> None:
    _many(nanning_official)
    client = login(Client(), nanning_official)
    first = client.get("/risk/").content.decode()
    assert _rows(first, "signals") == PER_PAGE and _rows(first, "cases") == PER_PAGE
    assert 'data-testid="s-pager"' in first and 'data-testid="k-pager"' in first
    assert "共 120 条" in first and "共 60 条" in first
    second = client.get("/risk/?s-page=3").content.decode()
    assert _rows(second, "signals") == 120 - 2 * PER_PAGE and _rows(second, "cases") == PER_PAGE

    case = Case.objects.order_by("pk")[7]
    found = client.get(f"/risk/?k-q={case.pk}").content.decode()
    assert f'href="/risk/cases/{case.pk}/"' in found and _rows(found, "cases") >= 1
    signal = Signal.objects.order_by("pk")[3]
    found = client.get(f"/risk/?s-q={signal.summary}").content.decode()
    assert _rows(found, "signals") == 1


def test_turning_one_list_keeps_the_filter_and_the_other_searches(nanning_official, login) -> None:
    _many(nanning_official)
    client = login(Client(), nanning_official)
    html = client.get("/risk/?rule=trainee_overlap&k-q=案件1").content.decode()
    pager = re.search(r'data-testid="s-pager".*?href="([^"]+)"', html, re.S)[1]
    assert "rule=trainee_overlap" in pager and "k-q=" in pager and "s-page=2" in pager
    assert 'name="k-q" type="search" value="案件1"' in html
