"""The register's one writer: listing an institution or a person, lifting a listing early (6d)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qiancheng.accounts.models import AuditEntry, Role, User
from qiancheng.clock import frozen_at
from qiancheng.providers.models import Institution, InstitutionStatus
from qiancheng.providers.services import opening_refusal
from qiancheng.sanctions import services
from qiancheng.sanctions.models import BlacklistEntry
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

ON = date(2026, 3, 16)


def _official(role: Role, city_code: str | None = "450100") -> User:
    city = builders.city(city_code, "南宁市" if city_code == "450100" else "柳州市") if city_code else None
    return User.objects.create_user(username=f"{role}-{city_code}-{User.objects.count()}", password="x" * 12,
                                    role=role, city=city)


@pytest.fixture
def nanning() -> User:
    return _official(Role.CITY_OFFICIAL)


def _listed_institution(actor: User) -> tuple[Institution, BlacklistEntry]:
    institution = builders.institution()
    with frozen_at(ON):
        entry = services.list_institution(actor, institution, "套取补贴", "南人社处〔2026〕3号")
    return Institution.objects.get(pk=institution.pk), entry


def test_listing_an_institution_bars_it_from_today_and_its_status_follows(nanning) -> None:
    institution, entry = _listed_institution(nanning)
    assert (entry.listed_from, entry.listed_until, entry.created_by, entry.document_ref) == (
        ON, None, nanning, "南人社处〔2026〕3号")
    assert institution.status == InstitutionStatus.BLACKLISTED and institution.status_reason == "套取补贴"
    assert services.institution_listed(institution.pk, ON) and not services.institution_listed(
        institution.pk, ON - timedelta(days=1))
    assert opening_refusal(institution, ON).code == "blacklisted"
    assert [e.action for e in AuditEntry.objects.order_by("seq")] == ["blacklist.listed", "institution.blacklisted"]


def test_a_listing_that_starts_later_leaves_todays_status(nanning) -> None:
    institution = builders.institution()
    with frozen_at(ON):
        services.list_institution(nanning, institution, "转包项目", listed_from=ON + timedelta(days=10))
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.APPROVED
    assert opening_refusal(institution, ON) is None
    assert opening_refusal(institution, ON + timedelta(days=10)).code == "blacklisted"


def test_an_overlapping_or_backdated_listing_is_refused(nanning) -> None:
    institution, _ = _listed_institution(nanning)
    with frozen_at(ON), pytest.raises(ValidationError) as refused:
        services.list_institution(nanning, institution, "再次")
    assert refused.value.code == "already_listed"
    other = builders.institution()
    with frozen_at(ON), pytest.raises(ValidationError) as refused:
        services.list_institution(nanning, other, "骗补", listed_from=ON - timedelta(days=1))
    assert refused.value.code == "backdated"
    with frozen_at(ON), pytest.raises(ValidationError) as refused:
        services.list_institution(nanning, other, "  ")
    assert refused.value.code == "reason_required"
    assert BlacklistEntry.objects.count() == 1


@pytest.mark.parametrize("role, city", [(Role.CITY_OFFICIAL, "450200"), (Role.PROVINCE_OFFICIAL, None)])
def test_only_the_institutions_own_city_lists_it(role, city) -> None:
    institution = builders.institution()
    with frozen_at(ON), pytest.raises(PermissionDenied):
        services.list_institution(_official(role, city), institution, "骗补")
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.APPROVED and not BlacklistEntry.objects.exists()


def test_lifting_early_sets_the_last_day_with_its_reason_and_the_institution_is_suspended(nanning) -> None:
    institution, entry = _listed_institution(nanning)
    lifted_on = ON + timedelta(days=30)
    with frozen_at(lifted_on):
        lifted = services.lift_listing(nanning, entry, lifted_on - timedelta(days=1), "复查后撤销处理",
                                       "南人社复〔2026〕1号")
    assert lifted.listed_until == lifted_on - timedelta(days=1)
    assert (lifted.lifted_by, lifted.lifted_reason, lifted.lifted_document_ref) == (
        nanning, "复查后撤销处理", "南人社复〔2026〕1号")
    assert services.institution_listed(institution.pk, lifted_on - timedelta(days=1))
    assert not services.institution_listed(institution.pk, lifted_on)
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.SUSPENDED
    event = AuditEntry.objects.get(action="blacklist.lifted")
    assert event.before["listed_until"] is None and event.after["listed_until"] == str(lifted_on - timedelta(days=1))
    assert event.reason == "复查后撤销处理" and event.target_model == "sanctions.blacklistentry"
    assert AuditEntry.objects.filter(action="institution.blacklist_lifted").exists()


def test_lifting_cannot_backdate_extend_or_repeat(nanning) -> None:
    _, entry = _listed_institution(nanning)
    with frozen_at(ON + timedelta(days=30)):
        with pytest.raises(ValidationError) as refused:
            services.lift_listing(nanning, entry, ON + timedelta(days=28), "追溯")
        assert refused.value.code == "backdated"
        services.lift_listing(nanning, entry, ON + timedelta(days=40), "提前解除")
        with pytest.raises(ValidationError) as refused:
            services.lift_listing(nanning, entry, ON + timedelta(days=35), "再解除")
        assert refused.value.code == "already_lifted"
    entry.refresh_from_db()
    assert entry.listed_until == ON + timedelta(days=40)


def test_lifting_is_the_listing_citys_and_needs_a_reason(nanning) -> None:
    _, entry = _listed_institution(nanning)
    with frozen_at(ON), pytest.raises(PermissionDenied):
        services.lift_listing(_official(Role.CITY_OFFICIAL, "450200"), entry, ON, "无权")
    with frozen_at(ON), pytest.raises(ValidationError):
        services.lift_listing(nanning, entry, ON, " ")
    entry.refresh_from_db()
    assert entry.listed_until is None and entry.lifted_at is None


def test_a_person_is_listed_by_an_official_and_lifted_by_the_listing_city_or_the_province(nanning) -> None:
    person = builders.person()
    with frozen_at(ON):
        entry = services.list_person(nanning, person, "冒名顶替骗取补贴", "南人社处〔2026〕7号")
    assert entry.person_id == person.person_key and entry.institution_id is None
    assert services.person_listed(person.person_key, ON)
    assert list(services.listings_of(person)) == [entry]
    with frozen_at(ON), pytest.raises(PermissionDenied):
        services.list_person(User.objects.create_user(username="inst", password="x" * 12, role=Role.INSTITUTION,
                                                      institution=builders.institution()), person, "骗补")
    with frozen_at(ON), pytest.raises(PermissionDenied):
        services.lift_listing(_official(Role.CITY_OFFICIAL, "450200"), entry, ON, "别的城市")
    with frozen_at(ON + timedelta(days=5)):
        services.lift_listing(_official(Role.PROVINCE_OFFICIAL, None), entry, ON + timedelta(days=5), "自治区复核")
    assert not services.person_listed(person.person_key, ON + timedelta(days=6))


def test_lifting_the_current_listing_leaves_a_later_one_in_force(nanning) -> None:
    institution = builders.institution()
    with frozen_at(ON):
        first = services.list_institution(nanning, institution, "虚假宣传", listed_until=ON + timedelta(days=20))
        services.list_institution(nanning, institution, "再次转包", listed_from=ON + timedelta(days=21))
        services.lift_listing(nanning, first, ON + timedelta(days=4), "整改到位")
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.SUSPENDED
    assert not services.institution_listed(institution.pk, ON + timedelta(days=5))
    assert opening_refusal(institution, ON + timedelta(days=21)).code == "blacklisted"
