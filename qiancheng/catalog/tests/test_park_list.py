"""The province keeps the list of supported border/port parks (4.1): dated, with sources, audited, on a
page and in the API; nobody else may change it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from qiancheng.accounts.models import AuditEntry, User
from qiancheng.accounts.services import issue_api_token
from qiancheng.accounts.tests.second_factor_support import pass_second_factor
from qiancheng.catalog.models import IndustrialPark
from qiancheng.catalog.parks import ParkEntry, add_park, edit_park, end_park, parks_in_force
from qiancheng.catalog.services import load_catalog
from qiancheng.clock import frozen_at
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db
BASE = "/api/v1/catalog/parks"
QINZHOU = "450700"


def _entry(**changes: object) -> ParkEntry:
    values: dict[str, object] = {"name": "测试港口园区", "city": builders.city(QINZHOU, "钦州市"),
                                 "source_document": "桂人社函〔2025〕99号（测试）", "valid_from": dt.date(2025, 1, 1)}
    values.update(changes)
    return ParkEntry(**values)  # type: ignore[arg-type]


def test_the_province_adds_edits_and_ends_a_park_each_audited(province_official: User) -> None:
    park = add_park(province_official, "test_port", _entry())
    assert park.in_force_on(dt.date(2026, 6, 1))
    edit_park(province_official, park, _entry(name="测试港口园区（更名）"), reason="更名")
    end_park(province_official, park, dt.date(2026, 12, 31), "桂人社函〔2026〕5号")
    park.refresh_from_db()
    assert park.name == "测试港口园区（更名）" and park.valid_to == dt.date(2026, 12, 31)
    assert park.in_force_on(dt.date(2026, 12, 31)) and not park.in_force_on(dt.date(2027, 1, 1))
    assert not parks_in_force(dt.date(2027, 1, 1)).filter(pk=park.pk).exists()
    actions = list(AuditEntry.objects.filter(target_pk=str(park.pk)).order_by("pk").values_list("action", flat=True))
    assert actions == ["park.added", "park.edited", "park.ended"]


def test_a_park_needs_its_city_and_the_document_that_names_it(province_official: User) -> None:
    with pytest.raises(ValidationError) as refused:
        add_park(province_official, "nameless", _entry(name=" ", city=None, source_document=""))
    assert set(refused.value.message_dict) == {"name", "city", "source_document"}
    with pytest.raises(ValidationError) as reversed_period:
        add_park(province_official, "backwards", _entry(valid_to=dt.date(2024, 12, 31)))
    assert "valid_to" in reversed_period.value.message_dict
    assert not IndustrialPark.objects.exists()


def test_only_the_province_changes_the_list(nanning_official: User, outsider: User, province_official: User) -> None:
    for actor in (nanning_official, outsider):
        with pytest.raises(PermissionDenied):
            add_park(actor, "x", _entry())
    park = add_park(province_official, "test_port", _entry())
    with pytest.raises(PermissionDenied):
        end_park(nanning_official, park, dt.date(2025, 12, 31), "x")


def test_the_province_page_lists_adds_and_ends_parks(client: Client, login: Callable[[Client, User], Client],
                                                    province_official: User, nanning_official: User) -> None:
    load_catalog()
    page = login(client, province_official).get("/catalog/parks/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "凭祥产业园" in body and "东兴产业园" in body and "待自治区人社厅确定" not in body
    missing = client.post("/catalog/parks/", {"code": "test_port", "name": "测试港口园区", "city": QINZHOU,
                                              "valid_from": "2025-01-01"})
    assert missing.status_code == 422 and "依据文件" in missing.content.decode()
    added = client.post("/catalog/parks/", {"code": "test_port", "name": "测试港口园区", "city": QINZHOU,
                                            "source_document": "桂人社函〔2025〕99号（测试）", "valid_from": "2025-01-01"})
    assert added.status_code == 302
    ended = client.post("/catalog/parks/test_port/", {"action": "end", "last_day": "2026-12-31", "reason": "文件"})
    assert ended.status_code == 302
    assert IndustrialPark.objects.get(code="test_port").valid_to == dt.date(2026, 12, 31)
    assert login(Client(), nanning_official).get("/catalog/parks/").status_code in (302, 403)


def test_the_api_lists_the_parks_on_the_list_today_and_lets_only_the_province_change_it(
        client: Client, province_official: User, nanning_official: User) -> None:
    load_catalog()
    province = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(province_official, second_factor=pass_second_factor(province_official))[0]}"}
    city = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(nanning_official, second_factor=pass_second_factor(nanning_official))[0]}"}
    new = {"code": "test_port", "name": "测试港口园区", "city_code": QINZHOU,
           "source_document": "桂人社函〔2025〕99号（测试）", "valid_from": "2025-01-01"}
    refused = client.post(BASE, json.dumps(new), content_type="application/json", **city)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    bad = client.post(BASE, json.dumps(new | {"source_document": ""}), content_type="application/json", **province)
    assert bad.status_code == 422 and set(bad.json()) >= {"code", "message_zh", "message_en"}
    created = client.post(BASE, json.dumps(new), content_type="application/json", **province)
    assert created.status_code == 201 and created.json()["valid_to"] is None
    with frozen_at(dt.date(2026, 6, 1)):
        assert {p["code"] for p in client.get(BASE).json()} == {"pingxiang", "dongxing", "test_port"}
    ended = client.post(f"{BASE}/test_port/end", json.dumps({"last_day": "2026-12-31", "reason": "文件"}),
                        content_type="application/json", **province)
    assert ended.status_code == 200 and ended.json()["valid_to"] == "2026-12-31"
    with frozen_at(dt.date(2027, 1, 1)):
        assert "test_port" not in {p["code"] for p in client.get(BASE).json()}
    assert client.post(f"{BASE}/nowhere/end", json.dumps({"last_day": "2026-12-31", "reason": "x"}),
                       content_type="application/json", **province).status_code == 404


def test_the_park_page_reads_in_english_when_asked(client: Client, login: Callable[[Client, User], Client],
                                                   province_official: User) -> None:
    load_catalog()
    client = login(client, province_official)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/catalog/parks/").content.decode()
    assert "<h1>Border/port industrial parks</h1>" in body and "Add to the list" in body and "Source document" in body
    assert "沿边临港产业园区名单" not in body and "加入名单" not in body
    detail = client.get("/catalog/parks/dongxing/").content.decode()
    assert "End the support" in detail and "结束支持" not in detail
