"""What the apps above projects say about the classes that deliver a project, read through a hook.

A project is delivered by training classes (3.4c) and judged by their results (3.4d), but classes live
in `training` and certificates in `evaluation`, both above projects in the layers. So projects names
what it needs, and those apps register how to read it in their AppConfig.ready:

- `training` registers the delivery: the condition on `Project` rows "every delivering class is over"
  (`done_q`) and the last end date of the delivering classes (`last_end`), for the 3.4d confirmation;
- `training` and `evaluation` register *record readers*: for a list of institution ids, figures of each
  institution's record (running classes and trainees, classes delivered, trainees completed,
  certificates) that the city reads when it chooses an institution (3.4c 择优).

Nothing is registered before the apps are ready; asking then is a configuration error, not a silent 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Expression, Q


@dataclass(frozen=True)
class Delivery:
    """How the delivering classes are read (registered by training)."""

    done_q: Callable[[dt.date], Q]  # on Project rows: at least one delivering class over, none still running
    last_end: Callable[[], Expression]  # on Project rows: the last end date of the delivering classes


RecordReader = Callable[[list[int]], dict[int, dict[str, int]]]

_delivery: list[Delivery] = []
_record_readers: dict[str, RecordReader] = {}


def register_delivery(delivery: Delivery) -> None:
    _delivery[:] = [delivery]


def register_record(name: str, reader: RecordReader) -> None:
    """`reader(institution_ids)` -> {institution_id: {figure: count}}; figures of one app under one name."""
    _record_readers[name] = reader


def delivery() -> Delivery:
    if not _delivery:
        raise ImproperlyConfigured("no app registered how projects are delivered (qiancheng.training registers it)")
    return _delivery[0]


def institution_records(institution_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Every registered figure of each institution's record; an institution with none has an empty dict."""
    ids = list(institution_ids)
    if not _record_readers:
        raise ImproperlyConfigured("no app registered institution records (qiancheng.training registers them)")
    merged: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    for reader in _record_readers.values():
        for pk, figures in reader(ids).items():
            merged.setdefault(pk, {}).update(figures)
    return merged
