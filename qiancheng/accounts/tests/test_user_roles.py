"""The database refuses a user whose links do not fit the role, so a scope can never be widened by accident."""

from __future__ import annotations

import pytest

from qiancheng.accounts.models import Role, User
from qiancheng.catalog.models import City
from qiancheng.training.tests.builders import refused

pytestmark = pytest.mark.django_db


def test_a_city_official_without_a_city_is_refused() -> None:
    with refused():
        User.objects.create(username="nocity", role=Role.CITY_OFFICIAL)


def test_a_province_official_with_a_city_is_refused() -> None:
    nanning = City.objects.create(code="450100", name="南宁市")
    with refused():
        User.objects.create(username="wide", role=Role.PROVINCE_OFFICIAL, city=nanning)


def test_an_institution_account_needs_its_institution(persona_institution) -> None:
    with refused():
        User.objects.create(username="noinst", role=Role.INSTITUTION)
    User.objects.create(username="inst", role=Role.INSTITUTION, institution=persona_institution)


def test_only_an_institution_account_may_link_an_institution(persona_institution) -> None:
    with refused():
        User.objects.create(username="mixed", role=Role.TRAINEE, institution=persona_institution)


def test_an_enterprise_account_needs_its_enterprise() -> None:
    with refused():
        User.objects.create(username="noent", role=Role.ENTERPRISE)


def test_a_trainee_account_needs_its_person(persona_person) -> None:
    with refused():
        User.objects.create(username="noperson", role=Role.TRAINEE)
    User.objects.create(username="person", role=Role.TRAINEE, person=persona_person)


def test_an_industry_department_needs_its_industry_and_nothing_else() -> None:
    from qiancheng.catalog.models import Industry

    ai = Industry.objects.get_or_create(code="ai", defaults={"name": "人工智能"})[0]
    with refused():
        User.objects.create(username="nodept", role=Role.INDUSTRY_DEPARTMENT)
    with refused():
        User.objects.create(username="deptcity", role=Role.INDUSTRY_DEPARTMENT, industry=ai,
                            city=City.objects.get_or_create(code="450100", defaults={"name": "南宁市"})[0])
    with refused():
        User.objects.create(username="cityind", role=Role.PROVINCE_OFFICIAL, industry=ai)
    User.objects.create(username="dept", role=Role.INDUSTRY_DEPARTMENT, industry=ai)


def test_an_unknown_role_is_refused() -> None:
    with refused():
        User.objects.create(username="odd", role="mayor")


def test_a_back_office_account_has_no_role_and_no_links() -> None:
    admin = User.objects.create_superuser(username="admin", password="a-long-enough-password")
    assert admin.role == "" and admin.city_id is None


def test_passwords_are_hashed_with_argon2(nanning_official) -> None:
    assert nanning_official.password.startswith("argon2$")
