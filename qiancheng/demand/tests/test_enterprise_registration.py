"""Enterprise registration (USCC, duplicate, atomic, throttled) and its city's review (page, API, queue)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings

from qiancheng.accounts.models import AuditEntry, Role, User
from qiancheng.accounts.services import issue_api_token
from qiancheng.accounts.tests.second_factor_support import pass_second_factor
from qiancheng.catalog.models import City
from qiancheng.demand import services
from qiancheng.demand.models import Enterprise, EnterpriseStatus
from qiancheng.demand.tests.support import valid_uscc
from qiancheng.web.queues import queues_for

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-enough-Passw0rd-2025"


def _nanning() -> City:
    return City.objects.get_or_create(code="450100", defaults={"name": "南宁市"})[0]


def _form(**overrides: Any) -> dict[str, Any]:
    data = {"name": "南宁康养服务有限公司", "uscc": valid_uscc(1), "city": "450100", "contact_name": "李华",
            "address": "南宁市青秀区金湖路8号", "legal_representative": "李国华", "phone": "0771-5556789",
            "username": "kangyang", "password": PASSWORD, "password_again": PASSWORD}
    data.update(overrides)
    return data


def test_registration_makes_an_applied_enterprise_and_its_login_together() -> None:
    account = services.register_enterprise_with_account(None, username="kangyang", password=PASSWORD,
                                                        name=" 南宁康养  服务有限公司 ", uscc=valid_uscc(1), city=_nanning())
    assert account.role == Role.ENTERPRISE
    assert account.enterprise.status == EnterpriseStatus.APPLIED and account.enterprise.name == "南宁康养 服务有限公司"
    assert AuditEntry.objects.filter(action="enterprise.registered").count() == 1


def test_a_bad_uscc_a_duplicate_and_a_taken_username_are_each_refused_and_nothing_is_written() -> None:
    with pytest.raises(ValidationError) as bad:
        services.register_enterprise(None, name="甲公司", uscc=valid_uscc(1)[:-1] + "X", city=_nanning())
    assert bad.value.code == "uscc_invalid" and "统一社会信用代码" in bad.value.messages[0]
    services.register_enterprise(None, name="甲公司", uscc=valid_uscc(1), city=_nanning())
    with pytest.raises(ValidationError) as duplicate:
        services.register_enterprise(None, name="乙公司", uscc=valid_uscc(1), city=_nanning())
    assert duplicate.value.code == "uscc_taken"
    User.objects.create(username="taken", role="")
    with pytest.raises(ValidationError) as many:
        services.register_enterprise_with_account(None, username="taken", password="short", name="",
                                                  uscc=valid_uscc(2), city=_nanning())
    assert set(many.value.error_dict) == {"name", "username", "password"}
    assert Enterprise.objects.count() == 1 and not User.objects.filter(role=Role.ENTERPRISE).exists()


def test_the_page_registers_and_signs_in(client: Client) -> None:
    _nanning()
    response = client.post("/demand/register/", _form())
    assert response.status_code == 302 and response["Location"] == "/demand/mine/"
    page = client.get("/demand/mine/")
    assert page.status_code == 200 and "南宁康养服务有限公司" in page.content.decode()
    bad = client.post("/demand/register/", _form(uscc="123", username="other"))
    assert bad.status_code == 302  # signed in as an enterprise already: sent to its page


def test_the_page_shows_a_wrong_uscc_beside_its_field(client: Client) -> None:
    _nanning()
    response = client.post("/demand/register/", _form(uscc="91450100"))
    assert response.status_code == 422 and "统一社会信用代码" in response.content.decode()
    assert not Enterprise.objects.exists()


@override_settings(LOGIN_IP_FAILURE_LIMIT=2)
def test_registration_is_throttled_per_address_like_institutions(client: Client) -> None:
    _nanning()
    for number in range(2):
        client.post("/demand/register/", _form(uscc="bad", username=f"u{number}"))
    response = client.post("/demand/register/", _form())
    assert response.status_code == 429 and not Enterprise.objects.exists()


def test_the_city_reviews_in_its_queue_and_another_city_cannot(
        client: Client, login: Any, nanning_official: User, liuzhou_official: User) -> None:
    enterprise = services.register_enterprise(None, name="甲公司", uscc=valid_uscc(1), city=_nanning())
    [state] = [each for each in queues_for(nanning_official) if each.key == "enterprises"]
    assert state.count == 1
    assert [each.count for each in queues_for(liuzhou_official) if each.key == "enterprises"] == [0]
    with pytest.raises(PermissionDenied):
        services.review_enterprise(liuzhou_official, enterprise, "approve", "")
    with pytest.raises(ValidationError) as no_reason:
        services.review_enterprise(nanning_official, enterprise, "reject", " ")
    assert no_reason.value.code == "reason_required"
    login(client, liuzhou_official)
    assert client.get(f"/demand/enterprises/{enterprise.pk}/").status_code == 404
    login(client, nanning_official)
    assert "甲公司" in client.get("/demand/queue/").content.decode()
    response = client.post(f"/demand/enterprises/{enterprise.pk}/review/", {"decision": "reject", "reason": "营业执照不清晰"})
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.status == EnterpriseStatus.REJECTED and enterprise.status_reason == "营业执照不清晰"
    assert enterprise.reviewed_by == nanning_official
    with pytest.raises(ValidationError) as again:
        services.review_enterprise(nanning_official, enterprise, "approve", "")
    assert again.value.code == "not_pending"


def test_the_api_reviews_with_the_same_rules(client: Client, nanning_official: User, liuzhou_official: User) -> None:
    enterprise = services.register_enterprise(None, name="甲公司", uscc=valid_uscc(1), city=_nanning())

    def bearer(user: User) -> dict[str, str]:
        raw, _ = issue_api_token(user, second_factor=pass_second_factor(user))
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    url = f"/api/v1/demand/enterprises/{enterprise.pk}/review"
    other = client.post(url, {"decision": "approve"}, content_type="application/json", **bearer(liuzhou_official))
    assert other.status_code == 404
    mine = bearer(nanning_official)
    refused = client.post(url, {"decision": "reject"}, content_type="application/json", **mine)
    assert refused.status_code == 422 and refused.json()["code"] == "reason_required"
    too_long = client.post(url, {"decision": "reject", "reason": "x" * 5000}, content_type="application/json", **mine)
    assert too_long.status_code == 422 and too_long.json()["code"] == "invalid_input"
    done = client.post(url, {"decision": "approve", "reason": ""}, content_type="application/json", **mine)
    assert done.status_code == 200 and done.json()["status"] == "approved"


def test_enterprises_that_existed_before_review_are_approved(persona_enterprise: Enterprise) -> None:
    # The migration's default: enterprises entered by officials or the synthetic province stay valid.
    assert persona_enterprise.status == EnterpriseStatus.APPROVED


# ---- Registry facts (legal representative, phone, address: risk compares them, 6d) ----

def test_the_page_asks_for_the_registry_facts_and_keeps_the_phone_masked(client: Client) -> None:
    _nanning()
    missing = client.post("/demand/register/", _form(legal_representative="", phone="", address=""))
    assert missing.status_code == 422 and not Enterprise.objects.exists()
    bad = client.post("/demand/register/", _form(phone="打电话"))
    assert bad.status_code == 422 and "7至15位数字" in bad.content.decode() and not Enterprise.objects.exists()
    assert client.post("/demand/register/", _form()).status_code == 302
    enterprise = Enterprise.objects.get()
    assert (enterprise.legal_representative, enterprise.phone, enterprise.address) == (
        "李国华", "0771-5556789", "南宁市青秀区金湖路8号")
    registered = AuditEntry.objects.get(action="enterprise.registered")
    assert registered.after["phone"] == "077*****6789" and "0771-5556789" not in str(registered.after)
    mine = client.get("/demand/mine/").content.decode()
    assert "李国华" in mine and "077*****6789" in mine and 'data-testid="facts-panel"' in mine


def test_the_enterprise_updates_its_registry_facts_on_the_page_and_the_api(client: Client, login) -> None:
    account = services.register_enterprise_with_account(None, username="kangyang", password=PASSWORD,
                                                        name="南宁康养服务有限公司", uscc=valid_uscc(1), city=_nanning())
    enterprise = account.enterprise
    login(client, account)
    refused = client.post("/demand/mine/registry-facts/", {"legal_representative": "韦1", "phone": "12",
                                                           "address": "友爱路"})
    assert refused.status_code == 422 and "不能含数字" in refused.content.decode()
    done = client.post("/demand/mine/registry-facts/", {"legal_representative": "韦国强", "phone": "13812345678",
                                                        "address": "南宁市友爱路2号"})
    assert done.status_code == 302
    enterprise.refresh_from_db()
    assert (enterprise.legal_representative, enterprise.phone) == ("韦国强", "13812345678")
    changed = AuditEntry.objects.get(action="enterprise.registry_facts_changed")
    assert changed.after == {"legal_representative": "韦国强", "phone": "138****5678", "address": "南宁市友爱路2号"}
    token, _ = issue_api_token(account, second_factor=pass_second_factor(account))
    api = Client()
    answer = api.post(f"/api/v1/demand/enterprises/{enterprise.pk}/registry-facts", {"phone": "0771 555 0001"},
                      content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 200, answer.content
    assert (answer.json()["legal_representative"], answer.json()["phone_masked"]) == ("韦国强", "077****0001")
    wrong = api.post(f"/api/v1/demand/enterprises/{enterprise.pk}/registry-facts", {"phone": "1"},
                     content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert wrong.status_code == 422 and wrong.json()["code"] == "invalid_fields"
