"""Subsidy claims (补贴申领) from filing to review: 3.6 谁垫付、谁申领, 6c 凡补必进、不进不补.

A claim is built only from what the system holds: the enrolment, its class, the person, the attendance
and the evaluation with its certificate. The decision engine decides it when it is filed and again when
it is approved (`funding.services.decision_store.decide_stored_claims`); no rule is written again here.
Its status is filed and changed only through `claim_status` (the table `CLAIM_TRANSITIONS`).
Approval reserves the claim's total in its fund account through the ledger.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from qiancheng.accounts.audit import record_event
from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import scoped
from qiancheng.demand.models import Enterprise
from qiancheng.evaluation.models import Certificate, CertificateStatus, Evaluation
from qiancheng.funding.models import (
    CLAIM_FUNDS,
    COUNTING_STATUSES,
    ClaimOrigin,
    ClaimStatus,
    FundAccount,
    FundSource,
    PartyKind,
    PaymentStatus,
    ProofKind,
    SubsidyClaim,
    TopupStatus,
    TransactionKind,
)
from qiancheng.funding.services.claim_status import can_move, file_new_claim, move_claim
from qiancheng.funding.services.decision_store import decide_stored_claims
from qiancheng.funding.services.ledger import AVAILABLE, RESERVED, post_transaction, transfer
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.people.models import Person
from qiancheng.policy.params import ParamSet
from qiancheng.policy.params import packaged_params as policy_packaged_params
from qiancheng.policy.parks import (
    PARK_GROUP_RULE,
    PARK_TRAINING_TYPE_RULE,
    park_group_fails,
    park_training_type_fails,
)
from qiancheng.providers.models import Institution
from qiancheng.providers.uscc import check_uscc
from qiancheng.training.models import AttendanceRecord, ClassStatus, Enrolment, EnrolmentStatus
from qiancheng.training.services.attendance import TraineeAttendance, trainee_attendance
from qiancheng.web.imports_done import Imported, ImportKind, imported
from qiancheng.web.language import chinese

REVIEWER_ROLES = (Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL)


def packaged_params() -> ParamSet:
    """The shipped parameter files, parsed once per process (again if a file changes), with the plan's figures
    in force (plan_figures_in_force, a what-if): `policy.params.packaged_params`."""
    return policy_packaged_params()


def decide(actor: Any, claims: Any, as_of: dt.date | None) -> None:
    decide_stored_claims(actor, claims, params=packaged_params(), as_of=as_of)


@dataclass(frozen=True)
class EmploymentProof:
    """5.2c: one proof of employment with its date (checked by the engine: three calendar months)."""

    kind: str
    date: dt.date
    # The employer the proof names (its USCC, GB 32100), when the proof names one: an organisation's code, read
    # by risk's linked-employer signal (6d). Blank keeps whatever the claim had.
    employer_uscc: str = ""


@dataclass(frozen=True)
class Parties:
    """3.6: who advanced the cost and who claims it; a ref is a USCC, or a person_key for an individual."""

    advanced_by: str
    advanced_by_ref: str
    claimant: str
    claimant_ref: str


def _refuse_unless_party_exists(kind: str, ref: str, role_zh: str, role_en: str) -> None:
    if kind not in PartyKind.values:
        raise FundingRefused("bad_party", f"{role_zh}类型无效：{kind}", f"{role_en}: unknown kind {kind}", status=422)
    known = {
        PartyKind.INSTITUTION: Institution.objects.filter(uscc=ref),
        PartyKind.ENTERPRISE: Enterprise.objects.filter(uscc=ref),
        PartyKind.INDIVIDUAL: Person.objects.filter(person_key=ref),
    }[PartyKind(kind)]
    if not ref or not known.exists():
        # 6c: a party outside the system is never paid.
        raise FundingRefused("party_unknown", f"{role_zh}不在系统中（{PartyKind(kind).label}）",
                             f"{role_en} is not in the system ({kind})", status=422)


def _percent(rate: Decimal) -> str:
    """0.80 -> "80", 0.85 -> "85", 0.875 -> "87.5": a threshold as a percentage, without trailing zeros."""
    return f"{(rate * 100).normalize():f}"


def attendance_refusal(attendance: TraineeAttendance) -> FundingRefused | None:
    """6c (凡补必进、不进不补): no claim for a trainee whose attendance is below the threshold of the class's
    city in force on the class's last day; exactly the threshold passes. The refusal gives the rate, the
    hours, the threshold and its source."""
    if not attendance.below:
        return None
    hours = f"{attendance.hours.normalize():f}"
    shown = (attendance.hours * 100 / (attendance.class_hours or 1)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    threshold = attendance.threshold
    return FundingRefused(
        "attendance_below_threshold",
        f"出勤率{shown}%（{attendance.class_hours}学时中出勤{hours}学时），低于阈值{_percent(threshold.rate)}%"
        f"（依据：{threshold.source}，{threshold.effective_from}起施行），不能申领（6c 凡补必进、不进不补）",
        f"attendance {shown} % ({hours} of {attendance.class_hours} hours) is below the threshold of "
        f"{_percent(threshold.rate)} % (source: {threshold.source}, in force from {threshold.effective_from}); "
        "no claim can be filed (6c)",
        status=422)


def filing_refusal(enrolment: Enrolment, attendance: TraineeAttendance | None = None) -> FundingRefused | None:
    """Why no claim can be filed for this enrolment (6c), in words that name no record number; None if one can.

    6c (凡补必进、不进不补): refused unless the class was approved and has finished, the trainee stayed to
    the end, attendance was recorded and meets the city's threshold, the evaluation is in the system, and a
    pass carries a valid certificate issued on that evaluation. `attendance` saves a query per trainee when
    the caller has the class's already (`trainee_attendance`).
    """
    found = _filing_check(enrolment, attendance)
    return found if isinstance(found, FundingRefused) else None


def _filing_check(enrolment: Enrolment, attendance: TraineeAttendance | None) -> FundingRefused | Evaluation:
    """`filing_refusal`, or the evaluation the claim is built on when there is none."""
    training = enrolment.training_class
    if training.status != ClassStatus.FINISHED:
        return FundingRefused("class_not_finished", "班级未结业，不能申领", "the class has not finished",
                              status=422)
    if enrolment.status == EnrolmentStatus.WITHDRAWN:
        return FundingRefused("enrolment_withdrawn", "学员已退出培训，不能申领", "the trainee withdrew", status=422)
    if not AttendanceRecord.objects.filter(enrolment=enrolment, present=True).exists():
        return FundingRefused("no_attendance", "系统中没有考勤记录（凡补必进、不进不补）",
                              "no attendance in the system (6c)", status=422)
    below = attendance_refusal(attendance or trainee_attendance(training)[enrolment.pk])
    if below is not None:
        return below
    evaluation = _evaluation_of(enrolment)
    if evaluation is None:
        return FundingRefused("no_evaluation", "系统中没有评价结果（凡补必进、不进不补）",
                              "no evaluation in the system (6c)", status=422)
    if evaluation.passed and not Certificate.objects.filter(
        evaluation=evaluation, person=enrolment.person_id, status=CertificateStatus.VALID
    ).exists():
        return FundingRefused("no_certificate", "评价合格但系统中没有有效证书（凡补必进、不进不补）",
                              "passed, but no valid certificate in the system (6c)", status=422)
    return evaluation


def _evaluation_of(enrolment: Enrolment) -> Evaluation | None:
    return Evaluation.objects.filter(enrolment=enrolment).order_by("-evaluated_on").first()


def _refuse_if_project_subsidised(enrolment: Enrolment) -> None:
    """5.2d across classes: a person's project is subsidised once. Another class of the same project with a
    counting claim (e.g. a rejected claim filed again after the person enrolled in a second class) would
    break the database's UNIQUE (person, project) of counting claims; refused here, naming that claim."""
    project_id = enrolment.training_class.project_id
    if project_id is None:
        return
    other = (SubsidyClaim.objects.filter(person_id=enrolment.person_id, project_id=project_id,
                                         status__in=COUNTING_STATUSES, origin=ClaimOrigin.SYSTEM)
             .exclude(enrolment=enrolment).first())
    if other is not None:
        # 5.2d: 不可与就业补助资金项目制培训补贴重复享受
        raise FundingRefused("5.2d", f"报名#{enrolment.pk}：该学员的同一项目已有申领{other.number}，项目制培训补贴不可重复享受（第5.2条(四)）",
                             f"enrolment #{enrolment.pk}: the trainee's project already has claim {other.number}; "
                             "a project's training subsidy is paid once (clause 5.2d)")


def claim_facts(enrolment: Enrolment) -> dict[str, Any]:
    """The claim columns copied from the enrolment, its class, the person and the evaluation.

    Refused, naming the enrolment, for any reason of `filing_refusal` (6c).
    """
    training = enrolment.training_class
    evaluation = _filing_check(enrolment, None)
    if isinstance(evaluation, FundingRefused):
        raise FundingRefused(evaluation.code, f"报名#{enrolment.pk}：{evaluation.message_zh}",
                             f"enrolment #{enrolment.pk}: {evaluation.message_en}", status=evaluation.status)
    _refuse_if_project_subsidised(enrolment)
    return {
        "enrolment": enrolment, "person_id": enrolment.person_id, "training_type": training.training_type,
        "occupation_id": training.occupation_id, "level": training.level, "item_id": training.item_id,
        "course_kind_id": training.course_kind_id, "project_id": training.project_id,
        "class_hours": training.class_hours, "start_date": training.start_date, "end_date": training.end_date,
        "passed": evaluation.passed, "person_category": enrolment.category,
        "receiving_unemployment_benefit": enrolment.receiving_unemployment_benefit,
        # 3.3: the licence recorded on the enrolment (USCC and date of issue), or one on the person's record.
        "has_business_licence": bool(enrolment.business_licence_uscc) or enrolment.person.has_business_licence,
        "applicant_relation": enrolment.applicant_relation, "city_id": training.city_id,
        "institution_id": training.institution_id,
    }


def _check_fund(fund: FundAccount, enrolment: Enrolment) -> None:
    if fund.source not in CLAIM_FUNDS:
        raise FundingRefused("fund_not_claimable", f"资金来源“{fund.get_source_display()}”不受理补贴申领",
                             f"claims cannot ask {fund.source}", status=422)
    if fund.city_id is not None and fund.city_id != enrolment.training_class.city_id:
        raise FundingRefused("fund_other_city", "资金账户属于其他城市", "the fund account belongs to another city",
                             status=422)
    if fund.park_id is not None:
        check_park_fund(fund, enrolment.training_class, enrolment.category)


def check_park_fund(fund: FundAccount, training: Any, category: str | None = None) -> None:
    """4.1: a park's account pays only the classes delivered for that park, of the types and (for one
    trainee, `category` given) the groups 4.1 names."""
    if fund.park_id != training.park_id:
        raise FundingRefused("fund_other_park", "该园区资金账户不支付本班：本班不是为该园区开展的培训（第4.1条）",
                             "this park's account does not pay this class: it is not delivered for that park "
                             "(clause 4.1)", status=422)
    for rule, fails in ((PARK_TRAINING_TYPE_RULE, park_training_type_fails(training.training_type)),
                        (PARK_GROUP_RULE, category is not None and park_group_fails(category))):
        if fails:
            raise FundingRefused(f"park_rule_{rule.id}", rule.message_zh, rule.message_en, status=422)


def park_account_for(training: Any, source: str, category: str | None = None) -> FundAccount | None:
    """4.1: the account of the park the class is delivered for, when the park's money may pay: the park
    holds an account of this source for the year the training ended, the training type is one 4.1 names
    and, for one trainee (`category` given), the trainee is in a group 4.1 names. None: not the park's."""
    if training.park_id is None or park_training_type_fails(training.training_type):
        return None
    if category is not None and park_group_fails(category):
        return None
    return FundAccount.objects.filter(source=source, year=training.end_date.year, park=training.park_id).first()


def fund_account_for(enrolment: Enrolment, source: str) -> FundAccount:
    """The account a claim of this fund source is paid from: the park's (4.1) when `park_account_for` says
    so for this trainee, else the class city's account for the year the training ended (3.5a: the
    training's year), else the province's own account of that year."""
    training = enrolment.training_class
    return park_account_for(training, source, enrolment.category) or _city_account_for(training, source)


def fund_account_for_class(training: Any, source: str) -> FundAccount:
    """The account a class's claims are filed against and its advance is granted from (3.6): the park's when
    the class is delivered for a park whose money may pay it (4.1), else the city's or the province's. A
    park class's trainees outside 4.1's groups are paid from the city's (`file_class_claims`)."""
    return park_account_for(training, source) or _city_account_for(training, source)


def _city_account_for(training: Any, source: str) -> FundAccount:
    year = training.end_date.year
    found = (FundAccount.objects.filter(source=source, year=year, city=training.city_id, park=None).first()
             or FundAccount.objects.filter(source=source, year=year, city=None, park=None).first())
    if found is None:
        raise FundingRefused("no_budget", f"{year}年{training.city_id}没有该资金来源的账户：{source}",
                             f"no {source} fund account for {training.city_id} in {year}", status=422)
    return found


def _routed(fund: FundAccount, enrolment: Enrolment) -> FundAccount:
    """4.1: a park's account asked for a whole class pays the trainees of the groups 4.1 names; the class's
    other trainees are paid from the account they would be paid from anyway (`fund_account_for`)."""
    if fund.park_id is not None and park_group_fails(enrolment.category):
        return fund_account_for(enrolment, fund.source)
    return fund


def _claim_number(enrolment: Enrolment) -> str:
    attempt = SubsidyClaim.objects.filter(enrolment=enrolment).count() + 1
    training = enrolment.training_class
    return f"QC{training.end_date.year}-{training.city_id}-{enrolment.pk:08d}-{attempt:02d}"


def _same_claim(claim: SubsidyClaim, fund: FundAccount, parties: Parties) -> bool:
    return (claim.fund_account_id, claim.advanced_by, claim.advanced_by_ref, claim.claimant, claim.claimant_ref) == (
        fund.pk, parties.advanced_by, parties.advanced_by_ref, parties.claimant, parties.claimant_ref)


def _existing_or_refuse(enrolment: Enrolment, fund: FundAccount, parties: Parties) -> SubsidyClaim | None:
    """A repeated identical filing finds the first claim; a different one for the same training is refused."""
    existing = SubsidyClaim.objects.filter(enrolment=enrolment, status__in=COUNTING_STATUSES).first()
    if existing is None:
        return None
    if _same_claim(existing, fund, parties):
        return existing
    # 5.2d and "one training, one subsidy": at most one counting claim per enrolment.
    raise FundingRefused("already_claimed", f"报名#{enrolment.pk}已有申领{existing.number}",
                         f"enrolment #{enrolment.pk} already has claim {existing.number}")


def _refuse_if_claimed(enrolment: Enrolment) -> None:
    """One training, one claim (5.2d): filing for an enrolment that already has a counting claim is refused
    (409), naming that claim, whether the new filing repeats it or differs (another fund, other parties)."""
    existing = SubsidyClaim.objects.filter(enrolment=enrolment, status__in=COUNTING_STATUSES).first()
    if existing is None:
        return
    status = chinese(ClaimStatus(existing.status).label)
    raise FundingRefused(
        "already_claimed", f"报名#{enrolment.pk}已有申领{existing.number}（{status}），不能再次申领",
        f"enrolment #{enrolment.pk} already has claim {existing.number} ({existing.status}); it is not filed again",
        details=[{"claim_number": existing.number, "status": existing.status}])


def file_claim(actor: Any, enrolment: Enrolment, fund: FundAccount, advanced_by: str, advanced_by_ref: str,
               claimant: str, claimant_ref: str, employment_proof: EmploymentProof | None = None, *,
               as_of: dt.date | None = None) -> SubsidyClaim:
    """File one claim for one enrolment (pending) and have the engine decide it at once.

    Filing again for an enrolment that has a counting claim is refused with that claim's number (409), also
    when two filings race: the partial UNIQUE on counting claims per enrolment lets only one in. (Retrying one
    request through the API with its Idempotency-Key answers the first response; that is the API's replay.)
    """
    if not scoped(Enrolment.objects.filter(pk=enrolment.pk), actor).exists():
        raise FundingRefused("forbidden", "无权为该报名申领", "not allowed to claim for this enrolment", status=403)
    _refuse_unless_party_exists(advanced_by, advanced_by_ref, "垫付方", "the party that advanced the cost")
    _refuse_unless_party_exists(claimant, claimant_ref, "申领方", "the claimant")
    if employment_proof is not None and employment_proof.kind not in ProofKind.values:
        raise FundingRefused("bad_proof", f"就业证明类型无效：{employment_proof.kind}",
                             f"unknown employment proof kind: {employment_proof.kind}", status=422)
    _check_fund(fund, enrolment)
    facts = claim_facts(enrolment)
    _refuse_if_claimed(enrolment)
    try:
        with transaction.atomic():
            claim = file_new_claim(
                number=_claim_number(enrolment), fund=fund.source, fund_account=fund,
                advanced_by=advanced_by, advanced_by_ref=advanced_by_ref, claimant=claimant, claimant_ref=claimant_ref,
                employment_proof_kind=employment_proof.kind if employment_proof else "",
                employment_proof_date=employment_proof.date if employment_proof else None,
                submitted_at=timezone.now(), submitted_by=actor, **facts,
            )
            record_event(actor, "claim.filed", claim, after={
                "number": claim.number, "fund_account": fund.pk, "advanced_by": advanced_by, "claimant": claimant,
            })
            decide(actor, SubsidyClaim.objects.filter(pk=claim.pk), as_of)
    except IntegrityError:
        # A concurrent filing won the race on the counting-claim UNIQUE (or the number): refused, naming it.
        _refuse_if_claimed(enrolment)
        raise
    claim.refresh_from_db()
    return claim


def file_class_claims(actor: Any, training: Any, fund: FundAccount, parties: Parties, *,
                      enrolment_ids: Collection[int] | None = None,
                      as_of: dt.date | None = None) -> tuple[list[SubsidyClaim], dict[int, FundingRefused]]:
    """File claims for the enrolments of a class (all, or those in `enrolment_ids`) in one transaction,
    decided in one engine run.

    Returns the claims filed (or found already filed) and, per enrolment id, why the others were refused
    (`filing_refusal`'s words, which name no record number).
    """
    filed: list[SubsidyClaim] = []
    refused: dict[int, FundingRefused] = {}
    _refuse_unless_party_exists(parties.advanced_by, parties.advanced_by_ref, "垫付方", "the party that advanced the cost")
    _refuse_unless_party_exists(parties.claimant, parties.claimant_ref, "申领方", "the claimant")
    enrolments = scoped(Enrolment.objects.filter(training_class=training), actor).select_related(
        "training_class", "person").order_by("pk")
    if enrolment_ids is not None:
        enrolments = enrolments.filter(pk__in=list(enrolment_ids))
    attendance = trainee_attendance(training)
    with transaction.atomic():
        new: list[int] = []
        for enrolment in enrolments:
            try:
                account = _routed(fund, enrolment)
                _check_fund(account, enrolment)
                refusal = filing_refusal(enrolment, attendance.get(enrolment.pk))
                if refusal is not None:
                    raise refusal
                facts = claim_facts(enrolment)
                found = _existing_or_refuse(enrolment, account, parties)
            except FundingRefused as refusal:
                refused[enrolment.pk] = refusal
                continue
            if found is None:
                found = file_new_claim(
                    number=_claim_number(enrolment), fund=account.source, fund_account=account,
                    advanced_by=parties.advanced_by, advanced_by_ref=parties.advanced_by_ref,
                    claimant=parties.claimant, claimant_ref=parties.claimant_ref,
                    submitted_at=timezone.now(), submitted_by=actor, **facts,
                )
                new.append(found.pk)
            filed.append(found)
        if new:
            # Who was left out and by which rule (e.g. attendance_below_threshold, 6c) stays in the trail.
            record_event(actor, "claims.filed_for_class", training, after={
                "claims": len(new), "fund_account": fund.pk,
                "refused": {str(pk): refusal.code for pk, refusal in refused.items()}})
            decide(actor, SubsidyClaim.objects.filter(pk__in=new), as_of)
            # A class's claims at once: risk's employer and rate rules read them once they commit.
            imported(Imported(ImportKind.CLASS_CLAIMS, getattr(actor, "pk", None), training.city_id,
                              training.institution_id, training.pk, len(new)))
    for claim in filed:
        claim.refresh_from_db()
    return filed, refused


def require_reviewer(actor: Any, claim: SubsidyClaim) -> None:
    """City officials act on their own city's claims, province officials on any (scope registry)."""
    if getattr(actor, "role", None) not in REVIEWER_ROLES or not scoped(
        SubsidyClaim.objects.filter(pk=claim.pk), actor
    ).exists():
        raise FundingRefused("forbidden", "无权审核该申领", "not allowed to review this claim", status=403)


def _locked(claim: SubsidyClaim) -> SubsidyClaim:
    return SubsidyClaim.objects.select_for_update().get(pk=claim.pk)


def _not_pending(claim: SubsidyClaim, verb_zh: str) -> FundingRefused:
    return FundingRefused("not_pending", f"申领{claim.number}当前状态为“{claim.get_status_display()}”，不能{verb_zh}",
                          f"claim {claim.number} is {claim.status}, not pending")


def approve_decided(actor: Any, claim: SubsidyClaim, note: str) -> None:
    """Approve a locked, pending, freshly decided claim: reserve its total, or refuse and keep the decision."""
    if claim.awaiting_documents:
        raise FundingRefused("awaiting_documents", f"申领{claim.number}已退回补充材料，须待申领方重新提交",
                             f"claim {claim.number} was sent back for documents; wait for the claimant to resubmit")
    if not claim.eligible:
        raise FundingRefused("not_eligible", f"申领{claim.number}不符合条件：{claim.denied_by}",
                             f"claim {claim.number} is not eligible: {claim.denied_by}")
    if claim.fund_account_id is None:
        raise FundingRefused("no_fund_account", f"申领{claim.number}未指定资金账户",
                             f"claim {claim.number} has no fund account", status=422)
    if claim.total_amount:
        post_transaction(
            actor, TransactionKind.RESERVATION,
            transfer(claim.fund_account, claim.total_amount, debit=AVAILABLE, credit=RESERVED),
            memo=f"核准预留 {claim.number} / reservation for an approved claim", claim=claim,
        )
    claim.reviewed_by, claim.reviewed_at, claim.review_note = actor, timezone.now(), note
    before = move_claim(claim, ClaimStatus.APPROVED, also=["reviewed_by", "reviewed_at", "review_note"])
    record_event(actor, "claim.approved", claim, before={"status": before},
                 after={"status": claim.status, "reserved": claim.total_amount}, reason=note)


def approve_claim(actor: Any, claim: SubsidyClaim, note: str = "", *, as_of: dt.date | None = None) -> SubsidyClaim:
    """Re-decide the claim (the history may have changed since filing) and, if eligible, approve it and
    reserve its total in the fund account. Refused if not pending, not eligible, or the money is not there;
    a refusal for ineligibility keeps the new decision on the claim (it is the record of why)."""
    require_reviewer(actor, claim)
    refusal: FundingRefused | None = None
    with transaction.atomic():
        current = _locked(claim)  # two officials approving at once: the second waits here, then sees approved
        if current.status != ClaimStatus.PENDING:
            raise _not_pending(current, "核准")
        decide(actor, SubsidyClaim.objects.filter(pk=current.pk), as_of)
        current.refresh_from_db()
        try:
            with transaction.atomic():
                approve_decided(actor, current, note)
        except FundingRefused as refused:
            record_event(actor, "claim.approval_refused", current, after={"code": refused.code},
                         reason=refused.message_en)
            refusal = refused
    if refusal is not None:
        claim.refresh_from_db()
        raise refusal
    return current


def approve_claims(actor: Any, claims: Sequence[SubsidyClaim], note: str = "", *,
                   as_of: dt.date | None = None) -> tuple[list[SubsidyClaim], dict[str, FundingRefused]]:
    """Approve a review queue at once: one engine run re-decides them all, then each is approved on its own
    (a claim refused for its decision or for want of money leaves the others approved).

    Returns the approved claims and, by claim number, why each other one was refused.
    """
    for claim in claims:
        require_reviewer(actor, claim)
    approved: list[SubsidyClaim] = []
    refused: dict[str, FundingRefused] = {}
    with transaction.atomic():
        # Claim rows in primary-key order, before the audit chain and the fund rows (ADR 0003).
        locked = list(SubsidyClaim.objects.select_for_update().filter(pk__in=[c.pk for c in claims]).order_by("pk"))
        pending = [claim for claim in locked if claim.status == ClaimStatus.PENDING]
        for claim in locked:
            if claim.status != ClaimStatus.PENDING:
                refused[claim.number] = _not_pending(claim, "核准")
        if pending:
            decide(actor, SubsidyClaim.objects.filter(pk__in=[c.pk for c in pending]), as_of)
        for claim in pending:
            claim.refresh_from_db()
            try:
                with transaction.atomic():
                    approve_decided(actor, claim, note)
            except FundingRefused as refusal:
                refused[claim.number] = refusal
            else:
                approved.append(claim)
        if refused:
            record_event(actor, "claims.approval_refused", after={
                number: refusal.code for number, refusal in refused.items()})
    return approved, refused


def _clear_documents_request(claim: SubsidyClaim) -> list[str]:
    """A claim that leaves `pending` no longer waits for documents (CHECK claim_documents_request_complete)."""
    claim.documents_requested_at, claim.documents_requested_by, claim.documents_request_reason = None, None, ""
    return ["documents_requested_at", "documents_requested_by", "documents_request_reason"]


def send_back_claim(actor: Any, claim: SubsidyClaim, reason: str) -> SubsidyClaim:
    """The reviewer asks the claimant for more documents (退回补充材料).

    The claim stays `pending`, so it keeps counting for the engine (RULES.md "What counts": a claim sent
    back has not been withdrawn or rejected); it cannot be approved until the claimant resubmits.
    """
    require_reviewer(actor, claim)
    if not reason.strip():
        raise FundingRefused("reason_missing", "退回须说明需要补充的材料", "a send-back needs to say what is missing",
                             status=422)
    with transaction.atomic():
        current = _locked(claim)
        if current.status != ClaimStatus.PENDING:
            raise _not_pending(current, "退回补充材料")
        if current.awaiting_documents:
            raise FundingRefused("already_sent_back", f"申领{current.number}已退回补充材料，尚未重新提交",
                                 f"claim {current.number} is already waiting for documents")
        current.documents_requested_at, current.documents_requested_by = timezone.now(), actor
        current.documents_request_reason = reason.strip()
        current.save(update_fields=["documents_requested_at", "documents_requested_by", "documents_request_reason",
                                    "updated_at"])
        record_event(actor, "claim.sent_back", current, after={"documents_request_reason": reason.strip()},
                     reason=reason.strip())
    return current


def resubmit_claim(actor: Any, claim: SubsidyClaim, note: str, *, as_of: dt.date | None = None) -> SubsidyClaim:
    """The claimant answers a request for documents: the request is cleared and the engine decides again
    (as of the programme's today), so the reviewer sees a fresh decision."""
    if not is_claimant(actor, claim) or not scoped(SubsidyClaim.objects.filter(pk=claim.pk), actor).exists():
        raise FundingRefused("forbidden", "只有申领方可以重新提交", "only the claimant may resubmit", status=403)
    if not note.strip():
        raise FundingRefused("note_missing", "重新提交须说明补充了什么", "a resubmission needs a note on what was added",
                             status=422)
    with transaction.atomic():
        current = _locked(claim)
        if current.status != ClaimStatus.PENDING or not current.awaiting_documents:
            raise FundingRefused("not_sent_back", f"申领{current.number}没有待补充的材料",
                                 f"claim {current.number} is not waiting for documents")
        before = {"documents_request_reason": current.documents_request_reason}
        current.save(update_fields=["updated_at", *_clear_documents_request(current)])
        decide(actor, SubsidyClaim.objects.filter(pk=current.pk), as_of)
        current.refresh_from_db()
        record_event(actor, "claim.resubmitted", current, before=before, after={
            "eligible": current.eligible, "total_amount": current.total_amount}, reason=note.strip())
    return current


def reject_claim(actor: Any, claim: SubsidyClaim, reason: str) -> SubsidyClaim:
    """Reject a pending claim with the reviewer's reason; it no longer counts toward any limit."""
    require_reviewer(actor, claim)
    if not reason.strip():
        raise FundingRefused("reason_missing", "驳回须说明理由", "a rejection needs a reason", status=422)
    with transaction.atomic():
        current = _locked(claim)
        if current.status != ClaimStatus.PENDING:
            raise _not_pending(current, "驳回")
        current.reviewed_by, current.reviewed_at, current.review_note = actor, timezone.now(), reason.strip()
        before = move_claim(current, ClaimStatus.REJECTED, also=["reviewed_by", "reviewed_at", "review_note",
                                                                *_clear_documents_request(current)])
        record_event(actor, "claim.rejected", current, before={"status": before},
                     after={"status": current.status}, reason=reason.strip())
    return current


def is_claimant(actor: Any, claim: SubsidyClaim) -> bool:
    """The party that claims (3.6), acting through its own account."""
    role = getattr(actor, "role", None)
    if claim.claimant == PartyKind.INSTITUTION and role == Role.INSTITUTION and actor.institution_id:
        return actor.institution.uscc == claim.claimant_ref
    if claim.claimant == PartyKind.ENTERPRISE and role == Role.ENTERPRISE and actor.enterprise_id:
        return actor.enterprise.uscc == claim.claimant_ref
    if claim.claimant == PartyKind.INDIVIDUAL and role == Role.TRAINEE:
        return actor.person_id == claim.claimant_ref
    return False


def withdraw_claim(actor: Any, claim: SubsidyClaim, reason: str) -> SubsidyClaim:
    """The claimant (or a reviewer at its request) takes a claim back before payment; an approved claim's
    reservation is released to the fund (Dr fund.reserved / Cr fund.available). It then counts for nothing."""
    if not (is_claimant(actor, claim) or getattr(actor, "role", None) in REVIEWER_ROLES):
        raise FundingRefused("forbidden", "只有申领方或审核人可以撤回申领", "only the claimant or a reviewer may withdraw",
                             status=403)
    if not scoped(SubsidyClaim.objects.filter(pk=claim.pk), actor).exists():
        raise FundingRefused("forbidden", "无权撤回该申领", "not allowed to withdraw this claim", status=403)
    if not reason.strip():
        raise FundingRefused("reason_missing", "撤回须说明理由", "a withdrawal needs a reason", status=422)
    with transaction.atomic():
        current = _locked(claim)
        if not can_move(current.status, ClaimStatus.WITHDRAWN):  # CLAIM_TRANSITIONS: pending or approved
            raise FundingRefused("not_withdrawable",
                                 f"申领{current.number}当前状态为“{current.get_status_display()}”，不能撤回",
                                 f"claim {current.number} is {current.status}; only pending or approved claims "
                                 "can be withdrawn")
        before = current.status
        if before == ClaimStatus.APPROVED and current.total_amount:
            post_transaction(
                actor, TransactionKind.RELEASE,
                transfer(current.fund_account, current.total_amount, debit=RESERVED, credit=AVAILABLE),
                memo=f"撤回释放 {current.number} / reservation released on withdrawal", claim=current,
            )
        move_claim(current, ClaimStatus.WITHDRAWN, also=_clear_documents_request(current))
        record_event(actor, "claim.withdrawn", current, before={"status": before}, after={"status": current.status},
                     reason=reason.strip())
    return current


def add_employment_proof(actor: Any, claim: SubsidyClaim, proof: EmploymentProof, *,
                         as_of: dt.date | None = None) -> SubsidyClaim:
    """5.2c: the claimant adds the one proof of employment (labour contract, wage statement or social-insurance
    record, with its date) to its claim, and the engine decides it again: 200 CNY more when the proof is dated
    at least three calendar months after the training ended, nothing more when it is not.

    On a pending claim the new total is simply what will be approved. On a claim already paid (the usual
    order: the training subsidy is paid after the certificates, the proof comes three months later) the
    difference becomes a top-up (`topup_status` pending) that a reviewer approves and a payment pays, like a
    claim of its own; a proof that earns nothing is refused and nothing is kept, so a later proof can be given.
    """
    if not (is_claimant(actor, claim) or getattr(actor, "role", None) in REVIEWER_ROLES) or not scoped(
        SubsidyClaim.objects.filter(pk=claim.pk), actor
    ).exists():
        raise FundingRefused("forbidden", "只有申领方或审核人可以补充就业证明",
                             "only the claimant or a reviewer may add an employment proof", status=403)
    if proof.kind not in ProofKind.values:
        raise FundingRefused("bad_proof", f"就业证明类型无效：{proof.kind}", f"unknown employment proof kind: {proof.kind}",
                             status=422)
    proof = _with_checked_employer(proof)
    with transaction.atomic():
        current = _locked(claim)
        if current.status == ClaimStatus.PAID:
            return _proof_after_payment(actor, current, proof, as_of)
        if current.status != ClaimStatus.PENDING:
            raise _not_pending(current, "补充就业证明")
        before = {"employment_proof_kind": current.employment_proof_kind,
                  "employment_proof_date": current.employment_proof_date, "employer_uscc": current.employer_uscc,
                  "total_amount": current.total_amount}
        current.employment_proof_kind, current.employment_proof_date = proof.kind, proof.date
        current.employer_uscc = proof.employer_uscc or current.employer_uscc
        current.save(update_fields=["employment_proof_kind", "employment_proof_date", "employer_uscc", "updated_at"])
        decide(actor, SubsidyClaim.objects.filter(pk=current.pk), as_of)
        current.refresh_from_db()
        record_event(actor, "claim.employment_proof_added", current, before=before, after={
            "employment_proof_kind": proof.kind, "employment_proof_date": proof.date,
            "employer_uscc": current.employer_uscc,
            "employment_amount": current.employment_amount, "total_amount": current.total_amount,
        })
        _proof_imported(actor, current)
    return current


def _with_checked_employer(proof: EmploymentProof) -> EmploymentProof:
    """The employer's USCC checked (GB 32100 check character) and normalised; blank stays blank."""
    if not proof.employer_uscc.strip():
        return EmploymentProof(proof.kind, proof.date, "")
    check = check_uscc(proof.employer_uscc)
    if not check.is_valid:
        reason = check.errors[0]
        raise FundingRefused("bad_employer_uscc", f"用人单位统一社会信用代码：{reason.zh}",
                             f"the employer's USCC: {reason.en}", status=422)
    return EmploymentProof(proof.kind, proof.date, check.normalised)


def _proof_imported(actor: Any, claim: SubsidyClaim) -> None:
    """A proof names an employer for a class's trainee: risk's linked-employer and rate rules read it after commit."""
    institution_id, class_id = (claim.enrolment.training_class.institution_id, claim.enrolment.training_class_id) \
        if claim.enrolment_id else (claim.institution_id, None)
    imported(Imported(ImportKind.EMPLOYMENT_PROOF, getattr(actor, "pk", None), claim.city_id, institution_id,
                      class_id, 1))


def paid_so_far(claim: SubsidyClaim) -> Decimal:
    """What the claim's standing payments have paid, the part netted from the class's advance included (3.6)."""
    totals = claim.payments.filter(status=PaymentStatus.PAID).aggregate(
        paid=Sum("amount"), advanced=Sum("advance_applied"))
    return (totals["paid"] or Decimal("0")) + (totals["advanced"] or Decimal("0"))


def _proof_after_payment(actor: Any, current: SubsidyClaim, proof: EmploymentProof,
                         as_of: dt.date | None) -> SubsidyClaim:
    """Called inside the caller's transaction with the claim row locked."""
    if current.fund != FundSource.SPECIAL_ACCOUNT:
        raise FundingRefused("no_employment_subsidy", "只有职业技能提升行动专账资金的项目制培训有就业补贴（5.2c）",
                             "only special-account project training earns the employment subsidy (5.2c)", status=422)
    if current.employment_proof_kind or current.topup_status:
        raise FundingRefused("proof_given", f"申领{current.number}已有就业证明", f"claim {current.number} already "
                             "has its employment proof", status=409)
    before = {"employment_proof_kind": "", "employment_proof_date": None, "employer_uscc": current.employer_uscc,
              "total_amount": current.total_amount}
    current.employment_proof_kind, current.employment_proof_date = proof.kind, proof.date
    current.employer_uscc = proof.employer_uscc or current.employer_uscc
    current.save(update_fields=["employment_proof_kind", "employment_proof_date", "employer_uscc", "updated_at"])
    decide(actor, SubsidyClaim.objects.filter(pk=current.pk), as_of)
    current.refresh_from_db()
    owed = (current.total_amount or Decimal("0")) - paid_so_far(current)
    if not current.eligible or owed <= 0:
        # Raising rolls back the proof and the new decision: the paid claim keeps the decision it was paid on.
        why_zh = f"未通过规则 {current.denied_by}" if not current.eligible else "证明日期距结业不足三个自然月"
        why_en = f"failed {current.denied_by}" if not current.eligible else (
            "the proof is dated less than three calendar months after the training ended")
        raise FundingRefused("proof_earns_nothing", f"该就业证明不产生就业补贴：{why_zh}（5.2c）",
                             f"this proof earns no employment subsidy: {why_en} (5.2c)", status=422)
    current.topup_status, current.topup_amount = TopupStatus.PENDING, owed
    current.save(update_fields=["topup_status", "topup_amount", "updated_at"])
    record_event(actor, "claim.employment_proof_added", current, before=before, after={
        "employment_proof_kind": proof.kind, "employment_proof_date": proof.date,
        "employer_uscc": current.employer_uscc,
        "employment_amount": current.employment_amount, "total_amount": current.total_amount,
        "topup_amount": owed, "topup_status": TopupStatus.PENDING,
    })
    _proof_imported(actor, current)
    return current


def approve_employment_topup(actor: Any, claim: SubsidyClaim, note: str = "") -> SubsidyClaim:
    """The reviewer approves a 5.2c top-up: its amount is reserved in the claim's fund account (Dr available /
    Cr reserved), to be paid like any approved claim. Approving twice reserves once."""
    require_reviewer(actor, claim)
    with transaction.atomic():
        current = _locked(claim)
        if current.topup_status == TopupStatus.APPROVED:
            return current
        if current.topup_status != TopupStatus.PENDING:
            raise FundingRefused("no_topup", f"申领{current.number}没有待审核的就业补贴",
                                 f"claim {current.number} has no employment top-up waiting", status=409)
        fund = current.fund_account
        if fund is None:
            raise FundingRefused("no_budget", "申领没有资金账户", "the claim has no fund account", status=422)
        post_transaction(actor, TransactionKind.RESERVATION, transfer(fund, current.topup_amount, debit=AVAILABLE,
                                                                      credit=RESERVED),
                         memo=f"就业补贴补拨预留 {current.number} / reservation for a 5.2c top-up", claim=current,
                         idempotency_key=f"topup:reserve:{current.number}")
        current.topup_status, current.topup_note = TopupStatus.APPROVED, note.strip()
        current.save(update_fields=["topup_status", "topup_note", "updated_at"])
        record_event(actor, "claim.topup_approved", current, before={"topup_status": TopupStatus.PENDING},
                     after={"topup_status": TopupStatus.APPROVED, "topup_amount": current.topup_amount}, reason=note)
    return current


def refuse_employment_topup(actor: Any, claim: SubsidyClaim, reason: str) -> SubsidyClaim:
    """The reviewer refuses a 5.2c top-up (e.g. the proof does not hold up), with the reason; nothing moves."""
    require_reviewer(actor, claim)
    if not reason.strip():
        raise FundingRefused("reason_missing", "不予核拨须说明理由", "refusing a top-up needs a reason", status=422)
    with transaction.atomic():
        current = _locked(claim)
        if current.topup_status != TopupStatus.PENDING:
            raise FundingRefused("no_topup", f"申领{current.number}没有待审核的就业补贴",
                                 f"claim {current.number} has no employment top-up waiting", status=409)
        current.topup_status, current.topup_note = TopupStatus.REFUSED, reason.strip()
        current.save(update_fields=["topup_status", "topup_note", "updated_at"])
        record_event(actor, "claim.topup_refused", current, before={"topup_status": TopupStatus.PENDING},
                     after={"topup_status": TopupStatus.REFUSED}, reason=reason.strip())
    return current
