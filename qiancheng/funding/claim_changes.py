"""After claims change: what funding tells the apps above it once a change of counted claims is committed.

The programme's figures (insight's statistics and progress, docs/statistics.md) are read from a pre-aggregate of
the counted claims, refreshed by a task. What changes a counted figure is written here in funding: a claim filed,
moved from status to status (`services.claim_status`, the one writer of a status), or decided
(`services.decision_store`, the one writer of a decision). Those writers call `claims_changed(years)` with the
years of the trainings' end dates; a higher app registers what to do about it with `on_claims_changed(name,
receiver)` in its AppConfig.ready (insight queues a refresh of those years). Funding may not import insight
(docs/architecture.md, Layers), hence the registry, as `web.imports_done` does for imports.

The receivers run once the writer's transaction commits (`transaction.on_commit`), with every year noted in it
(a payment batch of a thousand claims tells them once, not a thousand times); a transaction that rolls back tells
nobody its own changes. A receiver's failure is logged and never reaches the writer (`robust=True`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

from django.db import transaction

logger = logging.getLogger(__name__)

Receiver = Callable[[frozenset[int]], None]

_receivers: dict[str, Receiver] = {}
_noted = threading.local()  # the years noted and not yet told, per thread (a connection is per thread)


def on_claims_changed(name: str, receiver: Receiver) -> None:
    """Register (or replace, under the same name) what to do once changed claims are committed."""
    _receivers[name] = receiver


def claims_changed(years: Iterable[int]) -> None:
    """Call inside the writer's transaction: the receivers hear of these years once it commits (at once where
    there is no transaction)."""
    if not _receivers:
        return
    connection = transaction.get_connection()
    waiting = any(callback is _tell for _, callback, _ in connection.run_on_commit)
    # Our callback not waiting on this transaction: what was noted before belonged to a transaction that rolled
    # back (a committed one has told and emptied it), so it is dropped.
    noted: set[int] = (getattr(_noted, "years", None) or set()) if waiting else set()
    noted.update(int(year) for year in years)
    _noted.years = noted
    if not waiting:
        transaction.on_commit(_tell, robust=True)


def _tell() -> None:
    """Once the transaction commits, tell every receiver the years noted in it (one callback per transaction;
    years noted in a savepoint that rolled back may ride along: a refresh too many, never one too few)."""
    years = frozenset(getattr(_noted, "years", None) or ())
    _noted.years = set()
    if not years:
        return
    for name, receiver in list(_receivers.items()):
        try:
            receiver(years)
        except Exception:
            logger.exception("after claims changed (%s): %s failed", sorted(years), name)
