"""The class page in tabs (概况 / 名册 / 考勤 / 考核 / 补贴): each its own address, one concern each, the open one
marked for a screen reader, the tabs a user may not open not drawn, and the long roster paged."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from qiancheng.training.models import AttendanceRecord, TrainingClass
from qiancheng.training.tests import builders
from qiancheng.training.tests.test_class_pages import number, running, signed_in, submitted  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

TABS = {"overview": "", "roster": "roster/", "attendance": "attendance/"}


def tab_keys(page: str) -> list[str]:
    return re.findall(r'data-testid="tab-(\w+)"', page)


def current_tab(page: str) -> list[str]:
    return re.findall(r'aria-current="page" data-testid="tab-(\w+)"', page)


def test_each_tab_is_its_own_page_with_the_open_one_marked(login, running: TrainingClass,  # noqa: F811
                                                           institution_user) -> None:
    client = signed_in(login, institution_user)
    for key, path in TABS.items():
        page = client.get(f"/classes/{running.pk}/{path}")
        assert page.status_code == 200, key
        text = page.content.decode()
        assert tab_keys(text) == ["overview", "roster", "attendance", "assessment", "subsidy"]
        assert current_tab(text) == [key]
    results = client.get(f"/evaluation/classes/{running.pk}/results/").content.decode()
    assert current_tab(results) == ["assessment"]
    subsidy = client.get(f"/money/classes/{running.pk}/subsidy/").content.decode()
    assert current_tab(subsidy) == ["subsidy"] and "结业后才能申领补贴" in subsidy


def test_each_tab_holds_one_concern(login, running: TrainingClass, institution_user) -> None:  # noqa: F811
    builders.enrolment(running, builders.person(id_number=number(31), name="蒙一"), enrolled_on=date(2026, 5, 4))
    from qiancheng.clock import frozen_at

    client = signed_in(login, institution_user)
    with frozen_at(running.start_date):  # enrolment and attendance are open while the class runs
        overview = client.get(f"/classes/{running.pk}/").content.decode()
        roster = client.get(f"/classes/{running.pk}/roster/").content.decode()
        attendance = client.get(f"/classes/{running.pk}/attendance/").content.decode()
    assert 'data-testid="class-facts"' in overview
    assert all(each not in overview for each in ('roster-table', 'enrol-form', 'attendance-form', 'roster-file'))
    assert 'data-testid="roster-table"' in roster and 'data-testid="enrol-form"' in roster
    assert 'data-testid="roster-file"' in roster and 'attendance-form' not in roster and 'class-facts' not in roster
    assert 'data-testid="attendance-form"' in attendance and 'data-testid="attendance-file"' in attendance
    assert 'enrol-form' not in attendance and 'roster-file' not in attendance


def test_the_tabs_follow_what_the_user_may_open(login, submitted: TrainingClass, nanning_official,  # noqa: F811
                                                liuzhou_official, trainee_user) -> None:
    # A class still waiting for approval has no results to record yet: no 考核 tab.
    page = signed_in(login, nanning_official).get(f"/classes/{submitted.pk}/").content.decode()
    # An official of the class's city also reads what its roster would do to the city's key-group share (2.1b).
    assert tab_keys(page) == ["overview", "roster", "attendance", "subsidy", "key_group_share"]
    assert 'data-testid="review-panel"' in page
    assert signed_in(login, liuzhou_official).get(f"/money/classes/{submitted.pk}/subsidy/").status_code == 404
    assert signed_in(login, trainee_user).get(f"/money/classes/{submitted.pk}/subsidy/").status_code in (403, 404)


def test_the_overview_and_attendance_compare_with_the_hours_held(login, running: TrainingClass,  # noqa: F811
                                                                  institution_user) -> None:
    from qiancheng.clock import frozen_at

    one = builders.enrolment(running, builders.person(id_number=number(32), name="蒙二"), enrolled_on=date(2026, 5, 4))
    AttendanceRecord.objects.create(enrolment=one, person=one.person, session_date=date(2026, 5, 4), present=True,
                                    hours=Decimal("8"))
    client = signed_in(login, institution_user)
    with frozen_at(running.start_date):
        overview = client.get(f"/classes/{running.pk}/").content.decode()
        attendance = client.get(f"/classes/{running.pk}/attendance/").content.decode()
    assert f"已上课时（全程 {running.class_hours}）" in overview
    assert 'data-testid="hours-held"' in attendance and "出勤率（截至目前）" in attendance
    assert re.search(r'data-testid="attendance-rate">100%<', attendance)  # 8 of the 8 hours held so far


def test_the_roster_pages_at_50_and_is_searched_by_name(login, running: TrainingClass,  # noqa: F811
                                                        institution_user) -> None:
    for serial in range(51):
        builders.enrolment(running, builders.person(id_number=number(100 + serial), name=f"名册{serial:02d}"),
                           enrolled_on=date(2026, 5, 4))
    client = signed_in(login, institution_user)
    first = client.get(f"/classes/{running.pk}/roster/").content.decode()
    assert first.count('data-testid="roster-row"') == 50 and 'data-testid="pager"' in first
    second = client.get(f"/classes/{running.pk}/roster/?page=2").content.decode()
    assert second.count('data-testid="roster-row"') == 1
    found = client.get(f"/classes/{running.pk}/roster/?q=名册07").content.decode()
    assert found.count('data-testid="roster-row"') == 1 and "名册07" in found


def test_another_city_cannot_open_any_tab(login, running: TrainingClass, liuzhou_official) -> None:  # noqa: F811
    client = signed_in(login, liuzhou_official)
    for path in TABS.values():
        assert client.get(f"/classes/{running.pk}/{path}").status_code == 404, path
    assert Client().get(f"/classes/{running.pk}/roster/").status_code == 302
