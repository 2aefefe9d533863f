"""The stored history the enrolment's eligibility prediction reads, supplied by the layer that keeps the claims.

Training sits below funding and may not import it, yet the prediction at enrolment needs what the decision of a
stored claim reads: each person's earlier claims, certificates, skill-upgrade subsidies and the sanctions
register, as EXCHANGE.md history rows. Funding registers its reader here (`FundingConfig.ready`:
`funding.services.decision_store.stored_history_records`), as it registers what a certificate's revocation means
for money in evaluation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# Above this many persons the whole history tables are read instead of an IN list of persons (the enrolment's
# prediction and the decision of stored claims read alike).
WHOLE_TABLES_FROM = 5_000

# (person keys or None for everyone, institution USCCs or None) -> history rows with person keys as id_number.
HistoryReader = Callable[[set[str] | None, set[str] | None], list[dict[str, Any]]]

_reader: list[HistoryReader] = []


def read_history_with(reader: HistoryReader) -> None:
    """Register (or replace) the reader of the stored history; called once from funding's ready()."""
    _reader[:] = [reader]


def stored_history(person_keys: set[str] | None, institution_usccs: set[str] | None) -> list[dict[str, Any]]:
    """The stored history of these persons (None: of everyone) and of these institutions' sanctions."""
    if not _reader:
        raise ImproperlyConfigured("no stored-history reader is registered: qiancheng.funding must be installed")
    return _reader[0](person_keys, institution_usccs)
