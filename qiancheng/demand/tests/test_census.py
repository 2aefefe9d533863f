"""Census rounds and demand reports: one service behind the form, the API and the .xlsx (1c, 4.1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from qiancheng.accounts.models import AuditEntry, User
from qiancheng.accounts.services import issue_api_token
from qiancheng.accounts.tests.second_factor_support import pass_second_factor
from qiancheng.catalog.models import City
from qiancheng.clock import today
from qiancheng.demand import services
from qiancheng.demand.models import DemandReport, Enterprise, EnterpriseStatus, RoundScope
from qiancheng.demand.tests.support import CARE_WORKER, XINGNING, open_round, report, sheet

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _catalog(catalog_loaded: dict[str, int]) -> None:
    """Occupations, counties and the "1+19" industries of the shipped catalog."""


def bearer(user: User) -> dict[str, str]:
    second = pass_second_factor(user) if user.role.endswith("official") else None
    raw, _ = issue_api_token(user, second_factor=second)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_one_report_is_written_with_its_actor_and_audit_entry(province_official: User, enterprise_user: User) -> None:
    census = open_round(province_official)
    result = services.submit_reports(enterprise_user, census, enterprise_user.enterprise, [report()])
    [saved] = result.created
    assert (saved.occupation_id, saved.level, saved.headcount, saved.wage_offered) == (CARE_WORKER, 4, 20, Decimal("3800.00"))
    assert saved.created_by == enterprise_user
    assert AuditEntry.objects.filter(action="demand_report.created", target_pk=str(saved.pk)).exists()


def test_the_service_refuses_bad_values_each_by_field(province_official: User, enterprise_user: User) -> None:
    census = open_round(province_official)
    with pytest.raises(services.ReportsRefused) as refused:
        services.submit_reports(enterprise_user, census, enterprise_user.enterprise, [
            report(level=9, headcount=0, wage_offered="12.345", county="999999", industry="none",
                   deadline=today() - dt.timedelta(days=1), will_hire="maybe"),
            report(occupation=None, level=None, content=""),
            report(content="无标准的电商直播"),
        ])
    fields = [(problem.field, problem.code) for problem in refused.value.problems]
    assert ("level", "level_invalid") in fields and ("headcount", "headcount_invalid") in fields
    assert ("wage_offered", "wage_invalid") in fields and ("county", "county_unknown") in fields
    assert ("industry", "industry_unknown") in fields and ("deadline", "deadline_invalid") in fields
    assert ("will_hire", "will_hire_invalid") in fields and ("occupation", "occupation_required") in fields
    assert ("content", "occupation_and_content") in fields
    assert not DemandReport.objects.exists()


def test_wrong_scope_closed_round_and_unapproved_enterprise_are_refused(
        province_official: User, nanning_official: User, liuzhou_official: User, enterprise_user: User) -> None:
    liuzhou = City.objects.get(code="450200")
    with pytest.raises(PermissionDenied):
        open_round(nanning_official, scope=RoundScope.CITY, city=liuzhou)
    elsewhere = open_round(liuzhou_official, scope=RoundScope.CITY, city=liuzhou)
    enterprise = enterprise_user.enterprise
    with pytest.raises(ValidationError) as not_covered:
        services.submit_reports(enterprise_user, elsewhere, enterprise, [report()])
    assert not_covered.value.code == "round_not_yours"
    with pytest.raises(PermissionDenied):
        services.submit_reports(nanning_official, open_round(province_official), enterprise, [report()])
    closed = open_round(province_official, period_from=today() + dt.timedelta(days=5))
    with pytest.raises(ValidationError) as not_yet:
        services.submit_reports(enterprise_user, closed, enterprise, [report()])
    assert not_yet.value.code == "round_closed"
    Enterprise.objects.filter(pk=enterprise.pk).update(status=EnterpriseStatus.APPLIED)
    enterprise.refresh_from_db()
    with pytest.raises(ValidationError) as applied:
        services.submit_reports(enterprise_user, open_round(province_official), enterprise, [report()])
    assert applied.value.code == "enterprise_not_approved"


def test_the_api_grants_in_scope_and_answers_422_and_404(
        client: Client, province_official: User, liuzhou_official: User, enterprise_user: User) -> None:
    census = open_round(province_official)
    url = f"/api/v1/demand/rounds/{census.pk}/reports"
    mine = bearer(enterprise_user)
    body = {"reports": [{"occupation_code": CARE_WORKER, "level": 4, "headcount": 20, "wage_offered": "3800.00",
                         "county_code": XINGNING, "industry_code": "ai", "deadline": str(today() + dt.timedelta(days=90)),
                         "will_hire": True}]}
    done = client.post(url, body, content_type="application/json", **mine)
    assert done.status_code == 200 and done.json() == {"created": 1, "updated": 0, "unchanged": 0}
    again = client.post(url, body, content_type="application/json", **mine)
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 1}
    for bad in ({"headcount": 0}, {"wage_offered": "NaN"}, {"level": 7}, {"county_code": "x" * 50},
                {"deadline": "2025-13-40"}, {"content": "长" * 500}):
        answer = client.post(url, {"reports": [{**body["reports"][0], **bad}]}, content_type="application/json", **mine)
        assert answer.status_code == 422 and set(answer.json()) >= {"code", "message_zh", "message_en"}, bad
    unknown = client.post(url, {"reports": [{**body["reports"][0], "industry_code": "nope"}]},
                          content_type="application/json", **mine)
    assert unknown.status_code == 422 and unknown.json()["details"][0]["field"] == "industry"
    assert client.post("/api/v1/demand/rounds/999999/reports", body, content_type="application/json",
                       **mine).status_code == 404
    # reading: the enterprise its own, 柳州 nothing of 南宁's, the province all
    assert len(client.get("/api/v1/demand/reports", **mine).json()) == 1
    liuzhou = bearer(liuzhou_official)
    assert client.get("/api/v1/demand/reports", **liuzhou).json() == []
    enterprise_id = enterprise_user.enterprise_id
    assert client.get(f"/api/v1/demand/enterprises/{enterprise_id}", **liuzhou).status_code == 404
    assert len(client.get("/api/v1/demand/reports", **bearer(province_official)).json()) == 1


def test_the_api_opens_rounds_within_the_officials_own_scope(
        client: Client, nanning_official: User, enterprise_user: User) -> None:
    body = {"title": "南宁市2025年需求普查", "period_from": str(today()), "period_to": str(today() + dt.timedelta(days=30)),
            "scope": "city", "city_code": "450100"}
    mine = bearer(nanning_official)
    assert client.post("/api/v1/demand/rounds", body, content_type="application/json", **mine).status_code == 201
    other = client.post("/api/v1/demand/rounds", {**body, "city_code": "450200"}, content_type="application/json", **mine)
    assert other.status_code == 403
    reversed_ = client.post("/api/v1/demand/rounds", {**body, "period_to": str(today() - dt.timedelta(days=1))},
                            content_type="application/json", **mine)
    assert reversed_.status_code == 422 and reversed_.json()["code"] == "period_reversed"
    assert client.post("/api/v1/demand/rounds", body, content_type="application/json",
                       **bearer(enterprise_user)).status_code == 403
    assert len(client.get("/api/v1/demand/rounds", **bearer(enterprise_user)).json()) == 1


def _rows() -> list[list[object]]:
    deadline = str(today() + dt.timedelta(days=90))
    return [
        [CARE_WORKER, 4, None, 20, 3800, XINGNING, "人工智能", deadline, "是"],
        [None, None, "电商直播运营", 5, "4200.50", XINGNING, "ai", deadline, "否"],
        [CARE_WORKER, 4, None, "二十", 3800, XINGNING, "ai", deadline, "是"],  # row 4: headcount
        [CARE_WORKER, 3, None, 2, 5000, "459999", "ai", deadline, "是"],  # row 5: county
    ]


def test_the_xlsx_reports_each_bad_row_and_writes_nothing_then_is_idempotent(
        client: Client, login: Any, province_official: User, enterprise_user: User) -> None:
    census = open_round(province_official)
    login(client, enterprise_user)
    url = f"/demand/rounds/{census.pk}/upload/"
    bad = client.post(url, {"file": SimpleUploadedFile("需求.xlsx", sheet(_rows()))})
    text = bad.content.decode()
    assert bad.status_code == 422
    assert "第4行" in text and "需求人数" in text and "第5行" in text and "县（市、区）代码" in text
    assert not DemandReport.objects.exists()
    good = sheet(_rows()[:2])
    assert client.post(url, {"file": SimpleUploadedFile("需求.xlsx", good)}).status_code == 302
    assert DemandReport.objects.count() == 2
    entries = AuditEntry.objects.count()
    assert client.post(url, {"file": SimpleUploadedFile("需求.xlsx", good)}).status_code == 302
    assert DemandReport.objects.count() == 2 and AuditEntry.objects.count() == entries
    # the enterprise's page lists its reports
    assert "电商直播运营" in client.get("/demand/mine/").content.decode()


def test_the_api_upload_names_row_and_column_and_the_template_reads_back(
        client: Client, province_official: User, enterprise_user: User) -> None:
    census = open_round(province_official)
    mine = bearer(enterprise_user)
    url = f"/api/v1/demand/rounds/{census.pk}/reports/upload"
    bad = client.post(url, {"file": SimpleUploadedFile("d.xlsx", sheet(_rows()))}, **mine)
    assert bad.status_code == 422
    assert [(each["row"], each["field"]) for each in bad.json()["details"]] == [(4, "headcount"), (5, "county")]
    assert bad.json()["details"][0]["column"] == "需求人数 headcount"
    assert not DemandReport.objects.exists()
    template = client.get("/api/v1/demand/template", **mine)
    empty = client.post(url, {"file": SimpleUploadedFile("t.xlsx", template.content)}, **mine)
    assert empty.status_code == 422 and empty.json()["code"] == "no_reports"
    wrong = client.post(url, {"file": SimpleUploadedFile("t.xlsm", b"PK")}, **mine)
    assert wrong.status_code == 422


def test_the_page_form_reports_one_need_and_shows_problems(
        client: Client, login: Any, province_official: User, enterprise_user: User) -> None:
    census = open_round(province_official)
    login(client, enterprise_user)
    form = {"occupation": CARE_WORKER, "level": "4", "content": "", "headcount": "20", "wage_offered": "3800",
            "county": XINGNING, "industry": "ai", "deadline": str(today() + dt.timedelta(days=30)), "will_hire": "yes"}
    assert client.post(f"/demand/rounds/{census.pk}/report/", form).status_code == 302
    bad = client.post(f"/demand/rounds/{census.pk}/report/", {**form, "county": "459999"})
    assert bad.status_code == 422 and "459999" in bad.content.decode()
    assert DemandReport.objects.count() == 1


def test_an_official_sees_the_round_and_its_reports_on_the_page(
        client: Client, login: Any, province_official: User, nanning_official: User, liuzhou_official: User,
        enterprise_user: User) -> None:
    census = open_round(province_official)
    services.submit_reports(enterprise_user, census, enterprise_user.enterprise, [report()])
    login(client, nanning_official)
    assert "养老护理员" in client.get(f"/demand/rounds/{census.pk}/").content.decode()
    login(client, liuzhou_official)
    assert "养老护理员" not in client.get(f"/demand/rounds/{census.pk}/").content.decode()


def test_a_park_round_asks_the_parks_enterprises_only(
        client: Client, province_official: User, enterprise_user: User, nanning_official: User) -> None:
    from qiancheng.catalog.models import IndustrialPark

    park = IndustrialPark.objects.create(code="nanning-test-park", name="南宁测试园区", city_id="450100")
    census = open_round(nanning_official, scope=RoundScope.PARK, park=park)
    enterprise = enterprise_user.enterprise
    with pytest.raises(ValidationError) as outside:
        services.submit_reports(enterprise_user, census, enterprise, [report()])
    assert outside.value.code == "round_not_yours"
    assert client.get(f"/api/v1/demand/rounds/{census.pk}", **bearer(enterprise_user)).status_code == 404
    Enterprise.objects.filter(pk=enterprise.pk).update(park=park)
    enterprise.refresh_from_db()
    assert services.submit_reports(enterprise_user, census, enterprise, [report(level="四级")]).created[0].level == 4


def test_the_pages_speak_english_from_the_catalog(client: Client) -> None:
    client.cookies["django_language"] = "en"
    page = client.get("/demand/register/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Enterprise registration" in page and "企业注册" not in page.split("<main")[-1]
