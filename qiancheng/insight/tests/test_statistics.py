"""The statistics page (6a): every figure on the page, in its .xlsx and in the API equals a count made here from the
records in plain Python; scope (province, city, industry department); small-cell suppression; an industry's plan."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client
from django.utils import timezone
from python_calamine import CalamineWorkbook

from qiancheng.accounts.models import AuditEntry, Role, User
from qiancheng.accounts.services import issue_api_token
from qiancheng.accounts.tests.second_factor_support import pass_second_factor
from qiancheng.catalog.models import City, Industry
from qiancheng.clock import frozen_at
from qiancheng.funding.models import ClaimStatus, FundSource, SubsidyClaim
from qiancheng.insight import industry_plans, statistics
from qiancheng.insight.statistics import Filters, Scope, suppress_column, suppress_small
from qiancheng.insight.tests.records import refreshed
from qiancheng.people.models import PersonCategory
from qiancheng.training.models import TrainingClass, TrainingForm
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 7, 2)
KEY, OTHER = PersonCategory.RURAL_MIGRANT_WORKER, PersonCategory.ENTERPRISE_EMPLOYEE
_serial = itertools.count(1)


def _class(city: City, end: dt.date, form: str, industry: Industry | None, institution_name: str = "") -> TrainingClass:
    institution = builders.institution(city=city, **({"name": institution_name} if institution_name else {}))
    return builders.training_class(city=city, institution=institution, start_date=end - dt.timedelta(days=20),
                                   end_date=end, training_form=form, industry=industry)


def _claim(training: TrainingClass, category: str, amount: str = "1000.00", *, status: str = ClaimStatus.PENDING,
           eligible: bool = True, fund: str = FundSource.EMPLOYMENT_SUBSIDY) -> SubsidyClaim:
    enrolment = builders.enrolment(training, builders.person(category=category), category=category)
    money = Decimal(amount) if eligible else Decimal("0.00")
    return builders.subsidy_claim(
        enrolment, f"ST{next(_serial):07d}", status=status, fund=fund, eligible=eligible, training_amount=money,
        employment_amount=Decimal("0.00"), total_amount=money, decided_at=timezone.now(),
        denied_by="" if eligible else "3.5a")


@pytest.fixture
def world(nanning_official: User, liuzhou_official: User) -> dict[str, Any]:
    ai = Industry.objects.get_or_create(code="ai", defaults={"name": "人工智能", "is_ai": True})[0]
    auto = Industry.objects.get_or_create(code="auto", defaults={"name": "汽车"})[0]
    nanning, liuzhou = nanning_official.city, liuzhou_official.city
    first = _class(nanning, dt.date(2026, 3, 31), TrainingForm.EMPLOYMENT_SKILLS, ai, institution_name="=HYPERLINK(1)")
    for amount in ("1000.00", "1200.50", "800.00"):
        _claim(first, KEY, amount)
    _claim(first, OTHER, "1500.00", fund=FundSource.SPECIAL_ACCOUNT, status=ClaimStatus.PAID)
    second = _class(liuzhou, dt.date(2026, 5, 31), TrainingForm.SKILL_UPGRADE, auto)
    _claim(second, OTHER, "2000.00", status=ClaimStatus.APPROVED)
    _claim(second, OTHER, "2000.00")
    _claim(second, KEY, eligible=False)  # denied by the engine: not a training
    _claim(second, KEY, status=ClaimStatus.WITHDRAWN)  # withdrawn: not counted
    third = _class(liuzhou, dt.date(2026, 5, 15), TrainingForm.EMPLOYMENT_SKILLS, ai)
    _claim(third, KEY, "600.00")
    _claim(_class(nanning, dt.date(2025, 12, 31), "", None), KEY)  # another year
    _claim(_class(nanning, dt.date(2026, 6, 30), "", None), OTHER, "300.00")  # form and industry not recorded
    refreshed()
    return {"ai": ai, "auto": auto}


def independent(year: int = 2026, **wanted: Any) -> tuple[int, int, int, Decimal]:
    """(trainings, key group, people, amount in yuan) by docs/statistics.md, counted claim by claim in Python."""
    counting = {"pending", "approved", "paid"}
    key_groups = {"graduate_youth", "rural_migrant_worker", "registered_unemployed", "employment_difficulty"}
    trainings = key = 0
    people: set[str] = set()
    amount = Decimal(0)
    for each in SubsidyClaim.objects.select_related("enrolment__training_class"):
        training = each.enrolment.training_class
        facts = {"city": each.city_id, "month": each.end_date.month, "fund": each.fund,
                 "form": training.training_form, "industry": training.industry_id,
                 "key": each.person_category in key_groups, "category": each.person_category}
        if each.status not in counting or each.eligible is not True or each.end_date.year != year:
            continue
        if any(facts[name] != value for name, value in wanted.items()):
            continue
        trainings += 1
        key += facts["key"]
        people.add(each.person_id)
        amount += each.total_amount
    return trainings, key, len(people), amount


def _triple(figures: statistics.Figures) -> tuple[int, int, int, Decimal]:
    return figures.trainings, figures.key_group, figures.people, figures.amount


PROVINCE = Scope(Role.PROVINCE_OFFICIAL)


def test_the_summary_and_every_breakdown_equal_a_count_from_the_records(world) -> None:
    filters = Filters(year=2026)
    assert _triple(statistics.summary(PROVINCE, filters)) == independent()
    by_city = statistics.breakdown(PROVINCE, filters, "city")
    for row in by_city.rows:
        assert _triple(row.figures) == independent(city=row.key), row.key
    assert [row.key for row in by_city.rows[:2]] == ["450100", "450200"]  # the ranking: most trainings first
    trend = statistics.trend(PROVINCE, filters)
    assert [row.key for row in trend.rows] == [str(month) for month in range(1, 13)]
    for row in trend.rows:
        assert _triple(row.figures) == independent(month=int(row.key))
    for row in statistics.breakdown(PROVINCE, filters, "training_form").rows:
        assert _triple(row.figures) == independent(form=row.key)
    for row in statistics.breakdown(PROVINCE, filters, "industry").rows:
        assert _triple(row.figures) == independent(industry=row.key or None)
    for row in statistics.breakdown(PROVINCE, filters, "fund").rows:
        assert _triple(row.figures) == independent(fund=row.key)
    categories = statistics.breakdown(PROVINCE, filters, "category")
    subtotals = {row.key: row.figures for row in categories.rows if row.subtotal}
    assert _triple(subtotals["key"]) == independent(key=True)
    assert _triple(subtotals["other"]) == independent(key=False)
    assert categories.total.trainings == subtotals["key"].trainings + subtotals["other"].trainings
    assert _triple(statistics.summary(PROVINCE, Filters(year=2026, month=5, city="450200"))) == independent(
        month=5, city="450200")
    assert _triple(statistics.summary(PROVINCE, Filters(year=2026, key_group=True, industry="ai"))) == independent(
        key=True, industry="ai")
    assert statistics.summary(PROVINCE, filters).amount_wan == (independent()[3] / 10000).quantize(Decimal("0.01"))


def test_a_city_counts_its_own_city_and_no_other(world, nanning_official) -> None:
    scope = statistics.scope_of(nanning_official)
    assert _triple(statistics.summary(scope, Filters(year=2026))) == independent(city="450100")
    assert [row.key for row in statistics.breakdown(scope, Filters(year=2026), "city").rows] == ["450100"]
    with pytest.raises(statistics.OutOfScope):
        statistics.summary(scope, Filters(year=2026, city="450200"))
    with pytest.raises(statistics.OutOfScope):
        statistics.summary(scope, Filters(year=2026, county="450202"))


@pytest.fixture
def ai_department(world) -> User:
    return User.objects.create(username="ai-dept", role=Role.INDUSTRY_DEPARTMENT, industry=world["ai"])


def test_an_industry_department_counts_its_industry_in_every_city(world, ai_department) -> None:
    scope = statistics.scope_of(ai_department)
    assert _triple(statistics.summary(scope, Filters(year=2026))) == independent(industry="ai")
    by_city = {row.key: row.figures for row in statistics.breakdown(scope, Filters(year=2026), "city").rows}
    assert _triple(by_city["450200"]) == independent(industry="ai", city="450200") and by_city["450200"].trainings
    with pytest.raises(statistics.OutOfScope):
        statistics.summary(scope, Filters(year=2026, industry="auto"))


def test_other_roles_read_no_statistics(institution_user, trainee_user) -> None:
    for user in (institution_user, trainee_user):
        with pytest.raises(statistics.NotAReader):
            statistics.scope_of(user)


# ---------------------------------------------------------------- the page


def _cell(html: str, row: str, column: str) -> str:
    found = re.search(rf'data-testid="{re.escape(row)}".*?data-testid="{column}">(.*?)</td>', html, re.S)
    assert found, (row, column)
    return found.group(1).strip()


def test_the_page_shows_the_counted_figures(world, province_official, login) -> None:
    client = login(Client(), province_official)
    with frozen_at(DAY):
        response = client.get("/insight/statistics/?year=2026", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    html = response.content.decode()
    for code in ("450100", "450200"):
        trainings, _key, people, amount = independent(city=code)
        assert _cell(html, f"row-city-{code}", "trainings") == str(trainings)
        assert _cell(html, f"row-city-{code}", "people") == str(people)
        assert _cell(html, f"row-city-{code}", "amount") == f"{amount / 10000:.2f}"
    assert _cell(html, "row-month-5", "trainings") == str(independent(month=5)[0])
    assert _cell(html, "row-training_form-skill_upgrade", "trainings") == str(independent(form="skill_upgrade")[0])
    assert _cell(html, "total-city", "trainings") == str(independent()[0])
    assert 'id="trend-chart"' in html and 'id="ranking-chart"' in html and "style=" not in html and "echarts" not in html
    assert "<script>" not in html


def test_the_city_page_and_the_industry_page_are_scoped(world, nanning_official, ai_department, login) -> None:
    html = login(Client(), nanning_official).get("/insight/statistics/?year=2026").content.decode()
    assert "row-city-450100" in html and "row-city-450200" not in html
    assert login(Client(), nanning_official).get("/insight/statistics/?year=2026&city=450200").status_code == 404
    client = Client()
    client.force_login(ai_department)
    html = client.get("/insight/statistics/?year=2026").content.decode()
    assert _cell(html, "total-city", "trainings") == str(independent(industry="ai")[0])
    assert client.get("/insight/statistics/?year=2026&industry=auto").status_code == 404


def test_other_roles_are_refused_the_page(institution_user, login) -> None:
    assert login(Client(), institution_user).get("/insight/statistics/").status_code == 403


# ---------------------------------------------------------------- the .xlsx


def _cells(data: bytes) -> list[list[Any]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python(skip_empty_area=False)


def _row(cells: list[list[Any]], first: str) -> list[Any]:
    return next(row for row in cells if row and row[0] == first)


def test_each_table_exports_in_the_shape_of_a_provincial_report(world, province_official, login) -> None:
    client = login(Client(), province_official)
    with frozen_at(DAY):
        response = client.get("/insight/statistics/export.xlsx?table=category&year=2026")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    cells = _cells(response.content)
    assert cells[0][0].startswith("补贴性职业技能培训统计表")
    assert _row(cells, "填报单位 Unit")[1] == "广西壮族自治区人力资源和社会保障厅"
    assert _row(cells, "统计期间 Period")[1] == "2026-01-01 至 2026-12-31"
    assert _row(cells, "填报人 Compiler")[1] == province_official.username
    assert _row(cells, "填报日期 Date")[1] == DAY.isoformat()
    assert _row(cells, "金额单位 Amount unit")[1].startswith("万元")
    trainings, key, people, amount = independent()
    totals = _row(cells, "合计 Total")
    assert totals[1:3] == [trainings, key] and totals[4] == people
    assert round(totals[5], 2) == float((amount / 10000).quantize(Decimal("0.01")))
    key_subtotal = _row(cells, "重点群体小计")
    assert key_subtotal[1] == independent(key=True)[0]
    assert _row(cells, "其他人员小计")[1] == independent(key=False)[0]
    styles = response.content  # the 万元 column carries the two-place number format
    import zipfile

    with zipfile.ZipFile(io.BytesIO(styles)) as book:
        assert "#,##0.00" in book.read("xl/styles.xml").decode()
        assert "<f>" not in book.read("xl/worksheets/sheet1.xml").decode()


def test_a_name_that_looks_like_a_formula_stays_text_in_the_export(world, province_official, login) -> None:
    response = login(Client(), province_official).get("/insight/statistics/export.xlsx?table=institution&year=2026")
    cells = _cells(response.content)
    assert _row(cells, "=HYPERLINK(1)")[1] == 4  # read back as the text it is, never computed
    import zipfile

    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        assert "<f>" not in book.read("xl/worksheets/sheet1.xml").decode()
        assert "quotePrefix" in book.read("xl/styles.xml").decode()


def test_an_unknown_table_is_404(province_official, login) -> None:
    assert login(Client(), province_official).get("/insight/statistics/export.xlsx?table=x").status_code == 404


# ---------------------------------------------------------------- the API


def _api(user: User) -> Client:
    with transaction.atomic():
        token, _ = issue_api_token(user, second_factor=pass_second_factor(user)
                                   if user.role in (Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL) else None)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_api_gives_the_same_figures_under_scope(world, province_official, nanning_official, ai_department,
                                                    institution_user) -> None:
    body = _api(province_official).get("/api/v1/insight/statistics?year=2026").json()
    trainings, key, people, amount = independent()
    assert (body["total"]["trainings"], body["total"]["key_group"], body["total"]["people"]) == (trainings, key, people)
    assert body["total"]["amount"] == f"{amount:.2f}"
    cities = {row["key"]: row["trainings"] for row in next(t for t in body["tables"] if t["name"] == "city")["rows"]}
    assert cities == {code: independent(city=code)[0] for code in cities}
    forms = {row["key"]: row["trainings"] for row in
             _api(province_official).get("/api/v1/insight/statistics?year=2026&tables=training_form").json()
             ["tables"][0]["rows"]}
    assert forms["employment_skills"] == independent(form="employment_skills")[0]
    city = _api(nanning_official)
    assert city.get("/api/v1/insight/statistics?year=2026").json()["total"]["trainings"] == independent(
        city="450100")[0]
    assert city.get("/api/v1/insight/statistics?year=2026&city_code=450200").status_code == 404
    industry = _api(ai_department).get("/api/v1/insight/statistics?year=2026").json()
    assert industry["total"]["trainings"] == independent(industry="ai")[0] and industry["scope_industry"] == "ai"
    assert _api(institution_user).get("/api/v1/insight/statistics").status_code == 403
    assert _api(province_official).get("/api/v1/insight/statistics?tables=nope").status_code == 422
    assert _api(province_official).get("/api/v1/insight/statistics?month=13").status_code == 422


# ---------------------------------------------------------------- small cells (public pages)


def test_small_counts_are_suppressed_for_public_pages() -> None:
    assert [suppress_small(n) for n in (0, 1, 9, 10, 250)] == [0, "<10", "<10", 10, 250]
    assert suppress_small(None) is None
    assert suppress_small(4, minimum=5) == "<5" and suppress_small(5, minimum=5) == 5
    assert statistics.small_cell_min(dt.date(2026, 1, 1)) == 10


def test_one_suppressed_cell_beside_a_published_total_takes_the_next_smallest_with_it() -> None:
    # 120 - 40 - 70 would give the 3 back: the 40 is hidden too.
    assert suppress_column([3, 40, 70]) == ["<10", "*", 70]
    assert suppress_column([3, 4, 70]) == ["<10", "<10", 70]
    assert suppress_column([0, 12, 70]) == [0, 12, 70]
    assert suppress_column([3, 0]) == ["<10", 0]


# ---------------------------------------------------------------- an industry's plan (6)


def test_the_department_files_its_plan_and_sees_it_against_the_trainings(world, ai_department) -> None:
    occupation = builders.occupation()
    with frozen_at(DAY):
        plan = industry_plans.file_plan(ai_department, 2026, [(occupation.code, 20)], "桂工信发〔2026〕3号")
        progress = industry_plans.progress(ai_department, "ai", 2026)
    assert AuditEntry.objects.filter(action="industry_plan.filed", target_pk=str(plan.pk)).exists()
    line = progress.lines[0]
    assert line.achieved == independent(industry="ai")[0]  # every class of the world teaches this occupation
    assert line.expected == 10  # 20 × 183 / 365, rounded half up (figures.expected_by)
    assert line.behind is (line.achieved < 10)
    with frozen_at(DAY):
        newer = industry_plans.file_plan(ai_department, 2026, [(occupation.code, 30)], "桂工信发〔2026〕4号")
        assert industry_plans.progress(ai_department, "ai", 2026).plan == newer


def test_only_the_department_files_and_only_its_own_industry_is_read(world, ai_department, province_official,
                                                                     nanning_official) -> None:
    occupation = builders.occupation()
    with pytest.raises(PermissionDenied):
        industry_plans.file_plan(province_official, 2026, [(occupation.code, 20)], "文号")
    with pytest.raises(ValidationError):
        industry_plans.file_plan(ai_department, 2026, [("9-99-99-99", 20)], "文号")
    with pytest.raises(ValidationError):
        industry_plans.file_plan(ai_department, 2026, [(occupation.code, 1), (occupation.code, 2)], "文号")
    with pytest.raises(ValidationError):
        industry_plans.file_plan(ai_department, 2031, [(occupation.code, 1)], "文号")
    with pytest.raises(statistics.OutOfScope):
        industry_plans.progress(ai_department, "auto", 2026)
    with pytest.raises(statistics.NotAReader):
        industry_plans.progress(nanning_official, "ai", 2026)
    industry_plans.file_plan(ai_department, 2026, [(occupation.code, 20)], "文号")
    assert industry_plans.progress(province_official, "ai", 2026).plan is not None


def test_the_plan_page_and_api(world, ai_department, province_official, nanning_official, login) -> None:
    occupation = builders.occupation()
    client = Client()
    client.force_login(ai_department)
    with frozen_at(DAY):
        response = client.post("/insight/industry-plan/", {"year": 2026, "document": "桂工信发〔2026〕3号",
                                                            "lines": f"{occupation.code} 20\n"})
        assert response.status_code == 302
        html = client.get("/insight/industry-plan/?year=2026").content.decode()
    assert re.search(rf'data-testid="plan-{occupation.code}".*?data-testid="achieved">{independent(industry="ai")[0]}<',
                     html, re.S)
    api = _api(ai_department)
    assert api.get("/api/v1/insight/industry-plans/ai?year=2026").json()["planned"] == 20
    assert api.get("/api/v1/insight/industry-plans/auto?year=2026").status_code == 404
    assert _api(nanning_official).get("/api/v1/insight/industry-plans/ai?year=2026").status_code == 404  # no plan reader
    created = api.post("/api/v1/insight/industry-plans", {"year": 2026, "document": "桂工信发〔2026〕5号", "lines": [
        {"occupation_code": occupation.code, "count": 25}]}, content_type="application/json")
    assert created.status_code == 201 and created.json()["planned"] == 25
    assert api.post("/api/v1/insight/industry-plans", {"year": 2026, "document": "", "lines": []},
                    content_type="application/json").status_code == 422
    assert _api(province_official).post("/api/v1/insight/industry-plans", {"year": 2026, "document": "x", "lines": [
        {"occupation_code": occupation.code, "count": 1}]}, content_type="application/json").status_code == 403
    assert login(Client(), province_official).get("/insight/industry-plan/?industry=ai&year=2026").status_code == 200




def test_an_invalid_filter_says_so_and_shows_the_year(world, province_official, login) -> None:
    with frozen_at(DAY):
        html = login(Client(), province_official).get("/insight/statistics/?occupation=<script>").content.decode()
    assert 'data-testid="filters-refused"' in html
    assert _cell(html, "total-city", "trainings") == str(independent()[0])
    assert "<script>" not in html
