"""The pages this round changed, in Chromium: each tab of a class page (概况 / 名册 / 考勤 / 考核 / 补贴), the fund
dashboard and the star-rating list, checked by axe-core (no serious or critical WCAG 2 A/AA violation) at
1366 px and on a phone (390 px: nothing scrolls sideways), with no console error.

The accessibility crawl (test_accessibility.py) stops two clicks from the home page; the tabs are a click
further (home, 培训班, the class, its tab), so they are opened here by address.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.browser.test_accessibility import DESKTOP, PHONE, WIDTH, _axe

pytestmark = pytest.mark.browser


def _running_class(institution, city):
    """A class in its third day, with three trainees, two sessions held and one trainee absent from one."""
    from qiancheng.clock import today
    from qiancheng.training.models import AttendanceRecord, ClassStatus
    from qiancheng.training.tests import builders

    start = today() - timedelta(days=2)
    training = builders.training_class(institution=institution, city=city, status=ClassStatus.IN_PROGRESS,
                                       start_date=start, end_date=start + timedelta(days=9), class_hours=80,
                                       name="人工智能训练师（四级/中级工）职业技能培训南宁市青秀区实训基地班")
    for serial in range(3):
        enrolment = builders.enrolment(training, builders.person(id_number=builders.id_number(sequence=700 + serial)),
                                       enrolled_on=start)
        for day in range(2):
            present = not (serial == 2 and day == 1)
            AttendanceRecord.objects.create(enrolment=enrolment, person=enrolment.person,
                                            session_date=start + timedelta(days=day), present=present,
                                            hours=Decimal("8") if present else Decimal("0"))
    return training


def _check(page, url: str) -> list[str]:
    found = []
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto(url, wait_until="load")
        found += _axe(page, url, {})
        measured = page.evaluate(WIDTH)
        if measured["scroll"] > measured["client"] + 1:
            found.append(f"{url} at {viewport['width']} px: {measured['scroll']} px wide; {measured['wide']}")
    return found


@pytest.mark.parametrize("persona", ["institution_user", "nanning_official"])
def test_each_tab_of_a_running_class(persona, request, browser, live_server, sign_in, persona_password,
                                     transactional_db) -> None:
    from qiancheng.accounts.tests.two_cities import build_two_cities

    nanning, _liuzhou = build_two_cities()
    user = request.getfixturevalue(persona)
    institution = user.institution if persona == "institution_user" else nanning.institution
    training = _running_class(institution, nanning.city)
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(f"{page.url}: {message.text}") if message.type == "error" else None)
    sign_in(page, user.username, persona_password)
    tabs = [f"/classes/{training.pk}/", f"/classes/{training.pk}/roster/", f"/classes/{training.pk}/attendance/",
            f"/evaluation/classes/{training.pk}/results/", f"/money/classes/{training.pk}/subsidy/"]
    found = [problem for url in tabs for problem in _check(page, live_server.url + url)]
    page.goto(f"{live_server.url}/classes/{training.pk}/attendance/")
    rates = page.get_by_test_id("attendance-rate").all_inner_texts()
    context.close()
    assert found == [], "\n".join(found)
    assert errors == [], errors
    assert sorted(rates) == ["100%", "100%", "50%"]  # to date: 16 hours held, not the course's 80


def test_the_fund_dashboard_and_the_ratings_list(request, browser, live_server, sign_in, persona_password,
                                                  province_official, transactional_db) -> None:
    from qiancheng.accounts.tests.two_cities import build_two_cities

    build_two_cities()
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(f"{page.url}: {message.text}") if message.type == "error" else None)
    sign_in(page, province_official.username, persona_password)
    found = [problem for url in ("/money/funds/", "/insight/rating/", "/money/claims/")
             for problem in _check(page, live_server.url + url)]
    context.close()
    assert found == [], "\n".join(found)
    assert errors == [], errors
