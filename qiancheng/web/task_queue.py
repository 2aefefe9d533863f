"""The task queue that takes long work off the request (ADR 0005): its worker, and the recovery of tasks
whose worker died.

Tasks are django-tasks tasks; with the database backend they wait as rows of django_tasks_db's table and a
`qiancheng worker` process runs them. A worker killed in the middle of a task (SIGKILL, a lost machine)
leaves its row "RUNNING" for ever, so the rows are reclaimed: every task of ours is written to be safe to
run again (it checks its job's state and writes its result in one transaction), so reclaiming is a retry.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task_backends
from django_tasks.base import Task
from django_tasks.exceptions import TaskResultDoesNotExist
from django_tasks.utils import get_random_id
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

QUEUE = "default"
RECLAIM_EVERY_SECONDS = 60


def queue_in_database() -> bool:
    """Whether enqueued tasks wait for a worker (the database backend) rather than run at once."""
    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)


def task_state(queued: Task[Any, Any], result_id: str) -> TaskResultStatus | None:
    """The state of one enqueued task, or None where the backend keeps no results (immediate) or the id is
    unknown: a page shows it as the progress of the work it does."""
    if not result_id:
        return None
    try:
        return queued.get_result(result_id).status
    except (TaskResultDoesNotExist, NotImplementedError, ValueError, ValidationError):
        return None


def reclaim_abandoned(*, older_than: dt.timedelta | None = None) -> int:
    """Put back in the queue every task that has been "running" longer than the lease (or, with
    `older_than=timedelta(0)`, every running task: what the one worker of the embedded default does when it
    starts, as no other worker can be running one). Returns how many were reclaimed."""
    lease = dt.timedelta(seconds=settings.TASK_LEASE_SECONDS) if older_than is None else older_than
    cutoff = timezone.now() - lease
    return DBTaskResult.objects.running().filter(started_at__lte=cutoff).update(
        status=TaskResultStatus.READY, started_at=None)


@dataclass(frozen=True)
class WorkerRun:
    worker_id: str
    reclaimed: int


def run_worker(*, batch: bool = False, interval: float = 1.0, sole: bool = False,
               parent_pid: int | None = None, max_tasks: int | None = None,
               handle_signals: bool = False) -> WorkerRun:
    """Work the queue until stopped (or, with `batch`, until it is empty).

    `sole`: this is the only worker, so any task found running was abandoned by a dead one and is reclaimed
    at once; otherwise only tasks older than the lease are. `parent_pid`: stop when that process is gone,
    so the worker `qiancheng serve` starts does not outlive the site. `handle_signals` (main thread only):
    a first SIGTERM/SIGINT lets the task in hand finish, a second one stops at once.
    """
    reclaimed = reclaim_abandoned(older_than=dt.timedelta(0) if sole else None)
    worker = Worker(queue_names=[QUEUE], interval=interval, batch=batch, backend_name=DEFAULT_TASK_BACKEND_ALIAS,
                    startup_delay=False, max_tasks=max_tasks, worker_id=get_random_id())
    if handle_signals:
        worker.configure_signals()
    if not batch:
        threading.Thread(target=_keep, args=(worker, parent_pid), daemon=True).start()
    try:
        worker.run()
    finally:
        close_old_connections()
    return WorkerRun(worker.worker_id, reclaimed)


def _keep(worker: Worker, parent_pid: int | None) -> None:
    """Beside a long-running worker: reclaim what other, dead, workers left past the lease, and stop the
    worker when the site that started it is gone (it finishes the task in hand, which is one transaction)."""
    last_reclaim = time.monotonic()
    try:
        while worker.running:
            if parent_pid is not None and os.getppid() != parent_pid:
                worker.running = False
                return
            if time.monotonic() - last_reclaim >= RECLAIM_EVERY_SECONDS:
                reclaim_abandoned()
                last_reclaim = time.monotonic()
            time.sleep(1.0)
    finally:
        connection.close()
