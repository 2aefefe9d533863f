"""Credit payment (信用支付, 先垫后补, 3.6): an advance to an institution in good standing when its class
is approved, netted by the class's claim payments, and recovered when it was not earned.

The plan names credit payment but gives neither who qualifies nor how much is advanced, so both are
dated local-practice parameters here (ADVANCE_TERMS), with their source, like the attendance threshold.

The expected training subsidy of a class is what the engine would pay if every trainee still enrolled
passed: the number of enrolments not withdrawn × the per-person amount of the fund asked, on the class's
end date (RULES.md "Amounts": the employment-subsidy standard of the type and level / course kind, times
1 + the city's AI uplift for an occupation on the AI list; 600 for the special account, 5.2b; the
unemployment-insurance standard). The advance is `share` of it, rounded half up to the fen.

Ledger: the grant reserves and pays the advance (Dr available / Cr reserved, then an ADVANCE posting Dr
reserved / Cr paid). Each later claim payment of the class from the same fund account nets its share:
`pay_claim` pays the claim's total less `share × training amount` (at most what is still outstanding) and
gives that part of the claim's reservation back to available, because it was paid already. When the
class's claims are done, `settle_advance` closes it, or finds what was not earned;
`recover_unearned_advance` turns that into a recovery case owed by the institution.

Lock order (ADR 0003): claim row → advance row → recovery case → audit chain → fund rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from qiancheng.accounts.audit import record_event
from qiancheng.accounts.scope import scoped
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.clock import today
from qiancheng.funding.models import (
    CLAIM_FUNDS,
    Advance,
    AdvanceStatus,
    ClaimStatus,
    FundAccount,
    FundSource,
    PartyKind,
    RecoveryCase,
    RecoveryReason,
    SubsidyClaim,
    TransactionKind,
)
from qiancheng.funding.services.claims import (
    REVIEWER_ROLES,
    check_park_fund,
    packaged_params,
    park_account_for,
)
from qiancheng.funding.services.decision_store import with_stored_uplift
from qiancheng.funding.services.ledger import AVAILABLE, FEN, PAID, RESERVED, post_transaction, transfer
from qiancheng.funding.services.recovery import open_case
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.policy.params import standard_key
from qiancheng.providers.models import Institution, InstitutionStatus
from qiancheng.providers.ratings import RatingInForce, rating_in_force
from qiancheng.providers.services import Refusal
from qiancheng.sanctions.services import institution_listed
from qiancheng.training.models import ClassStatus, Enrolment, EnrolmentStatus, TrainingClass


@dataclass(frozen=True)
class AdvanceTerms:
    """Who may receive an advance and how much of the expected subsidy, from a date on, with the source."""

    effective_from: dt.date
    minimum_star_rating: int | None  # None: any approved institution not on the blacklist
    share: Decimal  # of the class's expected training subsidy; below 1, so a claim payment is never zero
    source: str
    last_checked: dt.date


# Source: local practice. 3.6 says "先垫后补""信用支付" but sets no rating floor and no share; three stars
# of five (1c's rating) and half the subsidy are common settings in other provinces' credit-payment rules.
ADVANCE_TERMS = (
    AdvanceTerms(dt.date(2025, 1, 1), 3, Decimal("0.50"), "本地做法 local practice (3.6 gives no figures)",
                 dt.date(2026, 11, 29)),
)
# A class may receive its advance once approved, and until it finishes.
ADVANCE_CLASS_STATES = (ClassStatus.APPROVED, ClassStatus.IN_PROGRESS)


def terms_on(day: dt.date) -> AdvanceTerms:
    """The terms in force on `day` (the latest entry that has started)."""
    started = [entry for entry in ADVANCE_TERMS if entry.effective_from <= day]
    if not started:
        raise FundingRefused("no_terms", f"{day}没有生效的信用支付参数", f"no credit-payment terms in force on {day}",
                             status=422)
    return max(started, key=lambda entry: entry.effective_from)


def advance_eligibility(institution: Institution, on: dt.date) -> Refusal | None:
    """None when the institution is in good standing on `on` (3.6, 6d); else why not."""
    return _eligibility(institution, on)[0]


def _eligibility(institution: Institution, on: dt.date) -> tuple[Refusal | None, RatingInForce | None]:
    """Why not (or None), and the star rating in force on `on` that was read (1c: the snapshot computed by the
    published formula, through `providers.ratings`; the advance records it)."""
    terms = terms_on(on)
    if institution.status != InstitutionStatus.APPROVED or (
            institution.approved_until is not None and institution.approved_until < on):
        return Refusal("institution_not_approved", "机构不在认定有效期内，不能信用支付",
                       "the institution is not approved on that day, so it gets no advance"), None
    if institution_listed(institution.pk, on):
        return Refusal("institution_blacklisted", "机构在黑名单上，不能信用支付", "the institution is blacklisted (6d)"), None
    rating = rating_in_force(institution.pk, on)
    if terms.minimum_star_rating is not None:
        if rating is None:
            return Refusal("institution_not_rated", f"机构尚未评星，信用支付须达到{terms.minimum_star_rating}星",
                           f"the institution has no star rating yet; credit payment needs "
                           f"{terms.minimum_star_rating} stars"), None
        if rating.stars < terms.minimum_star_rating:
            return Refusal("rating_too_low", f"机构星级{rating.stars}星（{rating.period:%Y-%m}评定），信用支付须达到"
                           f"{terms.minimum_star_rating}星", f"the institution has {rating.stars} stars (rated for "
                           f"{rating.period:%Y-%m}); credit payment needs {terms.minimum_star_rating}"), rating
    return None, rating


def per_person_amount(training: TrainingClass, source: str) -> Decimal:
    """What the engine pays one trainee of this class who passes, from fund `source` (RULES.md "Amounts")."""
    params = packaged_params()
    if source not in params.plan.funds_for(training.training_type, training.end_date):
        # 5.1, 5.2a, 5.3: which fund pays each training type (plan_figures training_type_funds).
        raise FundingRefused("fund_not_for_class", "该资金不补贴此类培训（专账资金只补贴项目制培训，第5.2条(一)）",
                             "this fund does not pay this kind of training (the special account pays project "
                             "training only, 5.2a)", status=422)
    if source == FundSource.SPECIAL_ACCOUNT:
        return params.plan.training_amount(training.end_date).quantize(FEN)
    if source == FundSource.UNEMPLOYMENT_INSURANCE:
        standards, key = params.ui_standards, None
    else:
        standards = params.standards
        key = standard_key(training.training_type, training.level, training.course_kind_id)
    found = [s for s in standards if (key is None or s.key == key) and s.covers(training.end_date)]
    if not found:
        raise FundingRefused("no_standard", f"{training.end_date}没有适用于该班的补贴标准",
                             f"no subsidy standard covers this class on {training.end_date}", status=422)
    amount = found[0].amount
    if (source == FundSource.EMPLOYMENT_SUBSIDY and training.training_type == TrainingType.OCCUPATIONAL
            and training.occupation_id in params.ai_occupations):
        # 4.2: the city's uplift in force on the class's end date, as the claim's decision will read it.
        amount *= 1 + with_stored_uplift(params, training.city_id, training.end_date).uplift_for(training.city_id)
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def expected_training_subsidy(training: TrainingClass, source: str) -> Decimal:
    """Enrolments not withdrawn × the per-person amount: the subsidy if every trainee passes."""
    enrolled = training.enrolments.exclude(status=EnrolmentStatus.WITHDRAWN).count()
    return (per_person_amount(training, source) * enrolled).quantize(FEN)


def _require_class_official(actor: Any, training: TrainingClass) -> None:
    if getattr(actor, "role", None) not in REVIEWER_ROLES or not scoped(
        TrainingClass.objects.filter(pk=training.pk), actor
    ).exists():
        raise FundingRefused("forbidden", "只有该班所在城市的人社部门可以信用支付",
                             "only the class's city (or the province) may grant an advance", status=403)


def _first_with_key(idempotency_key: str, training: TrainingClass) -> Advance | None:
    first = Advance.objects.filter(idempotency_key=idempotency_key).first()
    if first is not None and first.training_class_id != training.pk:
        raise FundingRefused("key_reused", "该幂等键已用于另一个班的垫付", "this idempotency key was used for another class")
    return first


def grant_advance(actor: Any, training_class: TrainingClass, fund: FundAccount, idempotency_key: str) -> Advance:
    """Pay an approved class's institution `share` of the class's expected training subsidy (3.6).

    One advance per class (UNIQUE); the same key returns the first advance. The fund must be the one the
    class's claims will be paid from (`fund_account_for_class`: its park's account (4.1), its city's, or the
    province's, of the year the class ends), so that the claim payments can net it.
    """
    _require_class_official(actor, training_class)
    if not idempotency_key.strip():
        raise FundingRefused("key_missing", "垫付须带幂等键", "an advance needs an idempotency key", status=422)
    first = _first_with_key(idempotency_key, training_class)
    if first is not None:
        return first
    training = TrainingClass.objects.select_related("institution").get(pk=training_class.pk)
    if training.status not in ADVANCE_CLASS_STATES:
        raise FundingRefused("class_not_approved", f"班级状态为“{training.get_status_display()}”，只有已批准、未结业的班可以垫付",
                             f"the class is {training.status}; only an approved class that has not finished "
                             "gets an advance", status=422)
    if Advance.objects.filter(training_class=training).exists():
        raise FundingRefused("already_advanced", "该班已垫付过", "this class already has its advance")
    if fund.source not in CLAIM_FUNDS or fund.year != training.end_date.year or (
            fund.city_id is not None and fund.city_id != training.city_id):
        raise FundingRefused("fund_not_for_class", "资金账户须为该班结业年度、本市（或自治区、或本班所属园区）的补贴资金账户",
                             "the fund account must be the class city's (or the province's, or the class's park's) "
                             "claim fund for the year the class ends", status=422)
    if fund.park_id is not None:
        check_park_fund(fund, training)  # 4.1: only a class delivered for that park, of a type 4.1 names
    elif park_account_for(training, fund.source) is not None:
        # 4.1: the park's account pays this class's claims, so only an advance from it can be netted by them.
        raise FundingRefused("fund_not_for_class", f"本班为园区“{training.park.name}”开展，垫付须从园区资金账户支付（第4.1条）",
                             f"the class is delivered for park {training.park.code}; its advance comes from the park's "
                             "account (clause 4.1)", status=422)
    refusal, rating = _eligibility(training.institution, today())
    if refusal is not None:
        raise FundingRefused(refusal.code, refusal.zh, refusal.en, status=422)
    terms = terms_on(today())
    expected = expected_training_subsidy(training, fund.source)
    amount = (expected * terms.share).quantize(FEN, rounding=ROUND_HALF_UP)
    if amount <= 0:
        raise FundingRefused("nothing_expected", "该班没有在册学员，没有可垫付的金额",
                             "the class has no trainees enrolled, so nothing to advance", status=422)
    try:
        with transaction.atomic():
            post_transaction(actor, TransactionKind.RESERVATION,
                             transfer(fund, amount, debit=AVAILABLE, credit=RESERVED),
                             memo=f"信用支付预留 班级#{training.pk} / reservation for an advance",
                             idempotency_key=f"advance:reserve:{idempotency_key}")
            posting = post_transaction(actor, TransactionKind.ADVANCE,
                                       transfer(fund, amount, debit=RESERVED, credit=PAID),
                                       memo=f"信用支付垫付 班级#{training.pk} / advance paid to {training.institution.uscc}",
                                       idempotency_key=f"advance:pay:{idempotency_key}")
            advance = Advance.objects.create(
                training_class=training, institution=training.institution, fund_account=fund,
                expected_amount=expected, share=terms.share, amount=amount, terms_source=terms.source,
                status=AdvanceStatus.GRANTED, idempotency_key=idempotency_key, ledger_transaction=posting,
                granted_by=actor, granted_at=timezone.now(),
                rating_snapshot_id=rating.snapshot_id if rating else None, rating_stars=rating.stars if rating else None,
            )
            record_event(actor, "advance.granted", advance, after={
                "class": training.pk, "expected": expected, "share": terms.share, "amount": amount,
                "fund_account": fund.pk, "terms": terms.source,
                "rating_snapshot": rating.snapshot_id if rating else None, "rating_stars": rating.stars if rating else None})
    except IntegrityError:
        # A concurrent grant for the same class committed first; ours rolled back with its postings.
        first = _first_with_key(idempotency_key, training)
        if first is not None:
            return first
        raise FundingRefused("already_advanced", "该班已垫付过", "this class already has its advance") from None
    return advance


def advance_share_for(claim: SubsidyClaim) -> tuple[Advance | None, Decimal]:
    """The class's standing advance (locked) and how much of it this claim's payment nets: share × the
    claim's training amount, at most what is still outstanding. Call with the claim row locked."""
    if claim.enrolment_id is None or not claim.training_amount:
        return None, Decimal("0.00")
    training_id = Enrolment.objects.filter(pk=claim.enrolment_id).values_list("training_class_id", flat=True).first()
    advance = Advance.objects.select_for_update().filter(
        training_class_id=training_id, fund_account=claim.fund_account_id, status=AdvanceStatus.GRANTED).first()
    if advance is None:
        return None, Decimal("0.00")
    applied = min((claim.training_amount * advance.share).quantize(FEN, rounding=ROUND_HALF_UP), advance.outstanding)
    return (advance, applied) if applied > 0 else (None, Decimal("0.00"))


def settle_advance(actor: Any, advance: Advance) -> Advance:
    """Close an advance once the class's claims are all paid, rejected or withdrawn: settled when the claim
    payments netted all of it, `unearned` when some is left (then `recover_unearned_advance`)."""
    _require_class_official(actor, advance.training_class)
    with transaction.atomic():
        current = Advance.objects.select_for_update().select_related("training_class").get(pk=advance.pk)
        if current.status != AdvanceStatus.GRANTED:
            raise FundingRefused("not_granted", f"垫付当前状态为“{current.get_status_display()}”",
                                 f"the advance is {current.status}")
        training = current.training_class
        if training.status not in (ClassStatus.FINISHED, ClassStatus.CANCELLED):
            raise FundingRefused("class_running", "班级尚未结业，不能结算垫付", "the class has not finished yet")
        open_claims = SubsidyClaim.objects.filter(enrolment__training_class=training,
                                                  status__in=(ClaimStatus.PENDING, ClaimStatus.APPROVED))
        if open_claims.exists():
            raise FundingRefused("claims_open", f"该班还有{open_claims.count()}笔申领未支付或未审结",
                                 f"{open_claims.count()} claims of the class are not yet paid or decided")
        current.status = AdvanceStatus.SETTLED if current.outstanding == 0 else AdvanceStatus.UNEARNED
        current.settled_at = timezone.now()
        current.save(update_fields=["status", "settled_at"])
        record_event(actor, "advance.settled", current, before={"status": AdvanceStatus.GRANTED},
                     after={"status": current.status, "applied": current.applied, "unearned": current.outstanding})
    return current


def recover_unearned_advance(actor: Any, advance: Advance, reason: str) -> RecoveryCase:
    """The part of an advance no claim payment earned is owed back by the institution: a recovery case
    (reason `unearned_advance`). Allowed once the advance is found unearned, or for a cancelled class."""
    _require_class_official(actor, advance.training_class)
    if not reason.strip():
        raise FundingRefused("reason_missing", "追回须说明理由", "a recovery needs a reason", status=422)
    with transaction.atomic():
        current = Advance.objects.select_for_update().select_related(
            "training_class", "institution", "fund_account").get(pk=advance.pk)
        cancelled = current.training_class.status == ClassStatus.CANCELLED
        if not (current.status == AdvanceStatus.UNEARNED
                or current.status == AdvanceStatus.GRANTED and cancelled) or current.outstanding <= 0:
            raise FundingRefused("not_unearned", f"垫付当前状态为“{current.get_status_display()}”，没有未结清的金额可追回",
                                 f"the advance is {current.status}; nothing unearned to recover")
        before = current.status
        case = open_case(actor, advance=current, debtor_kind=PartyKind.INSTITUTION,
                         debtor_ref=current.institution.uscc, amount=current.outstanding,
                         reason_kind=RecoveryReason.UNEARNED_ADVANCE, reason=reason.strip())
        current.status = AdvanceStatus.RECOVERY
        current.settled_at = current.settled_at or timezone.now()
        current.save(update_fields=["status", "settled_at"])
        record_event(actor, "advance.recovery_opened", current, before={"status": before},
                     after={"status": current.status, "recovery_case": case.pk}, reason=reason.strip())
    return case
