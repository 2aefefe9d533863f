"""The risk scans as queued tasks (ADR 0005): the signal rules and the person linkage take minutes over a
province, so the /risk/ page and the API enqueue them and return at once with the task's id.

After each import (issue 12: "signals run ... after each import") the importing app says so through
`web.imports_done` once its transaction commits, and `queue_scan_after_import` (registered in
RiskConfig.ready) enqueues one `scan_after_import`: the rules that read what that kind of import writes,
and the linkage where it registers persons. Nothing runs in the importer's request but the enqueueing.

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
from qiancheng.risk import services, signals
from qiancheng.web.imports_done import Imported, ImportKind
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


# What each kind of import writes decides what the scan after it runs: the rules that read those records, and
# the linkage where the import registers persons. Each rule still reads the whole province (one query per
# table, risk.signals): a finding in the import's city can rest on records of another (one phone behind
# trainees of two cities, a trainee in a class in each), so the import's city, institution and class name the
# scan in the audit trail and the task, and do not cut what the rules read.
AFTER_IMPORT: dict[str, tuple[tuple[str, ...], bool]] = {
    # new enrolments and persons: phones and accounts shared, overlapping classes, rings, the same person twice
    ImportKind.ROSTER: (("shared_phone", "trainee_overlap", "shared_bank_account", "collusion_ring"), True),
    ImportKind.ATTENDANCE: (("copied_attendance",), False),
    # certificates register the persons they name (people.services.register_person)
    ImportKind.CERTIFICATES: ((), True),
    # claims and their employment proofs: the proofs' employers, the institutions' employment rates
    ImportKind.CLASS_CLAIMS: (("linked_employer", "outlier_rate"), False),
    ImportKind.EMPLOYMENT_PROOF: (("linked_employer", "outlier_rate"), False),
}


def after_import(kind: str) -> tuple[list[str], bool]:
    """The rules and whether the linkage runs after an import of this kind; a kind not listed: everything."""
    codes, with_linkage = AFTER_IMPORT.get(kind, (tuple(signals.RULES), True))
    return list(codes), with_linkage


@task()
def scan_after_import(kind: str, origin: dict[str, Any]) -> list[dict[str, Any]]:
    """The scan one committed import asked for (`origin`: what web.imports_done.Imported said). It runs as the
    system, not as the importer: an institution's upload does not make its user the reader of the province's
    phones and accounts; the audit entry of the queueing names who imported."""
    codes, with_linkage = after_import(kind)
    results = services.run_signals(None, codes) if codes else []
    if with_linkage:
        results.append(services.run_linkage(None))
    return [asdict(result) for result in results]


def queue_scan_after_import(event: Imported) -> str:
    """web.imports_done's receiver: audited as queued (by the system, after the importer's import), then one
    scan enqueued; returns the task's id."""
    origin = asdict(event)
    codes, with_linkage = after_import(event.kind)
    with transaction.atomic():
        record_event(None, "risk.scan_queued", after={"task": "risk.scan_after_import", "import": origin,
                                                      "rules": codes, "linkage": with_linkage})
    return str(scan_after_import.enqueue(event.kind, origin).id)
