"""The demand gap counts special-ability items (3.2) beside occupations, and one row's history shows each dated
change on its day and every month's end, with the table's own figures (1c 动态需求数据库)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.test import Client

from qiancheng.catalog.models import City, SpecialAbilityItem
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.clock import frozen_at, today
from qiancheng.demand import services as demand_services
from qiancheng.demand.models import DemandReport
from qiancheng.demand.tests.support import open_round, report
from qiancheng.demand.tests.test_census import bearer
from qiancheng.evaluation.models import Certificate, CertificateKind, Evaluation
from qiancheng.funding.models import ClaimStatus, ProofKind
from qiancheng.insight import demand_gap
from qiancheng.insight.tests.test_demand_gap import _trained_class
from qiancheng.training.models import ClassStatus
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db
_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def _catalog(catalog_loaded: dict[str, int]) -> None:
    """Occupations, counties, industries and items of the shipped catalog."""


def _item_class(city: City, item: SpecialAbilityItem, trainees: int, *, certified: int, placed: int) -> None:
    end = today() - dt.timedelta(days=2)
    training = builders.training_class(city=city, training_type=TrainingType.SPECIAL_ABILITY, item=item,
                                       start_date=end - dt.timedelta(days=10), end_date=end,
                                       status=ClassStatus.FINISHED)
    for number in range(trainees):
        enrolment = builders.enrolment(training, enrolled_on=training.start_date)
        if number < certified:
            evaluation = Evaluation.objects.create(enrolment=enrolment, person=enrolment.person, passed=True,
                                                   evaluated_on=end, evaluator="鉴定中心")
            Certificate.objects.create(number=f"ITEM-{next(_serial)}", kind=CertificateKind.SPECIAL_ABILITY,
                                       person=enrolment.person, item=item, issuer="鉴定中心", issued_on=today(),
                                       evaluation=evaluation)
        if number < placed:
            builders.subsidy_claim(enrolment, f"ITEM-CLAIM-{next(_serial)}", status=ClaimStatus.PENDING, item=item,
                                   employment_proof_kind=ProofKind.LABOUR_CONTRACT, employment_proof_date=today())


def test_an_items_demand_certificates_and_placements_make_its_own_row(province_official: Any, nanning_official: Any,
                                                                       enterprise_user: Any, login: Any) -> None:
    item = SpecialAbilityItem.objects.filter(is_active=True).order_by("code").first()
    census = open_round(province_official)
    demand_services.submit_reports(enterprise_user, census, enterprise_user.enterprise, [
        report(occupation=None, level=None, item=item.code, headcount=12), report(headcount=20)])
    _item_class(City.objects.get(code="450100"), item, 6, certified=4, placed=1)
    table = demand_gap.gap_table(nanning_official, today() - dt.timedelta(days=30), today())
    rows = {(row.occupation_code, row.item_code, row.level): row for row in table.rows}
    item_row = rows[("", item.code, None)]
    assert (item_row.occupation_name, item_row.demand, item_row.certified, item_row.placed, item_row.gap) == (
        item.name, 12, 4, 1, 7)
    assert rows[("4-10-01-05", "", 4)].gap == 20  # the occupation's row is untouched by the item's class
    only = demand_gap.gap_table(nanning_official, today() - dt.timedelta(days=30), today(), item_code=item.code)
    assert [row.gap for row in only.rows] == [7]
    api = Client().get("/api/v1/insight/demand-gap", {"date_from": str(today() - dt.timedelta(days=30))},
                       **bearer(nanning_official))
    assert {"item_code": item.code, "level": None, "gap": 7}.items() <= next(
        each for each in api.json()["rows"] if each["item_code"]).items()


def test_an_item_report_no_class_answers_waits_in_the_queue(province_official: Any, nanning_official: Any,
                                                            enterprise_user: Any) -> None:
    item = SpecialAbilityItem.objects.filter(is_active=True).order_by("code").first()
    census = open_round(province_official, period_to=today() + dt.timedelta(days=365))
    demand_services.submit_reports(enterprise_user, census, enterprise_user.enterprise, [
        report(occupation=None, level=None, item=item.code, headcount=3,
               deadline=today() + dt.timedelta(days=300))])
    filed = DemandReport.objects.get()
    with frozen_at(today() + dt.timedelta(days=demand_gap.answer_days_on(today()).days + 2)):
        assert list(demand_gap.unanswered_reports(nanning_official)) == [filed]
        builders.training_class(city=City.objects.get(code="450100"), training_type=TrainingType.SPECIAL_ABILITY,
                                item=item, start_date=today(), end_date=today() + dt.timedelta(days=10),
                                status=ClassStatus.APPROVED)
        assert list(demand_gap.unanswered_reports(nanning_official)) == []


def test_the_history_shows_each_change_on_its_day_with_the_tables_figures(
        province_official: Any, nanning_official: Any, liuzhou_official: Any, enterprise_user: Any,
        login: Any) -> None:
    start = today() - dt.timedelta(days=40)
    with frozen_at(start + dt.timedelta(days=1)):
        census = open_round(province_official, period_from=start, period_to=today() + dt.timedelta(days=80))
        demand_services.submit_reports(enterprise_user, census, enterprise_user.enterprise, [report(headcount=20)])
    _trained_class(City.objects.get(code="450100"), 7, certified=5, placed=2)  # certificates and proofs today
    history = demand_gap.gap_history(nanning_official, city_code=None, date_from=start, date_to=today(),
                                     occupation_code="4-10-01-05", level=4)
    by_day = {point.day: point for point in history.points}
    filed_on = start + dt.timedelta(days=1)
    assert demand_gap.EVENT_REPORTED in by_day[filed_on].events and by_day[filed_on].gap == 20
    assert {demand_gap.EVENT_CERTIFIED, demand_gap.EVENT_PLACED} <= set(by_day[today()].events)
    assert by_day[today()].gap == 13
    month_ends = [point.day for point in history.points if demand_gap.EVENT_MONTH_END in point.events]
    assert month_ends and all((day + dt.timedelta(days=1)).day == 1 for day in month_ends)
    # every point is the table's own figure over [start, that day]
    for point in history.points:
        rows = demand_gap.gap_table(nanning_official, start, point.day, occupation_code="4-10-01-05", level=4).rows
        assert point.gap == (rows[0].gap if rows else 0)
    client = login(Client(), nanning_official)
    page = client.get("/insight/demand-gap/history/", {"occupation": "4-10-01-05", "level": "4",
                                                       "date_from": start.isoformat()})
    assert page.status_code == 200 and f'data-testid="history-{today().isoformat()}"' in page.content.decode()
    assert client.get("/insight/demand-gap/history/", {"occupation": "4-10-01-05", "level": "4",
                                                       "city": "450200"}).status_code == 404
    assert client.get("/insight/demand-gap/history/", {"occupation": "4-10-01-05"}).status_code == 422
    assert login(Client(), liuzhou_official).get("/insight/demand-gap/history/", {
        "occupation": "4-10-01-05", "level": "4"}).status_code == 200
    assert login(Client(), enterprise_user).get("/insight/demand-gap/history/").status_code in (403, 404)
    api = Client().get("/api/v1/insight/demand-gap/history", {"occupation_code": "4-10-01-05", "level": 4,
                                                              "date_from": start.isoformat()}, **bearer(nanning_official))
    assert api.status_code == 200 and api.json()["points"][-1]["gap"] == 13
    assert Client().get("/api/v1/insight/demand-gap/history", {"occupation_code": "4-10-01-05", "level": 4,
                                                               "city_code": "450200"},
                        **bearer(nanning_official)).status_code == 404
