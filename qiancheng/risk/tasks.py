"""The risk scans as queued tasks (ADR 0005): the signal rules and the person linkage take minutes over a
province, so the /risk/ page and the API enqueue them and return at once with the task's id.

Each task takes the acting user's id (a task's arguments must be JSON) and calls the one writer,
risk.services, which audits under that user. Safe to run again (a reclaimed task is a retry): a re-run of
the signals or the linkage over the same data adds nothing (fingerprints; known pairs are kept).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db import transaction
from django_tasks import task

from qiancheng.accounts.audit import record_event
from qiancheng.accounts.models import Role, User
from qiancheng.risk import services
from qiancheng.web.task_queue import task_state

# Any official who reads /risk/ may start a scan: it only adds signals and candidates, each of them then
# decided by the city of its records; it runs over the whole province whoever starts it.
MAY_SCAN = {Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL}


def _actor(actor_id: int | None) -> User | None:
    return User.objects.filter(pk=actor_id).first() if actor_id else None


@task()
def scan_signals(actor_id: int | None, codes: list[str] | None = None) -> list[dict[str, Any]]:
    """Every signal rule (or the ones named) over the province: services.run_signals."""
    return [asdict(result) for result in services.run_signals(_actor(actor_id), codes)]


@task()
def scan_linkage(actor_id: int | None, engine: str = "duckdb") -> dict[str, Any]:
    """The person linkage over the register: services.run_linkage."""
    return asdict(services.run_linkage(_actor(actor_id), engine=engine))


@task()
def scan(actor_id: int | None) -> list[dict[str, Any]]:
    """What `qiancheng risk scan` does, queued: the signal rules, then the linkage."""
    actor = _actor(actor_id)
    results = services.run_signals(actor)
    results.append(services.run_linkage(actor))
    return [asdict(result) for result in results]


def queue_scan(actor: User) -> str:
    """Queue a whole scan for an official; returns the task's id at once. Audited as asked for (the scan's own
    findings are audited by the services as they are written)."""
    if getattr(actor, "role", None) not in MAY_SCAN:
        raise services.RiskRefused("forbidden", "只有人社局可以发起风险扫描", "only an official may start a risk scan",
                                   status=403)
    with transaction.atomic():
        record_event(actor, "risk.scan_queued", after={"task": "risk.scan"})
    # Enqueued after the audit entry is written: with the immediate backend the scan runs inside enqueue.
    return str(scan.enqueue(actor.pk).id)


def scan_state(task_id: str) -> str | None:
    """The queued scan's state (READY, RUNNING, SUCCESSFUL, FAILED), or None where the backend keeps none."""
    state = task_state(scan, task_id)
    return str(state) if state is not None else None
