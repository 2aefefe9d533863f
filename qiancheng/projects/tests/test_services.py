"""Project training services (3.4a-3.4d): the whole workflow and its refusals."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qiancheng.accounts.models import AuditEntry, Role, User
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.clock import frozen_at
from qiancheng.clock import today as clock_today
from qiancheng.projects import services
from qiancheng.projects.models import DeliveryApplicationStatus, Project, ProjectStatus, TraineeLink
from qiancheng.providers.models import InstitutionStatus
from qiancheng.sanctions.models import BlacklistEntry
from qiancheng.training.models import ClassStatus
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


def application(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": "新能源汽车电池包装调项目", "headcount": 30, "skill_requirements": "电池包装调、绝缘检测",
        "content": "电池包结构、装调工艺、安全检测", "duration_hours": 60, "method": "线下集中 + 岗位实操",
        "expected_effect": "结业后全部上岗", "trainee_link": TraineeLink.BOTH,
    }
    fields.update(overrides)
    return fields


def published(enterprise_user: User, official: User) -> Project:
    project = services.draft_project(enterprise_user, enterprise_user.enterprise, **application())
    project = services.submit_project(enterprise_user, project)
    project = services.review_project(official, project, "approve", "符合本地产业需求")
    return services.publish_project(official, project)


def trained(project: Project, **class_fields: Any) -> Project:
    """One class of the project by its chosen institution, finished unless said otherwise (3.4d: confirmed
    after the training)."""
    fields = {"status": ClassStatus.FINISHED, **class_fields}
    builders.training_class(institution=project.chosen_institution, training_type=TrainingType.PROJECT,
                            project=project, **fields)
    return project


def institution_user_of(institution) -> User:
    return User.objects.create_user(username=f"inst{institution.pk}", password="x", role=Role.INSTITUTION,
                                    institution=institution)


def test_the_workflow_from_draft_to_certificates(enterprise_user, nanning_official, institution_user) -> None:
    project = services.draft_project(enterprise_user, enterprise_user.enterprise, **application())
    assert project.status == ProjectStatus.DRAFT and project.city_id == "450100" and project.code is None
    project = services.submit_project(enterprise_user, project)
    assert project.status == ProjectStatus.SUBMITTED and project.submitted_at is not None
    project = services.review_project(nanning_official, project, "approve", "")
    assert project.status == ProjectStatus.APPROVED
    assert project.code == f"XM450100-{clock_today().year}-0001"
    project = services.publish_project(nanning_official, project)
    assert project.status == ProjectStatus.PUBLISHED and project.published_on == clock_today()

    other = builders.institution()
    mine = services.apply_to_deliver(institution_user, institution_user.institution, project, "有实训基地和双师")
    theirs = services.apply_to_deliver(institution_user_of(other), other, project, "有设备")
    project = services.choose_institution(nanning_official, project, mine, "实训设备与师资最优")
    assert project.chosen_institution_id == institution_user.institution_id
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == (DeliveryApplicationStatus.CHOSEN, DeliveryApplicationStatus.NOT_CHOSEN)

    project = services.confirm_effect(nanning_official, trained(project), True, "")
    assert not services.project_certificates_allowed(project)  # 3.4d: one side is not enough
    project = services.confirm_effect(enterprise_user, project, True, "全部上岗")
    assert services.project_certificates_allowed(project)
    actions = set(AuditEntry.objects.filter(target_pk=str(project.pk), target_model="projects.project")
                  .values_list("action", flat=True))
    assert {"project.drafted", "project.submitted", "project.approved", "project.published",
            "project.institution_chosen", "project.effect_met_city", "project.effect_met_applicant"} <= actions
    with pytest.raises(ValidationError):
        services.confirm_effect(nanning_official, project, False, "改口")


def test_one_side_saying_not_met_keeps_certificates_closed(enterprise_user, nanning_official, institution_user) -> None:
    project = published(enterprise_user, nanning_official)
    chosen = services.apply_to_deliver(institution_user, institution_user.institution, project, "有实训基地")
    project = trained(services.choose_institution(nanning_official, project, chosen, "唯一申请且资质合格"))
    project = services.confirm_effect(nanning_official, project, True, "")
    with pytest.raises(ValidationError):
        services.confirm_effect(enterprise_user, project, False, "")  # "not met" needs its note
    project = services.confirm_effect(enterprise_user, project, False, "半数未上岗")
    assert not services.project_certificates_allowed(project)


def test_an_incomplete_application_is_refused(enterprise_user) -> None:
    for wrong in ({"headcount": 0}, {"skill_requirements": " "}, {"trainee_link": "anyone"}, {"duration_hours": -1}):
        with pytest.raises(ValidationError) as caught:
            services.draft_project(enterprise_user, enterprise_user.enterprise, **application(**wrong))
        assert " / " in caught.value.messages[0]
    assert not Project.objects.exists()


def test_wrong_actors_are_refused(enterprise_user, nanning_official, liuzhou_official, institution_user) -> None:
    with pytest.raises(PermissionDenied):
        services.draft_project(institution_user, enterprise_user.enterprise, **application())
    project = services.draft_project(enterprise_user, enterprise_user.enterprise, **application())
    with pytest.raises(PermissionDenied):
        services.submit_project(nanning_official, project)
    project = services.submit_project(enterprise_user, project)
    for actor in (liuzhou_official, enterprise_user):
        with pytest.raises(PermissionDenied):
            services.review_project(actor, project, "approve", "")
    project = services.review_project(nanning_official, project, "approve", "")
    with pytest.raises(PermissionDenied):
        services.publish_project(liuzhou_official, project)
    project = services.publish_project(nanning_official, project)
    with pytest.raises(PermissionDenied):
        services.apply_to_deliver(enterprise_user, institution_user.institution, project, "冒名")
    application_ = services.apply_to_deliver(institution_user, institution_user.institution, project, "有基地")
    for actor in (liuzhou_official, enterprise_user, institution_user):
        with pytest.raises(PermissionDenied):
            services.choose_institution(actor, project, application_, "最优")
    project = services.choose_institution(nanning_official, project, application_, "最优")
    for actor in (liuzhou_official, institution_user):
        with pytest.raises(PermissionDenied):
            services.confirm_effect(actor, project, True, "")


def test_wrong_states_are_refused(enterprise_user, nanning_official, institution_user) -> None:
    project = services.draft_project(enterprise_user, enterprise_user.enterprise, **application())
    with pytest.raises(ValidationError):
        services.review_project(nanning_official, project, "approve", "")  # not submitted yet
    project = services.submit_project(enterprise_user, project)
    with pytest.raises(ValidationError):
        services.submit_project(enterprise_user, project)
    with pytest.raises(ValidationError):
        services.publish_project(nanning_official, project)  # not approved
    with pytest.raises(ValidationError):
        services.review_project(nanning_official, project, "reject", "  ")  # a rejection needs its reason
    project = services.review_project(nanning_official, project, "reject", "与本地产业无关")
    assert project.status == ProjectStatus.REJECTED and project.code is None
    with pytest.raises(ValidationError):
        services.publish_project(nanning_official, project)
    with pytest.raises(ValidationError):
        services.apply_to_deliver(institution_user, institution_user.institution, project, "有基地")
    with pytest.raises(ValidationError):
        services.confirm_effect(nanning_official, project, True, "")


def test_a_choice_needs_its_reason_and_happens_once(enterprise_user, nanning_official, institution_user) -> None:
    project = published(enterprise_user, nanning_official)
    other = builders.institution()
    mine = services.apply_to_deliver(institution_user, institution_user.institution, project, "有基地")
    theirs = services.apply_to_deliver(institution_user_of(other), other, project, "有设备")
    with pytest.raises(ValidationError):
        services.apply_to_deliver(institution_user, institution_user.institution, project, "再申请一次")
    with pytest.raises(ValidationError):
        services.choose_institution(nanning_official, project, mine, " ")
    project = services.choose_institution(nanning_official, project, mine, "最优")
    with pytest.raises(ValidationError):
        services.choose_institution(nanning_official, project, theirs, "改选")


@pytest.mark.parametrize("trouble", ["blacklisted", "listed", "expired", "suspended"])
def test_an_institution_without_qualification_or_credit_cannot_apply(
    trouble: str, enterprise_user, nanning_official, institution_user,
) -> None:
    project = published(enterprise_user, nanning_official)
    institution = institution_user.institution
    if trouble == "listed":
        BlacklistEntry.objects.create(institution=institution, listed_from=date(2024, 1, 1), reason="骗取补贴",
                                      created_by=nanning_official)
    elif trouble == "expired":
        institution.approved_until = clock_today() - timedelta(days=1)
    else:
        institution.status = InstitutionStatus(trouble)
    institution.save()
    with pytest.raises(ValidationError) as caught:
        services.apply_to_deliver(institution_user, institution, project, "有基地")
    assert caught.value.error_list[0].code in {"blacklisted", "expired", "suspended"}


def test_an_institution_blacklisted_after_applying_cannot_be_chosen(
    enterprise_user, nanning_official, institution_user,
) -> None:
    project = published(enterprise_user, nanning_official)
    applied = services.apply_to_deliver(institution_user, institution_user.institution, project, "有基地")
    institution = institution_user.institution
    institution.status = InstitutionStatus.BLACKLISTED
    institution.save()
    with pytest.raises(ValidationError) as caught:
        services.choose_institution(nanning_official, project, applied, "最优")
    assert caught.value.error_list[0].code == "blacklisted"
    project.refresh_from_db()
    assert project.chosen_institution_id is None


def test_an_institution_of_another_city_cannot_apply(enterprise_user, nanning_official) -> None:
    project = published(enterprise_user, nanning_official)
    liuzhou = builders.institution(city=builders.city("450200", "柳州市"))
    with pytest.raises(PermissionDenied):
        services.apply_to_deliver(institution_user_of(liuzhou), liuzhou, project, "有基地")


def test_the_effect_is_confirmed_only_after_the_training(enterprise_user, nanning_official, institution_user) -> None:
    # 3.4d: 培训结束后共同确认. A class running to 2025-09-30 keeps it closed on its last day; the day after opens it.
    with frozen_at(date(2025, 8, 20)):
        project = published(enterprise_user, nanning_official)
        chosen = services.apply_to_deliver(institution_user, institution_user.institution, project, "有实训基地")
        project = trained(services.choose_institution(nanning_official, project, chosen, "唯一申请"),
                          status=ClassStatus.IN_PROGRESS, start_date=date(2025, 9, 1), end_date=date(2025, 9, 30))
    for actor in (nanning_official, enterprise_user):
        with frozen_at(date(2025, 9, 30)), pytest.raises(ValidationError) as refused:
            services.confirm_effect(actor, project, True, "")
        assert refused.value.code == "training_not_over" and "3.4d" in refused.value.messages[0]
    project.refresh_from_db()
    assert not (project.city_confirmed_effect or project.applicant_confirmed_effect)
    with frozen_at(date(2025, 10, 1)):
        assert services.confirm_effect(nanning_official, project, True, "").city_confirmed_effect


def test_a_project_with_no_class_cannot_be_confirmed(enterprise_user, nanning_official, institution_user) -> None:
    with frozen_at(date(2025, 8, 20)):
        project = published(enterprise_user, nanning_official)
        chosen = services.apply_to_deliver(institution_user, institution_user.institution, project, "有实训基地")
        project = services.choose_institution(nanning_official, project, chosen, "唯一申请")
        with pytest.raises(ValidationError) as refused:
            services.confirm_effect(enterprise_user, project, True, "")
    assert refused.value.code == "training_not_over"
