"""Project training (3.4): what the database refuses along draft → … → closed."""

from __future__ import annotations

from datetime import date

import pytest

from qiancheng.projects.models import DeliveryApplication, DeliveryApplicationStatus, ProjectStatus
from qiancheng.training.tests import builders
from qiancheng.training.tests.builders import refused

pytestmark = pytest.mark.django_db


def test_an_approved_project_has_its_catalogue_code() -> None:
    builders.project(status=ProjectStatus.SUBMITTED, code=None)
    with refused():
        builders.project(status=ProjectStatus.APPROVED, code=None)


def test_a_rejection_states_its_reason() -> None:
    with refused():
        builders.project(status=ProjectStatus.REJECTED, code=None)
    builders.project(status=ProjectStatus.REJECTED, code=None, review_note="与本地产业无关 / unrelated to local industry")


def test_an_institution_is_chosen_only_for_a_published_project_and_with_a_reason() -> None:
    institution = builders.institution()
    with refused():  # 3.4b/3.4c: choose after publication
        builders.project(status=ProjectStatus.APPROVED, chosen_institution=institution, choice_reason="最优")
    with refused():
        builders.project(chosen_institution=institution)
    builders.project(chosen_institution=institution, choice_reason="师资与实训设备最优 / best teachers and equipment")


def test_confirmations_are_dated_and_come_after_delivery() -> None:
    # 3.4d: the bureau and the applicant jointly confirm the effect.
    institution = builders.institution()
    with refused():
        builders.project(chosen_institution=institution, choice_reason="r", city_confirmed_effect=True)
    with refused():
        builders.project(city_confirmed_effect=True, city_confirmed_on=date(2025, 12, 1))  # nobody delivered it
    project = builders.project(
        chosen_institution=institution, choice_reason="r",
        city_confirmed_effect=True, city_confirmed_on=date(2025, 12, 1),
    )
    assert not project.effect_confirmed
    project.applicant_confirmed_effect, project.applicant_confirmed_on = True, date(2025, 12, 2)
    project.save()
    assert project.effect_confirmed


def test_headcount_and_duration_are_positive() -> None:
    with refused():
        builders.project(headcount=0)
    with refused():
        builders.project(duration_hours=0)


def test_one_chosen_delivery_application_per_project() -> None:
    project = builders.project()
    first, second = builders.institution(), builders.institution()
    DeliveryApplication.objects.create(
        project=project, institution=first, statement="s", status=DeliveryApplicationStatus.CHOSEN
    )
    with refused():
        DeliveryApplication.objects.create(
            project=project, institution=second, statement="s", status=DeliveryApplicationStatus.CHOSEN
        )
    with refused():
        DeliveryApplication.objects.create(project=project, institution=first, statement="again")
