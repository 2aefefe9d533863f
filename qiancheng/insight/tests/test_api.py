"""`/api/v1/insight`: targets and progress under city scope; others 403, another city's entry 404, bad input 422."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from qiancheng.accounts.services import issue_api_token
from qiancheng.accounts.tests.second_factor_support import pass_second_factor
from qiancheng.clock import frozen_at
from qiancheng.insight.models import Target
from qiancheng.insight.services import set_target
from qiancheng.insight.tests.records import KEY, OTHER, claim, independent_count, refreshed

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 7, 2)


class Api:
    def __init__(self, user: Any) -> None:
        with transaction.atomic():
            token, _ = issue_api_token(user, second_factor=pass_second_factor(user))
        self.client, self.headers = Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1/insight{path}", **self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(f"/api/v1/insight{path}", body, content_type="application/json", **self.headers)


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert {"code", "message_zh", "message_en"} <= set(body)
    return body


def test_the_province_records_a_target_and_reads_the_progress(province_official, nanning_official,
                                                              liuzhou_official) -> None:
    for _ in range(2):
        claim(nanning_official.city, dt.date(2026, 3, 31), KEY)
    claim(nanning_official.city, dt.date(2026, 4, 30), OTHER)
    claim(liuzhou_official.city, dt.date(2026, 4, 30), OTHER)
    refreshed()
    province = Api(province_official)
    with frozen_at(DAY):
        made = province.post("/targets", {"year": 2026, "city_code": "450100", "count": 12,
                                          "document": "桂人社发〔2026〕1号", "valid_from": "2026-01-01"})
        assert made.status_code == 201, made.content
        assert made.json()["city_code"] == "450100" and made.json()["count"] == 12
        body = province.get("/progress?year=2026").json()
    rows = {row["city_code"]: row for row in body["cities"]}
    nanning = rows["450100"]
    assert (nanning["achieved"]["trainings"], nanning["achieved"]["key_group"]) == independent_count(2026, "450100")
    assert nanning["achieved"]["share"] == "0.6667" and nanning["achieved"]["below_minimum"] is True
    assert nanning["target"] == 12 and nanning["expected_by_today"] == 6 and nanning["behind"] is True  # 3 < 6
    assert [month["trainings"] for month in nanning["months"]][2:4] == [2, 1]
    assert body["province"]["achieved"]["trainings"] == independent_count(2026)[0] == 4
    assert body["province"]["target"] == 210_000 and body["key_group_min_share"] == "0.70"
    assert body["cities_behind"] == ["450100"] and set(body["cities_below_share"]) == {"450100", "450200"}
    assert body["as_of"] == "2026-07-02" and body["elapsed"] == "0.5014"  # 183 / 365


def test_a_city_sees_its_own_city_and_targets_others_are_refused(province_official, nanning_official,
                                                                 liuzhou_official, institution_user) -> None:
    nanning_entry = set_target(province_official, 2026, "450100", 10, "桂人社发〔2026〕1号", dt.date(2026, 1, 1))
    liuzhou_entry = set_target(province_official, 2026, "450200", 10, "桂人社发〔2026〕1号", dt.date(2026, 1, 1))
    city = Api(nanning_official)
    assert [row["id"] for row in city.get("/targets").json()] == [nanning_entry.pk]
    assert city.get(f"/targets/{nanning_entry.pk}").status_code == 200
    assert _problem(city.get(f"/targets/{liuzhou_entry.pk}"), 404)["code"] == "not_found"
    assert _problem(city.get("/targets/999999"), 404) == _problem(city.get(f"/targets/{liuzhou_entry.pk}"), 404)
    progress = city.get("/progress?year=2026").json()
    assert [row["city_code"] for row in progress["cities"]] == ["450100"] and progress["province"] is None
    assert _problem(city.post("/targets", {"year": 2026, "city_code": "450100", "count": 11, "document": "文",
                                           "valid_from": "2026-02-01"}), 403)["code"] == "forbidden"
    outsider = Api(institution_user)
    for path in ("/targets", f"/targets/{nanning_entry.pk}", "/progress"):
        assert _problem(outsider.get(path), 403)["code"] == "forbidden"
    assert _problem(outsider.post("/targets", {"year": 2026, "count": 1}), 403)["code"] == "forbidden"
    assert Target.objects.count() == 2


@pytest.mark.parametrize("body", [
    {"year": 2026, "count": 10, "document": "文", "valid_from": "2026-13-40"},
    {"year": "二〇二六", "count": 10, "document": "文", "valid_from": "2026-01-01"},
    {"year": 2026, "count": -1, "document": "文", "valid_from": "2026-01-01"},
    {"year": 2026, "count": 10 ** 30, "document": "文", "valid_from": "2026-01-01"},
    {"year": 2026, "count": 10, "document": "文" * 300, "valid_from": "2026-01-01"},
    {"year": 2026, "city_code": "4501000", "count": 10, "document": "文", "valid_from": "2026-01-01"},
    {"year": 2026, "city_code": "459999", "count": 10, "document": "文", "valid_from": "2026-01-01"},
    {"year": 2028, "count": 300_000, "document": "文", "valid_from": "2028-01-01"},
    {"year": 2026, "count": 1, "document": "文", "valid_from": "2026-01-01"},  # below the plan's 210,000
    {"year": 2026, "city_code": "450100", "count": 300_000, "document": "文", "valid_from": "2026-01-01"},
    {"year": 2026, "city_code": "450100", "count": 10, "document": "", "valid_from": "2026-01-01"},
    {"year": 2026, "city_code": "450100", "count": 10, "document": "文"},
    {"count": 10},
    {},
    [],
    '"a JSON string, not an object"',
])
def test_bad_input_is_a_422_in_the_problem_shape(province_official, nanning_official, body) -> None:
    response = Api(province_official).post("/targets", body)
    _problem(response, 422)
    assert not Target.objects.exists()


@pytest.mark.parametrize("query", ["?year=2024", "?year=abc", "?year=99999", "?year=-1"])
def test_a_year_outside_the_plan_is_a_422(province_official, query) -> None:
    _problem(Api(province_official).get(f"/progress{query}"), 422)


def test_a_query_out_of_range_is_a_422(province_official) -> None:
    province = Api(province_official)
    _problem(province.get("/targets?limit=0"), 422)
    _problem(province.get("/targets?city_code=12345678"), 422)
    assert province.get("/targets?year=2026&city_code=450100").json() == []
