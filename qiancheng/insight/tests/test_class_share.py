"""The class page's tab 重点群体占比 (2.1b before a class opens): the city's share of the class's year now and with
its roster counted, each figure checked against a count made here from the claims and the roster."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from qiancheng import clock
from qiancheng.funding.models import SubsidyClaim
from qiancheng.funding.tests.money import funded, paid_claim
from qiancheng.people.models import PersonCategory
from qiancheng.policy.vocabulary import COUNTING_STATUSES, KEY_GROUPS
from qiancheng.training.models import ClassStatus, EnrolmentStatus
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 10, 15)  # after the paid classes (end 2025-09-30), before the planned one opens


def _planned_class() -> Any:
    """A 南宁 class submitted, not yet opened, ending in 2025: two key-group trainees, one enterprise employee,
    and a withdrawn key-group trainee (not counted)."""
    training = builders.training_class(status=ClassStatus.SUBMITTED, start_date=dt.date(2025, 11, 1),
                                       end_date=dt.date(2025, 12, 15))
    for category in (PersonCategory.RURAL_MIGRANT_WORKER, PersonCategory.REGISTERED_UNEMPLOYED,
                     PersonCategory.ENTERPRISE_EMPLOYEE):
        builders.enrolment(training, category=category, enrolled_on=dt.date(2025, 10, 10))
    builders.enrolment(training, category=PersonCategory.GRADUATE_YOUTH, status=EnrolmentStatus.WITHDRAWN,
                       enrolled_on=dt.date(2025, 10, 10), left_on=dt.date(2025, 10, 12))
    return training


def test_the_tab_shows_what_the_roster_would_do_to_the_citys_share(
        client: Client, login, province_official: Any, nanning_official: Any) -> None:
    with clock.frozen_at(DAY):
        fund = funded(province_official, "100000.00")
        paid_claim(nanning_official, fund)
        paid_claim(nanning_official, fund, builders.training_class())
        SubsidyClaim.objects.filter(pk=SubsidyClaim.objects.order_by("pk").last().pk).update(
            person_category=PersonCategory.ENTERPRISE_EMPLOYEE)
        training = _planned_class()
        counted = [claim for claim in SubsidyClaim.objects.all()
                   if claim.status in COUNTING_STATUSES and claim.eligible is True and claim.city_id == "450100"
                   and claim.end_date.year == 2025]
        roster = [each.category for each in training.enrolments.all() if each.status != EnrolmentStatus.WITHDRAWN]
        before = (len(counted), sum(1 for claim in counted if claim.person_category in KEY_GROUPS))
        after = (before[0] + len(roster), before[1] + sum(1 for category in roster if category in KEY_GROUPS))
        assert (before, after) == ((2, 1), (5, 3))

        login(client, nanning_official)
        overview = client.get(f"/classes/{training.pk}/").content.decode()
        assert f'href="/insight/classes/{training.pk}/key-group-share/"' in overview
        response = client.get(f"/insight/classes/{training.pk}/key-group-share/")
        assert response.status_code == 200
        change = response.context["change"]
        assert (change.before.trainings, change.before.key_group) == before
        assert (change.after.trainings, change.after.key_group) == after
        page = response.content.decode()
        assert "50.0" in page and "60.0" in page  # 1/2 now, 3/5 with the class
        assert 'data-testid="share-below"' in page  # 60 % is still under 70 %


def test_only_the_officials_of_the_classs_city_and_the_province_read_it(
        client: Client, login, province_official: Any, liuzhou_official: Any, institution_user: Any) -> None:
    with clock.frozen_at(DAY):
        training = _planned_class()
        url = f"/insight/classes/{training.pk}/key-group-share/"
        assert login(client, province_official).get(url).status_code == 200
        client.logout()
        assert login(client, liuzhou_official).get(url).status_code == 404
        client.logout()
        assert login(client, institution_user).get(url).status_code == 403
