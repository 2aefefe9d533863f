"""Signals after each import (issue 12): a committed import queues exactly one risk scan through
web.imports_done (here the suite's immediate backend runs it at once), and a failed or rolled-back import
queues nothing."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
import xlsxwriter
from django.core.exceptions import ValidationError
from django.db import transaction

from qiancheng.accounts.models import AuditEntry
from qiancheng.clock import frozen_at
from qiancheng.people.identity import id_number_check_character
from qiancheng.risk import tasks
from qiancheng.risk.models import Signal
from qiancheng.training.models import ClassStatus, ImportStatus
from qiancheng.training.services.attendance_sheet import HEADERS as ATTENDANCE_HEADERS
from qiancheng.training.services.attendance_sheet import record_attendance_sheet
from qiancheng.training.services.roster_import import apply_roster, receive_roster
from qiancheng.training.tests import builders
from qiancheng.training.tests.rosters import roster_xlsx
from qiancheng.web import imports_done

pytestmark = pytest.mark.django_db

SHARED_PHONE = "13912345678"


def number(serial: int, birth: str = "19870707") -> str:
    """A number no builder returns (builders.id_number counts up from 19900101), so no clash by run order."""
    first17 = f"450102{birth}{serial:03d}"
    return first17 + id_number_check_character(first17)


def _queued() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="risk.scan_queued"))


@pytest.fixture
def roster_job(persona_institution, institution_user):
    """Two trainees of two other institutions on one phone, and a validated roster bringing a third name on it
    to the persona institution's class: applied, that is the shared-phone pattern (three names, ≥ 2 institutions)."""
    with frozen_at(date(2026, 5, 4)):
        for name in ("甲一", "乙二"):
            builders.enrolment(builders.training_class(), builders.person(name=name, phone=SHARED_PHONE))
        training = builders.training_class(institution=persona_institution, status=ClassStatus.APPROVED,
                                           start_date=date(2026, 5, 4), end_date=date(2026, 5, 29))
        job = receive_roster(institution_user, training, "名册.xlsx",
                             roster_xlsx([("丙三", number(31), SHARED_PHONE, "其他", None)]))
        assert job.status == ImportStatus.VALIDATED and job.good_count == 1, job.problems
        yield job


def test_the_risk_app_registers_its_receiver() -> None:
    assert imports_done.receivers()["risk.scan_after_import"] is tasks.queue_scan_after_import


def test_an_applied_roster_queues_one_scan_that_finds_the_shared_phone(
        roster_job, institution_user, django_capture_on_commit_callbacks) -> None:
    with frozen_at(date(2026, 5, 4)), django_capture_on_commit_callbacks(execute=True) as callbacks:
        apply_roster(institution_user, roster_job)
        # nothing is queued before the import's transaction commits
        assert not _queued()
    assert len(callbacks) == 1
    (queued,) = _queued()
    assert queued.actor is None  # the system scans; the trail names who imported
    assert queued.after["import"] == {"kind": "roster", "actor_id": institution_user.pk,
                                      "city_id": roster_job.training_class.city_id,
                                      "institution_id": roster_job.training_class.institution_id,
                                      "class_id": roster_job.training_class_id, "records": 1}
    assert queued.after["linkage"] is True and "shared_phone" in queued.after["rules"]
    found = Signal.objects.get(rule="shared_phone")
    assert "3名不同姓名" in found.summary
    assert AuditEntry.objects.filter(action="risk.signal_found", actor=None).count() == 1
    # applying again changes nothing, so it queues nothing
    with frozen_at(date(2026, 5, 4)), django_capture_on_commit_callbacks(execute=True) as again:
        apply_roster(institution_user, roster_job)
    assert not again and len(_queued()) == 1


def test_a_rolled_back_roster_apply_queues_nothing(roster_job, institution_user,
                                                   django_capture_on_commit_callbacks) -> None:
    with frozen_at(date(2026, 5, 4)), django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            apply_roster(institution_user, roster_job)
            raise RuntimeError("the request failed after the apply")
    assert not callbacks and not _queued() and not Signal.objects.exists()
    roster_job.refresh_from_db()
    assert roster_job.status == ImportStatus.VALIDATED


def test_a_refused_roster_apply_queues_nothing(roster_job, institution_user,
                                               django_capture_on_commit_callbacks) -> None:
    # after the class's last day the roster is closed: the apply is refused and writes nothing
    with frozen_at(date(2026, 6, 1)), django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ValidationError):
            apply_roster(institution_user, roster_job)
    assert not callbacks and not _queued()


def _attendance(rows: list[tuple[str, str, date, object]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    page = book.add_worksheet("考勤")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for column, header in enumerate(ATTENDANCE_HEADERS):
        page.write_string(0, column, header)
    for line, (id_number, name, on, attended) in enumerate(rows, start=1):
        page.write_string(line, 0, id_number)
        page.write_string(line, 1, name)
        page.write_datetime(line, 2, datetime(on.year, on.month, on.day), day)
        page.write(line, 3, attended)
    book.close()
    return buffer.getvalue()


@pytest.fixture
def running_class(persona_institution):
    training = builders.training_class(institution=persona_institution, status=ClassStatus.IN_PROGRESS,
                                       class_hours=10, start_date=date(2026, 5, 4), end_date=date(2026, 5, 8))
    trainees = []
    for serial in range(5):
        name = f"韦学员{serial}"
        builders.enrolment(training, builders.person(id_number=number(40 + serial, "19960606"), name=name),
                           enrolled_on=date(2026, 5, 4))
        trainees.append((number(40 + serial, "19960606"), name))
    return training, trainees


def test_an_attendance_sheet_copied_for_a_whole_class_is_found_after_the_upload(
        running_class, institution_user, django_capture_on_commit_callbacks) -> None:
    training, trainees = running_class
    # every trainee present, absent, present on the same three days: the same absence for everyone
    rows = [(id_number, name, date(2026, 5, day), attended) for id_number, name in trainees
            for day, attended in ((4, 2), (5, "否"), (6, 2))]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = record_attendance_sheet(institution_user, training, "考勤.xlsx", _attendance(rows))
    assert result.accepted and result.recorded == 15
    assert len(callbacks) == 1
    (queued,) = _queued()
    assert queued.after["rules"] == ["copied_attendance"] and queued.after["linkage"] is False
    found = Signal.objects.get(rule="copied_attendance")
    assert found.institution_id == training.institution_id and found.city_id == training.city_id


def test_an_attendance_sheet_with_a_bad_row_queues_nothing(running_class, institution_user,
                                                          django_capture_on_commit_callbacks) -> None:
    training, trainees = running_class
    rows = [(id_number, name, date(2026, 5, 4), 2) for id_number, name in trainees]
    rows.append((trainees[0][0], "别人", date(2026, 5, 5), 2))  # the wrong name: nothing is recorded
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = record_attendance_sheet(institution_user, training, "考勤.xlsx", _attendance(rows))
    assert not result.accepted and not callbacks and not _queued()


def test_a_kind_the_risk_app_does_not_know_scans_everything() -> None:
    codes, with_linkage = tasks.after_import("a_new_import")
    assert with_linkage and set(codes) == set(tasks.signals.RULES)
    assert all(set(rules) <= set(tasks.signals.RULES) for rules, _linkage in tasks.AFTER_IMPORT.values())
