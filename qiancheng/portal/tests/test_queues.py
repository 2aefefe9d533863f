"""Review queues: counts and the age of the oldest item, per role, through the scope registry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.db.models import QuerySet
from django.test import Client
from django.utils import timezone

from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import scoped
from qiancheng.clock import frozen_at
from qiancheng.providers.models import Institution, InstitutionKind, InstitutionStatus
from qiancheng.web import queues as registry

pytestmark = pytest.mark.django_db

def _applied(user) -> QuerySet[Institution]:
    return scoped(Institution.objects.filter(status=InstitutionStatus.APPLIED), user)


@pytest.fixture
def test_queue() -> Iterator[registry.Queue]:
    queue = registry.add_queue("test_applied", "测试队列", "portal:queues", _applied, since="created_at",
                               roles={Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL}, order=999)
    yield queue
    registry._QUEUES.pop("test_applied")


def _institution(city_code: str, uscc: str, status: str = InstitutionStatus.APPLIED) -> Institution:
    until = dt.date(2027, 12, 31) if status == InstitutionStatus.APPROVED else None
    return Institution.objects.create(name=f"机构{uscc[-4:]}", uscc=uscc, kind=InstitutionKind.OTHER,
                                      city_id=city_code, status=status, approved_until=until)


def _state(user) -> registry.QueueState:
    return next(each for each in registry.queues_for(user) if each.key == "test_applied")


def test_counts_only_what_the_official_may_see(test_queue, catalog_loaded, nanning_official, liuzhou_official,
                                               province_official) -> None:
    _institution("450100", "91450100MA5KXXXX01")
    _institution("450100", "91450100MA5KXXXX02")
    _institution("450100", "91450100MA5KXXXX03", status=InstitutionStatus.APPROVED)
    _institution("450200", "91450200MA5KXXXX04")
    assert _state(nanning_official).count == 2
    assert _state(liuzhou_official).count == 1
    assert _state(province_official).count == 3


def test_oldest_age_counts_whole_days_on_the_programme_clock(test_queue, catalog_loaded, nanning_official) -> None:
    waiting = _institution("450100", "91450100MA5KXXXX05")
    created = timezone.localtime(waiting.created_at).date()  # the day in 广西, as days_since reads it
    with frozen_at(created + dt.timedelta(days=9)):
        assert _state(nanning_official).oldest_days == 9
    Institution.objects.filter(pk=waiting.pk).update(status=InstitutionStatus.REJECTED)
    assert _state(nanning_official).oldest_days is None
    assert _state(nanning_official).count == 0


def test_roles_that_do_not_review_see_no_queue(test_queue, institution_user, trainee_user) -> None:
    assert all(each.key != "test_applied" for each in registry.queues_for(institution_user))
    assert all(each.key != "test_applied" for each in registry.queues_for(trainee_user))


def test_queue_page_and_city_home_show_the_queue(test_queue, catalog_loaded, nanning_official, login) -> None:
    _institution("450100", "91450100MA5KXXXX06")
    client = login(Client(), nanning_official)
    for url in ("/queues/", "/"):
        page = client.get(url).content.decode()
        assert 'data-queue="test_applied"' in page and "测试队列" in page


def test_queue_page_needs_a_login(client: Client) -> None:
    response = client.get("/queues/")
    assert response.status_code == 302 and "/login/" in response["Location"]
