"""`/api/v1/projects`: the workflow over HTTP, the shared error shape and city scope."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client

from qiancheng.accounts.models import User
from qiancheng.accounts.services import issue_api_token
from qiancheng.accounts.tests.second_factor_support import pass_second_factor
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.clock import frozen_at, today
from qiancheng.projects.models import Project, ProjectStatus
from qiancheng.providers.models import InstitutionStatus
from qiancheng.training.models import ClassStatus
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db
BASE = "/api/v1/projects"


def call(client: Client, user: User, method: str, url: str, body: dict[str, Any] | None = None) -> HttpResponse:
    token, _ = issue_api_token(user, second_factor=pass_second_factor(user))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if method == "get":
        return client.get(url, **headers)
    return client.post(url, data=body or {}, content_type="application/json", **headers)


def new_project(client: Client, enterprise_user: User) -> int:
    response = call(client, enterprise_user, "post", BASE, {
        "enterprise_id": enterprise_user.enterprise_id, "title": "工业机器人运维项目", "headcount": 20,
        "skill_requirements": "机器人示教编程", "content": "示教、保养、故障排除", "duration_hours": 48,
        "method": "线下集中", "expected_effect": "独立完成日常运维", "trainee_link": "employees",
    })
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_the_workflow_over_the_api(client: Client, enterprise_user, nanning_official, institution_user) -> None:
    project_id = new_project(client, enterprise_user)
    assert call(client, enterprise_user, "post", f"{BASE}/{project_id}/submit").json()["status"] == "submitted"
    reviewed = call(client, nanning_official, "post", f"{BASE}/{project_id}/review", {"decision": "approve"}).json()
    assert reviewed["status"] == "approved" and reviewed["code"].startswith("XM450100-")
    assert call(client, nanning_official, "post", f"{BASE}/{project_id}/publish").json()["status"] == "published"

    applied = call(client, institution_user, "post", f"{BASE}/{project_id}/apply", {"statement": "有机器人实训室"})
    assert applied.status_code == 201, applied.content
    listed = call(client, nanning_official, "get", f"{BASE}/{project_id}/applications").json()
    assert [each["id"] for each in listed] == [applied.json()["id"]]
    chosen = call(client, nanning_official, "post", f"{BASE}/{project_id}/choose",
                  {"application_id": applied.json()["id"], "reason": "唯一合格申请"})
    assert chosen.json()["chosen_institution_id"] == institution_user.institution_id

    # 3.4d: while the project's class runs, neither side may confirm (the page refuses the same way).
    running = builders.training_class(institution=institution_user.institution, training_type=TrainingType.PROJECT,
                                      project_id=project_id, status=ClassStatus.IN_PROGRESS,
                                      start_date=today() - timedelta(days=5), end_date=today() + timedelta(days=5))
    early = call(client, nanning_official, "post", f"{BASE}/{project_id}/confirm", {"met": True})
    assert early.status_code == 422, early.content
    assert "3.4d" in early.json()["details"][0] and "培训尚未结束" in early.json()["details"][0]
    assert not Project.objects.get(pk=project_id).city_confirmed_effect
    running.status = ClassStatus.FINISHED
    running.save(update_fields=["status"])

    call(client, nanning_official, "post", f"{BASE}/{project_id}/confirm", {"met": True})
    done = call(client, enterprise_user, "post", f"{BASE}/{project_id}/confirm", {"met": True, "note": "达标"}).json()
    assert done["certificates_allowed"] is True
    # The chosen institution now sees the project in its list.
    assert [each["id"] for each in call(client, institution_user, "get", BASE).json()] == [project_id]


def test_refusals_use_the_shared_error_shape(client: Client, enterprise_user, nanning_official) -> None:
    project_id = new_project(client, enterprise_user)
    wrong_actor = call(client, enterprise_user, "post", f"{BASE}/{project_id}/review", {"decision": "approve"})
    assert wrong_actor.status_code == 403 and wrong_actor.json()["code"] == "forbidden"
    wrong_state = call(client, nanning_official, "post", f"{BASE}/{project_id}/publish")
    assert wrong_state.status_code == 422
    body = wrong_state.json()
    assert body["code"] == "invalid" and "草稿" in body["details"][0] and "draft" in body["details"][0]


def test_a_blacklisted_institution_cannot_apply(client: Client, enterprise_user, nanning_official,
                                                institution_user) -> None:
    project = builders.project(applicant=enterprise_user.enterprise, status=ProjectStatus.PUBLISHED)
    institution = institution_user.institution
    institution.status = InstitutionStatus.BLACKLISTED
    institution.save()
    refused = call(client, institution_user, "post", f"{BASE}/{project.pk}/apply", {"statement": "有基地"})
    assert refused.status_code == 422 and "黑名单" in refused.json()["details"][0]


def test_liuzhou_gets_404_for_a_nanning_project(client: Client, enterprise_user, liuzhou_official) -> None:
    project_id = new_project(client, enterprise_user)
    missing = call(client, liuzhou_official, "get", f"{BASE}/999999")
    for suffix in ("", "/applications"):
        answer = call(client, liuzhou_official, "get", f"{BASE}/{project_id}{suffix}")
        assert answer.status_code == 404 and answer.json() == missing.json()
    for action in ("submit", "review", "publish", "apply", "choose", "confirm"):
        assert call(client, liuzhou_official, "post", f"{BASE}/{project_id}/{action}").status_code == 404
    assert call(client, liuzhou_official, "get", BASE).json() == []


def test_an_institution_of_another_city_cannot_reach_a_published_project(
    client: Client, enterprise_user, nanning_official,
) -> None:
    project = builders.project(applicant=enterprise_user.enterprise, status=ProjectStatus.PUBLISHED)
    liuzhou = builders.institution(city=builders.city("450200", "柳州市"))
    user = User.objects.create_user(username="liuzhou-inst", password="x", role="institution", institution=liuzhou)
    assert call(client, user, "post", f"{BASE}/{project.pk}/apply", {"statement": "有基地"}).status_code == 404


def test_the_api_refuses_confirmation_while_the_class_runs(client: Client, enterprise_user, nanning_official,
                                                           institution_user) -> None:
    # 3.4d through the API, as on the page: the class runs to 2025-09-30; on that day neither side may confirm.
    project = builders.project(applicant=enterprise_user.enterprise, chosen_institution=institution_user.institution,
                               choice_reason="唯一申请")
    builders.training_class(institution=institution_user.institution, training_type=TrainingType.PROJECT,
                            project=project, status=ClassStatus.IN_PROGRESS, start_date=dt.date(2025, 9, 1),
                            end_date=dt.date(2025, 9, 30))
    for actor in (nanning_official, enterprise_user):
        with frozen_at(dt.date(2025, 9, 30)):
            refused = call(client, actor, "post", f"{BASE}/{project.pk}/confirm", {"met": True})
        assert refused.status_code == 422, refused.content
        assert "3.4d" in refused.json()["details"][0]
    project.refresh_from_db()
    assert not (project.city_confirmed_effect or project.applicant_confirmed_effect)
    with frozen_at(dt.date(2025, 10, 1)):
        accepted = call(client, nanning_official, "post", f"{BASE}/{project.pk}/confirm", {"met": True})
    assert accepted.status_code == 200 and accepted.json()["city_confirmed_effect"] is True


def test_the_applicant_rewrites_its_draft_through_the_api(client: Client, enterprise_user, nanning_official,
                                                           liuzhou_official) -> None:
    project_id = new_project(client, enterprise_user)
    draft = {"title": "工业机器人运维项目（修订）", "headcount": 25, "skill_requirements": "示教编程",
             "content": "示教、保养", "duration_hours": 56, "method": "线下集中", "expected_effect": "独立运维",
             "trainee_link": "both"}

    def put(user: User, body: dict[str, Any]) -> HttpResponse:
        token, _ = issue_api_token(user, second_factor=pass_second_factor(user))
        return client.put(f"{BASE}/{project_id}", body, content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {token}")

    assert put(liuzhou_official, draft).status_code == 404
    assert put(nanning_official, draft).status_code == 403  # only the applicant writes its application
    changed = put(enterprise_user, draft)
    assert changed.status_code == 200, changed.content
    assert (changed.json()["headcount"], changed.json()["title"]) == (25, "工业机器人运维项目（修订）")
    call(client, enterprise_user, "post", f"{BASE}/{project_id}/submit")
    assert put(enterprise_user, draft).status_code == 422  # submitted: no longer a draft
