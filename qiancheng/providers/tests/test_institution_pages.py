"""Institution pages: public registration, the workspace, the city's list, queue, detail, review and discipline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from qiancheng.accounts.models import AuditEntry, Role, User
from qiancheng.catalog.models import CourseKind
from qiancheng.clock import frozen_at
from qiancheng.clock import today as clock_today
from qiancheng.providers import services
from qiancheng.providers.models import (
    DocumentKind,
    Institution,
    InstitutionDocument,
    InstitutionScope,
    InstitutionStatus,
    Teacher,
    Venue,
)
from qiancheng.sanctions.models import BlacklistEntry
from qiancheng.training.tests import builders
from qiancheng.web.queues import queues_for

pytestmark = pytest.mark.django_db

VALID_USCC = "91450100MA5K12340N"
PASSWORD = "a-long-enough-secret-2025"
PDF = b"%PDF-1.7\n%%EOF\n"
ON = date(2026, 3, 1)


@pytest.fixture
def catalog_bits() -> None:
    builders.city()
    builders.city("450200", "柳州市")
    builders.occupation()
    builders.item()
    CourseKind.objects.get_or_create(code="SYB", defaults={"name": "SYB 创办你的企业", "name_en": "SYB"})


def _form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "南宁市新技能培训学校", "uscc": VALID_USCC, "kind": "private_school", "city": "450100",
        "address": "南宁市青秀区民族大道1号", "legal_representative": "黄国安", "phone": "0771-5551234",
        "contact_name": "黄老师", "occupations": "4-04-05-05 4",
        "items": ["S-0001"], "course_kinds": ["SYB"], "capacity": "120", "username": "newschool",
        "password": PASSWORD, "password_again": PASSWORD,
    }
    data.update(overrides)
    return data


@pytest.fixture
def applied(catalog_bits) -> tuple[Institution, User]:
    account = services.register_institution_with_account(
        None, username="school", password=PASSWORD, name="南宁市新技能培训学校", uscc=VALID_USCC,
        kind="private_school", city=builders.city(), address="民族大道1号", contact_name="黄老师", capacity=80,
        requested_scopes=[services.ScopeRequest("occupational", "4-04-05-05", 4)])
    return account.institution, account


# ---- Registration (public) ----

def test_the_registration_page_is_public_and_in_chinese(client: Client, catalog_bits) -> None:
    response = client.get("/institutions/register/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "培训机构注册" in text and "统一社会信用代码" in text and 'data-testid="register-submit"' in text
    assert "螺蛳粉制作" in text  # the catalog's special-ability items are offered


def test_registering_signs_the_institution_in_and_lands_on_its_workspace(client: Client, catalog_bits) -> None:
    response = client.post("/institutions/register/", _form(), follow=True)
    assert response.redirect_chain[-1][0] == "/institutions/mine/"
    institution = Institution.objects.get(uscc=VALID_USCC)
    assert institution.status == InstitutionStatus.APPLIED and len(institution.requested_scopes) == 3
    assert response.context["user"].institution == institution
    assert "已申请" in response.content.decode()


def test_registration_errors_are_shown_beside_their_fields(client: Client, catalog_bits, nanning_official) -> None:
    response = client.post("/institutions/register/", _form(
        uscc="91450100MA5K12340A", username="nanning", password="short", password_again="short",
        occupations="4-04-05-05 4\n不是编码"))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "校验位" in errors["uscc"][0]
    assert "第 2 行" in errors["occupations"][0]
    assert not Institution.objects.exists()
    response = client.post("/institutions/register/", _form(username="nanning", password="short",
                                                             password_again="short", occupations="9-99-99-99 4"))
    errors = response.context["form"].errors
    assert {"username", "password", "occupations"} <= set(errors)
    assert "9-99-99-99" in errors["occupations"][0]
    assert not Institution.objects.exists() and not User.objects.filter(username="newschool").exists()


def test_the_passwords_must_match(client: Client, catalog_bits) -> None:
    response = client.post("/institutions/register/", _form(password_again="something-else-2025"))
    assert response.status_code == 422 and "password_again" in response.context["form"].errors


# ---- The institution's workspace ----

def test_the_workspace_shows_status_profile_and_scopes(client: Client, login, applied) -> None:
    institution, account = applied
    text = login(client, account).get("/institutions/mine/").content.decode()
    assert "已申请" in text and institution.uscc in text and "人工智能训练师" in text and "黄老师" in text


@pytest.mark.parametrize("who", ["nanning_official", "province_official", "enterprise_user", "trainee_user"])
def test_only_an_institution_has_a_workspace(client: Client, login, request, who) -> None:
    assert login(client, request.getfixturevalue(who)).get("/institutions/mine/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get("/institutions/mine/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_upload_download_and_remove_a_document(client: Client, login, applied) -> None:
    institution, account = applied
    login(client, account)
    upload = SimpleUploadedFile("营业执照.pdf", PDF, content_type="application/pdf")
    response = client.post("/institutions/mine/documents/", {"kind": DocumentKind.BUSINESS_LICENCE, "file": upload})
    assert response.status_code == 302
    document = InstitutionDocument.objects.get(institution=institution)
    download = client.get(f"/institutions/documents/{document.pk}/")
    assert download.status_code == 200 and download.content == PDF and download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert client.post(f"/institutions/documents/{document.pk}/remove/").status_code == 302
    assert not InstitutionDocument.objects.exists()


def test_a_file_that_is_not_pdf_jpeg_png_is_refused_with_its_name(client: Client, login, applied) -> None:
    _, account = applied
    upload = SimpleUploadedFile("简历.docx", b"PK\x03\x04...", content_type="application/pdf")
    response = login(client, account).post("/institutions/mine/documents/", {"kind": "other", "file": upload})
    assert response.status_code == 422
    assert "简历.docx" in response.content.decode() and not InstitutionDocument.objects.exists()


def test_venues_capacity_and_teachers_from_the_workspace(client: Client, login, applied) -> None:
    institution, account = applied
    login(client, account)
    assert client.post("/institutions/mine/venues/", {"name": "实训楼A", "address": "民族大道1号",
                                                      "area_m2": "320.5", "seats": "60"}).status_code == 302
    assert client.post("/institutions/mine/capacity/", {"capacity": "200"}).status_code == 302
    number = builders.id_number(county="450103")
    assert client.post("/institutions/mine/teachers/", {"name": "王老师", "id_number": number,
                                                        "qualifications": "高级技师"}).status_code == 302
    institution.refresh_from_db()
    assert institution.capacity == 200 and Venue.objects.get().seats == 60
    teacher = Teacher.objects.get()
    text = client.get("/institutions/mine/").content.decode()
    assert teacher.id_number_masked in text and number not in text  # masked on screen, sealed at rest
    assert client.post(f"/institutions/teachers/{teacher.pk}/release/").status_code == 302
    assert client.post(f"/institutions/venues/{Venue.objects.get().pk}/remove/").status_code == 302
    teacher.refresh_from_db()
    assert not teacher.is_active and not Venue.objects.exists()


def test_a_bad_venue_shows_field_errors(client: Client, login, applied) -> None:
    _, account = applied
    response = login(client, account).post("/institutions/mine/venues/", {"name": "A", "address": "B",
                                                                          "area_m2": "0", "seats": "x"})
    assert response.status_code == 422
    assert {"area_m2", "seats"} <= set(response.context["venue_form"].errors)


def test_resubmitting_after_changes_were_asked(client: Client, login, applied, nanning_official) -> None:
    institution, account = applied
    services.review_institution(nanning_official, institution, "ask_changes", "请补充办学许可证")
    login(client, account)
    text = client.get("/institutions/mine/").content.decode()
    assert "需补正" in text and "请补充办学许可证" in text and 'data-testid="resubmit-submit"' in text
    response = client.post("/institutions/mine/resubmit/", {"name": institution.name, "address": "新地址",
                                                            "legal_representative": "李国强", "phone": "0771-5550000",
                                                            "contact_name": "李老师", "occupations": "4-04-05-05 3"})
    assert response.status_code == 302
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.APPLIED and institution.requested_scopes[0]["max_level"] == 3


def test_another_institutions_document_is_a_404(client: Client, login, applied, institution_user) -> None:
    institution, account = applied
    document = services.upload_document(account, institution, kind="other", file_name="a.pdf", content=PDF)
    login(client, institution_user)
    assert client.get(f"/institutions/documents/{document.pk}/").status_code == 404
    assert client.post(f"/institutions/documents/{document.pk}/remove/").status_code == 404


# ---- The city's pages ----

@pytest.mark.parametrize("url", ["/institutions/", "/institutions/queue/"])
def test_city_pages_refuse_institutions_and_trainees(client: Client, login, institution_user, trainee_user, url) -> None:
    assert login(client, institution_user).get(url).status_code == 403
    assert login(client, trainee_user).get(url).status_code == 403


def test_the_list_shows_the_city_only_and_filters_by_status(client: Client, login, applied, nanning_official,
                                                            province_official) -> None:
    builders.institution(name="柳州机构", city=builders.city("450200", "柳州市"))
    builders.institution(name="已过期机构", approved_until=ON - timedelta(days=1))
    login(client, nanning_official)
    with frozen_at(ON):
        text = client.get("/institutions/").content.decode()
        assert "南宁市新技能培训学校" in text and "柳州机构" not in text
        expired = client.get("/institutions/?status=expired").content.decode()
    assert "已过期机构" in expired and "南宁市新技能培训学校" not in expired
    assert "柳州机构" in login(client, province_official).get("/institutions/").content.decode()


def test_the_queue_shows_waiting_days_and_is_registered(client: Client, login, applied, nanning_official,
                                                        liuzhou_official) -> None:
    institution, _ = applied
    # submitted_at is a real timestamp: five days after the real submission, whatever the programme clock says
    with frozen_at(timezone.localdate() + timedelta(days=5)):
        response = login(client, nanning_official).get("/institutions/queue/")
        state = {queue.key: queue for queue in queues_for(nanning_official)}["institutions"]
    assert response.status_code == 200
    assert [row["waited"] for row in response.context["rows"]] == [5]
    assert (state.count, state.oldest_days, str(state.label)) == (1, 5, "机构认定申请")
    assert {queue.key: queue for queue in queues_for(liuzhou_official)}["institutions"].count == 0
    assert institution.name not in login(client, liuzhou_official).get("/institutions/queue/").content.decode()


def test_the_detail_page_shows_everything_submitted(client: Client, login, applied, nanning_official) -> None:
    institution, account = applied
    document = services.upload_document(account, institution, kind="school_permit", file_name="许可证.pdf",
                                        content=PDF)
    services.add_venue(account, institution, name="实训楼A", address="民族大道1号", area_m2="100", seats=30)
    login(client, nanning_official)
    text = client.get(f"/institutions/{institution.pk}/").content.decode()
    assert all(part in text for part in ("许可证.pdf", "实训楼A", "人工智能训练师", 'data-testid="review-approve"'))
    assert client.get(f"/institutions/documents/{document.pk}/").content == PDF
    assert AuditEntry.objects.filter(action="institution.document_downloaded", actor=nanning_official).exists()


def test_liuzhou_gets_404_on_every_nanning_institution_page(client: Client, login, applied, liuzhou_official) -> None:
    institution, account = applied
    document = services.upload_document(account, institution, kind="other", file_name="a.pdf", content=PDF)
    login(client, liuzhou_official)
    assert client.get(f"/institutions/{institution.pk}/").status_code == 404
    assert client.get(f"/institutions/documents/{document.pk}/").status_code == 404
    assert client.post(f"/institutions/{institution.pk}/review/", {"decision": "approve", "reason": "x",
                                                                   "approved_until": "2030-01-01"}).status_code == 404
    assert client.post(f"/institutions/{institution.pk}/discipline/", {"action": "blacklist",
                                                                       "reason": "x"}).status_code == 404
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.APPLIED


def test_approving_from_the_detail_page(client: Client, login, applied, nanning_official) -> None:
    institution, account = applied
    login(client, nanning_official)
    page = client.get(f"/institutions/{institution.pk}/")
    default_until = page.context["review_form"].initial["approved_until"]
    assert default_until.year == clock_today().year + 3
    response = client.post(f"/institutions/{institution.pk}/review/", {
        "decision": "approve", "reason": "材料齐全", "approved_until": default_until.isoformat(), "granted": ["0"]})
    assert response.status_code == 302 and response["Location"] == "/institutions/queue/"
    institution.refresh_from_db()
    assert (institution.status, institution.approved_until) == (InstitutionStatus.APPROVED, default_until)
    assert InstitutionScope.objects.filter(institution=institution).count() == 1
    text = login(client, account).get("/institutions/mine/").content.decode()
    assert "已认定" in text and "材料齐全" in text


@pytest.mark.parametrize(("decision", "status"), [("ask_changes", InstitutionStatus.CHANGES_REQUESTED),
                                                  ("reject", InstitutionStatus.REJECTED)])
def test_asking_changes_or_rejecting_from_the_page(client: Client, login, applied, nanning_official, decision,
                                                   status) -> None:
    institution, _ = applied
    response = login(client, nanning_official).post(f"/institutions/{institution.pk}/review/",
                                                    {"decision": decision, "reason": "缺少场地证明"})
    assert response.status_code == 302
    institution.refresh_from_db()
    assert institution.status == status and institution.status_reason == "缺少场地证明"


def test_a_review_without_a_reason_shows_the_error(client: Client, login, applied, nanning_official) -> None:
    institution, _ = applied
    response = login(client, nanning_official).post(f"/institutions/{institution.pk}/review/",
                                                    {"decision": "reject", "reason": ""})
    assert response.status_code == 422 and "reason" in response.context["review_form"].errors
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.APPLIED


def test_the_province_sees_the_detail_but_cannot_review(client: Client, login, applied, province_official) -> None:
    institution, _ = applied
    login(client, province_official)
    page = client.get(f"/institutions/{institution.pk}/")
    assert page.status_code == 200 and 'data-testid="review-approve"' not in page.content.decode()
    client.post(f"/institutions/{institution.pk}/review/", {"decision": "reject", "reason": "不行"})
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.APPLIED


def test_suspend_reinstate_and_blacklist_from_the_page(client: Client, login, nanning_official) -> None:
    institution = builders.institution(approved_until=clock_today() + timedelta(days=400))
    login(client, nanning_official)
    url = f"/institutions/{institution.pk}/discipline/"
    assert client.post(url, {"action": "suspend", "reason": "调查中"}).status_code == 302
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.SUSPENDED
    assert client.post(url, {"action": "reinstate", "reason": "调查结束"}).status_code == 302
    assert client.post(url, {"action": "blacklist", "reason": "套取补贴", "document_ref": "南人社〔2026〕1号"}
                       ).status_code == 302
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.BLACKLISTED and BlacklistEntry.objects.filter(
        institution=institution, document_ref="南人社〔2026〕1号").exists()
    refused = client.post(url, {"action": "suspend", "reason": "再次"})
    assert refused.status_code == 422 and "cannot be suspended" in refused.content.decode()


def test_nav_links_per_role(client: Client, login, institution_user, nanning_official) -> None:
    assert 'href="/institutions/mine/"' in login(client, institution_user).get("/").content.decode()
    assert 'href="/institutions/"' in login(client, nanning_official).get("/").content.decode()
    assert User.objects.filter(role=Role.CITY_OFFICIAL).exists()


def test_the_back_office_lists_documents_without_their_bytes(client: Client, applied) -> None:
    institution, account = applied
    services.upload_document(account, institution, kind="other", file_name="许可证.pdf", content=PDF)
    client.force_login(User.objects.create_superuser("root", password="x-long-password-2025"))
    listing = client.get("/admin/providers/institutiondocument/")
    assert listing.status_code == 200 and "许可证.pdf" in listing.content.decode()
    document = InstitutionDocument.objects.get()
    assert 'name="content"' not in client.get(
        f"/admin/providers/institutiondocument/{document.pk}/change/").content.decode()
    assert client.get("/admin/providers/venue/").status_code == 200


def test_the_registration_page_reads_in_english_when_asked(client: Client, catalog_bits) -> None:
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = client.get("/institutions/register/").content.decode()
    assert "Institution registration" in text and "Unified social credit code" in text


def test_registration_attempts_from_one_address_are_throttled(client, settings) -> None:
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    for _ in range(3):
        assert client.post("/institutions/register/", {"name": ""}, REMOTE_ADDR="203.0.113.9").status_code == 422
    throttled = client.post("/institutions/register/", {"name": ""}, REMOTE_ADDR="203.0.113.9")
    assert throttled.status_code == 429 and "过于频繁" in throttled.content.decode()
    assert client.post("/institutions/register/", {"name": ""}, REMOTE_ADDR="203.0.113.10").status_code == 422


# ---- Registry facts (legal representative, phone, address: risk compares them, 6d) ----

def test_registration_asks_for_the_registry_facts_and_keeps_the_phone_masked(client: Client, catalog_bits) -> None:
    missing = client.post("/institutions/register/", _form(legal_representative="", phone=""))
    assert missing.status_code == 422 and not Institution.objects.exists()
    text = missing.content.decode()
    assert "法定代表人" in text and "单位联系电话" in text
    bad = client.post("/institutions/register/", _form(phone="打电话给我"))
    assert bad.status_code == 422 and "7至15位数字" in bad.content.decode()
    response = client.post("/institutions/register/", _form(), follow=True)
    institution = Institution.objects.get(uscc=VALID_USCC)
    assert (institution.legal_representative, institution.phone) == ("黄国安", "0771-5551234")
    page = response.content.decode()
    assert "黄国安" in page and "077*****1234" in page and 'data-testid="facts-panel"' in page
    registered = AuditEntry.objects.get(action="institution.registered")
    assert registered.after["phone"] == "077*****1234" and "0771-5551234" not in str(registered.after)


def test_the_institution_updates_its_registry_facts_from_its_workspace(client: Client, login, applied,
                                                                       nanning_official) -> None:
    institution, account = applied
    login(client, account)
    refused = client.post("/institutions/mine/registry-facts/", {"legal_representative": "韦1号", "phone": "12",
                                                                 "address": "新址"})
    assert refused.status_code == 422
    text = refused.content.decode()
    assert "不能含数字" in text and "7至15位数字" in text
    done = client.post("/institutions/mine/registry-facts/", {"legal_representative": "韦国强",
                                                              "phone": "138 1234 5678", "address": "南宁市友爱路2号"})
    assert done.status_code == 302
    institution.refresh_from_db()
    assert (institution.legal_representative, institution.phone, institution.address) == (
        "韦国强", "138 1234 5678", "南宁市友爱路2号")
    changed = AuditEntry.objects.get(action="institution.registry_facts_changed")
    assert changed.after == {"legal_representative": "韦国强", "phone": "138****5678", "address": "南宁市友爱路2号"}
    assert "更新登记信息" in client.get("/institutions/mine/").content.decode()
    # the city sees the facts, the phone masked
    login(client, nanning_official)
    detail = client.get(f"/institutions/{institution.pk}/").content.decode()
    assert "韦国强" in detail and "138****5678" in detail and "138 1234 5678" not in detail
    # only the institution itself keeps them
    assert client.post("/institutions/mine/registry-facts/", {"legal_representative": "某"}).status_code == 403
