"""`/insight/progress/`: the figures shown equal counts made from the records, in Chinese and in English; the
province records a target with its document; a city sees its own row; other roles are refused."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from qiancheng.clock import frozen_at
from qiancheng.insight.models import Target
from qiancheng.insight.tests.records import KEY, OTHER, claim, independent_count, refreshed

pytestmark = pytest.mark.django_db

URL = "/insight/progress/"
DAY = dt.date(2026, 7, 2)


def _cell(html: str, testid: str) -> str:
    found = re.search(rf'data-testid="{re.escape(testid)}"[^>]*>(.*?)</td>', html, re.S)
    assert found, testid
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def _world(nanning_official, liuzhou_official) -> None:
    for _ in range(3):
        claim(nanning_official.city, dt.date(2026, 3, 31), KEY)
    claim(nanning_official.city, dt.date(2026, 5, 31), OTHER)
    claim(liuzhou_official.city, dt.date(2026, 5, 31), OTHER)
    claim(liuzhou_official.city, dt.date(2026, 5, 31), KEY, eligible=False)
    refreshed()


def test_the_province_page_shows_the_counted_figures_in_chinese(province_official, nanning_official,
                                                                liuzhou_official, login) -> None:
    _world(nanning_official, liuzhou_official)
    client = login(Client(), province_official)
    with frozen_at(DAY):
        html = client.get(f"{URL}?year=2026", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "2026年培训进度" in html and "重点群体占比（按月）" in html and 'lang="zh-hans"' in html
    for code in ("450100", "450200"):
        trainings, key = independent_count(2026, code)
        assert _cell(html, f"achieved-{code}") == str(trainings)
        assert _cell(html, f"key-{code}") == str(key)
    assert _cell(html, "share-450100") == "75.0" and _cell(html, "share-450200") == "0.0"
    assert "重点群体低于70.0%" in _cell(html, "flags-450200") and "重点群体低于" not in _cell(html, "flags-450100")
    assert _cell(html, "target-450100") == "未分解"
    # The charts are drawn on the server (ADR 0006): an SVG named for a screen reader, no ECharts.
    assert 'id="share-chart"' in html and 'aria-label="各市重点群体占比的柱状图"' in html and "echarts" not in html
    assert "insight/progress.css" in html and "style=" not in html and "<script>" not in html
    assert 'data-testid="target-form"' in html


def test_the_page_in_english_has_the_same_figures(province_official, nanning_official, liuzhou_official,
                                                  login) -> None:
    _world(nanning_official, liuzhou_official)
    client = login(Client(), province_official)
    client.cookies["django_language"] = "en"
    with frozen_at(DAY):
        html = client.get(f"{URL}?year=2026").content.decode()
    assert "Progress in 2026" in html and "Key-group share by month" in html and "培训进度" not in html
    assert _cell(html, "achieved-450100") == "4" and "Key groups under 70.0%" in _cell(html, "flags-450200")


def test_the_province_records_a_city_target_with_its_document(province_official, nanning_official,
                                                               liuzhou_official, login) -> None:
    _world(nanning_official, liuzhou_official)
    client = login(Client(), province_official)
    with frozen_at(DAY):
        response = client.post(URL, {"year": "2026", "city": "450100", "count": "8", "valid_from": "2026-01-01",
                                     "document": "桂人社发〔2026〕3号"}, follow=True)
        html = response.content.decode()
    entry = Target.objects.get()
    assert (entry.year, entry.city_id, entry.count, entry.document) == (2026, "450100", 8, "桂人社发〔2026〕3号")
    assert _cell(html, "target-450100") == "8" and _cell(html, "expected-450100") == "4"  # 8 x 183/365
    assert "桂人社发〔2026〕3号" in html
    # A refused entry says why, in the page's language only, and records nothing.
    with frozen_at(DAY):
        refused = client.post(URL, {"year": "2026", "city": "450200", "count": "300000",
                                    "valid_from": "2026-01-01", "document": "文"}, follow=True).content.decode()
    assert "超过全区目标" in refused and "more than" not in refused and Target.objects.count() == 1
    with frozen_at(DAY):
        invalid = client.post(URL, {"year": "2026", "city": "450200", "count": "x", "valid_from": "",
                                    "document": ""}).content.decode()
    assert 'data-testid="error-summary"' in invalid and Target.objects.count() == 1


def test_a_city_sees_its_own_row_and_cannot_record(nanning_official, liuzhou_official, login) -> None:
    _world(nanning_official, liuzhou_official)
    client = login(Client(), nanning_official)
    html = client.get(f"{URL}?year=2026").content.decode()
    assert 'data-testid="progress-450100"' in html and 'data-testid="progress-450200"' not in html
    assert 'data-testid="target-form"' not in html and 'data-testid="province-cards"' not in html
    assert client.post(URL, {"year": "2026", "city": "450100", "count": "8", "valid_from": "2026-01-01",
                             "document": "文"}).status_code == 403
    assert not Target.objects.exists()


def test_other_roles_are_refused(institution_user, trainee_user, login) -> None:
    for user in (institution_user, trainee_user):
        assert login(Client(), user).get(URL).status_code == 403
    assert Client().get(URL).status_code == 302  # to the login page


def test_an_unknown_year_shows_the_default_year(province_official, login) -> None:
    with frozen_at(DAY):
        html = login(Client(), province_official).get(f"{URL}?year=1999").content.decode()
    assert "2026年培训进度" in html
