"""`/api/v1/institutions`: documents, venues, capacity, scope grants and discipline, under city scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from qiancheng.accounts.models import AuditEntry, User
from qiancheng.accounts.services import issue_api_token
from qiancheng.accounts.tests.second_factor_support import pass_second_factor
from qiancheng.clock import today as clock_today
from qiancheng.providers import services
from qiancheng.providers.models import InstitutionDocument, InstitutionScope, InstitutionStatus
from qiancheng.sanctions.models import BlacklistEntry
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%%EOF\n"
NEXT_YEAR = (clock_today() + timedelta(days=365)).isoformat()


class Api:
    """A bearer-token client for one user."""

    def __init__(self, user: User) -> None:
        with transaction.atomic():
            self.token, _ = issue_api_token(user, second_factor=pass_second_factor(user))
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1/institutions{path}", **self.headers)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(f"/api/v1/institutions{path}", body or {}, content_type="application/json",
                                **self.headers)

    def delete(self, path: str) -> Any:
        return self.client.delete(f"/api/v1/institutions{path}", **self.headers)

    def upload(self, path: str, name: str, data: bytes, kind: str = "business_licence") -> Any:
        return self.client.post(f"/api/v1/institutions{path}", {"kind": kind, "file": SimpleUploadedFile(name, data)},
                                **self.headers)


@pytest.fixture
def applied() -> tuple[Any, User]:
    builders.occupation()
    account = services.register_institution_with_account(
        None, username="school", password="a-long-enough-secret-2025", name="南宁市新技能培训学校",
        uscc="91450100MA5K12340N", kind="private_school", city=builders.city(), capacity=50,
        requested_scopes=[services.ScopeRequest("occupational", "4-04-05-05", 4)])
    return account.institution, account


def test_documents_upload_list_download_and_delete(applied, nanning_official) -> None:
    institution, account = applied
    own = Api(account)
    created = own.upload(f"/{institution.pk}/documents", "营业执照.pdf", PDF)
    assert created.status_code == 201, created.json()
    document = created.json()
    assert (document["content_type"], document["size"], document["kind"]) == ("application/pdf", len(PDF),
                                                                              "business_licence")
    listed = Api(nanning_official).get(f"/{institution.pk}/documents").json()
    assert [each["sha256"] for each in listed] == [document["sha256"]]
    download = Api(nanning_official).get(f"/{institution.pk}/documents/{document['id']}")
    assert download.status_code == 200 and download.content == PDF
    assert AuditEntry.objects.filter(action="institution.document_downloaded", actor=nanning_official).exists()
    assert own.delete(f"/{institution.pk}/documents/{document['id']}").status_code == 204
    assert not InstitutionDocument.objects.exists()


def test_a_disguised_file_is_refused_with_the_error_shape(applied) -> None:
    institution, account = applied
    refused = Api(account).upload(f"/{institution.pk}/documents", "报告.pdf", b"<html>not a pdf</html>")
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "file_type" and "报告.pdf" in body["message_zh"] and "PDF" in body["message_en"]


def test_venues_and_capacity(applied) -> None:
    institution, account = applied
    own = Api(account)
    venue = own.post(f"/{institution.pk}/venues", {"name": "实训楼A", "address": "民族大道1号", "area_m2": "120.5",
                                                   "seats": 40})
    assert venue.status_code == 201 and venue.json()["area_m2"] == "120.50"
    assert [each["name"] for each in own.get(f"/{institution.pk}/venues").json()] == ["实训楼A"]
    bad = own.post(f"/{institution.pk}/venues", {"name": "", "address": "x", "area_m2": "0", "seats": 0})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_fields"
    assert {each["field"] for each in bad.json()["details"]} == {"name", "area_m2", "seats"}
    assert own.delete(f"/{institution.pk}/venues/{venue.json()['id']}").status_code == 204
    assert own.post(f"/{institution.pk}/capacity", {"capacity": 90}).json()["capacity"] == 90
    assert own.post(f"/{institution.pk}/capacity", {"capacity": 0}).json()["code"] == "capacity"


def test_a_teacher_is_released_through_the_api_as_on_the_page(applied, nanning_official,
                                                              liuzhou_official) -> None:
    institution, account = applied
    teacher = services.add_teacher(account, institution, id_number=builders.id_number(), name="王老师")
    path = f"/{institution.pk}/teachers/{teacher.pk}/release"
    assert Api(liuzhou_official).post(path).status_code == 404
    assert Api(nanning_official).post(path).status_code == 403  # the institution releases its own teachers
    released = Api(account).post(path)
    assert released.status_code == 200 and released.json()["is_active"] is False
    assert AuditEntry.objects.filter(action="teacher.released", actor=account).count() == 1


def test_approval_through_the_api_grants_the_chosen_scopes(applied, nanning_official) -> None:
    institution, _ = applied
    approved = Api(nanning_official).post(f"/{institution.pk}/review", {
        "decision": "approve", "reason": "材料齐全", "approved_until": NEXT_YEAR, "granted": [0]})
    assert approved.status_code == 200 and approved.json()["shown_status"] == "approved"
    assert InstitutionScope.objects.filter(institution=institution, granted_on__isnull=False).count() == 1


def test_discipline_through_the_api(nanning_official) -> None:
    institution = builders.institution(approved_until=clock_today() + timedelta(days=365))
    city = Api(nanning_official)
    assert city.post(f"/{institution.pk}/suspend", {"reason": ""}).json()["code"] == "reason_required"
    assert city.post(f"/{institution.pk}/suspend", {"reason": "调查中"}).json()["status"] == "suspended"
    assert city.post(f"/{institution.pk}/reinstate", {"reason": "无问题"}).json()["status"] == "approved"
    listed = city.post(f"/{institution.pk}/blacklist", {"reason": "套取补贴", "document_ref": "南人社〔2026〕2号"})
    assert listed.json()["status"] == InstitutionStatus.BLACKLISTED
    assert BlacklistEntry.objects.get(institution=institution).document_ref == "南人社〔2026〕2号"
    again = city.post(f"/{institution.pk}/suspend", {"reason": "再次"})
    assert again.status_code == 422 and again.json()["code"] == "wrong_status"


def test_the_province_may_read_but_not_discipline(province_official) -> None:
    institution = builders.institution()
    province = Api(province_official)
    assert province.get(f"/{institution.pk}").status_code == 200
    refused = province.post(f"/{institution.pk}/suspend", {"reason": "调查"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


def test_liuzhou_gets_404_for_every_nanning_endpoint(applied, liuzhou_official) -> None:
    institution, account = applied
    document = services.upload_document(account, institution, kind="other", file_name="a.pdf", content=PDF)
    venue = services.add_venue(account, institution, name="A", address="B", area_m2="10", seats=5)
    liuzhou = Api(liuzhou_official)
    answers = [
        liuzhou.get(f"/{institution.pk}/documents"),
        liuzhou.get(f"/{institution.pk}/documents/{document.pk}"),
        liuzhou.delete(f"/{institution.pk}/documents/{document.pk}"),
        liuzhou.upload(f"/{institution.pk}/documents", "b.pdf", PDF),
        liuzhou.get(f"/{institution.pk}/venues"),
        liuzhou.delete(f"/{institution.pk}/venues/{venue.pk}"),
        liuzhou.post(f"/{institution.pk}/capacity", {"capacity": 5}),
        liuzhou.post(f"/{institution.pk}/blacklist", {"reason": "x"}),
        liuzhou.post(f"/{institution.pk}/resubmit", {}),
        liuzhou.post(f"/{institution.pk}/registry-facts", {"phone": "0771-5550000"}),
    ]
    assert [answer.status_code for answer in answers] == [404] * len(answers)
    assert all(answer.json()["code"] == "not_found" for answer in answers)
    assert InstitutionDocument.objects.count() == 1 and not BlacklistEntry.objects.exists()


def test_the_new_endpoints_are_in_the_openapi_schema(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/v1/institutions/{institution_id}/documents",
                 "/api/v1/institutions/{institution_id}/documents/{document_id}",
                 "/api/v1/institutions/{institution_id}/venues", "/api/v1/institutions/{institution_id}/capacity",
                 "/api/v1/institutions/{institution_id}/suspend", "/api/v1/institutions/{institution_id}/reinstate",
                 "/api/v1/institutions/{institution_id}/blacklist"):
        assert path in paths, path
    upload = paths["/api/v1/institutions/{institution_id}/documents"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]


def test_registry_facts_through_the_api_the_phone_answered_masked(applied, nanning_official) -> None:
    """Registration takes the legal representative and the phone; the institution updates them; the answers
    and the audit trail show the phone masked (catalog.registry_facts)."""
    builders.city("450200", "柳州市")
    created = Api(nanning_official).post("", {
        "name": "柳州市汽车技工学校", "uscc": "91450200MA5K000177", "kind": "technical_school", "city_code": "450200",
        "address": "柳州市航鹰大道9号", "legal_representative": "覃建华", "phone": "0772-3123456"})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["legal_representative"], body["phone_masked"]) == ("覃建华", "077*****3456")
    assert "0772-3123456" not in created.content.decode()
    refused = Api(nanning_official).post("", {"name": "某校", "uscc": "91450100MA5K00025W", "kind": "technical_school",
                                             "city_code": "450100", "phone": "call me"})
    assert refused.status_code == 422 and refused.json()["code"] == "phone_invalid"
    institution, account = applied
    school = Api(account)
    updated = school.post(f"/{institution.pk}/registry-facts", {"legal_representative": "黄国安",
                                                                "phone": "13812345678"})
    assert updated.status_code == 200
    assert (updated.json()["legal_representative"], updated.json()["phone_masked"]) == ("黄国安", "138****5678")
    institution.refresh_from_db()
    assert (institution.legal_representative, institution.phone) == ("黄国安", "13812345678")
    assert school.post(f"/{institution.pk}/registry-facts", {"phone": "1"}).json()["code"] == "invalid_fields"
    # an official of the city reads them but does not keep them: the institution's own facts
    assert Api(nanning_official).post(f"/{institution.pk}/registry-facts", {"phone": "0771-5550000"}).status_code == 403
    assert "13812345678" not in str(list(AuditEntry.objects.values_list("after", flat=True)))
