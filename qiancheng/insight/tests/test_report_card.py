"""The public report card (1e): the figures equal an independent count from the records, small cells are
suppressed, nothing personal is on it, anyone may open it, and it is cached and throttled."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from qiancheng.catalog.vocabulary import ApplicantRelation, TrainingType
from qiancheng.clock import frozen_at
from qiancheng.evaluation.models import Evaluation
from qiancheng.funding.models import FundSource, SubsidyClaim
from qiancheng.funding.services.employment import employment_by_institution
from qiancheng.insight import report_card
from qiancheng.insight.tests.rating_records import rated, rated_class
from qiancheng.training.models import ClassStatus, Enrolment, EnrolmentStatus, TrainingClass
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 7, 15)
END = dt.date(2026, 3, 31)  # the classes' end: inside the 12 months to DAY, and 5.2c's three months have passed
WELDER = ("6-18-02-04", "焊工")


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    with frozen_at(DAY):
        yield
    cache.clear()


def _employment(institution, employed: int, due: int) -> None:
    """`due` special-account project claims of a finished project class of the institution (a project class has
    no occupation), `employed` of them earned the 5.2c employment subsidy."""
    training = builders.training_class(institution=institution, city=institution.city,
                                       training_type=TrainingType.PROJECT, project=builders.project(),
                                       start_date=END - dt.timedelta(days=20), end_date=END)
    for n in range(due):
        enrolment = builders.enrolment(training, status=EnrolmentStatus.COMPLETED, left_on=END,
                                       applicant_relation=ApplicantRelation.EMPLOYEE)
        Evaluation.objects.create(enrolment=enrolment, person=enrolment.person, passed=True, evaluated_on=END,
                                  evaluator="项目考核组")
        bonus = Decimal("200.00") if n < employed else Decimal("0.00")
        builders.subsidy_claim(enrolment, f"RC-{institution.pk}-{n}", training_type=TrainingType.PROJECT,
                               project=training.project, applicant_relation=ApplicantRelation.EMPLOYEE,
                               fund=FundSource.SPECIAL_ACCOUNT, eligible=True, training_amount=Decimal("600.00"),
                               employment_amount=bonus, total_amount=Decimal("600.00") + bonus,
                               decided_at=timezone.now())


@pytest.fixture
def world():
    nanning, liuzhou = builders.city("450100", "南宁市"), builders.city("450200", "柳州市")
    welder = builders.occupation(*WELDER)
    big = builders.institution(city=nanning, name="南宁大机构", legal_representative="李法人", phone="13800000000")
    small = builders.institution(city=liuzhou, name="柳州小机构")
    # Welders: 14 trainees, 12 completed, 10 of them passed; 3 AI trainers (the builders' occupation) in a second
    # class; 11 trainees of a project class, 7 of them employed three months on (5.2c).
    first = rated_class(big, 14, passed=10, completed=12, attended=14, end=END)
    TrainingClass.objects.filter(pk=first.pk).update(occupation=welder, level=4)
    rated_class(big, 3, passed=2, completed=3, attended=3, end=END)
    _employment(big, employed=7, due=11)
    # 3 AI trainers only: every count and rate of this institution is a small cell.
    rated_class(small, 3, passed=3, completed=3, attended=3, end=END)
    # A class that ended before the window does not count.
    rated_class(big, 5, passed=5, completed=5, attended=5, end=dt.date(2025, 6, 30))
    rated(big, stars=4, on=dt.date(2026, 6, 30))
    on_offer = builders.training_class(institution=small, city=liuzhou, occupation=welder, level=5,
                                       status=ClassStatus.APPROVED, start_date=dt.date(2026, 8, 1),
                                       end_date=dt.date(2026, 8, 31))
    return {"big": big, "small": small, "welder": welder, "on_offer": on_offer}


def _independent(institution) -> dict[str, int]:
    """The report card's definition counted enrolment by enrolment in plain Python (docs/statistics.md)."""
    start = dt.date(2025, 8, 1)  # 12 calendar months to DAY
    counts = {"classes": set(), "enrolled": 0, "completed": 0, "assessed": 0, "passed": 0}
    for each in Enrolment.objects.select_related("training_class"):
        training = each.training_class
        if training.institution_id != institution.pk or training.status != "finished" \
                or not start <= training.end_date <= DAY:
            continue
        counts["classes"].add(training.pk)
        counts["enrolled"] += 1
        counts["completed"] += each.status == "completed"
        results = list(Evaluation.objects.filter(enrolment=each).values_list("passed", flat=True))
        counts["assessed"] += bool(results)
        counts["passed"] += any(results)
    employed = due = 0
    for claim in SubsidyClaim.objects.filter(institution=institution, fund="special_account", eligible=True):
        if start <= claim.end_date <= dt.date(2026, 4, 15):  # proof due on end + 3 months, by DAY
            due += 1
            employed += claim.employment_amount > 0
    return {**counts, "classes": len(counts["classes"]), "employed": employed, "due": due}


def _cells(html: str, testid: str) -> dict[str, str]:
    row = re.search(rf'data-testid="{testid}">(.*?)</tr>', html, re.S)
    assert row is not None, testid
    return dict(re.findall(r'data-testid="([a-z-]+)">([^<]*)<', row.group(1)))


def _percent(top: int, bottom: int) -> str:
    return f"{(Decimal(top * 100) / bottom).quantize(Decimal('0.1'))}%"


def test_anyone_reads_figures_equal_to_an_independent_count(world) -> None:
    page = Client().get(reverse("insight:report_card"))
    assert page.status_code == 200
    html = page.content.decode()
    count = _independent(world["big"])
    assert count == {"classes": 3, "enrolled": 28, "completed": 26, "assessed": 26, "passed": 23, "employed": 7,
                     "due": 11}
    cells = _cells(html, f"institution-{world['big'].pk}")
    assert cells["stars"].strip() == "4星"
    assert cells["classes"] == str(count["classes"]) and cells["trainees"] == str(count["enrolled"])
    assert cells["completed"] == str(count["completed"])
    assert cells["pass-rate"] == _percent(count["passed"], count["assessed"])
    assert cells["employment-rate"] == _percent(count["employed"], count["due"])
    # The employment count is the one the star rating reads.
    assert employment_by_institution(dt.date(2025, 8, 1), DAY)[world["big"].pk] == (7, 11)
    assert "2026年7月15日" in html  # the date of the data


def test_small_cells_are_suppressed_and_rates_over_few_people_not_shown(world) -> None:
    html = Client().get(reverse("insight:report_card")).content.decode()
    cells = _cells(html, f"institution-{world['small'].pk}")
    assert cells["trainees"] == "&lt;10" and cells["completed"] == "&lt;10"
    assert cells["pass-rate"] == "—" and cells["employment-rate"] == "—"
    assert cells["stars"].strip() == "未评定"
    # By occupation, filtered to Liuzhou: only the small institution's 3 AI trainers are there.
    by_occupation = Client().get(reverse("insight:report_card_view", args=["occupations"]), {"city": "450200"})
    html = by_occupation.content.decode()
    assert by_occupation.status_code == 200 and f"occupation-{WELDER[0]}" not in html
    assert _cells(html, "occupation-4-04-05-05")["trainees"] == "&lt;10"
    everywhere = Client().get(reverse("insight:report_card_view", args=["occupations"])).content.decode()
    assert _cells(everywhere, "occupation-4-04-05-05")["trainees"] == "&lt;10"  # 3 + 3, still under 10
    welders = _cells(everywhere, f"occupation-{WELDER[0]}")
    # Employment (5.2c) is project training's, and a project class has no occupation: not shown by occupation.
    assert welders["trainees"] == "14" and welders["pass-rate"] == _percent(10, 12)
    assert welders["employment-rate"] == "—"


def test_nothing_personal_is_on_it(world) -> None:
    pages = [Client().get(reverse("insight:report_card_view", args=[view])).content.decode()
             for view in ("institutions", "occupations", "courses")]
    people = Enrolment.objects.values_list("person__name", "person__person_key")
    for html in pages:
        assert "李法人" not in html and "13800000000" not in html
        assert not any(key in html for _name, key in people)
        assert "学员" not in re.sub(r"学员人数", "", html)
    assert f'data-testid="course-{world["on_offer"].pk}"' in pages[2]


def test_filters_page_and_export(world) -> None:
    client = Client()
    only_liuzhou = client.get(reverse("insight:report_card"), {"city": "450200"}).content.decode()
    assert f"institution-{world['small'].pk}" in only_liuzhou and f"institution-{world['big'].pk}" not in only_liuzhou
    welders = client.get(reverse("insight:report_card"), {"occupation": WELDER[0]}).content.decode()
    assert _cells(welders, f"institution-{world['big'].pk}")["trainees"] == "14"
    assert f"institution-{world['small'].pk}" not in welders
    export = client.get(reverse("insight:report_card_export", args=["institutions"]), {"city": "450100"})
    assert export.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    header = {row[0]: row[1] for row in sheet[1:7] if row and row[0]}
    assert header["数据日期 Data as of"] == DAY.isoformat()
    rows = [row for row in sheet if row and row[0] == "南宁大机构"]
    assert len(rows) == 1 and rows[0][3:8] == [3, 28, 26, "88.5%", "63.6%"]
    assert not any(row and row[0] == "柳州小机构" for row in sheet)
    assert client.get("/insight/report-card/nonsense/").status_code == 404


def test_it_is_cached_and_throttled(world, monkeypatch) -> None:
    client = Client()
    first = client.get(reverse("insight:report_card"))
    assert "public" in first["Cache-Control"] and "max-age=300" in first["Cache-Control"]
    # A new class after the first view is not counted until the cache expires (CACHE_SECONDS).
    rated_class(world["small"], 20, passed=20, completed=20, attended=20, end=END)
    again = _cells(client.get(reverse("insight:report_card")).content.decode(), f"institution-{world['small'].pk}")
    assert again["trainees"] == "&lt;10"
    assert report_card.compute(DAY).of_institution(world["small"].pk).enrolled == 23
    monkeypatch.setattr(report_card, "PER_MINUTE", 2)
    cache.clear()
    statuses = [Client(REMOTE_ADDR="203.0.113.9").get(reverse("insight:report_card")).status_code for _ in range(4)]
    assert statuses[:2] == [200, 200] and statuses[-1] == 429


def test_the_english_page_is_in_english_with_the_same_figures(world) -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    html = client.get(reverse("insight:report_card")).content.decode()
    assert "Public report card" in html and "Data as of 15 Jul 2026" in html
    assert "培训质量公开" not in html and "学员人数" not in html and "未评定" not in html
    cells = _cells(html, f"institution-{world['big'].pk}")
    assert cells["stars"].strip() == "4 stars" and cells["trainees"] == "28"
