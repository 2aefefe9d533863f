"""Through a real browser: an institution enters a class's results, issues the certificates, and the public
verification page confirms one with the holder's name masked (1b, 4.2).

The browser and the sign-in step come from tests/browser/conftest.py; the data from the training builders.
"""

from __future__ import annotations

import pytest

from qiancheng.evaluation.models import Certificate
from qiancheng.training.tests import builders

pytestmark = pytest.mark.browser


def test_results_certificates_and_public_verification(page, sign_in, live_server, persona_password,
                                                      institution_user) -> None:
    institution = institution_user.institution
    training = builders.training_class(institution=institution, city=institution.city, name="人工智能训练师四级班")
    passed = builders.enrolment(training, builders.person(name="张小三"))
    failed = builders.enrolment(training, builders.person(name="李四"))

    sign_in(page, institution_user.username, persona_password)
    page.get_by_role("link", name="考核与发证").click()
    page.get_by_test_id(f"results-link-{training.pk}").click()
    page.get_by_test_id("evaluated-on").fill("2025-10-08")
    page.get_by_test_id("evaluator").fill("南宁市职业技能鉴定中心")
    page.get_by_test_id(f"passed-{passed.pk}").select_option("pass")
    page.get_by_test_id(f"score-{passed.pk}").fill("88.5")
    page.get_by_test_id(f"passed-{failed.pk}").select_option("fail")
    page.get_by_test_id("save-results").click()
    page.wait_for_load_state()
    assert "已保存2名学员的考核结果" in page.locator(".messages").inner_text()

    page.get_by_test_id("issuer").fill("南宁市职业技能鉴定中心")
    page.get_by_test_id("issued-on").fill("2025-10-20")
    page.get_by_test_id("issue-certificates").click()
    page.wait_for_load_state()
    assert "已发放1张证书" in page.locator(".messages").inner_text()
    number = Certificate.objects.get().number
    assert page.get_by_test_id(f"result-row-{passed.pk}").get_by_test_id("certificate-link").inner_text() == number

    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/verify/")
    page.get_by_test_id("verify-number").fill(number)
    page.get_by_test_id("verify-submit").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("holder").inner_text() == "张*三"
    assert page.get_by_test_id("number").inner_text() == number
    assert "真实有效" in page.locator("main").inner_text() and "张小三" not in page.content()
