"""Through a real browser: an enterprise applies for a project (3.4a), 南宁's official approves and
publishes it (3.4b), and it appears in the public catalogue.

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
