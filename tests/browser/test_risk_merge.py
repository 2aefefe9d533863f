"""Through a real browser, on the synthetic province: its planted duplicate, one person under two ID numbers,
counts as one person for 3.5 once the city confirms it, and as two again once the merge is undone.

The province is the demo's (`qiancheng demo --no-serve`, its default size and seed, in this test's own data
folder), with the synthetic fraud planted into it (`synth.fraud.plant_fraud`, as bench/risk_run.py plants it).
Among the planted twins, one holds the person's three earlier trainings under the mistyped number, while the
person's only claim, pending in 南宁, is the fourth (the truth's `fourth_training`). Those rows are written
directly by the synthetic loader and the planter, as the demo and the bench write them; the test reads the
truth and the database only to know which claim and which pair to look at, and to check what the pages say.

Then, on the pages, as the demo's 南宁 official (its password from the demo's logins file, the second-factor
code from its authenticator): the claim is decided with 重新判定 and granted, and 3.5b passes; the official
starts a risk scan on /risk/ (the signal rules and the linkage, queued as the page queues it; the suite's
tasks run at once), finds the pair in the review queue by the person's name and confirms it with a reason;
the claim, decided again, is denied by 3.5b alone, and the explanation names the claim's own ID number and,
on each of the three earlier trainings, the twin's — both masked, as every page masks them; the official
undoes the merge with a reason, and the claim, decided again, is granted.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from qiancheng.funding.models import SubsidyClaim
from qiancheng.people.models import Person
from qiancheng.risk.models import LinkCandidate
from qiancheng.synth.fraud import plant_fraud
from qiancheng.synth.logins import LOGINS_FILE
from qiancheng.synth.management.commands.demo import DEFAULT_SEED

pytestmark = pytest.mark.browser

NANNING = "450100"
TWIN_NOTE = "记于另一身份证号"  # funding.services.stored_explain.HELD_ELSEWHERE, as a Chinese page shows it


def _demo_with_fraud(folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, str], dict[str, str]]:
    """The demo's province and logins in `folder`, the fraud planted into it: (the fourth training's truth,
    the demo's passwords by username)."""
    monkeypatch.setenv("QIANCHENG_DATA_DIR", str(folder))  # the demo writes its logins file there
    call_command("demo", "--no-serve", stdout=io.StringIO())
    truth = plant_fraud(DEFAULT_SEED, folder / "truth.json")
    rows = (line.split("\t") for line in (folder / LOGINS_FILE).read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#"))
    return truth["fourth_training"][0], {row[0]: row[1] for row in rows}


def _person(ref: str) -> Person:
    return Person.objects.get(pk=ref.split(":", 1)[1])


def _claim_page(page, live_server, number: str, *, decide: bool = False) -> str:  # type: ignore[no-untyped-def]
    """The claim's page (after 重新判定 when `decide`): the live explanation's text, with the engine's facts
    folded in a disclosure (text_content reads it: the claim's own ID number, masked)."""
    page.goto(f"{live_server.url}/policy/claims/{number}/")
    if decide:
        page.get_by_test_id("decide-again").click()
        page.wait_for_load_state()
        assert f"/policy/claims/{number}/" in page.url
    return page.get_by_test_id("live-explanation").text_content() or ""


def _stored(page) -> str:  # type: ignore[no-untyped-def]
    return page.get_by_test_id("stored-decision").text_content() or ""


def _queue(page, live_server, name: str) -> str:  # type: ignore[no-untyped-def]
    """The review queue on /risk/, searched by name as an official finds one person among many."""
    page.goto(f"{live_server.url}/risk/")
    page.get_by_role("searchbox", name="按编号或姓名查找疑似同一人").fill(name)
    page.get_by_test_id("c-filter-bar").get_by_role("button", name="筛选").click()
    page.wait_for_load_state()
    return page.get_by_test_id("candidates").inner_text()


def test_the_planted_duplicate_counts_as_one_person_until_the_merge_is_undone(
        page, sign_in, live_server, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    planted, passwords = _demo_with_fraud(tmp_path, monkeypatch)
    person, twin = _person(planted["person"]), _person(planted["twin"])
    claim = SubsidyClaim.objects.get(number=planted["claim"])
    assert planted["city"] == NANNING and claim.person_id == person.pk and claim.decided_at is None
    assert SubsidyClaim.objects.filter(person=twin).count() == 3 and not person.claims.exclude(pk=claim.pk).exists()
    sign_in(page, "nanning", passwords["nanning"])

    # Two persons: the fourth training is her first under this number, and 重新判定 grants it.
    before = _claim_page(page, live_server, claim.number, decide=True)
    assert page.locator('[data-rule="3.5b"]').get_attribute("class") == "passed"
    assert "✓ 符合" in _stored(page)
    assert person.id_number_masked in before and twin.id_number_masked not in before

    # The linkage, run as the page runs it, puts the planted pair in 南宁's review queue.
    page.goto(f"{live_server.url}/risk/")
    page.get_by_test_id("risk-scan").get_by_role("button", name="发起风险扫描").click()
    page.wait_for_load_state()
    assert "已发起风险扫描" in page.locator(".messages").inner_text()
    queued = _queue(page, live_server, person.name)
    assert person.id_number_masked in queued and twin.id_number_masked in queued
    a, b = sorted([person.pk, twin.pk])
    candidate = LinkCandidate.objects.get(person_a_id=a, person_b_id=b)
    assert candidate.city_id == NANNING
    decision = page.locator(f'form[action="/risk/candidates/{candidate.pk}/decide/"]')
    decision.get_by_label("结论").select_option("confirm")
    decision.get_by_label("理由").fill("户籍核实：同一人，往年培训登记时身份证号录错一位")
    decision.get_by_role("button", name="提交结论").click()
    page.wait_for_load_state()
    assert "合并计算补贴次数" in _queue(page, live_server, person.name)

    # One person: three earlier trainings under the other number, so the fourth is denied by 3.5b alone.
    after = _claim_page(page, live_server, claim.number, decide=True)
    assert page.locator('[data-rule="3.5b"]').get_attribute("class") == "failed"
    assert page.locator("tr.failed").count() == 1
    stored = _stored(page)
    assert "✗ 不符合" in stored and "3.5b" in stored
    assert person.id_number_masked in after  # the claim's own number
    failed = page.locator('[data-rule="3.5b"]').inner_text()
    assert failed.count(f"{TWIN_NOTE} {twin.id_number_masked}") == 3  # each earlier training, under the twin's

    # The merge undone on the page: two persons again, and the claim decided again is granted.
    _queue(page, live_server, person.name)
    undo = page.get_by_test_id("undo-merge")
    undo.get_by_label("撤销合并的理由").fill("复核：户籍信息显示为两人，撤销合并")
    undo.get_by_role("button", name="撤销合并").click()
    page.wait_for_load_state()
    assert "已撤销合并" in _queue(page, live_server, person.name)
    again = _claim_page(page, live_server, claim.number, decide=True)
    assert page.locator('[data-rule="3.5b"]').get_attribute("class") == "passed"
    assert twin.id_number_masked not in again
    assert "✓ 符合" in _stored(page)
    assert json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))["fourth_training"][0] == planted
