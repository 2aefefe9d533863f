"""Before a class's claims are filed: each trainee with "can be claimed" or the reason why not (6c).

The page shows this list first, lets the claimant tick only the trainees that can be claimed, shows the
count and the expected total to check, and only then files the ticked ones with `file_class_claims`.
The reasons are the filing service's own (`filing_refusal`, the one-counting-claim rule) plus the
evaluation: a trainee who did not pass has no certificate, and every fund pays only a pass (5.1, 5.2b),
so the engine would deny the claim; the page does not offer it. Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from qiancheng.accounts.scope import scoped
from qiancheng.evaluation.models import Evaluation
from qiancheng.funding.models import COUNTING_STATUSES, ClaimStatus, SubsidyClaim
from qiancheng.funding.services.advances import per_person_amount
from qiancheng.funding.services.claims import filing_refusal
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.training.models import Enrolment, TrainingClass
from qiancheng.training.services.attendance import TraineeAttendance, trainee_attendance
from qiancheng.web.language import both


@dataclass(frozen=True)
class ClaimCandidate:
    """One trainee of the class as the claim page lists it."""

    enrolment: Enrolment
    attendance: TraineeAttendance | None
    claim: SubsidyClaim | None  # the counting claim already filed for this training, if any
    refusal: FundingRefused | None  # why no claim can be filed; None when it can

    @property
    def claimable(self) -> bool:
        return self.refusal is None


def _already_claimed(claim: SubsidyClaim) -> FundingRefused:
    status_zh, status_en = both(ClaimStatus(claim.status).label)
    return FundingRefused("already_claimed", f"已申领：{claim.number}（{status_zh}）",
                          f"already claimed: {claim.number} ({status_en})")


NOT_PASSED = FundingRefused("not_passed", "评价未合格，没有证书：各项资金只补贴合格者（5.1、5.2b）",
                            "did not pass the evaluation, so no certificate: every fund pays only a pass (5.1, 5.2b)",
                            status=422)


def class_claim_candidates(actor: Any, training: TrainingClass) -> list[ClaimCandidate]:
    """Every trainee of the class the actor may see, in enrolment order, with whether a claim can be filed."""
    enrolments = list(scoped(Enrolment.objects.filter(training_class=training), actor)
                      .select_related("person", "training_class").order_by("pk"))
    existing = {claim.enrolment_id: claim for claim in SubsidyClaim.objects.filter(
        enrolment__in=enrolments, status__in=COUNTING_STATUSES)}
    attendance = trainee_attendance(training)
    # The evaluation a claim is built on is the latest one, as `claim_facts` reads it.
    passed: dict[int, bool] = {}
    for enrolment_id, result in (Evaluation.objects.filter(enrolment__in=enrolments)
                                 .order_by("enrolment_id", "-evaluated_on").values_list("enrolment_id", "passed")):
        passed.setdefault(enrolment_id, result)
    candidates = []
    for enrolment in enrolments:
        claim = existing.get(enrolment.pk)
        refusal = _already_claimed(claim) if claim else filing_refusal(enrolment, attendance.get(enrolment.pk))
        if refusal is None and passed.get(enrolment.pk) is False:
            refusal = NOT_PASSED
        candidates.append(ClaimCandidate(enrolment, attendance.get(enrolment.pk), claim, refusal))
    return candidates


@dataclass(frozen=True)
class ClassClaimCheck:
    """What filing the chosen trainees will do, to check before the deliberate click."""

    candidates: list[ClaimCandidate]
    per_person: Decimal | None  # None when no standard covers the class for this fund (the reason beside it)
    amount_problem: FundingRefused | None

    @property
    def count(self) -> int:
        return len(self.candidates)

    @property
    def expected_total(self) -> Decimal | None:
        return None if self.per_person is None else self.per_person * self.count


def check_class_claims(actor: Any, training: TrainingClass, source: str, chosen: set[int]) -> ClassClaimCheck:
    """The chosen trainees that can be claimed, and the subsidy expected if the engine grants each one
    (the per-person amount of the fund on the class's end date; the engine decides at filing).

    Refuses a choice that names a trainee who cannot be claimed, so a tampered form files nothing."""
    candidates = [each for each in class_claim_candidates(actor, training) if each.enrolment.pk in chosen]
    blocked = [each for each in candidates if not each.claimable]
    if len(candidates) != len(chosen) or blocked:
        raise FundingRefused("not_claimable", "所选学员中有不能申领的，请重新勾选",
                             "some of the trainees chosen cannot be claimed; choose again", status=422)
    if not candidates:
        raise FundingRefused("nothing_chosen", "请至少勾选一名可申领的学员", "tick at least one trainee who can be claimed",
                             status=422)
    try:
        return ClassClaimCheck(candidates, per_person_amount(training, source), None)
    except FundingRefused as refusal:
        return ClassClaimCheck(candidates, None, refusal)
