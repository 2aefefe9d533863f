"""Registration with an account, documents, venues, capacity, scope grants and the city's discipline (1c, 6d)."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qiancheng.accounts.models import AuditEntry, Role, User
from qiancheng.catalog.models import CourseKind, SpecialAbilityItem
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.clock import frozen_at
from qiancheng.clock import today as clock_today
from qiancheng.providers import services
from qiancheng.providers.models import (
    DOCUMENT_MAX_BYTES,
    DocumentKind,
    Institution,
    InstitutionDocument,
    InstitutionKind,
    InstitutionScope,
    InstitutionStatus,
    Venue,
)
from qiancheng.providers.services import ScopeRequest
from qiancheng.sanctions import services as sanctions
from qiancheng.sanctions.models import BlacklistEntry
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

VALID_USCC = "91450100MA5K12340N"
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
ON = date(2026, 3, 1)


@pytest.fixture
def catalog_bits() -> None:
    builders.occupation()  # 4-04-05-05 人工智能训练师
    builders.item()  # S-0001
    CourseKind.objects.get_or_create(code="SYB", defaults={"name": "SYB 创办你的企业", "name_en": "SYB"})


WANTED = [
    ScopeRequest(TrainingType.OCCUPATIONAL, "4-04-05-05", 4),
    ScopeRequest(TrainingType.SPECIAL_ABILITY, "S-0001"),
    ScopeRequest(TrainingType.ENTREPRENEURSHIP, "SYB"),
]


def _register(**overrides) -> User:
    fields = dict(username="newschool", password="a-long-enough-secret-2025", name="南宁市新技能培训学校",
                  uscc=VALID_USCC, kind=InstitutionKind.PRIVATE_SCHOOL, city=builders.city(),
                  address="南宁市青秀区民族大道1号", contact_name="黄老师", capacity=120, requested_scopes=WANTED)
    fields.update(overrides)
    return services.register_institution_with_account(None, **fields)


def _applied_with_account(catalog_bits=None) -> tuple[Institution, User]:
    account = _register()
    return account.institution, account


# ---- Registration ----

def test_registration_creates_the_application_and_its_own_login(catalog_bits) -> None:
    account = _register()
    institution = account.institution
    assert account.role == Role.INSTITUTION and account.check_password("a-long-enough-secret-2025")
    assert institution.status == InstitutionStatus.APPLIED and institution.submitted_at is not None
    assert (institution.capacity, institution.contact_name) == (120, "黄老师")
    assert [ScopeRequest.of(data) for data in institution.requested_scopes] == WANTED
    assert not InstitutionScope.objects.filter(institution=institution).exists()  # requested, not granted
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"institution.registered", "account.created"} <= actions


def test_registration_reports_every_wrong_field_at_once_and_creates_nothing(catalog_bits) -> None:
    with pytest.raises(ValidationError) as refusal:
        _register(uscc="91450100MA5K12340A", password="short", capacity=0, name=" ",
                  requested_scopes=[ScopeRequest(TrainingType.OCCUPATIONAL, "9-99-99-99", 4)])
    fields = refusal.value.message_dict
    assert set(fields) == {"uscc", "password", "capacity", "name", "requested_scopes"}
    assert "校验位" in fields["uscc"][0]
    assert "9-99-99-99" in fields["requested_scopes"][0]
    assert not Institution.objects.exists() and not User.objects.exists()


def test_a_taken_username_is_refused_and_nothing_is_created(catalog_bits, nanning_official) -> None:
    with pytest.raises(ValidationError) as refusal:
        _register(username="NANNING")
    assert "username" in refusal.value.message_dict
    assert not Institution.objects.exists()


def test_an_occupation_at_a_level_it_does_not_have_is_refused(catalog_bits) -> None:
    occupation = builders.occupation()
    occupation.levels = "54"
    occupation.save()
    with pytest.raises(ValidationError, match="没有 2 级"):
        services.checked_scope_requests([ScopeRequest(TrainingType.OCCUPATIONAL, occupation.code, 2)])


def test_project_training_is_never_a_standing_scope(catalog_bits) -> None:
    with pytest.raises(ValidationError, match="3.4c"):
        services.checked_scope_requests([ScopeRequest(TrainingType.PROJECT, "P1")])


# ---- Approval grants the requested scopes ----

def test_approval_grants_the_ticked_scopes_only(catalog_bits, nanning_official) -> None:
    institution, _ = _applied_with_account()
    with frozen_at(ON):
        services.review_institution(nanning_official, institution, "approve", "材料齐全",
                                    approved_until=date(2029, 2, 28), granted=[0, 2])
    granted = InstitutionScope.objects.filter(institution=institution)
    assert {(scope.training_type, scope.granted_on) for scope in granted} == {
        (TrainingType.OCCUPATIONAL, ON), (TrainingType.ENTREPRENEURSHIP, ON)}
    assert granted.get(training_type=TrainingType.OCCUPATIONAL).max_level == 4
    entry = AuditEntry.objects.get(action="institution.approve")
    assert len(entry.after["granted_scopes"]) == 2 and entry.reason == "材料齐全"
    institution.refresh_from_db()
    assert institution.status_reason == "材料齐全"


def test_approval_without_a_choice_grants_everything_requested(catalog_bits, nanning_official) -> None:
    institution, _ = _applied_with_account()
    services.review_institution(nanning_official, institution, "approve", "可以",
                                approved_until=clock_today() + timedelta(days=400))
    assert InstitutionScope.objects.filter(institution=institution).count() == 3


def test_resubmission_updates_the_request_and_re_enters_the_queue(catalog_bits, nanning_official) -> None:
    institution, account = _applied_with_account()
    first = institution.submitted_at
    services.review_institution(nanning_official, institution, "ask_changes", "缺少场地证明")
    services.resubmit_institution(account, institution, contact_name="李老师", requested_scopes=WANTED[:1])
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.APPLIED and institution.submitted_at > first
    assert institution.contact_name == "李老师" and len(institution.requested_scopes) == 1


# ---- Documents ----

def test_the_institution_uploads_a_pdf_kept_with_its_digest(catalog_bits) -> None:
    institution, account = _applied_with_account()
    document = services.upload_document(account, institution, kind=DocumentKind.BUSINESS_LICENCE,
                                        file_name="C:\\扫描\\营业执照.pdf", content=PDF)
    document.refresh_from_db()
    assert (document.file_name, document.content_type, document.size) == ("营业执照.pdf", "application/pdf", len(PDF))
    assert document.sha256 == hashlib.sha256(PDF).hexdigest() and bytes(document.content) == PDF
    assert AuditEntry.objects.filter(action="institution.document_uploaded").exists()


@pytest.mark.parametrize(("content", "code"), [
    (b"PK\x03\x04 a docx in disguise", "file_type"),
    (b"", "file_empty"),
    (b"%PDF-" + b"0" * DOCUMENT_MAX_BYTES, "file_too_large"),
])
def test_only_pdf_jpeg_png_up_to_10_mb_are_accepted_by_content(catalog_bits, content, code) -> None:
    institution, account = _applied_with_account()
    with pytest.raises(ValidationError) as refusal:
        services.upload_document(account, institution, kind=DocumentKind.OTHER, file_name="资料.pdf", content=content)
    assert refusal.value.code == code and "资料.pdf" in str(refusal.value)
    assert not InstitutionDocument.objects.exists()


def test_an_official_cannot_upload_for_the_institution(catalog_bits, nanning_official) -> None:
    institution, _ = _applied_with_account()
    with pytest.raises(PermissionDenied):
        services.upload_document(nanning_official, institution, kind=DocumentKind.OTHER, file_name="a.png",
                                 content=PNG)


def test_documents_can_be_removed_only_while_the_application_is_open(catalog_bits, nanning_official) -> None:
    institution, account = _applied_with_account()
    first = services.upload_document(account, institution, kind=DocumentKind.OTHER, file_name="a.png", content=PNG)
    services.remove_document(account, first)
    assert AuditEntry.objects.get(action="institution.document_removed").before["sha256"] == first.sha256
    kept = services.upload_document(account, institution, kind=DocumentKind.OTHER, file_name="b.png", content=PNG)
    services.review_institution(nanning_official, institution, "approve", "可以",
                                approved_until=clock_today() + timedelta(days=400))
    kept.refresh_from_db()
    with pytest.raises(ValidationError, match="cannot be removed"):
        services.remove_document(account, kept)
    assert InstitutionDocument.objects.filter(pk=kept.pk).exists()


def test_downloads_are_audited_and_refused_to_other_cities(catalog_bits, nanning_official, liuzhou_official) -> None:
    institution, account = _applied_with_account()
    document = services.upload_document(account, institution, kind=DocumentKind.OTHER, file_name="a.png", content=PNG)
    assert services.download_document(nanning_official, document) == PNG
    entry = AuditEntry.objects.get(action="institution.document_downloaded")
    assert entry.actor == nanning_official and entry.after["sha256"] == document.sha256
    with pytest.raises(PermissionDenied):
        services.download_document(liuzhou_official, document)


# ---- Venues and capacity ----

def test_venues_are_added_and_removed_by_the_institution(catalog_bits, liuzhou_official) -> None:
    institution, account = _applied_with_account()
    venue = services.add_venue(account, institution, name="实训楼A", address="民族大道1号", area_m2="320.5", seats=60)
    assert venue.area_m2 == Decimal("320.50")
    with pytest.raises(PermissionDenied):
        services.remove_venue(liuzhou_official, venue)
    services.remove_venue(account, venue)
    assert not Venue.objects.exists()
    assert AuditEntry.objects.filter(action__in=["institution.venue_added", "institution.venue_removed"]).count() == 2


def test_a_venue_with_bad_numbers_reports_each_field(catalog_bits) -> None:
    institution, account = _applied_with_account()
    with pytest.raises(ValidationError) as refusal:
        services.add_venue(account, institution, name="", address="x", area_m2="-3", seats=0)
    assert set(refusal.value.message_dict) == {"name", "area_m2", "seats"}


def test_capacity_is_a_positive_whole_number_set_by_the_institution(catalog_bits, nanning_official) -> None:
    institution, account = _applied_with_account()
    assert services.set_capacity(account, institution, 300).capacity == 300
    entry = AuditEntry.objects.get(action="institution.capacity_set")
    assert (entry.before, entry.after) == ({"capacity": 120}, {"capacity": 300})
    with pytest.raises(ValidationError, match="capacity"):
        services.set_capacity(account, institution, 0)
    with pytest.raises(PermissionDenied):
        services.set_capacity(nanning_official, institution, 10)


# ---- Discipline (6d) and expiry ----

def test_suspend_then_reinstate_with_reasons(nanning_official) -> None:
    institution = builders.institution(approved_until=clock_today() + timedelta(days=400))
    services.suspend_institution(nanning_official, institution, "涉嫌虚假宣传，调查中")
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.SUSPENDED
    assert services.opening_refusal(institution, clock_today()).code == "suspended"
    services.reinstate_institution(nanning_official, institution, "调查结束，未发现问题")
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.APPROVED and institution.status_reason == "调查结束，未发现问题"
    assert [entry.action for entry in AuditEntry.objects.order_by("seq")] == [
        "institution.suspended", "institution.reinstated"]


def test_reinstating_an_expired_approval_is_refused(nanning_official) -> None:
    institution = builders.institution(status=InstitutionStatus.SUSPENDED, approved_until=ON - timedelta(days=1))
    with frozen_at(ON), pytest.raises(ValidationError, match="expired"):
        services.reinstate_institution(nanning_official, institution, "恢复")


def test_blacklisting_records_a_blacklist_entry_and_blocks_classes(nanning_official) -> None:
    institution = builders.institution()
    with frozen_at(ON):
        entry = sanctions.list_institution(nanning_official, institution, "套取补贴", "南人社处〔2026〕3号")
    listed = Institution.objects.get(pk=institution.pk)
    assert listed.status == InstitutionStatus.BLACKLISTED
    assert (entry.listed_from, entry.listed_until, entry.created_by) == (ON, None, nanning_official)
    assert services.opening_refusal(listed, ON).code == "blacklisted"
    assert BlacklistEntry.objects.get().document_ref == "南人社处〔2026〕3号"
    with frozen_at(ON), pytest.raises(ValidationError, match="already listed"):
        sanctions.list_institution(nanning_official, listed, "再次")


@pytest.mark.parametrize("who", ["liuzhou_official", "province_official", "institution_user"])
@pytest.mark.parametrize("act", [services.suspend_institution, services.reinstate_institution,
                                 sanctions.list_institution])
def test_only_the_institutions_own_city_disciplines(request, who, act) -> None:
    institution = builders.institution()
    with pytest.raises(PermissionDenied):
        act(request.getfixturevalue(who), institution, "理由")
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.APPROVED and not BlacklistEntry.objects.exists()


def test_discipline_needs_a_reason(nanning_official) -> None:
    with pytest.raises(ValidationError, match="reason"):
        services.suspend_institution(nanning_official, builders.institution(), "  ")


def test_an_approval_past_its_end_date_shows_and_acts_as_expired() -> None:
    institution = builders.institution(approved_until=ON - timedelta(days=1))
    assert institution.shown_status(ON) == InstitutionStatus.EXPIRED
    assert institution.shown_status(ON - timedelta(days=1)) == InstitutionStatus.APPROVED
    assert services.opening_refusal(institution, ON).code == "expired"


def test_an_inactive_item_cannot_be_requested(catalog_bits) -> None:
    SpecialAbilityItem.objects.filter(code="S-0001").update(is_active=False)
    with pytest.raises(ValidationError, match="S-0001"):
        services.checked_scope_requests([ScopeRequest(TrainingType.SPECIAL_ABILITY, "S-0001")])
