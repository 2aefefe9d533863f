"""`/api/v1/risk`: scoped reads, another city's record is 404 whatever the body, bad input is 422."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from qiancheng.providers.tests.test_institution_api import Api
from qiancheng.risk import cases, services
from qiancheng.risk.models import Case, Signal
from qiancheng.risk.tests import records
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


def _get(api: Api, path: str) -> Any:
    return api.client.get(f"/api/v1/risk{path}", **api.headers)


def _upload(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def _post(api: Api, path: str, body: dict[str, Any]) -> Any:
    return api.client.post(f"/api/v1/risk{path}", body, content_type="application/json", **api.headers)


@pytest.fixture
def signal() -> Signal:
    one, two = records.two_classes((date(2025, 9, 1), date(2025, 9, 30)), (date(2025, 9, 20), date(2025, 10, 20)))
    trainee = builders.person(name="覃重叠")
    builders.enrolment(one, trainee)
    builders.enrolment(two, trainee)
    services.run_signals(None, ["trainee_overlap"])
    return Signal.objects.get()


def test_the_city_opens_notes_and_closes_a_case(signal, nanning_official) -> None:
    city = Api(nanning_official)
    listed = _get(city, "/signals?rule=trainee_overlap&status=open").json()
    assert [row["id"] for row in listed] == [signal.pk]
    opened = _post(city, "/cases", {"title": "重叠参训", "signal_ids": [signal.pk]})
    assert opened.status_code == 201, opened.content
    case_id = opened.json()["id"]
    assert _post(city, f"/cases/{case_id}/notes", {"text": "已约谈机构"}).json()["notes"][0]["text"] == "已约谈机构"
    evidence = city.client.post(f"/api/v1/risk/cases/{case_id}/evidence",
                                {"file": _upload("课表.png", b"\x89PNG\r\n\x1a\n...."), "description": "课表"},
                                **city.headers)
    assert evidence.status_code == 201, evidence.content
    assert evidence.json()["content_type"] == "image/png"
    download = city.client.get(f"/api/v1/risk/cases/{case_id}/evidence/{evidence.json()['id']}", **city.headers)
    assert download.status_code == 200 and download.content.startswith(b"\x89PNG")
    bad = city.client.post(f"/api/v1/risk/cases/{case_id}/evidence", {"file": _upload("x.pdf", b"MZ")}, **city.headers)
    assert bad.status_code == 415 and bad.json()["code"] == "file_type"
    decided = _post(city, f"/cases/{case_id}/decisions",
                    {"reason": "课程分上下午", "measures": [{"kind": "no_finding"}]})
    assert decided.status_code == 201 and decided.json()["measures"][0]["kind"] == "no_finding"
    shown = _get(city, f"/cases/{case_id}").json()
    assert shown["status"] == "closed" and shown["decisions"][0]["reason"] == "课程分上下午"
    assert shown["evidence"][0]["file_name"] == "课表.png"


def test_another_city_gets_404_and_bad_input_is_422(signal, nanning_official, liuzhou_official) -> None:
    case = cases.open_case(nanning_official, "重叠参训", [signal.pk])
    other = Api(liuzhou_official)
    assert _get(other, "/signals").json() == [] and _get(other, "/cases").json() == []
    assert _get(other, f"/signals/{signal.pk}").status_code == 404
    assert _get(other, f"/cases/{case.pk}").status_code == 404
    assert _post(other, f"/cases/{case.pk}/decisions", {}).status_code == 404
    assert _post(other, f"/cases/{case.pk}/lift", {}).status_code == 404
    assert other.client.post(f"/api/v1/risk/cases/{case.pk}/evidence", {}, **other.headers).status_code == 404
    assert _post(other, f"/cases/{case.pk}/notes", {}).status_code == 404
    assert _post(other, "/cases", {"title": "越权", "signal_ids": [signal.pk]}).status_code == 404

    city = Api(nanning_official)
    assert _post(city, f"/cases/{case.pk}/decisions", {"reason": "x"}).json()["code"] == "measure_required"
    assert _post(city, f"/cases/{case.pk}/decisions",
                 {"reason": "x", "measures": [{"kind": "nope"}]}).json()["code"] == "bad_measure"
    bad_key = _post(city, f"/cases/{case.pk}/decisions",
                    {"reason": "x", "measures": [{"kind": "person_listing", "person_key": "ABC"}]})
    assert bad_key.status_code == 422 and bad_key.json()["code"] == "invalid_input"
    no_reason = _post(city, f"/cases/{case.pk}/decisions", {"measures": [{"kind": "no_finding"}]})
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "reason_required"
    assert _post(city, f"/cases/{case.pk}/lift", {}).json()["code"] == "lift_incomplete"
    assert _post(city, f"/cases/{case.pk}/lift", {"listing_id": 1, "last_day": "2030-01-01"}).status_code == 404
    assert _get(city, "/signals?rule=nope").status_code == 422
    assert _post(city, "/cases", {"signal_ids": [0]}).status_code == 422
    assert Case.objects.get().status == "open"


def test_a_candidate_is_decided_through_the_api(nanning_official, liuzhou_official) -> None:
    records.county()
    number = "19880315"
    builders.person(id_number=builders.id_number(birth=number, sequence=124), name="黄丽娟", phone="13712345678")
    builders.person(id_number=builders.id_number(birth=number, sequence=142), name="黄丽娟", phone="13712345678")
    services.run_linkage(None)
    city = Api(nanning_official)
    (candidate,) = _get(city, "/candidates?status=pending").json()
    assert "*" in candidate["person_a_masked"] and candidate["match_probability"]
    assert _post(Api(liuzhou_official), f"/candidates/{candidate['id']}/decide", {}).status_code == 404
    assert _post(city, f"/candidates/{candidate['id']}/decide", {"reason": "x"}).json()["code"] == "confirm_required"
    decided = _post(city, f"/candidates/{candidate['id']}/decide", {"confirm": False, "reason": "户籍为两人"})
    assert decided.status_code == 200 and decided.json()["status"] == "dismissed"
