"""Through a real browser: an enterprise applies for a project (3.4a), 南宁's official approves and
publishes it (3.4b), and it appears in the public catalogue; then an institution applies to deliver a
published project, the city chooses it with a reason (3.4c), and after the class both sides confirm the
effect (3.4d).

The browser, the page and the sign-in step come from tests/browser/conftest.py (Debian's chromium).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

TITLE = "新能源汽车电池装调项目"


def test_a_project_goes_from_application_to_the_public_catalogue(
    page, sign_in, live_server, enterprise_user, nanning_official, persona_password
) -> None:
    sign_in(page, enterprise_user.username, persona_password)
    page.get_by_role("link", name="我的项目").click()
    page.get_by_test_id("new-project").click()
    page.get_by_label("项目名称", exact=True).fill(TITLE)
    page.get_by_label("培训人数", exact=True).fill("40")
    page.get_by_label("技能要求", exact=True).fill("电池包装调与检测")
    page.get_by_label("培训内容", exact=True).fill("电池包结构、装调工艺、安全规范")
    page.get_by_label("培训时长（课时）", exact=True).fill("56")
    page.get_by_label("培训方式", exact=True).fill("线下集中 + 岗位实操")
    page.get_by_label("预期效果", exact=True).fill("结业后全部上岗")
    page.get_by_label("本企业职工").check()
    page.get_by_role("button", name="保存并提交审核").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == TITLE
    assert "已提交" in page.get_by_test_id("project-status").inner_text()

    page.get_by_role("button", name="退出登录").click()
    sign_in(page, nanning_official.username, persona_password)
    page.goto(f"{live_server.url}/projects/queue/")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_label("批准", exact=True).check()
    page.get_by_label("审核意见（不予批准时必填）").fill("符合本市重点产业方向")
    page.get_by_role("button", name="提交审核结论").click()
    page.wait_for_load_state()
    assert "已批准" in page.get_by_test_id("project-status").inner_text()
    code = page.get_by_test_id("project-code").inner_text()
    assert code.startswith("XM450100-")

    page.get_by_role("button", name="发布到项目目录").click()
    page.wait_for_load_state()
    assert "已发布" in page.get_by_test_id("project-status").inner_text()

    page.goto(f"{live_server.url}/projects/catalogue/")
    row = page.locator("tr", has_text=TITLE)
    assert row.count() == 1 and code in row.inner_text()


def test_an_institution_is_chosen_and_both_sides_confirm(
    page, sign_in, live_server, enterprise_user, nanning_official, institution_user, persona_password
) -> None:
    from qiancheng.projects import services
    from qiancheng.training.models import ClassStatus, TrainingType
    from qiancheng.training.tests import builders

    draft = services.draft_project(
        enterprise_user, enterprise_user.enterprise, title=TITLE, headcount=40, skill_requirements="电池包装调",
        content="装调工艺", duration_hours=56, method="线下集中", expected_effect="全部上岗", trainee_link="employees",
    )
    project = services.submit_project(enterprise_user, draft)
    project = services.publish_project(nanning_official, services.review_project(nanning_official, project,
                                                                                  "approve", ""))
    school = institution_user.institution.name

    sign_in(page, institution_user.username, persona_password)
    page.goto(f"{live_server.url}/projects/catalogue/")
    page.locator("tr", has_text=TITLE).get_by_role("link", name="申请承训").click()
    page.get_by_label("承训说明（如何满足项目条件）").fill("有电池装调实训车间，师资 12 人")
    page.get_by_role("button", name="申请承训").click()
    page.wait_for_load_state()
    assert "已申请" in page.get_by_test_id("my-application-status").inner_text()

    page.get_by_role("button", name="退出登录").click()
    sign_in(page, nanning_official.username, persona_password)
    page.goto(f"{live_server.url}/projects/choices/")
    page.get_by_role("link", name=TITLE).click()
    row = page.locator("tr", has_text=school)
    row.get_by_label("选定理由").fill("有同类项目经验")
    row.get_by_role("button", name="选定该机构").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("chosen-institution").inner_text() == school

    # The class that delivers the project has finished: the training is over (3.4d).
    builders.training_class(institution=institution_user.institution, training_type=TrainingType.PROJECT,
                            project=project, status=ClassStatus.FINISHED)
    page.goto(f"{live_server.url}/projects/confirmations/")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_label("达到预期效果", exact=True).check()
    page.get_by_role("button", name="提交确认").click()
    page.wait_for_load_state()
    assert "已确认达到" in page.get_by_test_id("city-confirmed").inner_text()

    page.get_by_role("button", name="退出登录").click()
    sign_in(page, enterprise_user.username, persona_password)
    page.get_by_role("link", name="我的项目").click()
    page.get_by_role("link", name=TITLE).click()
    page.get_by_label("达到预期效果", exact=True).check()
    page.get_by_label("说明（未达到时必填）").fill("40 人全部上岗")
    page.get_by_role("button", name="提交确认").click()
    page.wait_for_load_state()
    assert "双方已共同确认" in page.get_by_test_id("certificates-allowed").inner_text()
