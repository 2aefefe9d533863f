"""The audit trail: every state change and every reveal of personal data, chained by SHA-256.

`record_event` is the only writer (`record_events` the same, for one bulk change of many rows). It runs inside the caller's transaction, so an event is kept exactly
when the change it describes is kept. Each entry's hash covers the previous entry's hash and the
canonical JSON of the entry itself; `verify_chain` recomputes them all and names the first entry that
does not match.

Writers are serialised so the chain never forks: on PostgreSQL by a transaction-scoped advisory lock
taken before the chain head is read; on SQLite the project opens every transaction with BEGIN IMMEDIATE
(settings.py), which already gives one writer at a time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection, models
from django.http import HttpRequest
from django.utils import timezone

from qiancheng.accounts.models import AuditEntry, User

GENESIS_HASH = "0" * 64
# Any 64-bit constant unique to this lock; "QCAUDIT1" as ASCII.
_POSTGRES_CHAIN_LOCK = 0x5143415544495431


# Values that are already plain JSON, returned as they are before the isinstance checks (a bulk change of
# 100,000 rows calls this for every field of every row).
_PLAIN = frozenset({str, int, bool, type(None)})


def jsonable(value: Any) -> Any:
    """The value as plain JSON that reads back identically from either database.

    Decimals, dates and floats become strings: money keeps its exact digits and a jsonb column cannot
    re-spell a number, which would change the hash.
    """
    if type(value) in _PLAIN:  # the exact types only: a str enum member takes the general path below
        return value
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [jsonable(item) for item in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (Decimal, float, uuid.UUID)):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)


def canonical_json(payload: Mapping[str, Any]) -> str:
    return _canonical_value(payload)


def _canonical_value(value: Any) -> str:
    """One JSON value written as canonical_json writes it (sorted keys, no spaces, characters as they are)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _payload(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at.astimezone(dt.UTC).isoformat(),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "target_model": entry.target_model,
        "target_pk": entry.target_pk,
        "before": entry.before,
        "after": entry.after,
        "reason": entry.reason,
        "ip": entry.ip,
        "prev_hash": entry.prev_hash,
    }


def entry_hash(entry: AuditEntry) -> str:
    """SHA-256 over the previous hash and the canonical JSON of the entry."""
    return _payload_hash(_payload(entry))


def _payload_hash(payload: Mapping[str, Any]) -> str:
    """The hash of an entry from its payload (`_payload`): the one formula behind `entry_hash` and the bulk writer."""
    digest = hashlib.sha256()
    digest.update(payload["prev_hash"].encode("ascii"))
    digest.update(canonical_json(payload).encode("utf-8"))
    return digest.hexdigest()


def actor_label(actor: User | None) -> str:
    if actor is None:
        return "system"
    role = f" ({actor.role})" if actor.role else ""
    return f"{actor.username}{role}"


def client_ip(request: HttpRequest | None) -> str | None:
    """The peer address as the server saw it, normalised (proxies must be trusted explicitly: they are not)."""
    if request is None:
        return None
    raw = request.META.get("REMOTE_ADDR") or ""
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        return None


def _lock_chain_head() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_POSTGRES_CHAIN_LOCK])


def record_event(
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Append one entry to the audit trail; call it inside the transaction of the change it records.

    `actor` is the acting user (None for the system itself; an anonymous request user counts as None).
    `action` names the event, `app.verb` style: "claim.approved", "person.id_number_revealed".
    """
    if not connection.in_atomic_block:
        raise RuntimeError(
            "record_event 必须在调用方的事务中执行 / record_event must run inside the caller's transaction.atomic()"
        )
    if not action:
        raise ValueError("审计事件需要动作名称 / an audit event needs an action")
    if actor is not None and not actor.is_authenticated:
        actor = None
    _lock_chain_head()
    head = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
    entry = AuditEntry(
        seq=seq,
        at=timezone.now(),
        actor=actor,
        actor_label=actor_label(actor),
        action=action,
        target_model=target._meta.label_lower if target is not None else "",
        target_pk=str(target.pk) if target is not None else "",
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        reason=reason,
        ip=client_ip(request),
        prev_hash=prev_hash,
    )
    entry.hash = entry_hash(entry)
    entry._written_by_audit_service = True
    entry.save(force_insert=True)
    return entry


def record_events(
    actor: User | None,
    action: str,
    target_model: type[models.Model],
    changes: Iterable[tuple[object, Mapping[str, Any]]],
) -> int:
    """Append one entry per `(target pk, after)` of a bulk change (a roster of thousands, the demo province),
    chained exactly as `record_event` chains them; return how many. Same rules: inside the caller's
    transaction, one writer of the chain at a time.

    The entries go in as plain rows (executemany of prepared values, in batches, on SQLite; COPY on PostgreSQL)
    rather than through model instances and `bulk_create`: at 100,000 entries Django preparing each field of each instance took most of
    a roster's apply (bench/README.md, 2026-12-07). Each row's values are those `record_event` would store,
    and its hash is the same SHA-256 over the previous hash and the entry's canonical JSON, the JSON written
    around each entry's own values instead of re-encoding the whole payload per entry; `verify_chain`, which
    recomputes every hash with `entry_hash`, cannot tell the two writers apart (accounts/tests/test_audit_bulk.py
    writes entries both ways, with names and values that need escaping, and verifies the chain)."""
    if not connection.in_atomic_block:
        raise RuntimeError(
            "record_events 必须在调用方的事务中执行 / record_events must run inside the caller's transaction.atomic()"
        )
    if actor is not None and not actor.is_authenticated:
        actor = None
    _lock_chain_head()
    head = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
    fields = {field.attname: field for field in AuditEntry._meta.concrete_fields}
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(AuditEntry._meta.db_table)} ({', '.join(quote(f.column) for f in fields.values())}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    at = timezone.now()
    label, actor_id, actor_text = target_model._meta.label_lower, actor.pk if actor is not None else None, \
        actor_label(actor)
    # What every entry of the change shares, prepared once: the stored time as the model's field stores it,
    # and the canonical JSON of the payload around the three values that differ (after, prev_hash, seq,
    # target_pk), keys in sorted order as canonical_json writes them.
    at_stored = fields["at"].get_db_prep_save(at, connection)
    shared = {"action": action, "actor_id": actor_id, "actor_label": actor_text, "at": at.astimezone(dt.UTC).isoformat(),
              "target_model": label}
    text = {name: _canonical_value(value) for name, value in shared.items()}
    head_json = f'{{"action":{text["action"]},"actor_id":{text["actor_id"]},"actor_label":{text["actor_label"]},"after":'
    middle_json = f',"at":{text["at"]},"before":null,"ip":null,"prev_hash":"'
    tail_json = f',"target_model":{text["target_model"]},"target_pk":'
    # SQLite keeps a JSON column as its text, so the canonical text of `after` is stored as it is; other
    # databases get the value prepared by the field.
    after_field, stores_text = fields["after"], connection.vendor == "sqlite"
    chained = _chained(changes, seq, prev_hash, head_json, middle_json, tail_json)
    if connection.vendor == "postgresql":
        return _copy_events(chained, at, actor_id, actor_text, action, label)
    written, batch = 0, []
    with connection.cursor() as cursor:
        for link in chained:
            stored = {"seq": link.seq, "at": at_stored, "actor_id": actor_id, "actor_label": actor_text,
                      "action": action, "target_model": label, "target_pk": link.target_pk, "before": None,
                      "after": link.after_json if stores_text else after_field.get_db_prep_save(link.value, connection),
                      "reason": "", "ip": None, "prev_hash": link.prev_hash, "hash": link.digest}
            batch.append(tuple(stored[name] for name in fields))
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                written, batch = written + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
    return written + len(batch)


class _Link(NamedTuple):
    """One entry of a bulk change, chained: its values and the hash that links it to the one before (a tuple:
    a bulk change makes a million of them)."""

    seq: int
    target_pk: str
    value: Any  # `after`, made JSON-able
    after_json: str  # its canonical JSON text
    prev_hash: str
    digest: str


def _chained(changes: Iterable[tuple[object, Mapping[str, Any]]], seq: int, prev_hash: str, head_json: str,
             middle_json: str, tail_json: str) -> Iterator[_Link]:
    """The entries of `record_events` in order, each hashed over the canonical JSON of its payload (the shared
    parts prepared once, around the values that differ) and chained to the one before: the one place both
    writers (executemany, COPY) take their hashes from, so they cannot disagree."""
    for pk, after in changes:
        value, target_pk = jsonable(after), str(pk)
        after_json = _canonical_value(value)
        payload_json = (f'{head_json}{after_json}{middle_json}{prev_hash}","reason":"","seq":{seq}'
                        f'{tail_json}{_canonical_value(target_pk)}}}')
        digest = hashlib.sha256(prev_hash.encode("ascii") + payload_json.encode("utf-8")).hexdigest()
        yield _Link(seq, target_pk, value, after_json, prev_hash, digest)
        seq, prev_hash = seq + 1, digest


# Entries per COPY on PostgreSQL: the columns of one block are held in memory as Python lists, then as one frame.
COPY_BLOCK_ENTRIES = 100_000


def _copy_events(chained: Iterable[_Link], at: dt.datetime, actor_id: object, actor_text: str, action: str,
                 label: str) -> int:
    """`record_events` on PostgreSQL: the same values and hashes, written by COPY (`qiancheng.bulk_insert.write_frame`,
    Polars' CSV) instead of executemany. The 1,000,000-person province writes 1.2 M enrolment entries: row by row
    they were the load's largest part after the rows themselves (bench/README.md). `after` goes in as its
    canonical JSON text, which jsonb reads to the same value."""
    import polars as pl

    from qiancheng.bulk_insert import write_frame

    written = 0
    seqs: list[int] = []
    target_pks: list[str] = []
    afters: list[str | None] = []
    prev_hashes: list[str] = []
    hashes: list[str] = []

    def flush() -> int:
        frame = pl.DataFrame({
            "seq": pl.Series(seqs, dtype=pl.Int64), "target_pk": pl.Series(target_pks, dtype=pl.String),
            "after": pl.Series(afters, dtype=pl.String), "prev_hash": pl.Series(prev_hashes, dtype=pl.String),
            "hash": pl.Series(hashes, dtype=pl.String),
        }).with_columns(
            pl.lit(at.astimezone(dt.UTC)).alias("at"), pl.lit(actor_id, pl.Int64).alias("actor_id"),
            pl.lit(actor_text).alias("actor_label"), pl.lit(action).alias("action"),
            pl.lit(label).alias("target_model"), pl.lit("").alias("reason"),
        )
        count = write_frame(AuditEntry, frame)
        for column in (seqs, target_pks, afters, prev_hashes, hashes):
            column.clear()
        return count

    for link in chained:
        seqs.append(link.seq)
        target_pks.append(link.target_pk)
        afters.append(None if link.value is None else link.after_json)  # SQL NULL, as the field stores None
        prev_hashes.append(link.prev_hash)
        hashes.append(link.digest)
        if len(seqs) >= COPY_BLOCK_ENTRIES:
            written += flush()
    if seqs:
        written += flush()
    return written


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of a record, ready to be `before` or `after` of an event."""
    return {name: jsonable(getattr(instance, name)) for name in fields}


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of checking the whole chain."""

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""


def verify_chain(chunk_size: int = 2000) -> VerifyResult:
    """Recompute every hash in order; stop at the first entry that breaks the chain."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
        problem = _problem(entry, expected_seq, prev_hash)
        if problem:
            return VerifyResult(ok=False, checked=checked, first_bad_seq=entry.seq, reason=problem)
        checked += 1
        expected_seq, prev_hash = entry.seq + 1, entry.hash
    return VerifyResult(ok=True, checked=checked)


def _problem(entry: AuditEntry, expected_seq: int, prev_hash: str) -> str:
    if entry.seq != expected_seq:
        return f"缺少第 {expected_seq} 条 / entry {expected_seq} is missing (next found is {entry.seq})"
    if entry.prev_hash != prev_hash:
        return "与上一条的链接不符 / prev_hash does not match the previous entry's hash"
    if entry_hash(entry) != entry.hash:
        return "内容与哈希不符，记录被改动 / content does not match its hash: the entry was altered"
    return ""



@dataclass(frozen=True)
class Anchor:
    """The chain's head written down outside the database (a file kept elsewhere, a printed register).

    The chain alone cannot show that its last entries were deleted: what remains still links. An anchor
    taken earlier names an entry that must still be there, with the same hash, and a count the trail may
    only have grown from."""

    seq: int
    hash: str
    taken_at: str

    def as_text(self) -> str:
        return json.dumps({"seq": self.seq, "hash": self.hash, "taken_at": self.taken_at}, ensure_ascii=False)

    @classmethod
    def from_text(cls, text: str) -> Anchor:
        try:
            data = json.loads(text)
            seq, head = int(data["seq"]), str(data["hash"])
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError("锚点文件格式不对 / the anchor file is not an audit anchor") from exc
        if seq < 0 or len(head) != 64:
            raise ValueError("锚点文件格式不对 / the anchor file is not an audit anchor")
        return cls(seq=seq, hash=head, taken_at=str(data.get("taken_at", "")))


def take_anchor() -> Anchor:
    """The chain's head now (seq 0 and the genesis hash for an empty trail)."""
    head = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, last = head if head else (0, GENESIS_HASH)
    return Anchor(seq=seq, hash=last, taken_at=timezone.now().isoformat(timespec="seconds"))


def anchor_problem(anchor: Anchor) -> str:
    """Why the trail no longer holds what the anchor saw ("" when it does)."""
    if anchor.seq == 0:
        return ""
    entry = AuditEntry.objects.filter(seq=anchor.seq).values_list("hash", flat=True).first()
    if entry is None:
        count = AuditEntry.objects.count()
        return (f"锚点记下第 {anchor.seq} 条，现在只有 {count} 条：审计记录被截断 / the anchor saw entry {anchor.seq} "
                f"({anchor.taken_at}); only {count} remain: the trail was truncated")
    if entry != anchor.hash:
        return (f"第 {anchor.seq} 条的哈希与锚点不符：记录被重写 / entry {anchor.seq} no longer has the anchored hash: "
                "the trail was rewritten")
    return ""
