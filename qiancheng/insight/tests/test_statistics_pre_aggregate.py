"""The statistics' pre-aggregate (issue 11 item 7, docs/statistics.md "The pre-aggregate"): after a refresh, every
figure the statistics page, its API and the homes' progress show — under every reader's scope and every filter, alone
and combined — equals a count made here from the records claim by claim; a committed change of a claim through
funding's writers queues a refresh that brings the figures up to date; the refresh is audited, folded when one is
already waiting, and safe to run twice; the page says when the figures were refreshed."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from qiancheng.accounts.models import AuditEntry, Role, User
from qiancheng.accounts.services import issue_api_token
from qiancheng.accounts.tests.second_factor_support import pass_second_factor
from qiancheng.catalog.models import County, Industry, ProgrammeTag
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.clock import frozen_at
from qiancheng.funding.models import ClaimStatus, FundSource, SubsidyClaim
from qiancheng.funding.services.claims import reject_claim
from qiancheng.insight import figures, statistics
from qiancheng.insight.statistics import Filters, Scope, suppress_column
from qiancheng.insight.statistics_models import (
    AggregatedYear,
    CountedTraining,
    DailyTrainings,
    PeopleCount,
    StatisticsRefresh,
    StatisticsRefreshStatus,
)
from qiancheng.insight.statistics_refresh import queue_refresh, refresh, run_refresh
from qiancheng.people.models import PersonCategory
from qiancheng.training.models import TrainingClass, TrainingForm
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 7, 2)
KEY, OTHER, YOUTH = (PersonCategory.RURAL_MIGRANT_WORKER, PersonCategory.ENTERPRISE_EMPLOYEE,
                     PersonCategory.GRADUATE_YOUTH)
NANNING, LIUZHOU = "450100", "450200"
_serial = itertools.count(1)
_people = itertools.count(100)


def _person(county: str, category: str) -> Any:
    return builders.person(id_number=builders.id_number(county=county, sequence=next(_people)), category=category)


def _class(city: Any, end: dt.date, *, form: str = TrainingForm.EMPLOYMENT_SKILLS, industry: Industry | None = None,
           occupation: Any = None, tags: tuple[ProgrammeTag, ...] = (), special: Any = None) -> TrainingClass:
    subject: dict[str, Any] = ({"training_type": TrainingType.SPECIAL_ABILITY, "item": special, "level": None}
                               if special else {"occupation": occupation or builders.occupation()})
    training = builders.training_class(city=city, institution=builders.institution(city=city), end_date=end,
                                       start_date=end - dt.timedelta(days=20), training_form=form, industry=industry,
                                       **subject)
    training.programme_tags.set(tags)
    return training


def _claim(training: TrainingClass, person: Any, amount: str = "1000.00", *, status: str = ClaimStatus.PENDING,
           eligible: bool = True, fund: str = FundSource.EMPLOYMENT_SUBSIDY) -> SubsidyClaim:
    enrolment = builders.enrolment(training, person, category=person.category)
    money = Decimal(amount) if eligible else Decimal("0.00")
    extra = {"item": training.item} if training.item_id else {}
    return builders.subsidy_claim(
        enrolment, f"PA{next(_serial):07d}", status=status, fund=fund, eligible=eligible, training_amount=money,
        employment_amount=Decimal("0.00"), total_amount=money, decided_at=timezone.now(),
        denied_by="" if eligible else "3.5a", **extra)


@pytest.fixture
def world(nanning_official: User, liuzhou_official: User) -> dict[str, Any]:
    """Two cities, three counties, two industries, two occupations and an item, a programme tag, two funds, the
    four forms and none, key groups and others, a person trained twice, and claims that must not count."""
    nanning, liuzhou = nanning_official.city, liuzhou_official.city
    County.objects.get_or_create(code="450102", defaults={"name": "兴宁区", "city": nanning})
    County.objects.get_or_create(code="450103", defaults={"name": "青秀区", "city": nanning})
    County.objects.get_or_create(code="450202", defaults={"name": "城中区", "city": liuzhou})
    ai = Industry.objects.get_or_create(code="ai", defaults={"name": "人工智能", "is_ai": True})[0]
    auto = Industry.objects.get_or_create(code="auto", defaults={"name": "汽车"})[0]
    pilot = ProgrammeTag.objects.get_or_create(code="ai-pilot", defaults={"name": "人工智能试点", "sort_order": 1})[0]
    other_tag = ProgrammeTag.objects.get_or_create(code="brand", defaults={"name": "劳务品牌", "sort_order": 2})[0]
    welder = builders.occupation("6-18-02-04", "焊工")
    trainer = builders.occupation()
    snail = builders.item()

    march = _class(nanning, dt.date(2026, 3, 31), industry=ai, occupation=trainer, tags=(pilot, other_tag))
    twice = _person("450102", KEY)
    for person in (twice, _person("450102", YOUTH), _person("450103", KEY)):
        _claim(march, person, "1200.50")
    _claim(march, _person("450103", OTHER), "1500.00", fund=FundSource.SPECIAL_ACCOUNT, status=ClaimStatus.PAID)
    may = _class(liuzhou, dt.date(2026, 5, 31), form=TrainingForm.SKILL_UPGRADE, industry=auto, occupation=welder)
    _claim(may, _person("450202", OTHER), "2000.00", status=ClaimStatus.APPROVED)
    _claim(may, twice, "2000.00")  # the same person again, in another city: two trainings, one person
    _claim(may, _person("450202", KEY), eligible=False)  # denied by the engine: not a training
    _claim(may, _person("450202", KEY), status=ClaimStatus.WITHDRAWN)  # withdrawn: not counted
    _claim(may, _person("450202", KEY), status=ClaimStatus.REJECTED)  # rejected: not counted
    item_class = _class(liuzhou, dt.date(2026, 5, 15), form=TrainingForm.PRE_JOB, industry=ai, tags=(pilot,),
                        special=snail)
    _claim(item_class, _person("450202", KEY), "600.00", fund=FundSource.UNEMPLOYMENT_INSURANCE)
    _claim(item_class, _person("450102", YOUTH), "650.00", status=ClaimStatus.PAID)
    _claim(_class(nanning, dt.date(2026, 6, 30), form="", occupation=welder), _person("450103", OTHER), "300.00")
    _claim(_class(nanning, dt.date(2026, 9, 30), form=TrainingForm.JOB_TRANSFER, occupation=welder),
           _person("450102", KEY), "800.00")
    _claim(_class(nanning, dt.date(2025, 12, 31), occupation=welder), _person("450102", KEY))  # another year
    refresh(None, None, "test")
    return {"ai": ai, "auto": auto, "pilot": pilot, "welder": welder, "trainer": trainer}


KEY_GROUPS = {"graduate_youth", "rural_migrant_worker", "registered_unemployed", "employment_difficulty"}


def _facts(claim: SubsidyClaim) -> dict[str, Any]:
    training = claim.enrolment.training_class
    return {"city": claim.city_id, "month": claim.end_date.month, "county": claim.person.county_code,
            "training_type": claim.training_type, "training_form": training.training_form, "fund": claim.fund,
            "occupation": claim.occupation_id or "", "industry": training.industry_id or "",
            "key_group": claim.person_category in KEY_GROUPS, "category": claim.person_category,
            "institution": claim.institution_id,
            "programme_tag": set(training.programme_tags.values_list("code", flat=True))}


def independent(year: int, **wanted: Any) -> tuple[int, int, int, Decimal]:
    """(trainings, key group, people, yuan) by docs/statistics.md, counted claim by claim in Python."""
    trainings = key = 0
    people: set[str] = set()
    amount = Decimal(0)
    for claim in SubsidyClaim.objects.select_related("enrolment__training_class", "person"):
        if claim.status not in {"pending", "approved", "paid"} or claim.eligible is not True:
            continue
        if claim.end_date.year != year:
            continue
        facts = _facts(claim)
        if any((value not in facts[name]) if name == "programme_tag" else facts[name] != value
               for name, value in wanted.items()):
            continue
        trainings += 1
        key += facts["key_group"]
        people.add(claim.person_id)
        amount += claim.total_amount
    return trainings, key, len(people), amount


def _four(figures_: statistics.Figures) -> tuple[int, int, int, Decimal]:
    return figures_.trainings, figures_.key_group, figures_.people, figures_.amount


def _wanted(filters: Filters) -> dict[str, Any]:
    wanted = {name: getattr(filters, name) for name in (
        "month", "city", "county", "training_type", "training_form", "fund", "occupation", "industry", "key_group",
        "programme_tag", "institution") if getattr(filters, name) is not None}
    return wanted


ROW_FACT = {"city": "city", "month": "month", "training_type": "training_type", "training_form": "training_form",
            "fund": "fund", "category": "category", "industry": "industry", "occupation": "occupation",
            "institution": "institution"}


def _row_wanted(table: str, key: str, subtotal: bool) -> dict[str, Any]:
    if subtotal:  # the category table's key groups' and others' subtotals (a category is also named "other")
        return {"key_group": key == "key"}
    if table == "month":
        return {"month": int(key)}
    if table == "institution":
        return {"institution": int(key) if key else None}
    return {ROW_FACT[table]: key}


def _check_page(scope: Scope, filters: Filters) -> int:
    """Every figure of the page of `scope` under `filters` against the records; returns how many were checked."""
    page = statistics.page(scope, filters)
    narrowed = page.filters
    assert _four(page.total) == independent(narrowed.year, **_wanted(narrowed)), (scope, filters)
    checked = 1
    for table in page.tables:
        base = _wanted(replace(narrowed, month=None) if table.name == "month" else narrowed)
        for row in table.rows:
            assert row.key != "rest"  # fewer than 50 occupations and institutions: each has its row
            extra = _row_wanted(table.name, row.key, row.subtotal)
            if table.name == "month" and narrowed.month is not None and int(row.key) != narrowed.month:
                continue
            if any(name in base and base[name] != value for name, value in extra.items()):
                expected = (0, 0, 0, Decimal(0))  # the row asks for what the filters exclude (others, key groups only)
            else:
                expected = independent(narrowed.year, **{**base, **extra})
            assert _four(row.figures) == expected, (scope, filters, table.name, row.key)
            checked += 1
    return checked


def _filters(world: dict[str, Any]) -> list[Filters]:
    institution = SubsidyClaim.objects.filter(city_id=LIUZHOU).values_list("institution_id", flat=True).first()
    year = Filters(year=2026)
    return [year, Filters(year=2025), replace(year, month=3), replace(year, month=5), replace(year, city=NANNING),
            replace(year, city=LIUZHOU, month=5), replace(year, county="450102"), replace(year, county="450202"),
            replace(year, training_type=TrainingType.SPECIAL_ABILITY),
            replace(year, training_form=TrainingForm.SKILL_UPGRADE),
            replace(year, fund=FundSource.SPECIAL_ACCOUNT), replace(year, occupation=world["welder"].code),
            replace(year, industry="ai"), replace(year, industry="ai", month=5), replace(year, key_group=True),
            replace(year, key_group=False), replace(year, programme_tag="ai-pilot"),
            replace(year, programme_tag="brand"), replace(year, institution=institution),
            replace(year, city=NANNING, fund=FundSource.EMPLOYMENT_SUBSIDY),
            replace(year, industry="ai", key_group=True, county="450102"),
            replace(year, city=LIUZHOU, industry="auto")]


def test_every_figure_of_every_reader_and_filter_equals_a_count_from_the_records(
        world, nanning_official, liuzhou_official) -> None:
    department = User.objects.create(username="ai-dept", role=Role.INDUSTRY_DEPARTMENT, industry=world["ai"])
    checked = 0
    for user_scope in (Scope(Role.PROVINCE_OFFICIAL), statistics.scope_of(nanning_official),
                       statistics.scope_of(liuzhou_official), statistics.scope_of(department)):
        for filters in _filters(world):
            try:
                checked += _check_page(user_scope, filters)
            except statistics.OutOfScope:
                assert user_scope.city not in (None, filters.city) or user_scope.industry not in (
                    None, filters.industry) or filters.county
    assert checked > 500
    # The province's 2026: 10 trainings (7 of key groups) of 9 people (one trained twice), as the world says.
    assert _four(statistics.summary(Scope(Role.PROVINCE_OFFICIAL), Filters(year=2026)))[:3] == (10, 7, 9)


def test_the_pre_aggregate_equals_the_live_count_of_the_claims(world) -> None:
    """The same selections counted from the claims themselves (statistics.selected_claims, the definition's
    queryset) and from the pre-aggregate agree, figure by figure."""
    from django.db.models import Count, Sum

    for filters in _filters(world):
        live = statistics.selected_claims(filters).aggregate(
            trainings=Count("pk"), people=Count("person_id", distinct=True), amount=Sum("total_amount"))
        shown = statistics.summary(Scope(Role.PROVINCE_OFFICIAL), filters)
        assert (shown.trainings, shown.people, shown.amount) == (
            live["trainings"], live["people"], live["amount"] or Decimal("0.00")), filters
    tally = figures.tally(2026)
    for city in (NANNING, LIUZHOU):
        assert tally.city(city) == figures.counted_cell(city, 2026)


def test_the_people_table_holds_the_pages_as_readers_open_them(world) -> None:
    assert statistics.people_scope(Filters(year=2026)) == ""
    assert statistics.people_scope(Filters(year=2026, month=5, city=LIUZHOU)) == f"city:{LIUZHOU}"
    assert statistics.people_scope(Filters(year=2026, industry="ai")) == "industry:ai"
    assert statistics.people_scope(Filters(year=2026, city=NANNING, industry="ai")) is None
    assert statistics.people_scope(Filters(year=2026, fund=FundSource.SPECIAL_ACCOUNT)) is None
    stored = PeopleCount.objects.get(year=2026, month=0, scope="", dimension="", key="")
    assert stored.people == independent(2026)[2] == 9
    assert PeopleCount.objects.get(year=2026, month=5, scope=f"city:{LIUZHOU}", dimension="").people == 4
    assert CountedTraining.objects.filter(year=2026).count() == 10
    assert sum(DailyTrainings.objects.filter(year=2026).values_list("trainings", flat=True)) == 10


def test_small_cell_suppression_reads_the_same_figures(world) -> None:
    table = statistics.breakdown(Scope(Role.PROVINCE_OFFICIAL), Filters(year=2026), "city")
    people = [row.figures.people for row in table.rows]
    assert people[:2] == [6, 4]  # 南宁 6 people, 柳州 4 (the person trained twice is in both)
    # With a minimum of 5, 柳州's 4 is hidden; the other cities are 0 (shown), so 南宁's 6 goes with it, else
    # the total would give 柳州's away.
    assert suppress_column(people, minimum=5)[:2] == ["*", "<5"]


def test_a_committed_decision_queues_a_refresh_that_brings_the_figures_up_to_date(
        world, nanning_official, django_capture_on_commit_callbacks) -> None:
    province = Scope(Role.PROVINCE_OFFICIAL)
    before = statistics.summary(province, Filters(year=2026))
    stamped = AggregatedYear.objects.get(year=2026).refreshed_at
    pending = SubsidyClaim.objects.filter(city_id=NANNING, status=ClaimStatus.PENDING,
                                          end_date__year=2026).order_by("pk").first()
    # Rejected through funding's writer: its commit tells insight (funding.claim_changes), which queues a refresh
    # of 2026; the tests' task backend runs it at once.
    with django_capture_on_commit_callbacks(execute=True):
        reject_claim(nanning_official, pending, "材料不实")
    after = statistics.summary(province, Filters(year=2026))
    assert after.trainings == before.trainings - 1 == independent(2026)[0]
    assert _four(after) == independent(2026)
    assert AggregatedYear.objects.get(year=2026).refreshed_at > stamped
    job = StatisticsRefresh.objects.latest("pk")
    assert (job.status, job.trigger, job.years, job.every_year) == (StatisticsRefreshStatus.DONE, "claims_changed",
                                                                    [2026], False)
    assert AuditEntry.objects.filter(action="statistics.refresh_queued", target_pk=str(job.pk)).exists()
    refreshed = AuditEntry.objects.get(action="statistics.refreshed", target_pk=str(job.pk))
    assert refreshed.after["trainings"] == independent(2026)[0] and refreshed.after["years"] == [2026]


def test_a_change_in_a_transaction_that_rolls_back_queues_nothing(world, nanning_official,
                                                                  django_capture_on_commit_callbacks) -> None:
    pending = SubsidyClaim.objects.filter(city_id=NANNING, status=ClaimStatus.PENDING).order_by("pk").first()
    jobs = StatisticsRefresh.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        with transaction.atomic():
            reject_claim(nanning_official, pending, "材料不实")
            raise RuntimeError("rolled back")
    assert callbacks == [] and StatisticsRefresh.objects.count() == jobs


def test_a_refresh_waiting_in_the_queue_takes_in_later_changes_and_runs_once(world, tmp_path) -> None:
    database_queue = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with override_settings(TASKS=database_queue):
        first = queue_refresh(None, [2026], "claims_changed")
        assert first.status == StatisticsRefreshStatus.QUEUED and first.task_id
        assert queue_refresh(None, [2026], "claims_changed").pk == first.pk  # folded into the waiting one
        other = queue_refresh(None, [2025], "claims_changed")
        assert other.pk != first.pk
        assert queue_refresh(None, None, "rebuild").pk not in (first.pk, other.pk)
        assert queue_refresh(None, [2024], "claims_changed").every_year  # a waiting full rebuild covers it
    run_refresh.call(first.pk)
    first.refresh_from_db()
    assert first.status == StatisticsRefreshStatus.DONE
    stamped = AggregatedYear.objects.get(year=2026).refreshed_at
    assert run_refresh.call(first.pk) == StatisticsRefreshStatus.DONE  # a reclaimed task: left as it is
    assert AggregatedYear.objects.get(year=2026).refreshed_at == stamped
    # Run twice over the same claims (a retried refresh), the rows are the same, not doubled.
    rows = CountedTraining.objects.count(), DailyTrainings.objects.count(), PeopleCount.objects.count()
    refresh(None, [2026], "test")
    refresh(None, [2026], "test")
    assert (CountedTraining.objects.count(), DailyTrainings.objects.count(), PeopleCount.objects.count()) == rows


def test_the_page_the_api_and_the_home_say_when_the_figures_were_refreshed(
        world, province_official, nanning_official, login) -> None:
    stamped = timezone.localtime(AggregatedYear.objects.get(year=2026).refreshed_at)
    with frozen_at(DAY):
        page = login(Client(), province_official).get("/insight/statistics/?year=2026",
                                                      HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        english = login(Client(), province_official).get("/insight/statistics/?year=2026",
                                                         HTTP_ACCEPT_LANGUAGE="en").content.decode()
        home = login(Client(), nanning_official).get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"数据更新于{stamped:%Y-%m-%d %H:%M}" in page and "分钟内计入" in page
    assert f"Figures as of {stamped:%Y-%m-%d %H:%M}" in english
    assert f"数据更新于{stamped:%Y-%m-%d %H:%M}" in home
    client = Client()
    with transaction.atomic():
        token, _ = issue_api_token(province_official, second_factor=pass_second_factor(province_official))
    shown = client.get("/api/v1/insight/statistics?year=2026", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    delta = dt.datetime.fromisoformat(shown["refreshed_at"]) - AggregatedYear.objects.get(year=2026).refreshed_at
    assert abs(delta) < dt.timedelta(milliseconds=1)  # the API's time is to the millisecond
    assert shown["total"]["trainings"] == independent(2026)[0]
    AggregatedYear.objects.all().delete()
    with frozen_at(DAY):
        never = login(Client(), province_official).get("/insight/statistics/?year=2026",
                                                       HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "统计数据尚未汇总" in never
