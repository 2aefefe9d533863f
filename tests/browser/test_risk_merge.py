"""Through a real browser: one woman under two ID numbers. The linkage puts the pair in Nanning's review queue at
/risk/; the official confirms it with a reason; her fourth training, claimed under the second number, is then
denied by 3.5b (三次) and the explanation names both ID numbers, masked; the official undoes the merge with a
reason and the denial goes away.

The planted duplicates of the synthetic province have no trainings, so the four trainings are made here through
the builders and the funding services (risk/tests/merging.py), and the pair is found by the linkage itself.
"""

from __future__ import annotations

import pytest

from qiancheng.funding.services.claims import decide
from qiancheng.risk.tests.merging import one_person_two_numbers

pytestmark = pytest.mark.browser


def _claim_page(page, live_server, number: str) -> str:
    page.goto(f"{live_server.url}/policy/claims/{number}/")
    # text_content: with the engine's facts, folded in a disclosure (the claim's own ID number, masked)
    return page.get_by_test_id("live-explanation").text_content() or ""


def test_a_confirmed_duplicate_counts_as_one_person_until_the_merge_is_undone(
        page, sign_in, live_server, persona_password, nanning_official) -> None:  # type: ignore[no-untyped-def]
    pair = one_person_two_numbers(by_linkage=True)
    decide(None, type(pair.fourth).objects.filter(pk=pair.fourth.pk), None)
    sign_in(page, nanning_official.username, persona_password)

    before = _claim_page(page, live_server, pair.fourth.number)
    assert page.locator('[data-rule="3.5b"]').get_attribute("class") == "passed"
    assert "✓ 符合" in page.get_by_test_id("stored-decision").inner_text()
    assert pair.first.id_number_masked not in before

    page.goto(f"{live_server.url}/risk/")
    queued = page.get_by_test_id("candidates").inner_text()
    assert pair.first.id_number_masked in queued and pair.second.id_number_masked in queued
    decision = page.locator(f'form[action="/risk/candidates/{pair.candidate.pk}/decide/"]')
    decision.get_by_label("结论").select_option("confirm")
    decision.get_by_label("理由").fill("户籍核实：同一人，身份证号录错一位")
    decision.get_by_role("button", name="提交结论").click()
    page.wait_for_load_state()
    assert "合并计算补贴次数" in page.get_by_test_id("candidates").inner_text()

    after = _claim_page(page, live_server, pair.fourth.number)
    assert page.locator('[data-rule="3.5b"]').get_attribute("class") == "failed"
    assert "✗ 不符合" in page.get_by_test_id("stored-decision").inner_text()  # the stored decision was made again
    # Both numbers named: the claim's own, and the other one the three earlier trainings are held under.
    assert pair.second.id_number_masked in after
    failed = page.locator('[data-rule="3.5b"]').inner_text()
    assert failed.count(f"记于另一身份证号 {pair.first.id_number_masked}") == 3

    page.goto(f"{live_server.url}/risk/")
    undo = page.get_by_test_id("undo-merge")
    undo.get_by_label("撤销合并的理由").fill("复核：两人为双胞胎，不是同一人")
    undo.get_by_role("button", name="撤销合并").click()
    page.wait_for_load_state()
    assert "已撤销合并" in page.get_by_test_id("candidates").inner_text()

    again = _claim_page(page, live_server, pair.fourth.number)
    assert page.locator('[data-rule="3.5b"]').get_attribute("class") == "passed"
    assert pair.first.id_number_masked not in again
    assert "✓ 符合" in page.get_by_test_id("stored-decision").inner_text()
