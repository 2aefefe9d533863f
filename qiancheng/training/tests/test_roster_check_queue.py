"""The roster check off the request (ADR 0005), on the real database backend of the task queue and its real
worker: the upload returns at once with the job "received" and its file sealed; the worker checks it; a
worker that died mid-check leaves the task "running", and it is reclaimed and run again, once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from qiancheng.accounts.models import AuditEntry
from qiancheng.training.models import ClassStatus, ImportJob, ImportStatus
from qiancheng.training.services.roster_import import check_roster_upload, progress, receive_roster
from qiancheng.training.tests import builders
from qiancheng.web.task_queue import reclaim_abandoned, run_worker

# The worker takes SQLite's exclusive lock and commits, so these tests run outside the test's transaction.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("roster_open")]

BAD_ROWS = (Path(__file__).parent / "files" / "roster_with_bad_rows.xlsx").read_bytes()


@pytest.fixture(autouse=True)
def queue_in_database() -> Iterator[None]:
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        yield


@pytest.fixture
def training(persona_institution):
    return builders.training_class(institution=persona_institution, status=ClassStatus.APPROVED,
                                   start_date=date(2026, 5, 4), end_date=date(2026, 5, 29))


def validations(job: ImportJob) -> int:
    return AuditEntry.objects.filter(action="roster.validated", target_pk=str(job.pk)).count()


def test_the_upload_returns_at_once_and_the_worker_checks_it(training, institution_user) -> None:
    job = receive_roster(institution_user, training, "名册.xlsx", BAD_ROWS)
    assert job.status == ImportStatus.RECEIVED and job.row_count == 0
    assert progress(job)[0] == "已接收，排队等待校验"
    # The waiting file holds clear ID numbers: it is sealed, never stored as the spreadsheet's bytes.
    assert job.sealed_upload and "450102" not in job.sealed_upload
    task = DBTaskResult.objects.get(pk=job.check_task_id)
    assert task.status == TaskResultStatus.READY

    run_worker(batch=True)

    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED
    assert (job.row_count, job.good_count, job.bad_count) == (8, 2, 6)
    assert job.sealed_upload == ""
    assert DBTaskResult.objects.get(pk=job.check_task_id).status == TaskResultStatus.SUCCESSFUL
    assert validations(job) == 1


def test_a_check_whose_worker_died_is_reclaimed_and_run_once(training, institution_user) -> None:
    job = receive_roster(institution_user, training, "名册.xlsx", BAD_ROWS)
    # What SIGKILL leaves: the row claimed by a worker that never finished, the job untouched (the check
    # writes its result in one transaction, so a kill before the commit writes nothing).
    task = DBTaskResult.objects.get(pk=job.check_task_id)
    task.claim("killed-worker")
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=timezone.now() - dt.timedelta(hours=2))
    assert progress(ImportJob.objects.get(pk=job.pk))[0] == "已接收，校验中"

    assert run_worker(batch=True).reclaimed == 1

    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED and validations(job) == 1
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL and task.worker_ids[0] == "killed-worker"
    assert len(task.worker_ids) == 2


def test_a_task_within_its_lease_is_left_to_its_worker(training, institution_user) -> None:
    job = receive_roster(institution_user, training, "名册.xlsx", BAD_ROWS)
    DBTaskResult.objects.get(pk=job.check_task_id).claim("busy-worker")
    assert reclaim_abandoned() == 0
    # The sole worker of the embedded default knows nobody else can be running it.
    assert reclaim_abandoned(older_than=dt.timedelta(0)) == 1


def test_running_the_check_again_changes_nothing(training, institution_user) -> None:
    job = receive_roster(institution_user, training, "名册.xlsx", BAD_ROWS)
    run_worker(batch=True)
    job.refresh_from_db()
    before = (job.status, job.good_rows, job.validated_at)
    assert check_roster_upload.call(job.pk) == ImportStatus.VALIDATED
    job.refresh_from_db()
    assert (job.status, job.good_rows, job.validated_at) == before and validations(job) == 1


def test_a_file_refused_by_the_check_is_rejected_and_dropped(training, institution_user) -> None:
    job = receive_roster(institution_user, training, "名册.xlsm", BAD_ROWS)
    assert job.status == ImportStatus.RECEIVED
    run_worker(batch=True)
    job.refresh_from_db()
    assert job.status == ImportStatus.REJECTED and job.rejection_reason and job.sealed_upload == ""
