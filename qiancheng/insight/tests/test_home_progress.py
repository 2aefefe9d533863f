"""The officials' homes show the year's progress and the key-group share (needs the portal hunk: portal/views.py
passes `progress = insight.figures.home_report(user)`, home_province.html / home_city.html include
insight/_home_progress.html)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from qiancheng.clock import frozen_at
from qiancheng.insight.tests.records import KEY, OTHER, claim, independent_count, refreshed

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 7, 2)


def _row(html: str, testid: str) -> list[str]:
    found = re.search(rf'data-testid="{testid}">(.*?)</tr>', html, re.S)
    assert found, testid
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", found.group(1), re.S)]


def test_the_homes_show_the_years_progress(province_official, nanning_official, liuzhou_official, login) -> None:
    claim(nanning_official.city, dt.date(2026, 3, 31), KEY)
    claim(liuzhou_official.city, dt.date(2026, 3, 31), OTHER)
    refreshed()
    with frozen_at(DAY):
        province = login(Client(), province_official).get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        city = login(Client(), nanning_official).get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # 全区: the plan's 210,000; 2 trainings; 210,000 x 183/365 = 105,288 expected; 2 x 365/183 = 4 projected; 50 %.
    assert _row(province, "home-progress-province") == ["全区", "210,000", "2", "105,288", "4", "50.0"]
    assert independent_count(2026)[0] == 2
    assert "柳州市" in re.search(r'data-testid="home-below-share">(.*?)</p>', province, re.S).group(1)
    assert _row(city, "home-progress-450100") == ["南宁市", "未分解", "1", "", "2", "100.0"]
    assert "home-progress-450200" not in city and "home-progress-province" not in city


def test_other_homes_show_no_progress(institution_user, login) -> None:
    assert "home-progress" not in login(Client(), institution_user).get("/").content.decode()
