"""City scope: for every registered model, 柳州 sees none of 南宁, and "not yours" looks like "not there"."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.http import Http404

from qiancheng.accounts.models import AuditEntry, Role, User
from qiancheng.accounts.scope import (
    NOT_FOUND_MESSAGE,
    get_scoped_or_404,
    register,
    registered_models,
    rule_for,
    scoped,
)
from qiancheng.accounts.tests.two_cities import CityWorld, build_two_cities

pytestmark = pytest.mark.django_db

# Apps whose every model is programme data and must be registered (catalog is public reference data).
PROGRAMME_APPS = ("people", "providers", "demand", "projects", "training", "evaluation", "funding", "sanctions",
                 "risk", "brands")
CITY_SCOPED = [model for model in registered_models() if rule_for(model).city is not None]


def _label(model: type[models.Model]) -> str:
    return model._meta.label


@pytest.fixture
def worlds() -> tuple[CityWorld, CityWorld]:
    return build_two_cities()


def _missing_pk(model: type[models.Model]) -> object:
    if isinstance(model._meta.pk, (models.AutoField, models.BigAutoField)):
        return 10**9
    return "0" * 64


def _user(username: str, role: Role, **links) -> User:
    return User.objects.create(username=username, role=role, **links)


def test_every_model_of_the_programme_apps_is_registered() -> None:
    missing = [
        model._meta.label
        for app in PROGRAMME_APPS
        for model in apps.get_app_config(app).get_models()
        if model not in registered_models()
    ]
    assert missing == []


@pytest.mark.parametrize("model", CITY_SCOPED, ids=_label)
def test_liuzhou_sees_no_nanning_record(model, worlds, liuzhou_official) -> None:
    nanning, liuzhou = worlds
    assert nanning.pks(model), f"the two-city world has no {model._meta.label} to test with"
    visible = set(scoped(model, liuzhou_official).values_list("pk", flat=True))
    assert visible.isdisjoint(nanning.pks(model))
    assert liuzhou.pks(model) <= visible


@pytest.mark.parametrize("model", CITY_SCOPED, ids=_label)
def test_not_yours_and_not_there_are_the_same_404(model, worlds, liuzhou_official) -> None:
    nanning, _ = worlds
    with pytest.raises(Http404) as not_yours:
        get_scoped_or_404(model, liuzhou_official, pk=next(iter(nanning.pks(model))))
    with pytest.raises(Http404) as not_there:
        get_scoped_or_404(model, liuzhou_official, pk=_missing_pk(model))
    assert str(not_yours.value) == str(not_there.value) == NOT_FOUND_MESSAGE


@pytest.mark.parametrize("model", CITY_SCOPED, ids=_label)
def test_the_outsider_sees_nothing_of_either_city(model, worlds, outsider) -> None:
    assert not scoped(model, outsider).exists()


@pytest.mark.parametrize("model", CITY_SCOPED, ids=_label)
def test_the_province_sees_both_cities(model, worlds, province_official) -> None:
    nanning, liuzhou = worlds
    visible = set(scoped(model, province_official).values_list("pk", flat=True))
    assert nanning.pks(model) | liuzhou.pks(model) <= visible


@pytest.mark.parametrize(
    ("role", "link"), [(Role.INSTITUTION, "institution"), (Role.ENTERPRISE, "enterprise"), (Role.TRAINEE, "person"),
                       (Role.INDUSTRY_DEPARTMENT, "industry")]
)
def test_owners_see_only_their_own_records(role, link, worlds) -> None:
    nanning, liuzhou = worlds
    owner = _user(f"{link}-owner", role, **{link: getattr(nanning, link)})
    for model in registered_models():
        visible = set(scoped(model, owner).values_list("pk", flat=True))
        assert visible.isdisjoint(liuzhou.pks(model)), model._meta.label
        assert visible <= nanning.pks(model) | {None}, model._meta.label


def test_each_owner_role_reaches_its_records(worlds) -> None:
    nanning, _ = worlds
    institution = _user("inst", Role.INSTITUTION, institution=nanning.institution)
    enterprise = _user("ent", Role.ENTERPRISE, enterprise=nanning.enterprise)
    trainee = _user("me", Role.TRAINEE, person=nanning.person)
    from qiancheng.funding.models import SubsidyClaim
    from qiancheng.training.models import TrainingClass

    assert scoped(TrainingClass, institution).count() == 1
    assert scoped(TrainingClass, enterprise).count() == 1
    assert scoped(SubsidyClaim, trainee).count() == 1
    assert scoped(TrainingClass, trainee).count() == 0


def test_an_industry_department_reads_its_own_plans_and_no_record_of_a_city(worlds, province_official,
                                                                           nanning_official) -> None:
    from qiancheng.insight.models import IndustryPlan, IndustryPlanLine

    nanning, liuzhou = worlds
    department = _user("dept", Role.INDUSTRY_DEPARTMENT, industry=nanning.industry)
    for model in (IndustryPlan, IndustryPlanLine):
        assert set(scoped(model, department).values_list("pk", flat=True)) == nanning.pks(model)
        assert nanning.pks(model) | liuzhou.pks(model) <= set(scoped(model, province_official).values_list("pk",
                                                                                                          flat=True))
        assert not scoped(model, nanning_official).exists()  # a plan is province-wide, not a city's
    with pytest.raises(Http404):
        get_scoped_or_404(IndustryPlan, department, pk=next(iter(liuzhou.pks(IndustryPlan))))
    assert not any(scoped(model, department).exists() for model in CITY_SCOPED)


def test_only_the_province_reads_the_audit_trail(worlds, province_official, nanning_official, trainee_user) -> None:
    from django.db import transaction

    from qiancheng.accounts.audit import record_event

    with transaction.atomic():
        record_event(province_official, "report.exported")
    assert scoped(AuditEntry, province_official).count() == AuditEntry.objects.count() > 0
    assert scoped(AuditEntry, nanning_official).count() == 0
    assert scoped(AuditEntry, trainee_user).count() == 0


def test_anonymous_and_inactive_users_see_nothing(worlds, nanning_official) -> None:
    from django.contrib.auth.models import AnonymousUser

    from qiancheng.training.models import TrainingClass

    assert not scoped(TrainingClass, AnonymousUser()).exists()
    assert not scoped(TrainingClass, None).exists()
    nanning_official.is_active = False
    assert not scoped(TrainingClass, nanning_official).exists()


def test_a_back_office_account_without_a_role_sees_nothing(worlds, django_user_model) -> None:
    from qiancheng.training.models import TrainingClass

    admin = django_user_model.objects.create_superuser("root", password="a-long-enough-password")
    assert not scoped(TrainingClass, admin).exists()


def test_a_malformed_pk_is_the_same_404(nanning_official) -> None:
    from qiancheng.training.models import TrainingClass

    with pytest.raises(Http404, match=NOT_FOUND_MESSAGE):
        get_scoped_or_404(TrainingClass, nanning_official, pk="not-a-number")


def test_a_multivalued_path_does_not_repeat_rows(worlds) -> None:
    from qiancheng.people.models import Person
    from qiancheng.training.tests import builders

    nanning, _ = worlds
    second_class = builders.training_class(institution=nanning.institution, city=nanning.city)
    builders.enrolment(second_class, nanning.person)
    institution = _user("inst", Role.INSTITUTION, institution=nanning.institution)
    # Person → enrolments → class → institution crosses a reverse relation: two enrolments, one person.
    assert list(scoped(Person, institution).values_list("pk", flat=True)) == [nanning.person.pk]


def test_an_unregistered_model_fails_loudly(nanning_official) -> None:
    from qiancheng.catalog.models import Occupation

    with pytest.raises(ImproperlyConfigured, match="no scope rule"):
        scoped(Occupation, nanning_official)


def test_registering_the_same_model_with_other_paths_is_refused() -> None:
    from qiancheng.training.models import TrainingClass

    register(TrainingClass, **{key: value for key, value in rule_for(TrainingClass).paths().items()})
    with pytest.raises(ImproperlyConfigured, match="already registered"):
        register(TrainingClass, city="institution__city")
