"""The admin pages of the catalog render, and published data cannot be edited there."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

MODELS = ("city", "county", "occupation", "specialabilityitem", "coursekind", "industry", "industrialpark",
          "programmetag")


@pytest.mark.parametrize("model", MODELS)
def test_changelist_renders(admin_client, catalog, model):
    response = admin_client.get(reverse(f"admin:catalog_{model}_changelist"))
    assert response.status_code == 200


def test_an_editable_list_accepts_additions_and_published_data_does_not(admin_client, catalog):
    assert admin_client.get(reverse("admin:catalog_specialabilityitem_add")).status_code == 200
    assert admin_client.get(reverse("admin:catalog_city_add")).status_code == 403
    assert admin_client.get(reverse("admin:catalog_occupation_add")).status_code == 403


def test_an_occupations_levels_are_editable_but_its_name_is_not(admin_client, catalog):
    from qiancheng.catalog.models import Occupation

    url = reverse("admin:catalog_occupation_change", args=["4-14-06-02"])
    response = admin_client.post(url, {
        "levels": "54321", "levels_source": "民宿管家国家职业技能标准", "is_ai_shortage": "",
        "ai_shortage_basis": "", "name": "改名",
    })
    assert response.status_code == 302
    butler = Occupation.objects.get(code="4-14-06-02")
    assert (butler.levels, butler.name) == ("54321", "民宿管家")


def test_admin_refuses_malformed_levels_with_the_reason(admin_client, catalog):
    url = reverse("admin:catalog_occupation_change", args=["4-14-06-02"])
    response = admin_client.post(url, {"levels": "12345", "levels_source": "", "ai_shortage_basis": ""})
    assert response.status_code == 200
    assert "levels must be distinct digits" in response.content.decode()
