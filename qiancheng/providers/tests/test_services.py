"""Institution registration and the city's qualification review (1c, 3.4c), and who may open classes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qiancheng.accounts.models import AuditEntry
from qiancheng.clock import today as clock_today
from qiancheng.providers.models import InstitutionKind, InstitutionStatus
from qiancheng.providers.services import (
    opening_refusal,
    register_institution,
    resubmit_institution,
    review_institution,
)
from qiancheng.sanctions.models import BlacklistEntry
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

VALID_USCC = "91450100MA5K12340N"  # check character N (GB 32100)
NEXT_YEAR = clock_today() + timedelta(days=365)


def _applied(**fields):
    return register_institution(None, name="南宁市新技能培训学校", uscc=VALID_USCC,
                                kind=InstitutionKind.PRIVATE_SCHOOL, city=builders.city(), **fields)


def test_registering_starts_an_application_and_is_audited() -> None:
    institution = _applied()
    assert institution.status == InstitutionStatus.APPLIED
    assert AuditEntry.objects.filter(action="institution.registered", target_pk=str(institution.pk)).exists()


def test_a_uscc_with_a_wrong_check_character_is_refused_in_both_languages() -> None:
    with pytest.raises(ValidationError) as refusal:
        register_institution(None, name="某学校", uscc="91450100MA5K12340A", kind=InstitutionKind.PRIVATE_SCHOOL,
                             city=builders.city())
    assert "校验位" in str(refusal.value) and "check character" in str(refusal.value)


def test_the_same_uscc_registers_once() -> None:
    _applied()
    with pytest.raises(ValidationError, match="already registered"):
        _applied()


def test_nanning_approves_its_institution_with_a_validity_period(nanning_official) -> None:
    institution = review_institution(nanning_official, _applied(), "approve", "材料齐全", approved_until=NEXT_YEAR)
    assert (institution.status, institution.approved_until) == (InstitutionStatus.APPROVED, NEXT_YEAR)
    entry = AuditEntry.objects.get(action="institution.approve")
    assert entry.before["status"] == "applied" and entry.after["status"] == "approved" and entry.reason == "材料齐全"


def test_approval_needs_an_end_date_after_today(nanning_official) -> None:
    with pytest.raises(ValidationError, match="validity"):
        review_institution(nanning_official, _applied(), "approve", "可以", approved_until=clock_today())


@pytest.mark.parametrize(("decision", "status"), [("ask_changes", InstitutionStatus.CHANGES_REQUESTED),
                                                  ("reject", InstitutionStatus.REJECTED)])
def test_asking_changes_or_rejecting_keeps_no_end_date(nanning_official, decision, status) -> None:
    institution = review_institution(nanning_official, _applied(), decision, "缺少场地证明", approved_until=NEXT_YEAR)
    assert (institution.status, institution.approved_until) == (status, None)


def test_a_review_needs_a_reason(nanning_official) -> None:
    with pytest.raises(ValidationError, match="reason"):
        review_institution(nanning_official, _applied(), "reject", "  ")


@pytest.mark.parametrize("who", ["liuzhou_official", "outsider", "province_official"])
def test_only_the_institutions_own_city_reviews(request, who) -> None:
    institution = _applied()
    with pytest.raises(PermissionDenied):
        review_institution(request.getfixturevalue(who), institution, "approve", "可以", approved_until=NEXT_YEAR)
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.APPLIED


def test_a_decided_application_is_not_reviewed_again(nanning_official) -> None:
    institution = review_institution(nanning_official, _applied(), "reject", "资质不符")
    with pytest.raises(ValidationError, match="not awaiting review"):
        review_institution(nanning_official, institution, "approve", "改判", approved_until=NEXT_YEAR)


def test_after_changes_the_institution_resubmits_and_is_reviewed_again(nanning_official) -> None:
    from qiancheng.accounts.models import Role, User

    institution = review_institution(nanning_official, _applied(), "ask_changes", "补充师资名单")
    account = User.objects.create(username="school", role=Role.INSTITUTION, institution=institution)
    institution = resubmit_institution(account, institution, address="南宁市青秀区民族大道1号")
    assert institution.status == InstitutionStatus.APPLIED
    assert review_institution(nanning_official, institution, "approve", "已补正",
                              approved_until=NEXT_YEAR).status == InstitutionStatus.APPROVED


ON = date(2026, 3, 1)


def test_an_approved_institution_in_date_may_open_classes() -> None:
    assert opening_refusal(builders.institution(approved_until=ON), ON) is None


def test_an_approval_ending_the_day_before_counts_as_expired() -> None:
    refusal = opening_refusal(builders.institution(approved_until=ON - timedelta(days=1)), ON)
    assert refusal is not None and refusal.code == "expired"


@pytest.mark.parametrize(("status", "code"), [
    (InstitutionStatus.SUSPENDED, "suspended"), (InstitutionStatus.EXPIRED, "expired"),
    (InstitutionStatus.BLACKLISTED, "blacklisted"), (InstitutionStatus.APPLIED, "not_approved"),
    (InstitutionStatus.REJECTED, "not_approved"),
])
def test_suspended_expired_blacklisted_or_unapproved_institutions_may_not(status, code) -> None:
    refusal = opening_refusal(builders.institution(status=status, approved_until=NEXT_YEAR), ON)
    assert refusal is not None and refusal.code == code


def test_an_approved_institution_on_the_blacklist_may_not_open_a_class() -> None:
    institution = builders.institution()
    BlacklistEntry.objects.create(institution=institution, listed_from=ON, reason="套取补贴",
                                  created_by=builders.official())
    assert opening_refusal(institution, ON).code == "blacklisted"
    assert opening_refusal(institution, ON - timedelta(days=1)) is None


def _teacher_number(serial: int) -> str:
    from qiancheng.people.identity import id_number_check_character

    first17 = f"45010319800101{serial:03d}"
    return first17 + id_number_check_character(first17)


def test_a_teacher_belongs_to_one_institution_at_a_time() -> None:
    from qiancheng.accounts.models import Role, User
    from qiancheng.people import crypto
    from qiancheng.people.services import ID_NUMBER
    from qiancheng.providers.services import add_teacher, release_teacher

    first, second = builders.institution(), builders.institution()
    first_account = User.objects.create(username="first", role=Role.INSTITUTION, institution=first)
    second_account = User.objects.create(username="second", role=Role.INSTITUTION, institution=second)
    wang = add_teacher(first_account, first, id_number=_teacher_number(1), name="王老师", qualifications="高级技师")
    assert crypto.decrypt(wang.id_number_enc, purpose=ID_NUMBER) == _teacher_number(1)
    with pytest.raises(ValidationError, match="another institution"):
        add_teacher(second_account, second, id_number=_teacher_number(1), name="王老师")
    with pytest.raises(PermissionDenied):
        release_teacher(second_account, wang)
    release_teacher(first_account, wang)
    assert add_teacher(second_account, second, id_number=_teacher_number(1), name="王老师").institution == second


def test_a_teacher_with_a_wrong_id_number_is_refused() -> None:
    from qiancheng.accounts.models import Role, User
    from qiancheng.providers.services import add_teacher

    school = builders.institution()
    account = User.objects.create(username="school", role=Role.INSTITUTION, institution=school)
    with pytest.raises(ValidationError, match="check character"):
        wrong = "0" if _teacher_number(2)[17] != "0" else "1"
        add_teacher(account, school, id_number=_teacher_number(2)[:17] + wrong, name="李老师")
