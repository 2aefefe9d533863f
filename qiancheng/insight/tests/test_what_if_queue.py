"""The what-if replay on the task queue (ADR 0005), on the real database backend and its worker: the page and the
API answer at once with the replay's address, its progress line reads the queued task's state, the worker stores
the result the page then shows; a worker that died mid-replay leaves it "running", and it is reclaimed and run
again, once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from qiancheng.accounts.models import AuditEntry
from qiancheng.insight import what_if
from qiancheng.insight.models import WhatIfReplay, WhatIfReplayStatus
from qiancheng.insight.tests.test_what_if import LIUZHOU, NANNING, _draft, world  # noqa: F401 (a fixture)
from qiancheng.web.task_queue import run_worker

# The worker takes SQLite's exclusive lock and commits, so these tests run outside the test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def queue_in_database() -> Iterator[None]:
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        yield


def _replays(job: WhatIfReplay) -> int:
    return AuditEntry.objects.filter(action="what_if.replayed", target_pk=str(job.draft_id)).count()


def test_the_page_answers_at_once_and_shows_the_result_once_the_worker_is_done(province_official, world,  # noqa: F811
                                                                              login) -> None:
    draft = _draft(province_official)
    client = login(Client(), province_official)
    asked = client.post(reverse("insight:what_if_draft", args=[draft.pk]),
                        {"action": "replay", "date_from": "2025-12-01", "date_to": "2026-12-31"})
    job = WhatIfReplay.objects.get(draft=draft)
    assert asked.status_code == 302 and job.status == WhatIfReplayStatus.QUEUED and job.claims == 7
    assert DBTaskResult.objects.get(pk=job.task_id).status == TaskResultStatus.READY
    waiting = client.get(asked["Location"]).content.decode()
    assert "排队等待测算（7项申领）" in waiting and 'http-equiv="refresh"' in waiting
    assert 'data-testid="replay-result"' not in waiting

    run_worker(batch=True)

    job.refresh_from_db()
    assert job.status == WhatIfReplayStatus.DONE and job.stage == "compare" and job.finished_at is not None
    assert DBTaskResult.objects.get(pk=job.task_id).status == TaskResultStatus.SUCCESSFUL
    done = client.get(asked["Location"]).content.decode()
    assert "已完成：7项申领" in done and 'http-equiv="refresh"' not in done
    assert 'data-testid="total-difference">+400.00<' in done
    assert what_if.stored_result(job).by_city[0].key == NANNING
    assert _replays(job) == 1


def test_the_api_answers_202_with_the_address_and_the_state_then_the_result(province_official, world) -> None:  # noqa: F811
    from qiancheng.insight.tests.test_api import Api

    api = Api(province_official)
    draft = _draft(province_official)
    queued = api.post(f"/what-if/drafts/{draft.pk}/replay", {"date_from": "2025-12-01", "date_to": "2026-12-31"})
    assert queued.status_code == 202, queued.content
    body = queued.json()
    assert (body["status"], body["task_state"], body["result"]) == ("queued", "READY", None)
    assert body["progress_en"] == "waiting in the queue (7 claims)"
    location = body["location"].removeprefix("/api/v1/insight")

    run_worker(batch=True)

    answered = api.get(location).json()
    assert (answered["status"], answered["task_state"]) == ("done", "SUCCESSFUL")
    result = answered["result"]
    assert {row["key"]: row["difference"] for row in result["by_city"]} == {NANNING: "+300.00", LIUZHOU: "+100.00"}
    assert result["difference"] == "+400.00" and len(result["changed_claims"]) == 4


def test_a_replay_whose_worker_died_is_reclaimed_and_stored_once(province_official, world) -> None:  # noqa: F811
    job = what_if.queue_replay(province_official, _draft(province_official), "2025-12-01", "2026-12-31")
    # What SIGKILL leaves: the task claimed by a worker that never finished, the replay marked running mid-stage.
    task = DBTaskResult.objects.get(pk=job.task_id)
    task.claim("killed-worker")
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=timezone.now() - dt.timedelta(hours=2))
    WhatIfReplay.objects.filter(pk=job.pk).update(status=WhatIfReplayStatus.RUNNING, stage="export")
    job.refresh_from_db()
    assert what_if.replay_progress(job) == ("测算中（7项申领）：已导出申领", "running (7 claims): claims exported")

    assert run_worker(batch=True).reclaimed == 1

    job.refresh_from_db()
    assert job.status == WhatIfReplayStatus.DONE and what_if.stored_result(job).signed == "+400.00"
    # Run once more (a second reclaim): the stored result stands and nothing is replayed again.
    finished = job.finished_at
    assert what_if.run_replay.call(job.pk) == WhatIfReplayStatus.DONE
    job.refresh_from_db()
    assert job.finished_at == finished and _replays(job) == 1


def test_the_replay_keeps_the_changes_as_they_were_when_asked(province_official, world) -> None:  # noqa: F811
    draft = _draft(province_official)
    job = what_if.queue_replay(province_official, draft, "2025-12-01", "2026-12-31")
    # The draft changes while the replay waits: the replay is of what was asked.
    what_if.remove_change(province_official, draft.pk, 1)
    run_worker(batch=True)
    job.refresh_from_db()
    assert what_if.stored_result(job).signed == "+400.00" and len(job.changes) == 1


def test_a_failed_task_is_said_on_the_progress_line(province_official, world) -> None:  # noqa: F811
    job = what_if.queue_replay(province_official, _draft(province_official), "2025-12-01", "2026-12-31")
    DBTaskResult.objects.filter(pk=job.task_id).update(status=TaskResultStatus.FAILED)
    WhatIfReplay.objects.filter(pk=job.pk).update(status=WhatIfReplayStatus.RUNNING)
    job.refresh_from_db()
    assert what_if.replay_progress(job)[1] == "the replay could not finish and the fault is logged; ask again"
