"""The demand gap (1c 动态需求数据库): the figure against an independent count, the demand on a past date, the page,
the .xlsx, the API under scope and the queue of reports no class answers."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import zipfile
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from python_calamine import CalamineWorkbook

from qiancheng.accounts.services import issue_api_token
from qiancheng.accounts.tests.second_factor_support import pass_second_factor
from qiancheng.catalog.models import City, Occupation
from qiancheng.clock import frozen_at, today
from qiancheng.demand import services as demand_services
from qiancheng.demand.models import DemandReport, DemandReportVersion
from qiancheng.demand.tests.support import CARE_WORKER, open_round, report
from qiancheng.evaluation.models import Certificate, CertificateKind, CertificateStatus, Evaluation
from qiancheng.funding.models import ClaimStatus, ProofKind
from qiancheng.insight import demand_gap
from qiancheng.insight.gap_views import gap_file
from qiancheng.training.models import ClassStatus, TrainingClass
from qiancheng.training.tests import builders
from qiancheng.web.queues import queues_for

pytestmark = pytest.mark.django_db
_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def _catalog(catalog_loaded: dict[str, int]) -> None:
    """Occupations, counties and industries of the shipped catalog."""


def _trained_class(city: City, trainees: int, *, certified: int, placed: int, level: int = 4,
                   end: dt.date | None = None) -> TrainingClass:
    """A finished class of 养老护理员 in `city`: `certified` of its trainees hold the level's certificate (issued
    today), `placed` have an employment proof dated today on a pending claim."""
    end = end or today() - dt.timedelta(days=2)
    training = builders.training_class(city=city, occupation=Occupation.objects.get(code=CARE_WORKER), level=level,
                                       start_date=end - dt.timedelta(days=20), end_date=end)
    for number in range(trainees):
        enrolment = builders.enrolment(training, enrolled_on=training.start_date)
        if number < certified:
            evaluation = Evaluation.objects.create(enrolment=enrolment, person=enrolment.person, passed=True,
                                                   evaluated_on=end, evaluator="鉴定中心")
            Certificate.objects.create(
                number=f"GAP-{next(_serial)}", kind=CertificateKind.VOCATIONAL_SKILL_LEVEL, person=enrolment.person,
                occupation=training.occupation, level=level, issuer="鉴定中心", issued_on=today(),
                evaluation=evaluation)
        if number < placed:
            builders.subsidy_claim(enrolment, f"GAP-CLAIM-{next(_serial)}", status=ClaimStatus.PENDING,
                                   employment_proof_kind=ProofKind.LABOUR_CONTRACT, employment_proof_date=today())
    return training


def _demand(province_official: Any, enterprise_user: Any, headcount: int = 20) -> DemandReport:
    census = open_round(province_official)
    demand_services.submit_reports(enterprise_user, census, enterprise_user.enterprise, [report(headcount=headcount)])
    return DemandReport.objects.get(census_round=census)


def _independent(city_code: str, start: dt.date, end: dt.date) -> int:
    """The gap of 养老护理员 level 4 in the city, counted from the records one by one."""
    wanted = sum(each.headcount for each in DemandReport.objects.all()
                 if each.enterprise.city_id == city_code and each.occupation_id == CARE_WORKER and each.level == 4)
    certified = sum(1 for each in Certificate.objects.all()
                    if each.evaluation and each.evaluation.enrolment.training_class.city_id == city_code
                    and each.occupation_id == CARE_WORKER and each.level == 4 and start <= each.issued_on <= end
                    and each.status == CertificateStatus.VALID)
    from qiancheng.funding.models import SubsidyClaim
    placed = sum(1 for each in SubsidyClaim.objects.all()
                 if each.enrolment.training_class.city_id == city_code and each.employment_proof_date
                 and start <= each.employment_proof_date <= end and each.level == 4)
    return wanted - certified - placed


def test_the_gap_is_demand_minus_certificates_minus_placements(province_official, nanning_official,
                                                               liuzhou_official, enterprise_user) -> None:
    _demand(province_official, enterprise_user)
    nanning, liuzhou = City.objects.get(code="450100"), City.objects.get(code="450200")
    _trained_class(nanning, 7, certified=5, placed=2)
    _trained_class(nanning, 3, certified=3, placed=0, level=3)  # another level: not this row
    _trained_class(liuzhou, 4, certified=4, placed=4)  # another city
    revoked = Certificate.objects.filter(level=3).first()
    revoked.status, revoked.revoked_on, revoked.revoked_reason = CertificateStatus.REVOKED, today(), "舞弊"
    revoked.save()
    start = today() - dt.timedelta(days=30)
    table = demand_gap.gap_table(nanning_official, start, today())
    row = next(row for row in table.rows if (row.occupation_code, row.level) == (CARE_WORKER, 4))
    assert (row.demand, row.certified, row.placed, row.gap) == (20, 5, 2, 13)
    assert row.gap == _independent("450100", start, today()) == 13
    assert {each.city_code for each in table.rows} == {"450100"}
    level_three = next(row for row in table.rows if row.level == 3)
    assert (level_three.demand, level_three.certified, level_three.gap) == (0, 2, -2)  # the revoked one is out
    assert table.rows[0] is row  # largest gap first
    province = demand_gap.gap_table(province_official, start, today())
    assert {each.city_code for each in province.rows} == {"450100", "450200"}
    assert demand_gap.gap_table(province_official, start, today(), city_code="450200").totals["demand"] == 0
    with pytest.raises(LookupError):
        demand_gap.gap_table(nanning_official, start, today(), city_code="450200")
    # a window before the certificates and proofs: the demand alone
    before = demand_gap.gap_table(nanning_official, start, today() - dt.timedelta(days=1))
    assert [(row.demand, row.certified, row.placed) for row in before.rows] == []  # the report was filed today


def test_every_change_is_a_dated_version_and_the_demand_of_a_past_day_is_kept(province_official,
                                                                               enterprise_user) -> None:
    filed = _demand(province_official, enterprise_user, headcount=20)
    assert list(filed.versions.values_list("headcount", flat=True)) == [20]
    result = demand_services.submit_reports(enterprise_user, filed.census_round, enterprise_user.enterprise,
                                            [report(headcount=20)])
    assert result.unchanged == 1 and filed.versions.count() == 1  # nothing changed, no version
    demand_services.submit_reports(enterprise_user, filed.census_round, enterprise_user.enterprise,
                                   [report(headcount=35)])
    assert list(filed.versions.order_by("recorded_at", "pk").values_list("headcount", flat=True)) == [20, 35]
    # the first version dated three days ago, the change yesterday
    first, second = filed.versions.order_by("recorded_at", "pk")
    DemandReportVersion.objects.filter(pk=first.pk).update(recorded_at=first.recorded_at - dt.timedelta(days=3))
    DemandReportVersion.objects.filter(pk=second.pk).update(recorded_at=second.recorded_at - dt.timedelta(days=1))
    reports = DemandReport.objects.filter(pk=filed.pk)
    assert demand_gap.headcounts_on(reports, today() - dt.timedelta(days=4)) == {}
    assert demand_gap.headcounts_on(reports, today() - dt.timedelta(days=2)) == {filed.pk: 20}
    assert demand_gap.headcounts_on(reports, today()) == {filed.pk: 35}


def test_the_xlsx_has_its_header_block_rows_and_totals(province_official, nanning_official, enterprise_user) -> None:
    _demand(province_official, enterprise_user)
    _trained_class(City.objects.get(code="450100"), 7, certified=5, placed=2)
    table = demand_gap.gap_table(nanning_official, today() - dt.timedelta(days=30), today())
    data = gap_file(nanning_official, table)
    cells = [tuple(row) for row in _cells(data)]
    header = {row[0]: row[1] for row in cells[1:7]}
    assert header["填报单位 Unit"] == "南宁市人力资源和社会保障局"
    assert header["统计期间 Period"] == f"{table.date_from.isoformat()} 至 {table.date_to.isoformat()}"
    assert header["编制人 Compiler"] == nanning_official.username
    columns = cells.index(next(row for row in cells if row[0] == "职业编码 Occupation code"))
    body = cells[columns + 1:]
    assert body[0][:9] == (CARE_WORKER, "养老护理员", 4, "南宁市", 1, 20, 5, 2, 13)
    assert body[-1][0] == "合计 Total" and body[-1][5:9] == (20, 5, 2, 13)
    assert "<f>" not in _sheet_xml(data)  # no formula anywhere


def _cells(data: bytes) -> list[list[Any]]:
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    return [[int(value) if isinstance(value, float) and value.is_integer() else value for value in row]
            for row in rows]


def _sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return book.read("xl/worksheets/sheet1.xml").decode()


def test_text_that_looks_like_a_formula_stays_text() -> None:
    from qiancheng.web.table_xlsx import TableFile, table_xlsx

    data = table_xlsx(TableFile(sheet="s", title="t", header=[("单位", "=1+1")], columns=["a", "b"],
                                rows=[["@SUM(A1)", 3], ["-2+3", None]], totals=["合计", 3]))
    cells = _cells(data)
    assert cells[1][:2] == ["单位", "=1+1"]
    assert ["@SUM(A1)", 3] in [row[:2] for row in cells] and "-2+3" in [row[0] for row in cells]
    xml = _sheet_xml(data)
    assert "<f>" not in xml and 'quotePrefix' in zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml").decode()


def _api(user: Any) -> tuple[Client, dict[str, str]]:
    with transaction.atomic():
        token, _ = issue_api_token(user, second_factor=pass_second_factor(user))
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_the_page_the_export_and_the_api_under_scope(province_official, nanning_official, liuzhou_official,
                                                     enterprise_user, login) -> None:
    _demand(province_official, enterprise_user)
    _trained_class(City.objects.get(code="450100"), 7, certified=5, placed=2)
    page = login(Client(), nanning_official).get("/insight/demand-gap/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="gap-4-10-01-05-4-450100"' in html and 'id="gap-chart"' in html
    assert login(Client(), nanning_official).get("/insight/demand-gap/?city=450200").status_code == 404
    other = login(Client(), liuzhou_official).get("/insight/demand-gap/").content.decode()
    assert "gap-4-10-01-05-4-450100" not in other
    export = login(Client(), province_official).get("/insight/demand-gap/export.xlsx?city=450100")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    client, headers = _api(nanning_official)
    body = client.get("/api/v1/insight/demand-gap", **headers).json()
    assert body["totals"]["gap"] == 13 and body["rows"][0]["gap"] == 13 and body["city_code"] == "450100"
    assert client.get("/api/v1/insight/demand-gap?city_code=450200", **headers).status_code == 404
    for bad in ("date_from=2026-13-01", "level=9", "city_code=x';--", "date_from=2026-05-02&date_to=2026-05-01",
                "date_from=2020-01-01&date_to=2026-01-01"):
        answer = client.get(f"/api/v1/insight/demand-gap?{bad}", **headers)
        assert answer.status_code == 422, bad
        assert {"code", "message_zh", "message_en"} <= set(answer.json())
    liuzhou_client, liuzhou_headers = _api(liuzhou_official)
    assert liuzhou_client.get("/api/v1/insight/demand-gap", **liuzhou_headers).json()["rows"] == []


def test_demand_no_class_answers_waits_in_the_city_queue_oldest_first(province_official, nanning_official,
                                                                      liuzhou_official, enterprise_user) -> None:
    first = _demand(province_official, enterprise_user)
    days = demand_gap.answer_days_on(today()).days
    assert list(demand_gap.unanswered_reports(nanning_official)) == []  # filed today: not late yet
    with frozen_at(today() + dt.timedelta(days=days + 2)):
        assert list(demand_gap.unanswered_reports(nanning_official)) == [first]
        assert list(demand_gap.unanswered_reports(liuzhou_official)) == []
        state = next(each for each in queues_for(nanning_official) if each.key == "unanswered_demand")
        assert state.count == 1 and state.oldest_days >= days + 2
    # a class of its occupation and level in its city answers it
    builders.training_class(city=City.objects.get(code="450100"), occupation=first.occupation, level=4,
                            status=ClassStatus.APPROVED, start_date=today() + dt.timedelta(days=5),
                            end_date=today() + dt.timedelta(days=30))
    with frozen_at(today() + dt.timedelta(days=days + 2)):
        assert list(demand_gap.unanswered_reports(nanning_official)) == []
