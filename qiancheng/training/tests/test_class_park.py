"""A class delivered for a border/port park (4.1): named on the application (form and API), or, for a project
class, the park of the enterprise that applied for the project; only a park listed on the first day and in
the class's city."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client

from qiancheng.accounts.models import AuditEntry, User
from qiancheng.accounts.services import issue_api_token
from qiancheng.catalog.models import IndustrialPark
from qiancheng.catalog.parks import ParkEntry, add_park, end_park
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.clock import frozen_at
from qiancheng.providers.models import Institution, InstitutionScope
from qiancheng.training.forms import ClassForm
from qiancheng.training.services.classes import ClassPlan, apply_for_class
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db
START, END = dt.date(2026, 3, 2), dt.date(2026, 3, 27)


@pytest.fixture(autouse=True)
def before_the_class() -> Iterator[dt.date]:
    with frozen_at(dt.date(2026, 2, 2)) as day:
        yield day


@pytest.fixture
def school(persona_institution: Institution) -> Institution:
    InstitutionScope.objects.create(institution=persona_institution, training_type=TrainingType.OCCUPATIONAL,
                                    occupation=builders.occupation(), max_level=3)
    return persona_institution


def _park(actor: User, code: str = "test_port", city: str = "450100", **changes: Any) -> IndustrialPark:
    values: dict[str, Any] = {"name": f"测试园区{code}", "city": builders.city(city, "某市"),
                              "source_document": "桂人社函〔2025〕99号（测试）", "valid_from": dt.date(2025, 1, 1)}
    values.update(changes)
    return add_park(actor, code, ParkEntry(**values))


def _plan(**changes: Any) -> ClassPlan:
    values: dict[str, Any] = {"name": "园区人工智能训练师班", "training_type": TrainingType.OCCUPATIONAL,
                              "start_date": START, "end_date": END, "class_hours": 120,
                              "occupation": builders.occupation(), "level": 4}
    values.update(changes)
    return ClassPlan(**values)


def test_a_class_names_the_park_it_is_delivered_for(school: Institution, institution_user: User,
                                                     province_official: User) -> None:
    park = _park(province_official)
    training = apply_for_class(institution_user, school, _plan(park=park))
    assert training.park == park
    submitted = AuditEntry.objects.get(action="class.submitted", target_pk=str(training.pk))
    assert submitted.after["park_id"] == park.pk


def test_a_project_class_is_delivered_for_its_applicants_park(institution_user: User, province_official: User,
                                                              persona_institution: Institution) -> None:
    park = _park(province_official)
    project = builders.project(applicant=builders.enterprise(park=park), chosen_institution=persona_institution,
                               choice_reason="唯一申请的合格机构")
    training = apply_for_class(institution_user, persona_institution, ClassPlan(
        name="园区项目班", training_type=TrainingType.PROJECT, start_date=START, end_date=END, class_hours=40,
        project=project))
    assert training.park == park


def test_a_park_of_another_city_or_off_the_list_is_refused(school: Institution, institution_user: User,
                                                           province_official: User) -> None:
    elsewhere = _park(province_official, "qinzhou_test", city="450700")
    with pytest.raises(ValidationError) as other_city:
        apply_for_class(institution_user, school, _plan(park=elsewhere))
    assert any("4.1" in message for message in other_city.value.messages)
    ended = _park(province_official, "ended_test")
    end_park(province_official, ended, dt.date(2026, 2, 28), "桂人社函〔2026〕1号")
    with pytest.raises(ValidationError) as off_list:
        apply_for_class(institution_user, school, _plan(park=ended))
    assert any("支持名单" in message for message in off_list.value.messages)


def test_the_form_offers_the_listed_parks_of_the_institutions_city(school: Institution,
                                                                  province_official: User) -> None:
    ours = _park(province_official)
    _park(province_official, "qinzhou_test", city="450700")
    later = _park(province_official, "later_test", valid_from=dt.date(2026, 6, 1))
    choices = list(ClassForm(school).fields["park"].queryset)
    assert choices == [ours] and later not in choices


def test_the_api_sets_and_shows_the_park(school: Institution, institution_user: User,
                                         province_official: User) -> None:
    park = _park(province_official)
    with transaction.atomic():
        token, _ = issue_api_token(institution_user)
    body = {"institution_id": school.pk, "name": "园区人工智能训练师班", "training_type": "occupational",
            "occupation_code": builders.occupation().code, "level": 4, "start_date": START.isoformat(),
            "end_date": END.isoformat(), "class_hours": 120}
    client, headers = Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    created = client.post("/api/v1/classes", {**body, "park_code": park.code}, content_type="application/json",
                          **headers)
    assert created.status_code == 201 and created.json()["park_code"] == park.code
    unknown = client.post("/api/v1/classes", {**body, "park_code": "nowhere"}, content_type="application/json",
                          **headers)
    assert unknown.status_code == 422 and "nowhere" in unknown.json()["message_zh"] + str(unknown.json())
