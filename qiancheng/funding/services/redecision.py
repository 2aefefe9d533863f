"""重新判定: an official has one stored claim decided again against today's history.

Only before approval: once a claim is approved its stored decision is the one money was reserved or
paid on, and it stays the record (a changed history shows on the claim's page instead). The page
(`/policy/claims/<number>/decide/`) and the API (`POST /api/v1/claims/<number>/decide`) both call this.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from qiancheng.funding.models import ClaimStatus, SubsidyClaim
from qiancheng.funding.services.claims import decide, require_reviewer
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.policy.exchange import ExchangeError
from qiancheng.policy.params import ParameterError

REDECIDABLE = (ClaimStatus.DRAFT, ClaimStatus.PENDING)


def redecide_claim(actor: Any, claim: SubsidyClaim) -> SubsidyClaim:
    """Decide `claim` again (the engine writes the decision and its audit entry); refused after approval."""
    require_reviewer(actor, claim)
    with transaction.atomic():
        locked = SubsidyClaim.objects.select_for_update().get(pk=claim.pk)
        if locked.status not in REDECIDABLE:
            raise FundingRefused("decision_kept", f"申领{locked.number}已核准或已结束，判定结果保持不变",
                                 f"claim {locked.number} is approved or closed; its decision stays the record")
        try:
            decide(actor, SubsidyClaim.objects.filter(pk=locked.pk), None)
        except (ExchangeError, ParameterError) as problem:
            problems = problem.problems if isinstance(problem, ExchangeError) else [str(problem)]
            raise FundingRefused("cannot_decide", "无法判定：" + "; ".join(problems),
                                 "the engine cannot decide this claim: " + "; ".join(problems),
                                 status=422) from problem
    locked.refresh_from_db()
    return locked
