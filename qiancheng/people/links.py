"""One natural person under two ID numbers: confirmed links, the identity clusters they make, and the key the
engine decides a cluster under.

The engine's "same person" is the same ID number text on both sides (RULES reading 1). A person registered under a
mistyped number would otherwise get two lifetime allowances of 3.5 (三次、每年一次、同一职业同一等级一次). Once an
official confirms that two records are one person (risk.services.decide_candidate), every online path that builds a
history for the engine (funding.services.decision_store, training.services.enrolment and entitlement) reads the
cluster: the rows of every member are handed to the engine under one key, the one the caller asked about
(`decided_as`), each keeping the key it is held under (`held_under`) so an explanation can name that ID number.

`link_persons` and `undo_link` are the only writers of PersonLink; each takes the acting user, runs in one
transaction and writes the audit trail (masked ID numbers only).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from qiancheng.clock import today
from qiancheng.people.models import Person, PersonLink

CHUNK = 2_000  # keys per IN (...) list: far below SQLite's variable limit
REASON_MAX = 4000
HELD_UNDER = "held_under"  # the extra field of a history row read under another member's key


def in_force() -> QuerySet[PersonLink]:
    return PersonLink.objects.filter(undone_at__isnull=True)


def _edges(person_keys: Iterable[str] | None) -> list[tuple[str, str]]:
    """The links in force of the clusters touching `person_keys` (every link when None), walked outwards."""
    if person_keys is None:
        return list(in_force().values_list("person_a_id", "person_b_id"))
    edges: set[tuple[str, str]] = set()
    seen = set(person_keys)
    frontier = list(seen)
    # Asked about more persons than one IN list holds (a roster of thousands), the links in force (one per
    # confirmed pair, far fewer than persons) are read once and walked here: the same edges, without Django
    # building an IN list of 2,000 keys twice per chunk, four times per roster (bench/README.md, 2026-12-07).
    every = list(in_force().values_list("person_a_id", "person_b_id")) if len(frontier) > CHUNK else None
    while frontier:
        found: set[tuple[str, str]] = set()
        if every is not None:
            wanted = set(frontier)
            found.update(edge for edge in every if edge[0] in wanted or edge[1] in wanted)
        else:
            for start in range(0, len(frontier), CHUNK):
                part = frontier[start:start + CHUNK]
                found.update(in_force().filter(Q(person_a__in=part) | Q(person_b__in=part))
                             .values_list("person_a_id", "person_b_id"))
        edges |= found
        frontier = [key for edge in found for key in edge if key not in seen]
        seen.update(frontier)
    return sorted(edges)


def clusters(person_keys: Iterable[str] | None) -> dict[str, frozenset[str]]:
    """Each person in a cluster touching `person_keys` (None: every cluster) → all the cluster's keys.
    A person with no link in force is in no cluster and not in the answer."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for a, b in _edges(person_keys):
        parent[max(root(a), root(b))] = min(root(a), root(b))
    members: dict[str, set[str]] = {}
    for key in list(parent):
        members.setdefault(root(key), set()).add(key)
    return {key: frozenset(group) for group in members.values() for key in group}


def canonical_key(person_key: str) -> str:
    """The key a cluster is known by: the smallest person_key in it (the person's own key when unlinked)."""
    return min(clusters([person_key]).get(person_key, {person_key}))


def decided_as(person_keys: Iterable[str] | None, found: dict[str, frozenset[str]] | None = None) -> dict[str, str]:
    """For each member of a cluster touching `person_keys` (None: every cluster), the key the engine reads the
    whole cluster under: the smallest of the cluster's keys that was asked about, else its canonical key.
    Unlinked persons are not in the answer (they are decided under their own key). `found`: `clusters(person_keys)`
    when the caller has it already (one walk of the links per decision, not three)."""
    asked = set(person_keys or ())
    answer: dict[str, str] = {}
    for key, group in (clusters(person_keys) if found is None else found).items():
        chosen = sorted(group & asked) or sorted(group)
        answer[key] = chosen[0]
    return answer


def with_linked(person_keys: set[str] | None, found: dict[str, frozenset[str]] | None = None) -> set[str] | None:
    """The persons and every person confirmed to be one of them (None stays None: everyone). `found`: as above."""
    if person_keys is None:
        return None
    return person_keys | set(clusters(person_keys) if found is None else found)


def as_one_person(records: list[dict[str, Any]], subject: dict[str, str],
                  field: str = "id_number") -> list[dict[str, Any]]:
    """History or claim rows with each cluster member's key replaced by the cluster's subject key; a row moved
    keeps the key it is held under in `held_under` (the first one, if it is moved twice)."""
    if not subject:
        return records
    moved = []
    for record in records:
        key = record.get(field)
        target = subject.get(key) if key else None
        if target is None or target == key:
            moved.append(record)
        else:
            moved.append({**record, field: target, HELD_UNDER: record.get(HELD_UNDER, key)})
    return moved


# --- the one writer --------------------------------------------------------------------------------------


def _reason(reason: str, what_zh: str, what_en: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(f"{what_zh}须说明理由 / {what_en} needs a reason", code="reason_required")
    if len(reason) > REASON_MAX:
        raise ValidationError(f"理由超过{REASON_MAX}字 / the reason is longer than {REASON_MAX} characters",
                              code="too_long")
    return reason


def _audit(actor: Any, action: str, link: PersonLink, reason: str, before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None) -> None:
    from qiancheng.accounts.audit import record_event

    masked = dict(Person.objects.filter(pk__in=[link.person_a_id, link.person_b_id])
                  .values_list("person_key", "id_number_masked"))
    record_event(actor, action, link, before=before, reason=reason, after={
        **(after or {}), "id_numbers": [masked.get(link.person_a_id), masked.get(link.person_b_id)],
        "source": link.source})


def link_persons(actor: Any, first: Person, second: Person, reason: str, *, source: str) -> PersonLink:
    """Record, dated, that `first` and `second` are one natural person (called by risk when an official confirms
    a link candidate). Refused for a person with themself and for a pair already linked."""
    reason = _reason(reason, "确认为同一人", "a link")
    if first.pk == second.pk:
        raise ValidationError("同一条人员记录不能与自身关联 / a person cannot be linked to themself", code="same_person")
    a, b = sorted([first.pk, second.pk])
    try:
        with transaction.atomic():
            link = PersonLink.objects.create(person_a_id=a, person_b_id=b, source=source[:64], linked_on=today(),
                                             linked_at=timezone.now(), linked_by=actor, reason=reason)
            _audit(actor, "person.linked", link, reason, after={"in_force": True})
    except IntegrityError as clash:
        raise ValidationError("这两条人员记录已确认为同一人 / these two records are already linked",
                              code="already_linked") from clash
    return link


def undo_link(actor: Any, link: PersonLink, reason: str) -> PersonLink:
    """Undo a link by a dated decision with a reason: from now on the two records are two persons again for the
    engine. The row stays, with who undid it, when and why."""
    reason = _reason(reason, "撤销合并", "an undo")
    with transaction.atomic():
        current = PersonLink.objects.select_for_update().get(pk=link.pk)
        if not current.in_force:
            raise ValidationError("该关联已撤销 / this link is already undone", code="already_undone")
        current.undone_on, current.undone_at, current.undone_by, current.undo_reason = (
            today(), timezone.now(), actor, reason)
        current.save(update_fields=["undone_on", "undone_at", "undone_by", "undo_reason"])
        _audit(actor, "person.link_undone", current, reason, before={"in_force": True}, after={"in_force": False})
    return current
