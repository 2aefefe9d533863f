"""Why a claim kept in the database is decided so: the file-based explanation, fed from the database.

The frames come from `decision_store.stored_frames` and the explanation from `explain.explain_claim`, so the
page, `qiancheng explain` and the batch decision all read the same engine run. A record the engine read under
another ID number of the same person (a confirmed link, people.links) is named with that number, masked as
every page masks it, so a 3.5 denial shows both ID numbers.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db import transaction

from qiancheng.clock import today
from qiancheng.funding.models import SubsidyClaim
from qiancheng.funding.services.decision_store import stored_frames_held, with_stored_uplift
from qiancheng.people.models import Person
from qiancheng.policy.batch import BatchInput
from qiancheng.policy.explain import Cause, Explanation, explain_claim
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
        claims, history, held = stored_frames_held(actor, SubsidyClaim.objects.filter(pk=claim.pk))
    explanation = explain_claim(BatchInput(claims, history, params, as_of), claim.number)
    return with_other_id_numbers(explanation, claim.person_id, held)


# Paired as the engine's words are ("中文 English"), so a page keeps one language (policy.words.PAIRS).
HELD_ELSEWHERE = "记于另一身份证号 held under the other ID number"


def with_other_id_numbers(explanation: Explanation, person_key: str, held: dict[str, str]) -> Explanation:
    """Each cause held under another ID number than the claim's names that number (masked)."""
    others = {record_id: key for record_id, key in held.items() if key != person_key}
    if not others:
        return explanation
    masked = dict(Person.objects.filter(pk__in=set(others.values())).values_list("person_key", "id_number_masked"))

    def named(cause: Cause) -> Cause:
        key = others.get(cause.record_id)
        if key is None:
            return cause
        return replace(cause, description=f"{cause.description}, {HELD_ELSEWHERE} {masked.get(key, '')}".rstrip())

    rules = [replace(rule, causes=[named(cause) for cause in rule.causes]) for rule in explanation.rules]
    return replace(explanation, rules=rules)
