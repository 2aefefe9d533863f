"""The synthetic province's demand side: the gap table, the city's queue, the matched share and the brands page have
content, and their numbers agree with a count made here from the rows themselves."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from django.test import Client
from django.urls import reverse

from qiancheng.accounts.models import User
from qiancheng.brands.models import BrandStatus, TrainingBrand
from qiancheng.clock import today
from qiancheng.demand.models import (
    CensusRound,
    ContactConsent,
    DemandReport,
    DemandReportVersion,
    WorkerNeed,
    WorkerNeedVersion,
)
from qiancheng.evaluation.models import Certificate
from qiancheng.insight import demand_gap, matching
from qiancheng.synth.load import ensure_province
from qiancheng.synth.models import SynthRun
from qiancheng.training.models import APPROVED_STATES, EmploymentFollowUp, TrainingClass

PEOPLE, SEED = 400, 3
START = dt.date(2025, 1, 1)


@pytest.fixture
def loaded(db: None) -> SynthRun:
    run, created = ensure_province(PEOPLE, SEED, progress=False)
    assert created
    return run


def _filed_and_standing() -> dict[int, tuple[dt.date, int]]:
    """Each report's first version's day (local) and its latest headcount: every synthetic version is dated by
    the programme's day, so the latest is the one standing now."""
    out: dict[int, tuple[dt.date, int]] = {}
    for version in DemandReportVersion.objects.order_by("report_id", "recorded_at", "pk"):
        filed = out[version.report_id][0] if version.report_id in out else dt.datetime.date(
            version.recorded_at.astimezone(dt.timezone(dt.timedelta(hours=8))))
        out[version.report_id] = (filed, version.headcount)
    return out


def _runs() -> dict[tuple[str, int, str], list[tuple[dt.date, dt.date]]]:
    runs: dict[tuple[str, int, str], list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for occupation, level, city, start, end in TrainingClass.objects.filter(status__in=APPROVED_STATES).values_list(
            "occupation_id", "level", "city_id", "start_date", "end_date"):
        runs[(occupation, level, city)].append((start, end))
    return runs


def test_gap_table_shows_the_reported_demand(loaded: SynthRun, province_official: User) -> None:
    table = demand_gap.gap_table(province_official, START, today())
    standing = _filed_and_standing()
    assert CensusRound.objects.filter(scope="province").exists() and CensusRound.objects.filter(scope="city").exists()
    assert table.total("demand") == sum(headcount for _, headcount in standing.values()) > 0
    assert table.total("reports") == DemandReport.objects.count()
    assert any(row.gap > 0 for row in table.rows)


def test_queue_and_matched_share_agree_with_a_count_of_the_rows(loaded: SynthRun, province_official: User) -> None:
    standing, runs = _filed_and_standing(), _runs()
    days = matching.match_days_on(today()).days
    cutoff = today() - dt.timedelta(days=demand_gap.answer_days_on(today()).days + 1)
    demand = matched = 0
    overdue = set()
    for report in DemandReport.objects.select_related("enterprise"):
        filed, headcount = standing[report.pk]
        classes = runs.get((report.occupation_id, report.level, report.enterprise.city_id), [])
        demand += headcount
        if any(start <= filed + dt.timedelta(days=days) and end >= filed for start, end in classes):
            matched += headcount
        if filed <= cutoff and not any(end >= filed for _, end in classes):
            overdue.add(report.pk)

    share = matching.matched_share(province_official, START, today())
    assert (share.demand, share.matched) == (demand, matched)
    assert 0 < share.matched < share.demand  # some demand answered within the days, some not
    queue = set(demand_gap.unanswered_reports(province_official).values_list("pk", flat=True))
    assert queue == overdue and queue


def test_workers_consents_and_follow_ups_follow_the_training(loaded: SynthRun) -> None:
    assert WorkerNeed.objects.exists()
    assert WorkerNeedVersion.objects.count() == WorkerNeed.objects.count()
    consents = ContactConsent.objects.all()
    assert consents.filter(withdrawn_at__isnull=True).exists()
    holders = set(Certificate.objects.filter(status="valid").values_list("person_id", flat=True))
    assert set(consents.values_list("person_id", flat=True)) <= holders
    follow_ups = EmploymentFollowUp.objects.select_related("enrolment__training_class")
    assert follow_ups.exists()
    for each in follow_ups:
        assert each.enrolment.status == "completed" and each.enrolment.training_class.status == "finished"
        assert each.person_id == each.enrolment.person_id
        assert each.enrolment.training_class.end_date < each.observed_on <= today()


def test_published_brands_are_on_the_public_page(loaded: SynthRun, client: Client) -> None:
    published = TrainingBrand.objects.filter(status=BrandStatus.PUBLISHED)
    assert published.exists() and TrainingBrand.objects.filter(status=BrandStatus.PROPOSED).exists()
    page = client.get(reverse("brands:published")).content.decode()
    for brand in TrainingBrand.objects.all():
        assert (brand.name in page) == (brand.status == BrandStatus.PUBLISHED)
        assert brand.classes.exists()
        assert all(c.occupation_id == brand.occupation_id and c.city_id == brand.city_id for c in brand.classes.all())


def test_the_same_seed_grows_the_same_demand_and_reset_removes_it(loaded: SynthRun) -> None:
    def snapshot() -> list[tuple[object, ...]]:
        return list(DemandReport.objects.order_by("pk").values_list(
            "enterprise__uscc", "occupation_id", "level", "county_id", "headcount", "need_key"))

    first = snapshot()
    ensure_province(PEOPLE, SEED, reset=True, progress=False)
    assert snapshot() == first
    ensure_province(150, SEED + 1, reset=True, progress=False)
    counts = SynthRun.objects.get().counts
    assert DemandReport.objects.count() == counts.get("demand.DemandReport", 0)
    assert TrainingBrand.objects.count() == counts.get("brands.TrainingBrand", 0)
