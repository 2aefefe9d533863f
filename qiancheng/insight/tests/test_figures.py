"""The figures (docs/statistics.md): each equals a count made here from the records, claim by claim."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from qiancheng.clock import frozen_at
from qiancheng.funding.models import ClaimStatus
from qiancheng.insight import figures
from qiancheng.insight.services import set_target
from qiancheng.insight.tests.records import KEY, OTHER, claim, independent_count, refreshed, training_for
from qiancheng.people.models import KEY_GROUPS as PEOPLE_KEY_GROUPS
from qiancheng.people.models import PersonCategory
from qiancheng.policy.vocabulary import KEY_GROUPS
from qiancheng.training.models import EnrolmentStatus
from qiancheng.training.tests import builders
from qiancheng.web.queues import queues_for

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 7, 2)  # the 183rd of 365 days


def _world() -> tuple:
    """南宁: 8 trainings in 2026, 7 of key groups (87.5 %); 柳州: 5 trainings, 3 of key groups (60 %, flagged);
    around them, claims that must not count."""
    nanning, liuzhou = builders.city("450100", "南宁市"), builders.city("450200", "柳州市")
    for _ in range(4):
        claim(nanning, dt.date(2026, 3, 31), KEY)
    claim(nanning, dt.date(2026, 3, 31), OTHER, status=ClaimStatus.APPROVED)
    claim(nanning, dt.date(2026, 6, 30), KEY, status=ClaimStatus.PAID)
    claim(nanning, dt.date(2026, 6, 30), KEY, status=ClaimStatus.APPROVED)
    claim(nanning, dt.date(2026, 6, 30), PersonCategory.GRADUATE_YOUTH, status=ClaimStatus.PENDING)
    claim(liuzhou, dt.date(2026, 2, 28), KEY)
    claim(liuzhou, dt.date(2026, 2, 28), KEY)
    claim(liuzhou, dt.date(2026, 5, 31), OTHER)
    claim(liuzhou, dt.date(2026, 5, 31), OTHER)
    claim(liuzhou, dt.date(2026, 6, 30), KEY, status=ClaimStatus.PAID)
    # None of these is a training of 2026: denied by the engine, rejected, withdrawn, recovered, undecided,
    # or ended in another year.
    claim(liuzhou, dt.date(2026, 5, 31), KEY, eligible=False)
    claim(liuzhou, dt.date(2026, 5, 31), KEY, status=ClaimStatus.REJECTED, eligible=False)
    claim(liuzhou, dt.date(2026, 5, 31), KEY, status=ClaimStatus.WITHDRAWN)
    claim(liuzhou, dt.date(2026, 5, 31), KEY, status=ClaimStatus.RECOVERED)
    claim(liuzhou, dt.date(2026, 5, 31), KEY, eligible=None)
    claim(liuzhou, dt.date(2025, 12, 31), KEY)
    claim(nanning, dt.date(2027, 1, 1), OTHER)
    refreshed()
    return nanning, liuzhou


def test_the_key_groups_are_one_list() -> None:
    assert set(KEY_GROUPS) == set(PEOPLE_KEY_GROUPS) and "enterprise_employee" not in KEY_GROUPS


def test_every_figure_equals_a_count_made_from_the_records(province_official) -> None:
    nanning, liuzhou = _world()
    tally = figures.tally(2026)
    for code in (nanning.code, liuzhou.code):
        cell = tally.city(code)
        assert (cell.trainings, cell.key_group) == independent_count(2026, code)
        for month in range(1, 13):
            assert (tally.month(code, month).trainings, tally.month(code, month).key_group) == independent_count(
                2026, code, month)
    assert (tally.province().trainings, tally.province().key_group) == independent_count(2026) == (13, 10)
    assert independent_count(2026, nanning.code) == (8, 7) and independent_count(2026, liuzhou.code) == (5, 3)
    assert (figures.tally(2025).province().trainings, figures.tally(2027).province().trainings) == (
        independent_count(2025)[0], independent_count(2027)[0]) == (1, 1)
    assert figures.counted_claims().filter(end_date__year=2026).count() == 13


def test_a_city_below_70_percent_is_flagged_and_queued_for_the_province(province_official,
                                                                        nanning_official) -> None:
    nanning, liuzhou = _world()
    with frozen_at(DAY):
        report = figures.report(province_official, 2026)
        rows = {row.code: row for row in report.cities}
        assert rows[liuzhou.code].achieved.share == Fraction(3, 5) and rows[liuzhou.code].below_share
        assert rows[liuzhou.code].achieved.share_decimal == Decimal("0.6000")
        assert rows[nanning.code].achieved.share_decimal == Decimal("0.8750") and not rows[nanning.code].below_share
        assert [row.code for row in report.below_share] == [liuzhou.code]
        assert report.province is not None and report.province.achieved.share == Fraction(10, 13)
        # By month: 柳州's May (0 of 2) is under 70 %, its February (2 of 2) is not; an empty month is not flagged.
        months = {each.month: each for each in rows[liuzhou.code].months}
        assert months[5].below and not months[2].below and not months[1].below
        queue = {state.key: state for state in queues_for(province_official)}["key_group_share"]
        assert queue.count == 1 and queue.oldest_days == (DAY - dt.date(2026, 1, 1)).days
        assert list(figures.cities_below_share(province_official).values_list("code", flat=True)) == [liuzhou.code]
        assert "key_group_share" not in {state.key for state in queues_for(nanning_official)}


def test_exactly_70_percent_is_not_flagged() -> None:
    assert not figures.Cell(10, 7).below(Decimal("0.70")) and figures.Cell(1000, 699).below(Decimal("0.70"))
    assert not figures.Cell().below(Decimal("0.70")) and figures.Cell().share is None


def test_progress_against_the_calendar_expected_projected_and_the_cities_behind(province_official) -> None:
    nanning, liuzhou = _world()
    with frozen_at(DAY):
        set_target(province_official, 2026, nanning.code, 10, "桂人社发〔2026〕1号", dt.date(2026, 1, 1))
        set_target(province_official, 2026, liuzhou.code, 20, "桂人社发〔2026〕1号", dt.date(2026, 1, 1))
        report = figures.report(province_official, 2026)
    assert report.as_of == DAY and report.elapsed == Fraction(183, 365)
    rows = {row.code: row for row in report.cities}
    # 南宁: 10 x 183/365 = 5.01 -> 5 expected; 8 achieved; 8 x 365/183 = 15.96 -> 16 by 31 December.
    assert (rows[nanning.code].expected, rows[nanning.code].projected, rows[nanning.code].behind) == (5, 16, False)
    # 柳州: 20 x 183/365 = 10.03 -> 10 expected; 5 achieved: behind; 5 x 365/183 = 9.97 -> 10.
    assert (rows[liuzhou.code].expected, rows[liuzhou.code].projected, rows[liuzhou.code].behind) == (10, 10, True)
    assert [row.code for row in report.behind] == [liuzhou.code]
    assert report.province is not None and report.province.target is not None
    assert report.province.target.count == 210_000 and report.province.target.from_plan  # 1a
    assert report.province.expected == round(Fraction(210_000 * 183, 365)) and report.programme_target == 600_000
    # A year gone by is read on its last day: all of it expected, the projection is what was achieved.
    with frozen_at(dt.date(2027, 3, 1)):
        past = {row.code: row for row in figures.report(province_official, 2026).cities}
    assert (past[nanning.code].expected, past[nanning.code].projected) == (10, 8)
    # A year not yet begun: nothing expected, nothing projected.
    with frozen_at(DAY):
        future = figures.report(province_official, 2027)
    assert future.province is not None and (future.province.expected, future.province.projected) == (0, None)


def test_a_city_official_sees_the_own_city_only(nanning_official) -> None:
    nanning, _ = _world()
    report = figures.report(nanning_official, 2026)
    assert [row.code for row in report.cities] == [nanning.code] and report.province is None


def test_what_a_class_roster_would_do_to_the_citys_share() -> None:
    _, liuzhou = _world()
    training = training_for(liuzhou, dt.date(2026, 11, 30))
    for category in (KEY, KEY, KEY, OTHER):
        builders.enrolment(training, builders.person(category=category), category=category)
    builders.enrolment(training, builders.person(category=KEY), category=KEY, status=EnrolmentStatus.WITHDRAWN,
                       left_on=dt.date(2025, 9, 2))
    change = figures.share_if_class_added(training)
    # 3 of 5 now; the roster adds 4 still enrolled (3 of key groups): 6 of 9 = 66.7 %, still under 70 %.
    assert (change.before, change.after) == (figures.Cell(5, 3), figures.Cell(9, 6))
    assert change.below_before and change.below_after and change.year == 2026
    assert figures.share_if_added(liuzhou.code, 2026, [KEY, KEY]).after == figures.Cell(7, 5)  # 71.4 %
    assert not figures.share_if_added(liuzhou.code, 2026, [KEY, KEY]).below_after
    # A trainee of the class already counted (a counting, eligible claim) is not added twice.
    enrolment = training.enrolments.filter(status=EnrolmentStatus.ENROLLED).first()
    builders.subsidy_claim(enrolment, "INS-COUNTED", eligible=True, training_amount=Decimal("1.00"),
                           employment_amount=Decimal("0.00"), total_amount=Decimal("1.00"),
                           decided_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    again = figures.share_if_class_added(training)
    assert again.before.trainings == 6 and again.after.trainings == 9
