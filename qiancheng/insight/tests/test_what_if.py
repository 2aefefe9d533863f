"""What-if on live data (R4): a draft raises the 2026 occupational standard for level 4 by 100 yuan; the replay over
the stored claims shows the exact extra money per city, and `qiancheng check --compare` over the same period
written out as exchange files gives the same numbers."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import re
from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from qiancheng.accounts.models import User
from qiancheng.evaluation.models import Certificate, CertificateKind
from qiancheng.funding.models import ClaimOrigin, ClaimStatus, SubsidyClaim
from qiancheng.insight import what_if
from qiancheng.insight.models import ParameterDraft, WhatIfReplay
from qiancheng.policy import commandline
from qiancheng.policy.params import load_packaged
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

NANNING, LIUZHOU = "450100", "450200"
# Not on the AI list (4.2), so no uplift enters the arithmetic.
TRADE = ("6-22-01-01", "汽车装调工")


def _level_four_2026() -> Decimal:
    """The packaged standard for occupational level 4 in force in 2026 (read, not assumed)."""
    return next(s.amount for s in load_packaged().standards
                if s.key == "occupational:4" and s.covers(dt.date(2026, 6, 30)))


def _claims(city: str, end: dt.date, level: int, count: int, prefix: str) -> list[SubsidyClaim]:
    place = builders.city(city, {NANNING: "南宁市", LIUZHOU: "柳州市"}[city])
    training = builders.training_class(city=place, institution=builders.institution(city=place),
                                       occupation=builders.occupation(*TRADE), level=level,
                                       start_date=end - dt.timedelta(days=30), end_date=end)
    return [builders.subsidy_claim(builders.enrolment(training, enrolled_on=end - dt.timedelta(days=30)),
                                   f"{prefix}{n}") for n in range(count)]


@pytest.fixture
def world() -> dict[str, list[SubsidyClaim]]:
    """Three level-4 claims of 2026 in Nanning, two in Liuzhou; a level-4 claim of 2025 and a level-5 claim of
    2026 that the draft does not touch; a level-4 claim of 2026 denied by 3.5d (a certificate of the same
    occupation at level 3), which stays denied; a withdrawn one and an imported one, which are not replayed."""
    made = {
        "nanning": _claims(NANNING, dt.date(2026, 3, 31), 4, 3, "NN26-"),
        "liuzhou": _claims(LIUZHOU, dt.date(2026, 5, 15), 4, 2, "LZ26-"),
        "earlier": _claims(NANNING, dt.date(2025, 12, 20), 4, 1, "NN25-"),
        "level5": _claims(LIUZHOU, dt.date(2026, 4, 30), 5, 1, "LZ5-"),
        "denied": _claims(NANNING, dt.date(2026, 6, 30), 4, 1, "DEN-"),
        "withdrawn": _claims(LIUZHOU, dt.date(2026, 6, 30), 4, 1, "WD-"),
    }
    holder = made["denied"][0].person
    Certificate.objects.create(number="CERT-WI-1", kind=CertificateKind.VOCATIONAL_SKILL_LEVEL, person=holder,
                               occupation=builders.occupation(*TRADE), level=3, issuer="鉴定中心",
                               issued_on=dt.date(2025, 1, 10))
    SubsidyClaim.objects.filter(number="WD-0").update(status=ClaimStatus.WITHDRAWN)
    SubsidyClaim.objects.filter(number="LZ26-1").update(origin=ClaimOrigin.IMPORTED, status=ClaimStatus.PAID)
    return made


def _draft(official: User) -> ParameterDraft:
    draft = what_if.create_draft(official, "2026年四级标准加100")
    return what_if.add_change(official, draft.pk, {
        "kind": "standard", "training_type": "occupational", "level": 4, "amount": str(_level_four_2026() + 100),
        "valid_from": "2026-01-01", "valid_to": "2026-12-31"})


def test_the_draft_splits_the_standard_around_2026_only(province_official) -> None:
    draft = _draft(province_official)
    params = what_if.draft_param_set(load_packaged(), draft.changes, "draft")
    level_four = sorted((s for s in params.standards if s.key == "occupational:4"), key=lambda s: s.valid_from)
    old = _level_four_2026()
    assert [(s.valid_from, s.valid_to, s.amount) for s in level_four] == [
        (dt.date(2023, 1, 1), dt.date(2025, 12, 31), old),
        (dt.date(2026, 1, 1), dt.date(2026, 12, 31), old + 100),
        (dt.date(2027, 1, 1), None, old)]
    assert params.id != load_packaged().id


def test_the_replay_shows_the_exact_extra_money_per_city(province_official, world) -> None:
    draft = _draft(province_official)
    result = what_if.replay(province_official, draft, "2025-12-01", "2026-12-31")
    by_city = {group.key: group for group in result.by_city}
    # Nanning: three 2026 level-4 claims × 100; its 2025 claim and its 3.5d denial are unchanged.
    assert by_city[NANNING].difference == Decimal("300.00")
    assert (by_city[NANNING].claims, by_city[NANNING].changed, by_city[NANNING].people) == (5, 3, 3)
    # Liuzhou: one 2026 level-4 claim (the other is imported history, the withdrawn one is not replayed).
    assert by_city[LIUZHOU].difference == Decimal("100.00")
    assert (by_city[LIUZHOU].claims, by_city[LIUZHOU].changed) == (2, 1)
    assert result.difference == Decimal("400.00") and result.people == 4
    assert result.totals.newly_eligible == result.totals.newly_denied == 0
    assert {claim.number for claim in result.changed} == {"NN26-0", "NN26-1", "NN26-2", "LZ26-0"}
    assert [group.key for group in result.by_fund] == ["employment_subsidy"]
    assert result.by_type[0].difference == Decimal("400.00")
    # The stored decisions are untouched: a draft decides no real claim.
    assert not SubsidyClaim.objects.filter(eligible__isnull=False).exists()


def test_the_replay_equals_qiancheng_check_compare_on_the_exported_files(province_official, world, tmp_path) -> None:
    draft = _draft(province_official)
    result = what_if.replay(province_official, draft, "2025-12-01", "2026-12-31")
    files = what_if.write_exchange_files(province_official, draft, "2025-12-01", "2026-12-31", tmp_path)
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        code = commandline.main([
            "check", "--claims", str(files["claims"]), "--history", str(files["history"]),
            "--params", str(files["params"]), "--compare", str(files["draft"]), "--as-of", result.as_of.isoformat(),
            "--out", str(tmp_path / "decisions.csv"), "--compare-out", str(tmp_path / "changed.csv"), "--quiet"])
    assert code == 0, stderr.getvalue()
    summary = re.search(r"(\d+) 项申请中 (\d+) 项判定变化.*金额 / money ([\d.]+) → ([\d.]+)", stderr.getvalue())
    assert summary is not None, stderr.getvalue()
    claims, changed, before, after = summary.groups()
    assert (int(claims), int(changed)) == (result.totals.claims, result.totals.changed)
    assert (Decimal(before), Decimal(after)) == (result.totals.total_before, result.totals.total_after)
    # Per city from the command line's own output: the changed claims joined to their city in the claims file.
    city_of = {json.loads(line)["claim_id"]: json.loads(line)["city_code"]
               for line in files["claims"].read_text(encoding="utf-8").splitlines()}
    per_city: dict[str, Decimal] = {}
    with (tmp_path / "changed.csv").open(encoding="utf-8") as changed_file:
        for row in csv.DictReader(changed_file):
            city = city_of[row["claim_id"]]
            per_city[city] = per_city.get(city, Decimal("0")) + Decimal(row["total_amount_after"]) - Decimal(
                row["total_amount"])
    assert per_city == {group.key: group.difference for group in result.by_city if group.difference}
    assert per_city == {NANNING: Decimal("300.00"), LIUZHOU: Decimal("100.00")}


def test_the_page_shows_the_extra_money_per_city(province_official, world, login) -> None:
    draft = _draft(province_official)
    client = login(Client(), province_official)
    asked = client.post(reverse("insight:what_if_draft", args=[draft.pk]),
                        {"action": "replay", "date_from": "2025-12-01", "date_to": "2026-12-31"})
    # Answered at once with the replay's page (with the immediate backend of the tests it has already run).
    job = WhatIfReplay.objects.get(draft=draft)
    assert asked.status_code == 302 and asked["Location"] == reverse("insight:what_if_replay", args=[draft.pk, job.pk])
    page = client.get(asked["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    for city, extra in ((NANNING, "+300.00"), (LIUZHOU, "+100.00")):
        row = re.search(rf'data-testid="city-{city}">(.*?)</tr>', html, re.S)
        assert row is not None and f'data-testid="difference">{extra}<' in row.group(1)
    assert 'data-testid="total-difference">+400.00<' in html
    assert 'data-status="done"' in html and "已完成：7项申领" in html
    assert 'http-equiv="refresh"' not in html  # a finished replay's page stops reloading
    # The draft's page lists it with its state.
    listed = client.get(reverse("insight:what_if_draft", args=[draft.pk])).content.decode()
    assert asked["Location"] in listed and "已完成：7项申领" in listed
    # No personal data: claim numbers, never names or ID numbers.
    assert "张三" not in html and world["nanning"][0].person.person_key not in html


def test_changes_are_added_through_the_page_and_checked(province_official, login) -> None:
    client = login(Client(), province_official)
    created = client.post(reverse("insight:what_if"), {"title": "上浮测算"})
    draft = ParameterDraft.objects.get(title="上浮测算")
    assert created.status_code == 302 and draft.author == province_official
    url = reverse("insight:what_if_draft", args=[draft.pk])
    builders.city(NANNING, "南宁市")
    refused = client.post(url, {"action": "add", "kind": "ai_uplift", "city": NANNING, "amount": "0.25"})
    assert refused.status_code == 422 and "error-summary" in refused.content.decode()
    added = client.post(url, {"action": "add", "kind": "ai_uplift", "city": NANNING, "amount": "0.15"})
    assert added.status_code == 302
    threshold = client.post(url, {"action": "add", "kind": "plan_figure", "name": "special_ability_min_hours",
                                  "amount": "24", "valid_from": "2026-01-01"})
    assert threshold.status_code == 302
    draft.refresh_from_db()
    assert draft.changes == [
        {"kind": "ai_uplift", "city_code": NANNING, "uplift": "0.15"},
        {"kind": "plan_figure", "name": "special_ability_min_hours", "value": "24", "valid_from": "2026-01-01",
         "valid_to": None}]
    params = what_if.draft_param_set(load_packaged(), draft.changes, "draft")
    assert params.uplift_for(NANNING) == Decimal("0.15")
    assert params.plan.min_hours(dt.date(2026, 3, 1)) == 24 and params.plan.min_hours(dt.date(2025, 3, 1)) == 28
    removed = client.post(url, {"action": "remove", "position": "1"})
    assert removed.status_code == 302
    draft.refresh_from_db()
    assert [change["kind"] for change in draft.changes] == ["plan_figure"]


def test_only_the_province_drafts_and_replays(province_official, nanning_official, login) -> None:
    city_official = nanning_official
    with pytest.raises(PermissionDenied):
        what_if.create_draft(city_official, "不应成功")
    draft = _draft(province_official)
    with pytest.raises(PermissionDenied):
        what_if.replay(city_official, draft, "2026-01-01", "2026-12-31")
    client = login(Client(), city_official)
    assert client.get(reverse("insight:what_if")).status_code == 403
    assert client.get(reverse("insight:what_if_draft", args=[draft.pk])).status_code == 404
    assert Client().get(reverse("insight:what_if")).status_code == 302  # anonymous: to the login page


def test_a_period_beyond_the_limit_is_refused_with_its_count(province_official, world, monkeypatch) -> None:
    monkeypatch.setattr(what_if, "MAX_REPLAY_CLAIMS", 3)
    with pytest.raises(what_if.DraftRefused) as refusal:
        what_if.replay(province_official, _draft(province_official), "2025-01-01", "2026-12-31")
    assert refusal.value.code == "period_too_large" and "7" in refusal.value.zh
    # Refused in the request, before anything is queued.
    with pytest.raises(what_if.DraftRefused):
        what_if.queue_replay(province_official, _draft(province_official), "2025-01-01", "2026-12-31")
    assert not WhatIfReplay.objects.exists()


def test_a_stored_result_reads_back_as_it_was_computed(province_official, world) -> None:
    result = what_if.replay(province_official, _draft(province_official), "2025-12-01", "2026-12-31")
    stored = what_if.Replay.from_json(json.loads(json.dumps(result.to_json())))
    assert replace(stored, stages=[]) == replace(result, stages=[])
    assert [name for name, _seconds in stored.stages] == ["export", "packaged", "draft", "compare"]


def test_the_api_drafts_and_replays_as_the_page_does(province_official, world) -> None:
    from qiancheng.insight.tests.test_api import Api

    api = Api(province_official)
    change = {"kind": "standard", "training_type": "occupational", "level": 4,
              "amount": str(_level_four_2026() + 100), "valid_from": "2026-01-01", "valid_to": "2026-12-31"}
    created = api.post("/what-if/drafts", {"title": "接口测算", "changes": [change]})
    assert created.status_code == 201, created.content
    draft_id = created.json()["id"]
    one = api.get(f"/what-if/drafts/{draft_id}/changes/1")
    assert one.status_code == 200 and one.json()["described"].startswith("occupational:4 = ")
    assert api.get(f"/what-if/drafts/{draft_id}/changes/2").status_code == 404
    queued = api.post(f"/what-if/drafts/{draft_id}/replay", {"date_from": "2025-12-01", "date_to": "2026-12-31"})
    assert queued.status_code == 202, queued.content
    job = queued.json()
    assert job["location"] == f"/api/v1/insight/what-if/replays/{job['id']}" and job["claims"] == 7
    # The immediate backend of the tests has run it already; the replay's address gives the result.
    replayed = api.get(f"/what-if/replays/{job['id']}")
    assert replayed.status_code == 200 and replayed.json()["status"] == "done", replayed.content
    body = replayed.json()["result"]
    assert {row["key"]: row["difference"] for row in body["by_city"]} == {NANNING: "+300.00", LIUZHOU: "+100.00"}
    assert body["difference"] == "+400.00" and body["people"] == 4 and body["reproducible_offline"] is True
    assert sorted(claim["number"] for claim in body["changed_claims"]) == ["LZ26-0", "NN26-0", "NN26-1", "NN26-2"]
    # Bad input is a 422 in the problem shape; a missing draft 404.
    bad = api.post("/what-if/drafts", {"title": "越界", "changes": [{"kind": "ai_uplift", "city_code": NANNING,
                                                                    "uplift": "0.25"}]})
    assert bad.status_code == 422 and bad.json()["code"] == "bad_number"
    assert not ParameterDraft.objects.filter(title="越界").exists()
    backwards = api.post(f"/what-if/drafts/{draft_id}/replay", {"date_from": "2026-12-31", "date_to": "2026-01-01"})
    assert backwards.status_code == 422 and backwards.json()["code"] == "bad_period"
    assert api.post("/what-if/drafts/999999/replay", {"date_from": "2026-01-01", "date_to": "2026-12-31"}
                    ).status_code == 404


def test_the_api_refuses_every_other_role(nanning_official, province_official) -> None:
    from qiancheng.insight.tests.test_api import Api

    api = Api(nanning_official)
    assert api.get("/what-if/drafts").status_code == 403
    assert api.post("/what-if/drafts", {"title": "x"}).status_code == 403
    # A route that names a draft: the same 404 as a draft that does not exist.
    draft = _draft(province_official)
    assert api.get(f"/what-if/drafts/{draft.pk}").status_code == 404
    assert api.post(f"/what-if/drafts/{draft.pk}/replay", {"date_from": "2026-01-01", "date_to": "2026-12-31"}
                    ).status_code == 404
    job = what_if.queue_replay(province_official, draft, "2026-01-01", "2026-12-31")
    assert api.get(f"/what-if/replays/{job.pk}").status_code == 404
    assert Api(province_official).get(f"/what-if/replays/{job.pk + 1}").status_code == 404


def test_the_english_page_shows_the_same_figures_in_english(province_official, world, login) -> None:
    draft = _draft(province_official)
    client = login(Client(), province_official)
    client.cookies["django_language"] = "en"
    html = client.post(reverse("insight:what_if_draft", args=[draft.pk]),
                       {"action": "replay", "date_from": "2025-12-01", "date_to": "2026-12-31"},
                       follow=True).content.decode()
    assert "Claims whose decision changes" in html and "decided with the draft" in html
    assert "测算结果" not in html and "按草案判定" not in html
    assert 'data-testid="total-difference">+400.00<' in html
