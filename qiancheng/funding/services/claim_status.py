"""The one writer of a claim's status: a claim is filed, and moves from status to status, only here.

Every funding service that files, approves, rejects, withdraws, pays, reopens on a bank return, restores on
an appeal or recovers a claim calls `file_new_claim` or `move_claim`; `CLAIM_TRANSITIONS` (next to
`ClaimStatus`) says which changes exist and why. A change not in the table is refused with
`illegal_status_change` (409), whatever the caller checked before, and nothing is written.
The decision fields (eligible, amounts, rules) are written by `decision_store.decide_stored_claims`, which
never touches the status. Both tell `funding.claim_changes` the year of the training, so the programme's figures
are refreshed once the change is committed (docs/statistics.md "The pre-aggregate").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import override

from qiancheng.funding.claim_changes import claims_changed
from qiancheng.funding.models import CLAIM_TRANSITIONS, FILED_STATUS, ClaimStatus, SubsidyClaim
from qiancheng.funding.services.refusal import FundingRefused


def _chinese(status: str) -> str:
    """The status's Chinese name, whatever the request's language (the label's first word)."""
    with override("zh-hans"):
        return str(ClaimStatus(status).label).split(" ")[0]


def illegal_change(claim: SubsidyClaim, before: str, after: str) -> FundingRefused:
    allowed = sorted(CLAIM_TRANSITIONS[ClaimStatus(before)])
    return FundingRefused(
        "illegal_status_change",
        f"申领{claim.number}当前状态为“{_chinese(before)}”，不能改为“{_chinese(after)}”",
        f"claim {claim.number} is {before}; it cannot become {after}",
        status=409,
        details=[{"claim_number": claim.number, "status": before, "requested": after,
                  "allowed": [str(status) for status in allowed]}],
    )


def can_move(status: str, to: ClaimStatus) -> bool:
    """Whether the table allows a claim in `status` to become `to` (for pages deciding which buttons to show)."""
    return to in CLAIM_TRANSITIONS[ClaimStatus(status)]


def file_new_claim(**fields: Any) -> SubsidyClaim:
    """Create a claim in the status every claim is filed in (6c); the caller's transaction and audit entry."""
    if "status" in fields:
        raise TypeError("a claim is filed in FILED_STATUS; its status is not the caller's to choose")
    claim = SubsidyClaim.objects.create(status=FILED_STATUS, **fields)
    claims_changed([claim.end_date.year])
    return claim


def move_claim(claim: SubsidyClaim, to: ClaimStatus, *, also: Iterable[str] = ()) -> ClaimStatus:
    """Change `claim`'s status to `to` and save it with the other fields named in `also`; return the status before.

    Call inside a transaction. The status before is read from the row itself, locked (the caller usually holds
    the lock already), so the table is enforced on what is stored, not on a copy read earlier. Refused
    (409 illegal_status_change, nothing written) when the table has no such change.
    """
    stored = SubsidyClaim.objects.select_for_update().filter(pk=claim.pk).values_list("status", flat=True).get()
    if to not in CLAIM_TRANSITIONS[ClaimStatus(stored)]:
        raise illegal_change(claim, stored, to)
    claim.status = to
    claim.save(update_fields=list(dict.fromkeys(["status", "updated_at", *also])))
    claims_changed([claim.end_date.year])
    return ClaimStatus(stored)
