"""The public catalogue of project training (3.4b): only published projects, open to anyone."""

from __future__ import annotations

import pytest
from django.test import Client

from qiancheng.projects.models import ProjectStatus
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


def test_only_published_projects_show_in_the_public_catalogue(client: Client) -> None:
    applicant = builders.enterprise(name="柳州螺霸王食品有限公司")
    builders.project(title="螺蛳粉标准化生产项目", applicant=applicant, headcount=45, skill_requirements="酸笋发酵",
                     content="配料与包装", duration_hours=56, method="岗位实操", status=ProjectStatus.PUBLISHED)
    for status in (ProjectStatus.APPROVED, ProjectStatus.CLOSED):
        builders.project(title=f"不应公开{status}", status=status)
    for status in (ProjectStatus.DRAFT, ProjectStatus.SUBMITTED):
        builders.project(title=f"不应公开{status}", status=status, code=None)
    builders.project(title="不应公开rejected", status=ProjectStatus.REJECTED, code=None, review_note="无关")

    response = client.get("/projects/catalogue/")  # signed out: public data

    assert response.status_code == 200
    page = response.content.decode()
    for shown in ("螺蛳粉标准化生产项目", "柳州螺霸王食品有限公司", "南宁市", "45", "酸笋发酵", "配料与包装", "56", "岗位实操"):
        assert shown in page
    assert "不应公开" not in page
    assert list(response.context["projects"].values_list("title", flat=True)) == ["螺蛳粉标准化生产项目"]


def test_the_catalogue_is_linked_for_everyone(client: Client) -> None:
    page = client.get("/projects/catalogue/").content.decode()
    assert 'href="/projects/catalogue/"' in page
    assert "项目制培训目录" in page
