"""`/api/v1/sanctions`: the register read under city scope, and a listing lifted early (6d)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from qiancheng.accounts.models import Role, User
from qiancheng.clock import today
from qiancheng.providers.models import Institution, InstitutionStatus
from qiancheng.providers.tests.test_institution_api import Api
from qiancheng.sanctions import services
from qiancheng.sanctions.models import BlacklistEntry
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


def _get(api: Api, path: str) -> Any:
    return api.client.get(f"/api/v1/sanctions{path}", **api.headers)


def _post(api: Api, path: str, body: dict[str, Any]) -> Any:
    return api.client.post(f"/api/v1/sanctions{path}", body, content_type="application/json", **api.headers)


def test_the_city_reads_its_listings_and_lifts_one_early(nanning_official) -> None:
    institution = builders.institution()
    entry = services.list_institution(nanning_official, institution, "虚假宣传", "南人社处〔2026〕5号")
    city = Api(nanning_official)
    listed = _get(city, f"?institution_id={institution.pk}&in_force_on={today().isoformat()}").json()
    assert [row["id"] for row in listed] == [entry.pk] and listed[0]["document_ref"] == "南人社处〔2026〕5号"

    lifted = _post(city, f"/{entry.pk}/lift", {"last_day": today().isoformat(), "reason": "复查撤销",
                                               "document_ref": "南人社复〔2026〕1号"})
    assert lifted.status_code == 200, lifted.content
    assert lifted.json()["listed_until"] == today().isoformat() and lifted.json()["lifted_reason"] == "复查撤销"
    assert Institution.objects.get(pk=institution.pk).status == InstitutionStatus.SUSPENDED
    again = _post(city, f"/{entry.pk}/lift", {"last_day": today().isoformat(), "reason": "再次"})
    assert again.status_code == 422 and again.json()["code"] == "already_lifted"


def test_bad_lifting_input_is_a_4xx_and_another_city_sees_nothing(nanning_official) -> None:
    entry = services.list_institution(nanning_official, builders.institution(), "转包")
    city = Api(nanning_official)
    back = _post(city, f"/{entry.pk}/lift", {"last_day": (today() - timedelta(days=5)).isoformat(), "reason": "追溯"})
    assert back.status_code == 422 and back.json()["code"] == "backdated"
    assert _post(city, f"/{entry.pk}/lift", {"last_day": today().isoformat(), "reason": ""}).status_code == 422
    assert _post(city, f"/{entry.pk}/lift", {"last_day": "2026-13-40", "reason": "x"}).status_code == 422
    liuzhou = User.objects.create_user(username="liuzhou-sanctions", password="x" * 12, role=Role.CITY_OFFICIAL,
                                       city=builders.city("450200", "柳州市"))
    other = Api(liuzhou)
    assert _get(other, "").json() == []
    assert _post(other, f"/{entry.pk}/lift", {"last_day": today().isoformat(), "reason": "越权"}).status_code == 404
    assert BlacklistEntry.objects.get().lifted_at is None
