"""The form of training (2.1 / 2.2) and the "1+19" industry are recorded on every class opened from now on."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client

from qiancheng.accounts.services import issue_api_token
from qiancheng.catalog.models import Industry
from qiancheng.training.models import TrainingForm
from qiancheng.training.services.classes import apply_for_class
from qiancheng.training.tests import builders
from qiancheng.training.tests.test_class_services import occupational, school, special  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_an_occupational_class_without_a_form_is_employment_skills_training(school, institution_user) -> None:  # noqa: F811
    training = apply_for_class(institution_user, school, occupational())
    assert training.training_form == TrainingForm.EMPLOYMENT_SKILLS
    assert training.industry is None


def test_a_stated_form_and_industry_are_kept(school, institution_user) -> None:  # noqa: F811
    industry = Industry.objects.create(code="auto", name="汽车")
    training = apply_for_class(institution_user, school, occupational(training_form=TrainingForm.SKILL_UPGRADE,
                                                                      industry=industry))
    training.refresh_from_db()
    assert (training.training_form, training.industry_id) == (TrainingForm.SKILL_UPGRADE, "auto")


def test_a_form_outside_the_four_is_refused(school, institution_user) -> None:  # noqa: F811
    with pytest.raises(ValidationError):
        apply_for_class(institution_user, school, occupational(training_form="apprenticeship"))


def test_the_api_records_the_form(school, institution_user) -> None:  # noqa: F811
    with transaction.atomic():
        token, _ = issue_api_token(institution_user)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.post("/api/v1/classes", content_type="application/json", data={
        "institution_id": school.pk, "name": "岗前班", "training_type": "special_ability",
        "start_date": "2026-03-02", "end_date": "2026-03-27", "class_hours": 40, "item_code": builders.item().pk,
        "training_form": "pre_job"})
    assert response.status_code == 201, response.content
    assert response.json()["training_form"] == "pre_job"
    refused = client.post("/api/v1/classes", content_type="application/json", data={
        "institution_id": school.pk, "name": "岗前班", "training_type": "special_ability",
        "start_date": "2026-03-02", "end_date": "2026-03-27", "class_hours": 40, "item_code": builders.item().pk,
        "training_form": "apprenticeship"})
    assert refused.status_code == 422
    assert special(40).training_form == ""
