"""After an import: what the importing apps tell the apps above them once an import is committed.

The apps that take records in bulk (a roster applied, an attendance sheet, certificates, a class's claims,
an employment proof) sit below the apps that read across them (risk's signals and linkage, issue 12:
"signals run ... after each import"). A lower app may not import a higher one (docs/architecture.md,
Layers), so the importing service names what happened with `imported(...)`, and a higher app registers
what to do about it with `on_import(receiver)` in its AppConfig.ready, as `projects.delivery` and
`sanctions.signals` do.

`imported` defers the receivers to the commit of the import's transaction (`transaction.on_commit`): an
import that fails or is rolled back tells nobody, and a receiver never sees records that are not there.
A receiver's failure is logged and does not reach the importer, whose records are already committed
(`robust=True`); a receiver should queue work (a task), not do it in the importer's request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)


class ImportKind:
    """What was imported; each importing app names its own."""

    ROSTER = "roster"  # training: a roster import applied (persons registered, trainees enrolled)
    ATTENDANCE = "attendance"  # training: an attendance sheet recorded
    CERTIFICATES = "certificates"  # evaluation: certificate rows imported
    CLASS_CLAIMS = "class_claims"  # funding: a class's claims filed in one go
    EMPLOYMENT_PROOF = "employment_proof"  # funding: an employment proof (5.2c) added to a claim


@dataclass(frozen=True)
class Imported:
    """One committed import: its kind, who did it, and where it lands (the city, the institution, the class,
    where the import has them), and how many records it wrote."""

    kind: str
    actor_id: int | None
    city_id: str | None = None
    institution_id: int | None = None
    class_id: int | None = None
    records: int = 0


Receiver = Callable[[Imported], None]

_receivers: dict[str, Receiver] = {}


def on_import(name: str, receiver: Receiver) -> None:
    """Register (or replace, under the same name) what to do after each committed import."""
    _receivers[name] = receiver


def receivers() -> dict[str, Receiver]:
    return dict(_receivers)


def imported(event: Imported) -> None:
    """Call inside the import's transaction, after its records are written: each receiver runs once the
    transaction commits (at once where there is none), never when it rolls back."""
    for name, receiver in _receivers.items():
        transaction.on_commit(partial(_deliver, name, receiver, event), robust=True)


def _deliver(name: str, receiver: Receiver, event: Imported) -> None:
    logger.info("after import %s (%s): %s", event.kind, event.class_id or event.institution_id or event.city_id, name)
    receiver(event)
