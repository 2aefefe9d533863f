"""Targets below the province (1a, 6): the demo's province target split among its cities by each city's trainings
(dated, with the document), and each industry's plan in force against its actuals on the progress page. Every
figure is counted again here from the claims."""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qiancheng.accounts.models import AuditEntry, User
from qiancheng.catalog.models import City
from qiancheng.clock import frozen_at
from qiancheng.funding.models import SubsidyClaim
from qiancheng.insight import figures, industry_plans, services
from qiancheng.insight.models import Target
from qiancheng.insight.tests.test_statistics import DAY, ai_department, independent, world  # noqa: F401 (fixtures)
from qiancheng.policy.vocabulary import COUNTING_STATUSES
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


def test_a_split_by_weights_adds_up_to_the_total_and_follows_the_weights() -> None:
    assert services.split_by_weights(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    assert services.split_by_weights(576, {"a": 300, "b": 100, "c": 0}) == {"a": 432, "b": 144, "c": 0}
    shares = services.split_by_weights(1001, {str(n): n for n in range(1, 15)})
    assert sum(shares.values()) == 1001 and shares["14"] > shares["1"]
    assert services.split_by_weights(5, {"a": 0}) == {"a": 0}


def test_the_demo_target_is_split_among_the_cities_by_their_trainings(world, province_official) -> None:  # noqa: F811
    scale = Fraction(9, 600_000)  # the world's nine trainings of the plan's years (2025 and 2026)
    document = f"{services.DEMO_DOCUMENT}：210,000人次 × 9/600,000"
    with frozen_at(DAY):
        province = services.set_target(province_official, 2026, None, 4, document, dt.date(2026, 1, 1),
                                       demo_scale=scale)
        splits = services.record_demo_city_targets(province_official, 2026, dt.date(2026, 1, 1))
    # Each city's trainings over 2025-2027, counted here from the claims.
    counted = {code: SubsidyClaim.objects.filter(city_id=code, status__in=COUNTING_STATUSES, eligible=True,
                                                 end_date__year__in=(2025, 2026, 2027)).count()
               for code in City.objects.values_list("code", flat=True)}
    assert counted == {"450100": 6, "450200": 3}
    # 4 × 6/9 = 2.67 and 4 × 3/9 = 1.33: 2 and 1, the one left to the larger remainder (南宁).
    assert {entry.city_id: entry.count for entry in splits} == {"450100": 3, "450200": 1}
    assert sum(entry.count for entry in splits) == province.count
    for entry in splits:
        assert entry.valid_from == dt.date(2026, 1, 1) and entry.set_by == province_official
        assert entry.document.startswith(services.DEMO_DOCUMENT) and "按各市2025—2027年培训人次占比" in entry.document
        assert AuditEntry.objects.filter(action="target.set", target_pk=str(entry.pk)).exists()
    # The progress report reads them: no city is left "未分解", each compared with its own trainings of 2026.
    report = figures.report(province_official, 2026, DAY)
    rows = {row.code: row for row in report.cities}
    assert rows["450100"].target.count == 3 and rows["450200"].target.count == 1
    assert rows["450100"].achieved.trainings == independent(city="450100")[0]


def test_no_split_without_a_demo_province_target(world, province_official) -> None:  # noqa: F811
    with frozen_at(DAY):
        services.set_target(province_official, 2026, None, 210_000, "桂人社发〔2026〕1号", dt.date(2026, 1, 1))
        assert services.record_demo_city_targets(province_official, 2026, dt.date(2026, 1, 1)) == []
    assert not Target.objects.filter(city__isnull=False).exists()


def _row(html: str, code: str) -> dict[str, str]:
    row = re.search(rf'data-testid="industry-{code}"[^>]*>(.*?)</tr>', html, re.S)
    assert row is not None, html
    return dict(re.findall(r'data-testid="(\w+)">([^<]*)<', row.group(1)))


def test_the_progress_page_compares_each_industry_plan_with_its_trainings(world, ai_department,  # noqa: F811
                                                                         province_official, login) -> None:
    occupation = builders.occupation()  # every class of the world teaches it
    auto = User.objects.create(username="auto-dept", role=ai_department.role, industry=world["auto"])
    with frozen_at(DAY):
        industry_plans.file_plan(ai_department, 2026, [(occupation.code, 20)], "桂工信发〔2026〕3号")
        industry_plans.file_plan(auto, 2026, [(occupation.code, 2)], "桂工信发〔2026〕5号")
        overview = industry_plans.overview(province_official, 2026)
        html = login(Client(), province_official).get(reverse("insight:progress"), {"year": 2026}).content.decode()
    by_code: dict[str, Any] = {plan.industry.code: plan for plan in overview}
    assert list(by_code) == sorted(by_code, key=lambda code: (world[code].sort_order, code))
    # Counted here: the trainings of 2026 in each industry's classes (all of one occupation).
    assert (by_code["ai"].planned, by_code["ai"].achieved) == (20, independent(industry="ai")[0])
    assert (by_code["auto"].planned, by_code["auto"].achieved) == (2, independent(industry="auto")[0])
    assert by_code["ai"].expected == 10 and by_code["auto"].expected == 1  # × 183/365, half up
    assert _row(html, "ai") == {"planned": "20", "expected": "10", "achieved": str(independent(industry="ai")[0])}
    assert _row(html, "auto")["achieved"] == str(independent(industry="auto")[0])
    # The department reads its own industry only; a city official reads no plan.
    assert [plan.industry.code for plan in industry_plans.overview(ai_department, 2026)] == ["ai"]
