"""The risk scan as a queued task: the /risk/ page's button and the API enqueue it and return at once with
the task's id (here the suite's immediate backend runs it inside the call)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from qiancheng.accounts.models import AuditEntry
from qiancheng.providers.tests.test_institution_api import Api
from qiancheng.risk import tasks
from qiancheng.risk.models import LinkCandidate, Signal
from qiancheng.risk.tests import records
from qiancheng.risk.views import SCAN_SESSION_KEY
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


def _overlap_and_duplicate() -> None:
    """One trainee in two overlapping classes (a signal) and one woman registered twice (a linkage pair)."""
    one, two = records.two_classes((date(2025, 9, 1), date(2025, 9, 30)), (date(2025, 9, 20), date(2025, 10, 20)))
    trainee = builders.person(name="覃重叠")
    builders.enrolment(one, trainee)
    builders.enrolment(two, trainee)
    records.county()
    for sequence in (124, 142):
        builders.person(id_number=builders.id_number(county="450102", birth="19880315", sequence=sequence),
                        name="黄丽娟", phone="13712345678")


def test_the_scan_tasks_run_the_services_under_the_acting_user(nanning_official) -> None:
    _overlap_and_duplicate()
    signals = tasks.scan_signals.enqueue(nanning_official.pk, ["trainee_overlap"])
    assert signals.return_value == [{"rule": "trainee_overlap", "found": 1, "new": 1,
                                     "seconds": signals.return_value[0]["seconds"]}]
    linkage = tasks.scan_linkage.enqueue(nanning_official.pk)
    assert linkage.return_value["rule"] == "linkage" and linkage.return_value["new"] == 1
    assert AuditEntry.objects.filter(action="risk.signal_found", actor=nanning_official).count() == 1
    assert AuditEntry.objects.filter(action="risk.link_candidate_found", actor=nanning_official).count() == 1


def test_the_page_button_queues_a_scan_and_shows_it(nanning_official, institution_user, login) -> None:
    _overlap_and_duplicate()
    city = login(Client(), nanning_official)
    assert 'data-testid="risk-scan"' in city.get("/risk/").content.decode()
    queued = city.post("/risk/scan/")
    assert queued.status_code == 302 and queued["Location"] == "/risk/"
    assert Signal.objects.filter(rule="trainee_overlap").count() == 1 and LinkCandidate.objects.count() == 1
    assert AuditEntry.objects.filter(action="risk.scan_queued", actor=nanning_official).count() == 1
    page = city.get("/risk/").content.decode()
    assert 'data-testid="risk-scan-state"' in page and city.session[SCAN_SESSION_KEY] in page
    city.cookies["django_language"] = "en"
    assert "Start a risk scan" in city.get("/risk/").content.decode()
    # an institution may not start one: the page is hidden from it, and nothing is queued
    assert login(Client(), institution_user).post("/risk/scan/").status_code == 404
    assert AuditEntry.objects.filter(action="risk.scan_queued").count() == 1


def test_the_api_queues_a_scan_with_202_and_reports_its_state(province_official, institution_user) -> None:
    _overlap_and_duplicate()
    province = Api(province_official)
    queued = province.client.post("/api/v1/risk/scan", **province.headers)
    assert queued.status_code == 202
    task_id = queued.json()["task_id"]
    assert task_id and LinkCandidate.objects.count() == 1
    # the immediate backend keeps no result, so its state is unknown: the same 404 as an id never issued
    assert province.client.get(f"/api/v1/risk/scan/{task_id}", **province.headers).status_code == 404
    assert province.client.get("/api/v1/risk/scan/no-such-task", **province.headers).status_code == 404
    outsider = Api(institution_user)
    assert outsider.client.post("/api/v1/risk/scan", **outsider.headers).status_code == 403
    assert outsider.client.get(f"/api/v1/risk/scan/{task_id}", **outsider.headers).status_code == 403
    too_long = province.client.get(f"/api/v1/risk/scan/{'x' * 65}", **province.headers)
    assert too_long.status_code == 422
