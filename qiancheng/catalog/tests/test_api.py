"""The public catalog API at /api/v1/catalog: no login needed."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

BASE = "/api/v1/catalog"


@pytest.fixture
def anonymous(catalog) -> Client:
    return Client()


def test_searching_the_ai_trainer_by_name_returns_it_first(anonymous):
    body = anonymous.get(f"{BASE}/occupations", {"q": "人工智能训练师"}).json()
    first = body["items"][0]
    assert first["code"] == "4-04-05-05"
    assert first["levels"] == [5, 4, 3, 2, 1] and first["levels_recorded"] is True
    assert first["is_ai_shortage"] is True
    assert first["minor_code"] == "4-04-05" and first["major_name"] == "社会生产服务和生活服务人员"


def test_exact_name_ranks_before_longer_names_containing_it(anonymous):
    items = anonymous.get(f"{BASE}/occupations", {"q": "人工智能"}).json()["items"]
    assert {item["code"] for item in items} >= {"4-04-05-05", "2-02-38-01"}
    assert all("人工智能" in item["name"] for item in items)


def test_searching_by_code_prefix_returns_that_group_in_code_order(anonymous):
    body = anonymous.get(f"{BASE}/occupations", {"q": "4-10-01"}).json()
    codes = [item["code"] for item in body["items"]]
    assert codes == sorted(codes) and body["count"] == len(codes) == 5
    assert codes[0] == "4-10-01-01"


def test_unrecorded_levels_are_shown_as_not_restricted(anonymous):
    butler = anonymous.get(f"{BASE}/occupations/4-14-06-02").json()
    assert butler["levels"] == [] and butler["levels_recorded"] is False


def test_pages_are_limited_to_100(anonymous):
    body = anonymous.get(f"{BASE}/occupations", {"limit": 100, "offset": 1600}).json()
    assert body["count"] == 1639 and len(body["items"]) == 39 and body["offset"] == 1600
    assert anonymous.get(f"{BASE}/occupations", {"limit": 101}).status_code == 422
    assert anonymous.get(f"{BASE}/occupations", {"offset": -1}).status_code == 422
    default = anonymous.get(f"{BASE}/occupations").json()
    assert len(default["items"]) == 20 and default["items"][0]["code"] == "1-01-00-01"


def test_ai_shortage_filter(anonymous):
    items = anonymous.get(f"{BASE}/occupations", {"ai_shortage": "true", "limit": 100}).json()["items"]
    assert items and all(item["is_ai_shortage"] for item in items)
    assert "4-04-05-05" in {item["code"] for item in items}


def test_one_occupation_and_a_missing_one(anonymous):
    assert anonymous.get(f"{BASE}/occupations/4-10-01-06").json()["levels"] == [5, 4, 3, 2]
    missing = anonymous.get(f"{BASE}/occupations/4-10-01-02")
    assert missing.status_code == 404
    assert missing.json() == {
        "code": "occupation_not_found", "message_zh": "未找到职业 4-10-01-02",
        "message_en": "occupation 4-10-01-02 not found",
    }


def test_cities_and_a_citys_current_counties(anonymous):
    cities = anonymous.get(f"{BASE}/cities").json()
    assert len(cities) == 14 and cities[0] == {"code": "450100", "name": "南宁市", "name_en": "Nanning"}
    nanning = anonymous.get(f"{BASE}/cities/450100/counties").json()
    codes = [county["code"] for county in nanning]
    assert len(codes) == 12 and "450181" in codes and "450127" not in codes
    assert nanning[0]["city_code"] == "450100"


def test_historical_counties_on_request(anonymous):
    counties = anonymous.get(f"{BASE}/cities/450100/counties", {"include_historical": "true"}).json()
    hengxian = next(county for county in counties if county["code"] == "450127")
    assert hengxian["is_current"] is False and hengxian["successor_code"] == "450181"
    assert "横州市" in hengxian["note"]


def test_unknown_city_is_404_in_both_languages(anonymous):
    response = anonymous.get(f"{BASE}/cities/459900/counties")
    assert response.status_code == 404
    assert response.json()["code"] == "city_not_found"
    assert response.json()["message_zh"] == "未找到地级市 459900"


def test_parks_are_the_two_confirmed_with_their_source(anonymous):
    # 4.1 names no park: only 凭祥 and 东兴 are confirmed from public sources; the province enters the others.
    parks = {park["code"]: park for park in anonymous.get(f"{BASE}/parks").json()}
    assert set(parks) == {"pingxiang", "dongxing"}
    assert parks["pingxiang"]["city_code"] == "451400" and parks["dongxing"]["city_code"] == "450600"
    assert all("4.1" in park["source_document"] and park["valid_from"] == "2025-01-01" for park in parks.values())


def test_course_kinds_flag_the_licence_for_iyb_and_eyb(anonymous):
    kinds = anonymous.get(f"{BASE}/course-kinds").json()
    assert [k["code"] for k in kinds] == ["GYB", "SYB", "IYB", "EYB", "online_live", "online_ecommerce",
                                          "online_simulation"]
    assert [k["code"] for k in kinds if k["needs_business_licence"]] == ["IYB", "EYB"]


def test_inactive_rows_leave_the_public_lists(anonymous):
    from qiancheng.catalog.models import Industry, SpecialAbilityItem

    Industry.objects.filter(code="sugar").update(is_active=False)
    SpecialAbilityItem.objects.filter(code="starter-10").update(is_active=False)
    industries = anonymous.get(f"{BASE}/industries").json()
    items = anonymous.get(f"{BASE}/special-ability-items").json()
    assert "sugar" not in {i["code"] for i in industries} and industries[0]["code"] == "ai"
    assert len(items) == 9 and all(i["min_hours"] >= 28 for i in items)


def test_programme_tags(anonymous):
    tags = anonymous.get(f"{BASE}/programme-tags").json()
    assert [t["code"] for t in tags][:2] == ["ai", "advanced_manufacturing"]
    assert tags[0]["clause"] == "4.2"


def test_the_catalog_appears_in_the_openapi_schema_without_security(anonymous):
    schema = anonymous.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/catalog/occupations"]["get"]
    assert not operation.get("security")
    county = schema["components"]["schemas"]["CountyOut"]["properties"]
    assert "city_code" in county and "city_id" not in county
