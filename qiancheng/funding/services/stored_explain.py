"""Why a claim kept in the database is decided so: the file-based explanation, fed from the database.

The frames come from `decision_store.stored_frames` and the explanation from `explain.explain_claim`, so the
page, `qiancheng explain` and the batch decision all read the same engine run.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from qiancheng.clock import today
from qiancheng.funding.models import SubsidyClaim
from qiancheng.funding.services.decision_store import stored_frames, with_stored_uplift
from qiancheng.policy.batch import BatchInput
from qiancheng.policy.explain import Explanation, explain_claim
from qiancheng.policy.params import load_packaged


def explain_stored_claim(actor: Any, claim: SubsidyClaim) -> Explanation:
    """Explain `claim` against today's stored history and the packaged parameters.

    Opening the sealed ID numbers for the engine is audited, and an audit entry needs a transaction.
    """
    # The uplift the decision read for this city on the training's end date (4.2), as decide_stored_claims does.
    params = with_stored_uplift(load_packaged(), claim.city_id, claim.end_date) if claim.end_date else load_packaged()
    # The same day decide_stored_claims takes, so a fresh decision and its explanation agree.
    as_of = params.as_of or today()
    with transaction.atomic():
        claims, history = stored_frames(actor, SubsidyClaim.objects.filter(pk=claim.pk))
    return explain_claim(BatchInput(claims, history, params, as_of), claim.number)
