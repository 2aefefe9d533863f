"""The demo's stated targets (1a at the demo's size): the plan's figure × demo trainings / 600,000, recorded by
the one writer with a document saying so, and shown with that document on the province's home."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from qiancheng import clock
from qiancheng.accounts.models import AuditEntry
from qiancheng.funding.models import SubsidyClaim
from qiancheng.funding.tests.money import funded, paid_claim
from qiancheng.insight.models import Target
from qiancheng.insight.services import DEMO_DOCUMENT, set_target
from qiancheng.policy.vocabulary import COUNTING_STATUSES
from qiancheng.synth.targets import demo_scale, ensure_demo_targets

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 12, 1)  # the builders' classes end on 2025-09-30


def test_the_demo_states_its_targets_at_its_size_and_the_province_home_shows_them(
        client: Client, login, province_official: Any, nanning_official: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    with clock.frozen_at(DAY):
        fund = funded(province_official, "100000.00")
        # Each commit of the services queues a refresh of the statistics' pre-aggregate (the home reads it).
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(3):
                paid_claim(nanning_official, fund)
        trainings = sum(1 for claim in SubsidyClaim.objects.all()
                        if claim.status in COUNTING_STATUSES and claim.eligible is True)
        assert trainings == 3
        assert demo_scale() == Fraction(3, 600_000)
        assert ensure_demo_targets(DAY, say=lambda line: None) is True
        assert ensure_demo_targets(DAY, say=lambda line: None) is False  # once
        targets = {target.year: target for target in Target.objects.filter(city__isnull=True)}
        # 180,000 × 3 / 600,000 = 0.9 → 1; 210,000 × 3 / 600,000 = 1.05 → 1 (half up, at least 1).
        assert {year: target.count for year, target in targets.items()} == {2025: 1, 2026: 1, 2027: 1}
        assert all(target.document.startswith(DEMO_DOCUMENT) and target.valid_from == dt.date(year, 1, 1)
                   for year, target in targets.items())
        # The province's target is split among the cities (1a): the splits add up to it, each one audited.
        splits = Target.objects.filter(city__isnull=False)
        for year, target in targets.items():
            assert sum(split.count for split in splits if split.year == year) == target.count
        assert AuditEntry.objects.filter(action="target.set").count() == 3 + splits.count()

        page = login(client, province_official).get("/")
        row = page.context["progress"].province
        assert (row.target.count, row.achieved.trainings) == (1, 3)
        html = page.content.decode()
        assert f"全区目标依据：{targets[2025].document}" in html


def test_a_demo_target_must_say_so_and_is_not_below_the_scaled_plan(province_official: Any) -> None:
    scale = Fraction(1, 1000)  # 2026: 210,000 → 210
    with pytest.raises(ValidationError) as unsaid:
        set_target(province_official, 2026, None, 210, "桂人社发〔2026〕1号", dt.date(2026, 1, 1), demo_scale=scale)
    assert unsaid.value.code == "bad_demo_scale"
    with pytest.raises(ValidationError) as below:
        set_target(province_official, 2026, None, 209, DEMO_DOCUMENT, dt.date(2026, 1, 1), demo_scale=scale)
    assert below.value.code == "below_plan"
    assert set_target(province_official, 2026, None, 210, DEMO_DOCUMENT, dt.date(2026, 1, 1),
                      demo_scale=scale).count == 210
    # Without the scale the plan's own figure is the floor, as before.
    with pytest.raises(ValidationError) as real:
        set_target(province_official, 2026, None, 210, DEMO_DOCUMENT, dt.date(2026, 2, 1))
    assert real.value.code == "below_plan"
