"""`/risk/`: the city's official opens a case from the list, notes it and closes it; another city gets 404."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from qiancheng.risk import services
from qiancheng.risk.models import Case, CaseStatus, Signal
from qiancheng.risk.tests import records
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


def test_a_case_worked_on_the_pages(nanning_official, liuzhou_official, login) -> None:
    one, two = records.two_classes((date(2025, 9, 1), date(2025, 9, 30)), (date(2025, 9, 20), date(2025, 10, 20)))
    trainee = builders.person(name="覃重叠")
    builders.enrolment(one, trainee)
    builders.enrolment(two, trainee)
    services.run_signals(None, ["trainee_overlap"])
    signal = Signal.objects.get()
    city = login(Client(), nanning_official)
    page = city.get("/risk/?rule=trainee_overlap&status=open")
    assert page.status_code == 200 and "同一学员同时在两个班" in page.content.decode()
    opened = city.post("/risk/", {"title": "重叠参训", "signals": [signal.pk]})
    case = Case.objects.get()
    assert opened.status_code == 302 and opened["Location"] == f"/risk/cases/{case.pk}/"
    city.post(f"/risk/cases/{case.pk}/note/", {"text": "已约谈"})
    assert "已约谈" in city.get(f"/risk/cases/{case.pk}/").content.decode()
    city.post(f"/risk/cases/{case.pk}/close/", {"outcome": "no_finding", "reason": "上下午分班"})
    assert Case.objects.get().status == CaseStatus.CLOSED

    other = login(Client(), liuzhou_official)
    assert other.get(f"/risk/cases/{case.pk}/").status_code == 404
    assert "同一学员同时在两个班" not in other.get("/risk/").content.decode()
