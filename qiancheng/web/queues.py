"""Review queues: what is waiting for an official, how many, and for how long.

Each app registers its queues once (from its urls module, like navigation links):

    add_queue("classes", _("开班申请"), "training:class_queue", pending_classes, since="submitted_at",
              roles={Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL}, order=20)

`pending(user)` returns the scoped queryset of items waiting for that user; `since` names the
datetime (or date) field from which the wait is counted. The city home page and `/queues/` show, per
queue, the count and the age of the oldest item, so that nothing waits unseen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Min
from django.urls import reverse
from django.utils.functional import Promise

from qiancheng.clock import days_since


@dataclass(frozen=True)
class Queue:
    key: str
    label: str | Promise
    url_name: str
    pending: Callable[[Any], models.QuerySet]
    since: str
    roles: frozenset[str]
    order: int = 50


@dataclass(frozen=True)
class QueueState:
    key: str
    label: str | Promise
    url: str
    count: int
    oldest_days: int | None  # whole days the oldest pending item has waited; None when empty


_QUEUES: dict[str, Queue] = {}


def add_queue(key: str, label: str | Promise, url_name: str, pending: Callable[[Any], models.QuerySet], *,
              since: str, roles: set[str] | frozenset[str], order: int = 50) -> Queue:
    queue = Queue(key=key, label=label, url_name=url_name, pending=pending, since=since,
                  roles=frozenset(roles), order=order)
    _QUEUES[key] = queue
    return queue


def queues_for(user: Any) -> list[QueueState]:
    """Every queue the user's role works, with its count and the age of its oldest item."""
    role = getattr(user, "role", "") if getattr(user, "is_authenticated", False) else ""
    states = []
    for queue in sorted(_QUEUES.values(), key=lambda each: (each.order, each.key)):
        if role not in queue.roles:
            continue
        pending = queue.pending(user)
        summary = pending.aggregate(count=models.Count("pk"), oldest=Min(queue.since))
        states.append(QueueState(key=queue.key, label=queue.label, url=reverse(queue.url_name),
                                 count=summary["count"], oldest_days=days_since(summary["oldest"])))
    return states
