"""The project pages of each role (3.4a-e): who may open them, and that their forms change state through
the services (the audit trail shows it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from qiancheng.accounts.models import AuditEntry
from qiancheng.clock import frozen_at
from qiancheng.evaluation.models import Certificate, CertificateKind, Evaluation
from qiancheng.projects import services
from qiancheng.projects.models import DeliveryApplication, DeliveryApplicationStatus, Project, ProjectStatus
from qiancheng.providers.models import InstitutionStatus
from qiancheng.training.models import ClassStatus, EnrolmentStatus, TrainingType
from qiancheng.training.tests import builders
from qiancheng.web.navigation import links_for
from qiancheng.web.queues import queues_for

pytestmark = pytest.mark.django_db

APPLICATION = {
    "title": "新能源电池装调项目", "headcount": "30", "skill_requirements": "电池包装调", "content": "装调与检测",
    "duration_hours": "40", "method": "线下集中 + 岗位实操", "expected_effect": "结业即上岗",
    "trainee_link": "employees",
}


def _events(project: Project) -> list[str]:
    return list(AuditEntry.objects.filter(target_model="projects.project", target_pk=str(project.pk))
                .order_by("seq").values_list("action", flat=True))


def _messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def _submitted(enterprise_user: Any, **fields: Any) -> Project:
    values: dict[str, Any] = {**APPLICATION, "headcount": 30, "duration_hours": 40, **fields}
    project = services.draft_project(enterprise_user, enterprise_user.enterprise, **values)
    return services.submit_project(enterprise_user, project)


def _published(enterprise_user: Any, official: Any) -> Project:
    project = services.review_project(official, _submitted(enterprise_user), "approve", "")
    return services.publish_project(official, project)


def _delivered(enterprise_user: Any, official: Any, institution_user: Any, **class_fields: Any) -> Project:
    """Published, the persona institution chosen, and one class of the project."""
    project = _published(enterprise_user, official)
    application = services.apply_to_deliver(institution_user, institution_user.institution, project, "有实训车间")
    project = services.choose_institution(official, project, application, "星级高")
    builders.training_class(institution=institution_user.institution, training_type=TrainingType.PROJECT,
                            project=project, **class_fields)
    return project


# ---------------------------------------------------------------- enterprise


def test_the_enterprise_drafts_edits_and_submits_its_application(client: Client, login, enterprise_user) -> None:
    login(client, enterprise_user)
    form = client.get("/projects/new/")
    assert form.status_code == 200
    for label in ("培训人数", "技能要求", "培训内容", "培训时长（课时）", "培训方式", "预期效果", "本企业职工", "南宁市"):
        assert label in form.content.decode()

    saved = client.post("/projects/new/", {**APPLICATION, "action": "save"})
    project = Project.objects.get(applicant=enterprise_user.enterprise)
    assert saved.status_code == 302 and saved.url == f"/projects/{project.pk}/"
    assert project.status == ProjectStatus.DRAFT and project.headcount == 30 and project.trainee_link == "employees"

    client.post(f"/projects/{project.pk}/edit/", {**APPLICATION, "title": "改名后的项目", "headcount": "35",
                                                   "action": "save"})
    project.refresh_from_db()
    assert (project.title, project.headcount, project.status) == ("改名后的项目", 35, ProjectStatus.DRAFT)

    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "改名后的项目" in page and "修改草稿" in page and "起草申报" in page

    client.post(f"/projects/{project.pk}/submit/")
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED and project.submitted_at is not None
    assert _events(project) == ["project.drafted", "project.draft_updated", "project.submitted"]

    refused = client.post(f"/projects/{project.pk}/edit/", {**APPLICATION, "title": "提交后再改"}, follow=True)
    project.refresh_from_db()
    assert project.title == "改名后的项目"
    assert any("只有草稿可以修改" in message for message in _messages(refused))


def test_save_and_submit_in_one_step(client: Client, login, enterprise_user) -> None:
    login(client, enterprise_user)
    client.post("/projects/new/", {**APPLICATION, "action": "submit"})
    project = Project.objects.get(applicant=enterprise_user.enterprise)
    assert project.status == ProjectStatus.SUBMITTED
    assert _events(project) == ["project.drafted", "project.submitted"]


def test_the_trainees_link_is_required(client: Client, login, enterprise_user) -> None:
    """3.4e: the application must say whom it trains (employees or prospective hires)."""
    login(client, enterprise_user)
    without_link = {key: value for key, value in APPLICATION.items() if key != "trainee_link"}
    response = client.post("/projects/new/", {**without_link, "action": "save"})
    assert response.status_code == 200
    assert "trainee_link" in response.context["form"].errors
    assert not Project.objects.exists()


def test_my_projects_lists_only_the_enterprises_own(client: Client, login, enterprise_user) -> None:
    _submitted(enterprise_user, title="本企业的项目")
    builders.project(title="别家企业的项目")
    login(client, enterprise_user)
    page = client.get("/projects/mine/").content.decode()
    assert "本企业的项目" in page and "已提交" in page
    assert "别家企业的项目" not in page


@pytest.mark.parametrize("persona", ["institution_user", "nanning_official", "trainee_user"])
def test_enterprise_pages_refuse_other_roles(client: Client, login, request, persona, enterprise_user) -> None:
    project = services.draft_project(enterprise_user, enterprise_user.enterprise,
                                     **{**APPLICATION, "headcount": 30, "duration_hours": 40})
    login(client, request.getfixturevalue(persona))
    assert client.get("/projects/mine/").status_code == 403
    assert client.get("/projects/new/").status_code == 403
    assert client.get(f"/projects/{project.pk}/edit/").status_code == 404
    assert client.post(f"/projects/{project.pk}/submit/").status_code == 404
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT


def test_another_enterprises_project_is_not_found(client: Client, login, enterprise_user) -> None:
    other = builders.project(status=ProjectStatus.DRAFT, code=None)
    login(client, enterprise_user)
    assert client.get(f"/projects/{other.pk}/").status_code == 404
    assert client.post(f"/projects/{other.pk}/submit/").status_code == 404
    other.refresh_from_db()
    assert other.status == ProjectStatus.DRAFT


def test_signed_out_visitors_are_sent_to_login(client: Client) -> None:
    response = client.get("/projects/new/")
    assert response.status_code == 302 and "/login/" in response.url


# ---------------------------------------------------------------- city official: review and publish


def test_the_city_reviews_and_publishes_from_its_queue(client: Client, login, enterprise_user,
                                                        nanning_official) -> None:
    # submitted_at is a real timestamp: three days after the real submission, whatever the programme clock says
    with frozen_at(timezone.localdate() + dt.timedelta(days=3)):
        project = _submitted(enterprise_user, title="待审的项目")
        login(client, nanning_official)
        queue = client.get("/projects/queue/")
        assert queue.status_code == 200
        row = queue.context["rows"][0]
        assert row.project.pk == project.pk and row.days == 3
        assert "待审的项目" in queue.content.decode()

        refused = client.post(f"/projects/{project.pk}/review/", {"decision": "reject", "reason": ""}, follow=True)
        project.refresh_from_db()
        assert project.status == ProjectStatus.SUBMITTED
        assert any("须说明理由" in message for message in _messages(refused))

        client.post(f"/projects/{project.pk}/review/", {"decision": "approve", "reason": "符合产业方向"})
        project.refresh_from_db()
        assert project.status == ProjectStatus.APPROVED and project.code
        assert "发布到项目目录" in client.get(f"/projects/{project.pk}/").content.decode()

        client.post(f"/projects/{project.pk}/publish/")
        project.refresh_from_db()
        assert project.status == ProjectStatus.PUBLISHED
        assert _events(project)[-2:] == ["project.approved", "project.published"]
        assert "待审的项目" in client.get("/projects/catalogue/").content.decode()
        assert client.get("/projects/queue/").context["rows"] == []


def test_a_rejection_and_its_reason_show_to_the_applicant(client: Client, login, enterprise_user,
                                                          nanning_official) -> None:
    project = _submitted(enterprise_user)
    login(client, nanning_official)
    client.post(f"/projects/{project.pk}/review/", {"decision": "reject", "reason": "培训内容已有国家标准"})
    project.refresh_from_db()
    assert project.status == ProjectStatus.REJECTED
    login(client, enterprise_user)
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "培训内容已有国家标准" in page and "不予批准" in page


def test_another_city_cannot_see_or_review(client: Client, login, enterprise_user, liuzhou_official) -> None:
    project = _submitted(enterprise_user)
    login(client, liuzhou_official)
    assert client.get(f"/projects/{project.pk}/").status_code == 404
    assert client.post(f"/projects/{project.pk}/review/", {"decision": "approve"}).status_code == 404
    assert client.post(f"/projects/{project.pk}/publish/").status_code == 404
    assert client.get("/projects/queue/").context["rows"] == []
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED


def test_the_province_reads_but_does_not_decide(client: Client, login, enterprise_user, province_official) -> None:
    project = _submitted(enterprise_user)
    login(client, province_official)
    assert client.get(f"/projects/{project.pk}/").status_code == 200
    assert [row.project.pk for row in client.get("/projects/queue/").context["rows"]] == [project.pk]
    assert client.post(f"/projects/{project.pk}/review/", {"decision": "approve"}).status_code == 404
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED


def test_the_enterprise_cannot_review_its_own_project(client: Client, login, enterprise_user) -> None:
    project = _submitted(enterprise_user)
    login(client, enterprise_user)
    assert client.post(f"/projects/{project.pk}/review/", {"decision": "approve"}).status_code == 404
    assert client.get("/projects/queue/").status_code == 403
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED


# ---------------------------------------------------------------- institution: apply to deliver


def test_an_institution_applies_to_deliver_a_published_project(client: Client, login, enterprise_user,
                                                               nanning_official, institution_user) -> None:
    project = _published(enterprise_user, nanning_official)
    login(client, institution_user)
    catalogue = client.get("/projects/catalogue/").content.decode()
    assert f'href="/projects/{project.pk}/"' in catalogue and "申请承训" in catalogue
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert 'data-testid="deliver-submit"' in page

    client.post(f"/projects/{project.pk}/deliver/", {"statement": "有电池装调实训车间"})
    application = DeliveryApplication.objects.get(project=project)
    assert application.institution_id == institution_user.institution_id
    assert application.status == DeliveryApplicationStatus.APPLIED
    deliveries = client.get("/projects/deliveries/").content.decode()
    assert project.title in deliveries and "已申请" in deliveries
    assert "本机构已" in client.get(f"/projects/{project.pk}/").content.decode()


def test_a_suspended_institution_is_refused_with_the_reason(client: Client, login, enterprise_user,
                                                             nanning_official, institution_user) -> None:
    project = _published(enterprise_user, nanning_official)
    institution = institution_user.institution
    institution.status = InstitutionStatus.SUSPENDED
    institution.save()
    login(client, institution_user)
    assert "机构资质已暂停" in client.get(f"/projects/{project.pk}/").content.decode()
    response = client.post(f"/projects/{project.pk}/deliver/", {"statement": "想承训"}, follow=True)
    assert any("机构资质已暂停" in message for message in _messages(response))
    assert not DeliveryApplication.objects.filter(project=project).exists()


def test_an_institution_of_another_city_gets_404(client: Client, login, enterprise_user, nanning_official) -> None:
    from qiancheng.accounts.models import User

    project = _published(enterprise_user, nanning_official)
    liuzhou_school = builders.institution(city=builders.city("450200", "柳州市"))
    user = User.objects.create(username="liuzhou-school", role="institution", institution=liuzhou_school)
    login(client, user)
    assert client.get(f"/projects/{project.pk}/").status_code == 404
    assert client.post(f"/projects/{project.pk}/deliver/", {"statement": "x"}).status_code == 404
    assert not DeliveryApplication.objects.exists()


def test_institutions_do_not_see_drafts_or_submitted_projects(client: Client, login, enterprise_user,
                                                              institution_user) -> None:
    project = _submitted(enterprise_user)
    login(client, institution_user)
    assert client.get(f"/projects/{project.pk}/").status_code == 404
    assert client.get("/projects/queue/").status_code == 403


# ---------------------------------------------------------------- city official: choose on merit (3.4c)


def test_the_city_chooses_on_merit_with_a_reason(client: Client, login, enterprise_user, nanning_official,
                                                  institution_user) -> None:
    project = _published(enterprise_user, nanning_official)
    school = institution_user.institution
    school.capacity = 120
    school.save()
    from qiancheng.insight.tests.rating_records import rated

    rated(school, 4)  # 1c: the snapshot in force, read through providers.ratings
    finished = builders.training_class(institution=school, status=ClassStatus.FINISHED)
    enrolment = builders.enrolment(finished, status=EnrolmentStatus.COMPLETED, left_on=dt.date(2025, 9, 30))
    evaluation = Evaluation.objects.create(enrolment=enrolment, person=enrolment.person, passed=True,
                                           evaluated_on=dt.date(2025, 10, 8), evaluator="评价机构")
    Certificate.objects.create(number="TEST-0001", kind=CertificateKind.VOCATIONAL_SKILL_LEVEL, person=enrolment.person,
                               occupation=finished.occupation, level=4, issuer="评价机构",
                               issued_on=dt.date(2025, 10, 9), evaluation=evaluation)
    ours = services.apply_to_deliver(institution_user, school, project, "有电池装调实训车间")
    rival = builders.institution(name="南宁另一所学校")
    from qiancheng.accounts.models import User

    rival_user = User.objects.create(username="rival", role="institution", institution=rival)
    theirs = services.apply_to_deliver(rival_user, rival, project, "师资充足")

    login(client, nanning_official)
    assert [row.project.pk for row in client.get("/projects/choices/").context["rows"]] == [project.pk]
    page = client.get(f"/projects/{project.pk}/")
    merit = {row.application.pk: row for row in page.context["merits"]}
    assert (merit[ours.pk].classes_delivered, merit[ours.pk].trainees_completed, merit[ours.pk].certificates) == (
        1, 1, 1)
    assert (merit[theirs.pk].classes_delivered, merit[theirs.pk].certificates) == (0, 0)
    text = page.content.decode()
    assert "4★" in text and "有电池装调实训车间" in text and "师资充足" in text
    assert f'data-testid="capacity-{ours.pk}">120<' in text

    client.post(f"/projects/{project.pk}/choose/", {"application": ours.pk, "reason": ""})
    project.refresh_from_db()
    assert project.chosen_institution_id is None

    client.post(f"/projects/{project.pk}/choose/", {"application": ours.pk, "reason": "星级高，有同类结业记录"})
    project.refresh_from_db()
    theirs.refresh_from_db()
    assert project.chosen_institution_id == school.pk and project.choice_reason == "星级高，有同类结业记录"
    assert theirs.status == DeliveryApplicationStatus.NOT_CHOSEN
    assert client.get("/projects/choices/").context["rows"] == []

    login(client, enterprise_user)
    applicant_page = client.get(f"/projects/{project.pk}/").content.decode()
    assert school.name in applicant_page and "星级高，有同类结业记录" in applicant_page
    login(client, institution_user)
    assert "已选定" in client.get("/projects/deliveries/").content.decode()


def test_another_city_cannot_choose(client: Client, login, enterprise_user, nanning_official, institution_user,
                                    liuzhou_official) -> None:
    project = _published(enterprise_user, nanning_official)
    application = services.apply_to_deliver(institution_user, institution_user.institution, project, "有车间")
    login(client, liuzhou_official)
    response = client.post(f"/projects/{project.pk}/choose/", {"application": application.pk, "reason": "r"})
    assert response.status_code == 404
    assert client.get("/projects/choices/").context["rows"] == []
    project.refresh_from_db()
    assert project.chosen_institution_id is None


# ---------------------------------------------------------------- confirmation of effect (3.4d)


def test_confirmation_waits_for_the_end_of_training(client: Client, login, enterprise_user, nanning_official,
                                                    institution_user) -> None:
    with frozen_at(dt.date(2025, 9, 15)):
        project = _delivered(enterprise_user, nanning_official, institution_user, status=ClassStatus.IN_PROGRESS,
                             start_date=dt.date(2025, 9, 1), end_date=dt.date(2025, 9, 30))
        login(client, nanning_official)
        assert 'data-testid="confirm"' not in client.get(f"/projects/{project.pk}/").content.decode()
        response = client.post(f"/projects/{project.pk}/confirm/", {"met": "yes", "note": ""}, follow=True)
        assert any("培训尚未结束" in message for message in _messages(response))
        assert client.get("/projects/confirmations/").context["rows"] == []
        project.refresh_from_db()
        assert not project.city_confirmed_effect

    with frozen_at(dt.date(2025, 10, 3)):  # the class's end date has passed
        assert [row.days for row in client.get("/projects/confirmations/").context["rows"]] == [3]
        assert 'data-testid="confirm"' in client.get(f"/projects/{project.pk}/").content.decode()


def test_both_sides_confirm_and_certificates_are_allowed(client: Client, login, enterprise_user,
                                                         nanning_official, institution_user) -> None:
    project = _delivered(enterprise_user, nanning_official, institution_user, status=ClassStatus.FINISHED)
    login(client, nanning_official)
    assert [row.project.pk for row in client.get("/projects/confirmations/").context["rows"]] == [project.pk]

    response = client.post(f"/projects/{project.pk}/confirm/", {"met": "no", "note": ""}, follow=True)
    assert any("须说明原因" in message for message in _messages(response))
    client.post(f"/projects/{project.pk}/confirm/", {"met": "yes", "note": "已达到"})
    project.refresh_from_db()
    assert project.city_confirmed_effect and not project.applicant_confirmed_effect
    assert client.get("/projects/confirmations/").context["rows"] == []

    login(client, enterprise_user)
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert 'data-testid="confirm"' in page and "须双方确认达到效果后颁发" in page
    client.post(f"/projects/{project.pk}/confirm/", {"met": "yes", "note": "全部上岗"})
    project.refresh_from_db()
    assert project.effect_confirmed and services.project_certificates_allowed(project)
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "双方已共同确认，可以颁发" in page and 'data-testid="confirm"' not in page
    assert _events(project)[-2:] == ["project.effect_met_city", "project.effect_met_applicant"]


@pytest.mark.parametrize("persona", ["institution_user", "province_official", "liuzhou_official"])
def test_only_the_city_and_the_applicant_confirm(client: Client, login, request, persona, enterprise_user,
                                                 nanning_official, institution_user) -> None:
    project = _delivered(enterprise_user, nanning_official, institution_user, status=ClassStatus.FINISHED)
    login(client, request.getfixturevalue(persona))
    assert client.post(f"/projects/{project.pk}/confirm/", {"met": "yes", "note": ""}).status_code == 404
    project.refresh_from_db()
    assert not project.city_confirmed_effect and not project.applicant_confirmed_effect


# ---------------------------------------------------------------- shell: queues and links


def test_the_queues_count_the_citys_pending_projects(enterprise_user, nanning_official, liuzhou_official) -> None:
    _submitted(enterprise_user)
    counts = {queue.key: queue.count for queue in queues_for(nanning_official)}
    assert counts["projects"] == 1 and counts["project_choices"] == 0 and counts["project_confirmations"] == 0
    assert {queue.key: queue.count for queue in queues_for(liuzhou_official)}["projects"] == 0


def test_each_role_has_its_project_link(enterprise_user, nanning_official, institution_user, trainee_user) -> None:
    assert ("我的项目", "/projects/mine/") in [(str(label), url) for label, url in links_for(enterprise_user)]
    assert "/projects/queue/" in [url for _, url in links_for(nanning_official)]
    assert "/projects/deliveries/" in [url for _, url in links_for(institution_user)]
    assert not {"/projects/mine/", "/projects/queue/", "/projects/deliveries/"} & {
        url for _, url in links_for(trainee_user)}


def test_the_application_may_name_its_programmes(client: Client, login, enterprise_user) -> None:
    """Clause 4: a project may serve key-task programmes; the box shows once the catalogue has them."""
    from qiancheng.catalog.models import ProgrammeTag

    login(client, enterprise_user)
    assert "programme_tags" not in client.get("/projects/new/").context["form"].fields
    ProgrammeTag.objects.create(code="digital", name="数字技能", name_en="Digital skills", clause="4.1")
    assert "数字技能" in client.get("/projects/new/").content.decode()
    client.post("/projects/new/", {**APPLICATION, "programme_tags": ["digital"], "action": "save"})
    project = Project.objects.get(applicant=enterprise_user.enterprise)
    assert list(project.programme_tags.values_list("code", flat=True)) == ["digital"]
    client.post(f"/projects/{project.pk}/edit/", {**APPLICATION, "action": "save"})
    assert not project.programme_tags.exists()


def test_the_pages_speak_english_when_asked(client: Client, login, enterprise_user) -> None:
    login(client, enterprise_user)
    page = client.get("/projects/new/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Apply for project training" in page and "Save and submit for review" in page
    assert "Headcount" in page and "My projects" in page
    chinese = client.get("/projects/new/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "保存并提交审核" in chinese and "Save and submit for review" not in chinese
