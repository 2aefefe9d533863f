"""Fixtures shared by every app's tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from django.test import Client

    from qiancheng.accounts.models import User
    from qiancheng.catalog.models import City
    from qiancheng.demand.models import Enterprise
    from qiancheng.people.models import Person
    from qiancheng.providers.models import Institution


@pytest.fixture(autouse=True, scope="session")
def tasks_run_at_once() -> Iterator[None]:
    """Queued work (ADR 0005) runs inside the call that enqueues it, so a test sees a roster checked when the
    upload returns; tests of the queue itself (web/tests/test_task_queue.py) switch back to the database
    backend and run a real worker."""
    from django.test import override_settings

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}):
        yield


@pytest.fixture
def catalog_loaded(db: None) -> dict[str, int]:
    """The shipped catalog (cities, counties, occupations, items, ...) loaded into the test database."""
    from qiancheng.catalog.services import load_catalog

    return load_catalog()


# ---- Personas (accounts): one user per role, and an outsider from a third city (STYLE.md 10). ----
# Cities are created with get_or_create so the personas do not need the full catalog loaded.

PERSONA_PASSWORD = "qiancheng-persona-2025"
PERSONA_CITIES = {"450100": "南宁市", "450200": "柳州市", "450300": "桂林市"}
_persona_password_hash: list[str] = []


def _persona(username: str, role: str, **links: object) -> User:
    """A user whose password is PERSONA_PASSWORD (argon2 hashed once per run: it is slow on purpose)."""
    from django.contrib.auth.hashers import make_password

    from qiancheng.accounts.models import User

    if not _persona_password_hash:
        _persona_password_hash.append(make_password(PERSONA_PASSWORD))
    return User.objects.create(username=username, password=_persona_password_hash[0], role=role, **links)


def _city(code: str) -> City:
    from qiancheng.catalog.models import City

    return City.objects.get_or_create(code=code, defaults={"name": PERSONA_CITIES[code]})[0]


@pytest.fixture
def persona_password() -> str:
    return PERSONA_PASSWORD


@pytest.fixture
def province_official(db: None) -> User:
    return _persona("province", "province_official")


@pytest.fixture
def nanning_official(db: None) -> User:
    return _persona("nanning", "city_official", city=_city("450100"))


@pytest.fixture
def liuzhou_official(db: None) -> User:
    return _persona("liuzhou", "city_official", city=_city("450200"))


@pytest.fixture
def outsider(db: None) -> User:
    """A city official of 桂林 (450300): every permission test tries this user and expects nothing."""
    return _persona("guilin", "city_official", city=_city("450300"))


@pytest.fixture
def persona_institution(db: None) -> Institution:
    """An approved training institution in 南宁."""
    from qiancheng.providers.models import Institution, InstitutionKind, InstitutionStatus
    from qiancheng.training.tests.builders import still_approved

    return Institution.objects.create(
        name="南宁市前程职业培训学校", uscc="52450100MJ0000001X", kind=InstitutionKind.PRIVATE_SCHOOL,
        city=_city("450100"), status=InstitutionStatus.APPROVED, approved_until=still_approved(),
    )


@pytest.fixture
def persona_enterprise(db: None) -> Enterprise:
    """An enterprise in 南宁."""
    from qiancheng.demand.models import Enterprise

    return Enterprise.objects.create(name="南宁前程制造有限公司", uscc="91450100MA0000002Y", city=_city("450100"))


@pytest.fixture
def persona_person(db: None) -> Person:
    """A trainee registered from a 南宁 (450102 兴宁区) ID number, through the real registration path."""
    from qiancheng.people.identity import id_number_check_character
    from qiancheng.people.services import register_person

    first17 = "45010219950315002"
    return register_person(None, first17 + id_number_check_character(first17), "李前程")


@pytest.fixture
def institution_user(persona_institution: Institution) -> User:
    return _persona("institution", "institution", institution=persona_institution)


@pytest.fixture
def enterprise_user(persona_enterprise: Enterprise) -> User:
    return _persona("enterprise", "enterprise", enterprise=persona_enterprise)


@pytest.fixture
def trainee_user(persona_person: Person) -> User:
    return _persona("trainee", "trainee", person=persona_person)


@pytest.fixture
def login() -> Callable[[Client, User], Client]:
    """`login(client, user)` signs the user in on that test client and returns the client.

    An official (who must pass the second factor) is signed in as having passed it: a confirmed
    authenticator and a verified session, through the one test-support helper
    `qiancheng.accounts.tests.second_factor_support.pass_second_factor` (use it directly for API tokens:
    `issue_api_token(user, second_factor=pass_second_factor(user))`). Tests of the second factor itself
    sign in with `client.force_login` and nothing else.
    """
    from qiancheng.accounts.tests.second_factor_support import pass_second_factor

    def sign_in(client: Client, user: User) -> Client:
        client.force_login(user)
        pass_second_factor(user, client)
        return client

    return sign_in
