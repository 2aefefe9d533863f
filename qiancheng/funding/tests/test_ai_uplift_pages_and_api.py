"""4.2's uplift on its page and through the API: the same service, the same refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from qiancheng.accounts.models import User
from qiancheng.funding.models import CityAiUplift
from qiancheng.funding.tests.test_money_api import Api
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


def test_the_province_records_an_uplift_on_the_page_and_a_city_only_reads_it(
    client: Client, login, province_official: User, nanning_official: User,
) -> None:
    builders.city()
    page = login(client, province_official)
    assert 'data-testid="uplift-form"' in page.get("/money/ai-uplift/").content.decode()
    too_much = page.post("/money/ai-uplift/", {"city": "450100", "uplift": "0.25", "valid_from": "2025-09-01",
                                               "document": "南人社发〔2025〕12号"}, follow=True).content.decode()
    assert "4.2" in too_much and not CityAiUplift.objects.exists()
    done = page.post("/money/ai-uplift/", {"city": "450100", "uplift": "0.20", "valid_from": "2025-09-01",
                                           "document": "南人社发〔2025〕12号"}, follow=True).content.decode()
    assert "南人社发〔2025〕12号" in done and CityAiUplift.objects.get().uplift == Decimal("0.20")

    city = login(Client(), nanning_official)
    html = city.get("/money/ai-uplift/").content.decode()
    assert "南人社发〔2025〕12号" in html and 'data-testid="uplift-form"' not in html
    city.post("/money/ai-uplift/", {"city": "450100", "uplift": "0.10", "valid_from": "2025-10-01",
                                    "document": "x"})
    assert CityAiUplift.objects.count() == 1


def test_the_api_accepts_twenty_percent_and_refuses_more_or_less(province_official: User,
                                                                 nanning_official: User) -> None:
    builders.city()
    api = Api(province_official)
    body = {"city_code": "450100", "valid_from": "2025-09-01", "document": "南人社发〔2025〕12号"}
    for value, key in ((0.25, "a"), ("-0.05", "b")):
        refused = api.post("/funds/ai-uplifts", {**body, "uplift": value}, key)
        assert refused.status_code == 422 and refused.json()["code"] == "uplift_outside_4_2"
        assert "4.2" in refused.json()["message_en"]
    accepted = api.post("/funds/ai-uplifts", {**body, "uplift": "0.20"}, "c")
    assert accepted.status_code == 201 and accepted.json()["uplift"] == "0.2"
    assert [e["city_code"] for e in api.get("/funds/ai-uplifts").json()] == ["450100"]
    garbled = api.post("/funds/ai-uplifts", {**body, "uplift": "lots"}, "d")
    assert 400 <= garbled.status_code < 500
    city = Api(nanning_official).post("/funds/ai-uplifts", {**body, "uplift": "0.1", "valid_from": "2025-10-01"}, "e")
    assert city.status_code == 403


def test_the_engines_parameters_page_shows_the_uplift_in_force_today(client: Client, login,
                                                                      province_official: User) -> None:
    from qiancheng.clock import today
    from qiancheng.funding.services.uplift import set_ai_uplift

    builders.city()
    set_ai_uplift(province_official, "450100", "0.15", dt.date(2025, 9, 1), "南人社发〔2025〕12号")
    set_ai_uplift(province_official, "450100", "0.20", today() + dt.timedelta(days=1), "南人社发〔2026〕1号")
    html = login(client, province_official).get("/policy/parameters/").content.decode()
    uplifts = html[html.index('data-testid="uplifts"'):]
    rows = uplifts[uplifts.index("<tbody>"):uplifts.index("</tbody>")]
    assert "450100" in rows and "15%" in rows and "20%" not in rows  # the 20% applies from tomorrow
    assert 'data-testid="uplift-history"' in uplifts
