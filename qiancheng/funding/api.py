"""The money API: `/api/v1/funds` (and `/funds/advances`), `/api/v1/claims` (review, send-back, resubmit,
withdraw, appeal, employment-due), `/api/v1/payments`, `/api/v1/recoveries`.

Handlers only read through the scope registry and call the funding services. Every state-changing
endpoint needs an `Idempotency-Key` header: the same key with the same request answers the first
response again without doing the work twice; the same key with a different request is refused (409).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.responses import codes_4xx

from qiancheng.accounts.api_errors import ApiError, ErrorOut
from qiancheng.accounts.api_types import Money
from qiancheng.accounts.scope import get_scoped_or_404, scoped
from qiancheng.catalog.models import City, IndustrialPark
from qiancheng.funding.models import (
    Advance,
    AllocationRequest,
    Appeal,
    CityAiUplift,
    FundAccount,
    IdempotentRequest,
    Payment,
    RecoveryCase,
    SubsidyClaim,
)
from qiancheng.funding.services.advances import grant_advance, recover_unearned_advance, settle_advance
from qiancheng.funding.services.appeals import decide_appeal, file_appeal
from qiancheng.funding.services.claims import (
    EmploymentProof,
    Parties,
    add_employment_proof,
    approve_claim,
    approve_claims,
    approve_employment_topup,
    file_claim,
    file_class_claims,
    fund_account_for,
    fund_account_for_class,
    refuse_employment_topup,
    reject_claim,
    resubmit_claim,
    send_back_claim,
    withdraw_claim,
)
from qiancheng.funding.services.class_claims import check_class_claims, class_claim_candidates
from qiancheng.funding.services.employment import employment_due, employment_rates
from qiancheng.funding.services.four_eyes import request_allocation
from qiancheng.funding.services.recovery import open_recovery, record_repayment
from qiancheng.funding.services.redecision import redecide_claim
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.services.returns import record_bank_return
from qiancheng.funding.services.uplift import set_ai_uplift, uplift_entries
from qiancheng.funding.verdict import verdict_text
from qiancheng.training.models import Enrolment, TrainingClass

funds_router = Router(tags=["funds 资金"])
claims_router = Router(tags=["claims 补贴申领"])
payments_router = Router(tags=["payments 拨付"])
recoveries_router = Router(tags=["recoveries 追回"])

Answer = tuple[int, dict[str, Any]]
# Ninja's codes_4xx leaves out 422, which every refusal of a malformed amount or reason answers.
ERRORS = frozenset(codes_4xx | {422})


# ---------------------------------------------------------------- idempotency

def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def _replay(found: IdempotentRequest, fingerprint: str) -> Answer:
    if found.fingerprint != fingerprint:
        raise ApiError(409, "idempotency_key_reused", "该幂等键已用于另一个不同的请求",
                       "this Idempotency-Key was already used for a different request")
    return found.status_code or 409, found.response or {}


def idempotent(request: HttpRequest, work: Callable[[], Answer]) -> Answer:
    """Run `work` once per (user, Idempotency-Key); its answer, refusals included, is kept and replayed."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 100:
        raise ApiError(400, "idempotency_key_missing", "此操作需要请求头 Idempotency-Key（1-100个字符）",
                       "this operation needs an Idempotency-Key header (1-100 characters)")
    fingerprint = _fingerprint(request)
    found = IdempotentRequest.objects.filter(user=request.user, key=key).first()
    if found is not None:
        return _replay(found, fingerprint)
    try:
        with transaction.atomic():
            # Inserted first: a concurrent retry waits on the UNIQUE index here until this one commits.
            record = IdempotentRequest.objects.create(user=request.user, key=key, fingerprint=fingerprint)
            try:
                status, body = work()
            except FundingRefused as refusal:
                status, body = refusal.status, _refusal_body(refusal)
            record.status_code, record.response = status, body
            record.save(update_fields=["status_code", "response"])
    except IntegrityError:
        found = IdempotentRequest.objects.filter(user=request.user, key=key).first()
        if found is None:
            raise
        return _replay(found, fingerprint)
    return status, body


def _refusal_body(refusal: FundingRefused) -> dict[str, Any]:
    body = {"code": refusal.code, "message_zh": refusal.message_zh, "message_en": refusal.message_en}
    return {**body, "details": refusal.details} if refusal.details else body


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


# ---------------------------------------------------------------- funds

class FundOut(Schema):
    id: int
    source: str
    year: int
    city_code: str | None
    park_code: str | None
    allocated: str
    reserved: str
    paid: str
    available: str


def _fund_out(fund: FundAccount) -> dict[str, Any]:
    return {
        "id": fund.pk, "source": fund.source, "year": fund.year, "city_code": fund.city_id,
        "park_code": fund.park.code if fund.park_id else None, "allocated": _money(fund.allocated),
        "reserved": _money(fund.reserved), "paid": _money(fund.paid), "available": _money(fund.available),
    }


class AllocationIn(Schema):
    source: str
    year: int
    amount: Money
    document_ref: str
    city_code: str | None = None
    park_code: str | None = None


@funds_router.get("", response=list[FundOut], summary="Fund accounts and balances 资金账户余额")
def list_funds(request: HttpRequest, year: int | None = None) -> list[dict[str, Any]]:
    funds = scoped(FundAccount.objects.select_related("park"), request.user)
    if year is not None:
        funds = funds.filter(year=year)
    return [_fund_out(fund) for fund in funds.order_by("year", "source", "city_id", "park_id")]


class AllocationRequestOut(Schema):
    """An allocation above the four-eyes threshold, waiting for (or decided by) a second province official."""

    id: int
    source: str
    year: int
    city_code: str | None
    park_code: str | None
    amount: str
    document_ref: str
    status: str
    fund_account_id: int | None
    prepared_by_id: int
    second_official_id: int | None
    refusal_reason: str
    prepared_at: dt.datetime


def allocation_request_out(request: AllocationRequest) -> dict[str, Any]:
    return {
        "id": request.pk, "source": request.source, "year": request.year, "city_code": request.city_id,
        "park_code": request.park.code if request.park_id else None, "amount": _money(request.amount),
        "document_ref": request.document_ref, "status": request.status, "fund_account_id": request.fund_account_id,
        "prepared_by_id": request.prepared_by_id, "second_official_id": request.second_official_id,
        "refusal_reason": request.refusal_reason, "prepared_at": request.prepared_at.isoformat(),
    }


@funds_router.post("/allocations", response={201: FundOut, 202: AllocationRequestOut, ERRORS: ErrorOut},
                   summary="Allocate money to a fund account 下达资金 (province; 202: awaiting a second official)")
def post_allocation(request: HttpRequest, payload: AllocationIn) -> Status:
    def work() -> Answer:
        city = City.objects.filter(code=payload.city_code).first() if payload.city_code else None
        park = IndustrialPark.objects.filter(code=payload.park_code).first() if payload.park_code else None
        if payload.city_code and city is None or payload.park_code and park is None:
            raise FundingRefused("holder_unknown", "城市或园区代码不存在", "no such city or park code", status=422)
        # The same service as the dashboard's: above the four-eyes threshold the allocation waits (202).
        done = request_allocation(request.user, payload.source, payload.year, payload.amount, payload.document_ref,
                                  city=city, park=park)
        if isinstance(done, AllocationRequest):
            return 202, allocation_request_out(done)
        return 201, _fund_out(done)

    return Status(*idempotent(request, work))


# ---------------------------------------------------------------- claims

class ClaimOut(Schema):
    number: str
    status: str
    enrolment_id: int | None
    training_type: str
    fund: str
    fund_account_id: int | None
    city_code: str | None
    end_date: dt.date
    advanced_by: str
    claimant: str
    eligible: bool | None
    training_amount: str | None
    employment_amount: str | None
    total_amount: str | None
    denied_by: str
    decided_at: dt.datetime | None
    rule_version: str
    review_note: str
    reviewed_at: dt.datetime | None
    documents_requested_at: dt.datetime | None
    documents_request_reason: str
    employment_proof_kind: str
    employment_proof_date: dt.date | None
    employer_uscc: str
    topup_status: str
    topup_amount: str
    verdict_text: str = Field(description="the decision as one sentence in the request's language (Accept-Language), "
                                          "verdict and amount first / 判定结论，一句话")


def _claim_out(claim: SubsidyClaim) -> dict[str, Any]:
    return {
        "number": claim.number, "status": claim.status, "enrolment_id": claim.enrolment_id,
        "training_type": claim.training_type, "fund": claim.fund, "fund_account_id": claim.fund_account_id,
        "city_code": claim.city_id, "end_date": claim.end_date.isoformat(), "advanced_by": claim.advanced_by,
        "claimant": claim.claimant, "eligible": claim.eligible, "training_amount": _money(claim.training_amount),
        "employment_amount": _money(claim.employment_amount), "total_amount": _money(claim.total_amount),
        "denied_by": claim.denied_by, "decided_at": claim.decided_at.isoformat() if claim.decided_at else None,
        "rule_version": claim.rule_version, "review_note": claim.review_note,
        "reviewed_at": claim.reviewed_at.isoformat() if claim.reviewed_at else None,
        "documents_requested_at": claim.documents_requested_at.isoformat() if claim.documents_requested_at else None,
        "documents_request_reason": claim.documents_request_reason,
        "employment_proof_kind": claim.employment_proof_kind,
        "employment_proof_date": claim.employment_proof_date.isoformat() if claim.employment_proof_date else None,
        "employer_uscc": claim.employer_uscc,
        "topup_status": claim.topup_status, "topup_amount": _money(claim.topup_amount),
        "verdict_text": verdict_text(claim),
    }


class ClaimIn(Schema):
    enrolment_id: int
    fund: str
    advanced_by: str
    advanced_by_ref: str
    claimant: str
    claimant_ref: str
    employment_proof_kind: str | None = None
    employment_proof_date: dt.date | None = None


class ClaimReviewIn(Schema):
    action: str = ""  # "approve" or "reject"
    note: str = ""


@claims_router.get("", response=list[ClaimOut], summary="Claims in scope 补贴申领列表")
def list_claims(request: HttpRequest, status: str | None = None, limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000_000)
                ) -> list[dict[str, Any]]:
    claims = scoped(SubsidyClaim.objects.all(), request.user)
    if status:
        claims = claims.filter(status=status)
    limit = max(1, min(limit, 1000))
    return [_claim_out(claim) for claim in claims.order_by("-pk")[offset: offset + limit]]


class EmploymentDueOut(Schema):
    claim_number: str
    class_id: int | None
    institution_uscc: str | None
    end_date: dt.date
    due_on: dt.date
    late_from: dt.date
    late: bool


@claims_router.get("/employment-due", response={200: list[EmploymentDueOut], 422: ErrorOut},
                   summary="Trainees due an employment proof 待提交就业证明 (5.2c)")
def list_employment_due(request: HttpRequest, on: dt.date | None = None) -> list[dict[str, Any]]:
    try:
        due = employment_due(request.user, on)
    except FundingRefused as refusal:
        raise ApiError(refusal.status, refusal.code, refusal.message_zh, refusal.message_en) from refusal
    return [{
        "claim_number": due.claim.number,
        "class_id": due.claim.enrolment.training_class_id if due.claim.enrolment_id else None,
        "institution_uscc": due.claim.institution.uscc if due.claim.institution_id else None,
        "end_date": due.claim.end_date, "due_on": due.due_on, "late_from": due.late_from, "late": due.late,
    } for due in due]


class EmploymentRateOut(Schema):
    id: int
    name: str
    employed: int
    eligible: int
    rate: str | None


class RatesOut(Schema):
    per_class: list[EmploymentRateOut]
    per_institution: list[EmploymentRateOut]


@claims_router.get("/employment-rates", response=RatesOut, summary="Employment rates 就业率 (5.2c)")
def get_employment_rates(request: HttpRequest, on: dt.date | None = None) -> dict[str, Any]:
    rates = employment_rates(request.user, on)

    def rows(items: list[Any]) -> list[dict[str, Any]]:
        return [{"id": r.key, "name": r.label, "employed": r.employed, "eligible": r.eligible,
                 "rate": None if r.rate is None else str(r.rate)} for r in items]

    return {"per_class": rows(rates.per_class), "per_institution": rows(rates.per_institution)}


class ApprovalsIn(Schema):
    numbers: list[str] = Field(default_factory=list, max_length=1000)
    note: str = ""


class RefusedClaimOut(Schema):
    number: str
    code: str
    message_zh: str
    message_en: str


class ApprovalsOut(Schema):
    approved: list[ClaimOut]
    refused: list[RefusedClaimOut]


# Before "/{number}": a POST to /claims/approvals must not be read as a claim number.
@claims_router.post("/approvals", response={200: ApprovalsOut, ERRORS: ErrorOut},
                    summary="Approve chosen claims at once 批量核准 (the review queue's batch; each approved or refused)")
def post_approvals(request: HttpRequest, payload: ApprovalsIn) -> Status:
    wanted = set(payload.numbers)
    if not wanted:
        raise ApiError(422, "nothing_chosen", "请列出要核准的申领编号", "list the numbers of the claims to approve")
    claims = list(scoped(SubsidyClaim.objects.all(), request.user).filter(number__in=wanted).order_by("pk"))
    if len(claims) != len(wanted):
        # Another city's claim answers like one that does not exist (and nothing is approved).
        raise ApiError(404, "not_found", "未找到该记录", "No such record",
                       details=sorted(wanted - {claim.number for claim in claims}))

    def work() -> Answer:
        approved, refused = approve_claims(request.user, claims, payload.note)
        return 200, {"approved": [_claim_out(claim) for claim in approved],
                     "refused": [{"number": number, **_refusal_body(refusal)} for number, refusal in refused.items()]}

    return Status(*idempotent(request, work))


@claims_router.get("/{number}", response=ClaimOut, summary="One claim with its decision 申领详情")
def get_claim(request: HttpRequest, number: str) -> dict[str, Any]:
    return _claim_out(get_scoped_or_404(SubsidyClaim, request.user, number=number))


@claims_router.post("", response={201: ClaimOut, ERRORS: ErrorOut}, summary="File a claim 提交补贴申领")
def post_claim(request: HttpRequest, payload: ClaimIn) -> Status:
    def work() -> Answer:
        enrolment = get_scoped_or_404(Enrolment.objects.select_related("training_class", "person"), request.user,
                                      pk=payload.enrolment_id)
        proof = None
        if payload.employment_proof_kind or payload.employment_proof_date:
            if not (payload.employment_proof_kind and payload.employment_proof_date):
                raise FundingRefused("bad_proof", "就业证明须同时给出类型和日期",
                                     "an employment proof needs both its kind and its date", status=422)
            proof = EmploymentProof(payload.employment_proof_kind, payload.employment_proof_date)
        claim = file_claim(request.user, enrolment, fund_account_for(enrolment, payload.fund), payload.advanced_by,
                           payload.advanced_by_ref, payload.claimant, payload.claimant_ref, proof)
        return 201, _claim_out(claim)

    return Status(*idempotent(request, work))


# ---------------------------------------------------------------- a class's claims (the class claim page's steps)


class CandidateOut(Schema):
    enrolment_id: int
    name: str
    claimable: bool
    code: str = Field(description="why not, '' when claimable: e.g. attendance_below_threshold (6c), not_passed, "
                                  "already_claimed, enrolment_withdrawn, no_certificate")
    message_zh: str
    message_en: str
    attended_hours: str | None
    class_hours: int | None
    attendance_rate: str | None
    claim_number: str | None


@claims_router.get("/classes/{int:class_id}/candidates", response=list[CandidateOut],
                   summary="Each trainee of a class: can be claimed, or why not 班级学员能否申领 (6c)")
def class_candidates(request: HttpRequest, class_id: int) -> list[dict[str, Any]]:
    training = get_scoped_or_404(TrainingClass, request.user, pk=class_id)
    return [{
        "enrolment_id": each.enrolment.pk, "name": each.enrolment.person.name, "claimable": each.claimable,
        "code": each.refusal.code if each.refusal else "",
        "message_zh": each.refusal.message_zh if each.refusal else "可申领",
        "message_en": each.refusal.message_en if each.refusal else "can be claimed",
        "attended_hours": str(each.attendance.hours) if each.attendance else None,
        "class_hours": each.attendance.class_hours if each.attendance else None,
        "attendance_rate": str(each.attendance.rate) if each.attendance else None,
        "claim_number": each.claim.number if each.claim else None,
    } for each in class_claim_candidates(request.user, training)]


class ClassClaimsIn(Schema):
    # Every field has a default, so another city's class answers 404 before the body is judged (a missing
    # field is then the service's 422: no fund account, no party, no trainee chosen).
    fund: str = ""
    advanced_by: str = ""
    advanced_by_ref: str = ""
    claimant: str = ""
    claimant_ref: str = ""
    enrolment_ids: list[int] = Field(default_factory=list, max_length=1000)


class ClassRefusalOut(Schema):
    enrolment_id: int
    code: str
    message_zh: str
    message_en: str


class ClassClaimsOut(Schema):
    filed: list[ClaimOut]
    refused: list[ClassRefusalOut]


@claims_router.post("/classes/{int:class_id}", response={201: ClassClaimsOut, ERRORS: ErrorOut},
                    summary="File the claims of the named trainees of a class 为班级学员提交申领")
def post_class_claims(request: HttpRequest, class_id: int, payload: ClassClaimsIn) -> Status:
    """The page's confirm step: every trainee named must be claimable (else 422 `not_claimable`, nothing
    filed; `GET .../candidates` says why), then `file_class_claims` files exactly those in one engine run."""
    training = get_scoped_or_404(TrainingClass, request.user, pk=class_id)

    def work() -> Answer:
        chosen = set(payload.enrolment_ids)
        fund = fund_account_for_class(training, payload.fund)
        check_class_claims(request.user, training, fund.source, chosen)
        parties = Parties(payload.advanced_by, payload.advanced_by_ref, payload.claimant, payload.claimant_ref)
        filed, refused = file_class_claims(request.user, training, fund, parties, enrolment_ids=chosen)
        return 201, {"filed": [_claim_out(claim) for claim in filed], "refused": [
            {"enrolment_id": pk, "code": refusal.code, "message_zh": refusal.message_zh,
             "message_en": refusal.message_en} for pk, refusal in refused.items()]}

    return Status(*idempotent(request, work))


@claims_router.post("/{number}/review", response={200: ClaimOut, ERRORS: ErrorOut},
                    summary="Approve or reject a claim 审核申领")
def review_claim(request: HttpRequest, number: str, payload: ClaimReviewIn) -> Status:
    # Found (or 404) before the body and the key are looked at: another city's claim answers exactly
    # like a claim that does not exist, whatever was sent.
    claim = get_scoped_or_404(SubsidyClaim, request.user, number=number)

    def work() -> Answer:
        if payload.action == "approve":
            reviewed = approve_claim(request.user, claim, payload.note)
        elif payload.action == "reject":
            reviewed = reject_claim(request.user, claim, payload.note)
        else:
            raise FundingRefused("bad_action", "审核动作须为 approve 或 reject", "action must be approve or reject",
                                 status=422)
        return 200, _claim_out(reviewed)

    return Status(*idempotent(request, work))


@claims_router.post("/{number}/decide", response={200: ClaimOut, ERRORS: ErrorOut},
                    summary="Decide a claim again against today's history 重新判定 (officials; before approval)")
def decide_again(request: HttpRequest, number: str) -> Status:
    claim = get_scoped_or_404(SubsidyClaim, request.user, number=number)
    return Status(*idempotent(request, lambda: (200, _claim_out(redecide_claim(request.user, claim)))))


class WithdrawIn(Schema):
    reason: str = ""


@claims_router.post("/{number}/withdraw", response={200: ClaimOut, ERRORS: ErrorOut},
                    summary="Withdraw a claim before payment 撤回申领")
def withdraw(request: HttpRequest, number: str, payload: WithdrawIn) -> Status:
    claim = get_scoped_or_404(SubsidyClaim, request.user, number=number)
    return Status(*idempotent(request, lambda: (200, _claim_out(withdraw_claim(request.user, claim, payload.reason)))))


class ReasonIn(Schema):
    reason: str = ""


class NoteIn(Schema):
    note: str = ""


@claims_router.post("/{number}/send-back", response={200: ClaimOut, ERRORS: ErrorOut},
                    summary="Send a claim back for more documents 退回补充材料")
def send_back(request: HttpRequest, number: str, payload: ReasonIn) -> Status:
    claim = get_scoped_or_404(SubsidyClaim, request.user, number=number)
    return Status(*idempotent(request, lambda: (200, _claim_out(send_back_claim(request.user, claim,
                                                                                 payload.reason)))))


@claims_router.post("/{number}/resubmit", response={200: ClaimOut, ERRORS: ErrorOut},
                    summary="Resubmit a claim sent back for documents 重新提交")
def resubmit(request: HttpRequest, number: str, payload: NoteIn) -> Status:
    claim = get_scoped_or_404(SubsidyClaim, request.user, number=number)
    return Status(*idempotent(request, lambda: (200, _claim_out(resubmit_claim(request.user, claim, payload.note)))))


class EmploymentProofIn(Schema):
    kind: str = ""
    date: dt.date | None = None
    employer_uscc: str = Field("", description="用人单位统一社会信用代码 / the employer's USCC, where the proof names one")


@claims_router.post("/{number}/employment-proof", response={200: ClaimOut, ERRORS: ErrorOut},
                    summary="Add the employment proof 补充就业证明 (5.2c; on a paid claim: a top-up)")
def employment_proof(request: HttpRequest, number: str, payload: EmploymentProofIn) -> Status:
    claim = get_scoped_or_404(SubsidyClaim, request.user, number=number)

    def work() -> Answer:
        if payload.date is None:
            raise FundingRefused("proof_date_missing", "就业证明须有日期", "an employment proof needs its date",
                                 status=422)
        return 200, _claim_out(add_employment_proof(request.user, claim, EmploymentProof(
            payload.kind, payload.date, payload.employer_uscc)))

    return Status(*idempotent(request, work))


class TopupReviewIn(Schema):
    approve: bool = True
    reason: str = ""


@claims_router.post("/{number}/employment-topup", response={200: ClaimOut, ERRORS: ErrorOut},
                    summary="Approve or refuse a 5.2c top-up 就业补贴补拨审核")
def employment_topup(request: HttpRequest, number: str, payload: TopupReviewIn) -> Status:
    claim = get_scoped_or_404(SubsidyClaim, request.user, number=number)

    def work() -> Answer:
        if payload.approve:
            return 200, _claim_out(approve_employment_topup(request.user, claim, payload.reason))
        return 200, _claim_out(refuse_employment_topup(request.user, claim, payload.reason))

    return Status(*idempotent(request, work))


class DocumentIn(Schema):
    name: str
    content_base64: str


class AppealIn(Schema):
    reason: str = ""
    documents: list[DocumentIn] = []


class AppealDecisionIn(Schema):
    upheld: bool | None = None  # required; optional here so a missing claim answers 404 before the body is judged
    reason: str = ""


class AppealOut(Schema):
    id: int
    claim_number: str
    status: str
    reason: str
    filed_at: dt.datetime
    documents: list[str]
    decided_at: dt.datetime | None
    decision_reason: str
    claim_status_after: str


def _appeal_out(appeal: Appeal) -> dict[str, Any]:
    return {
        "id": appeal.pk, "claim_number": appeal.claim.number, "status": appeal.status, "reason": appeal.reason,
        "filed_at": appeal.filed_at.isoformat(), "documents": list(appeal.documents.values_list("name", flat=True)),
        "decided_at": appeal.decided_at.isoformat() if appeal.decided_at else None,
        "decision_reason": appeal.decision_reason, "claim_status_after": appeal.claim_status_after,
    }


def _documents(payload: AppealIn) -> list[tuple[str, bytes]]:
    documents = []
    for number, document in enumerate(payload.documents, start=1):
        try:
            documents.append((document.name, base64.b64decode(document.content_base64, validate=True)))
        except (binascii.Error, ValueError) as exc:
            raise FundingRefused("bad_document", f"第{number}份材料：内容须为base64编码",
                                 f"document {number}: content must be base64", status=422) from exc
    return documents


@claims_router.get("/{number}/appeal", response=AppealOut, summary="The appeal of a claim 申诉")
def get_appeal(request: HttpRequest, number: str) -> dict[str, Any]:
    claim = get_scoped_or_404(SubsidyClaim, request.user, number=number)
    return _appeal_out(get_scoped_or_404(Appeal, request.user, claim=claim))


@claims_router.post("/{number}/appeal", response={201: AppealOut, ERRORS: ErrorOut},
                    summary="Appeal a rejected claim, once 申诉")
def post_appeal(request: HttpRequest, number: str, payload: AppealIn) -> Status:
    claim = get_scoped_or_404(SubsidyClaim, request.user, number=number)
    return Status(*idempotent(request, lambda: (201, _appeal_out(file_appeal(request.user, claim, payload.reason,
                                                                             _documents(payload))))))


@claims_router.post("/{number}/appeal/decide", response={200: AppealOut, ERRORS: ErrorOut},
                    summary="Decide an appeal (another official) 申诉复核")
def post_appeal_decision(request: HttpRequest, number: str, payload: AppealDecisionIn) -> Status:
    claim = get_scoped_or_404(SubsidyClaim, request.user, number=number)
    appeal = get_scoped_or_404(Appeal, request.user, claim=claim)
    def work() -> Answer:
        if payload.upheld is None:
            raise FundingRefused("upheld_missing", "须说明申诉是否成立（upheld: true/false）",
                                 "say whether the appeal is upheld (upheld: true/false)", status=422)
        return 200, _appeal_out(decide_appeal(request.user, appeal, payload.upheld, payload.reason))

    return Status(*idempotent(request, work))


# ---------------------------------------------------------------- payments

class PaymentOut(Schema):
    id: int
    claim_number: str
    amount: str
    paid_at: dt.datetime
    batch_ref: str
    status: str
    ledger_transaction_id: int | None
    # 退票: what the bank's return notice said, once the payment was returned.
    returned_on: dt.date | None = None
    return_bank_ref: str = ""
    reversal_reason: str = ""


def _payment_out(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.pk, "claim_number": payment.claim.number, "amount": _money(payment.amount),
        "paid_at": payment.paid_at.isoformat(), "batch_ref": payment.batch_ref, "status": payment.status,
        "ledger_transaction_id": payment.ledger_transaction_id,
        "returned_on": payment.returned_on.isoformat() if payment.returned_on else None,
        "return_bank_ref": payment.return_bank_ref, "reversal_reason": payment.reversal_reason,
    }


@payments_router.get("", response=list[PaymentOut], summary="Payments in scope 拨付列表")
def list_payments(request: HttpRequest, limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000_000)) -> list[dict[str, Any]]:
    payments = scoped(Payment.objects.select_related("claim"), request.user).order_by("-pk")
    limit = max(1, min(limit, 1000))
    return [_payment_out(payment) for payment in payments[offset: offset + limit]]


class BankReturnIn(Schema):
    reason: str = ""
    bank_ref: str = ""
    returned_on: dt.date | None = None  # required; a missing one is refused with the reason, as the page does


@payments_router.post("/{int:payment_id}/return", response={200: PaymentOut, ERRORS: ErrorOut},
                      summary="Record the bank's return of a payment 退票登记")
def post_bank_return(request: HttpRequest, payment_id: int, payload: BankReturnIn) -> Status:
    payment = get_scoped_or_404(Payment.objects.select_related("claim"), request.user, pk=payment_id)
    return Status(*idempotent(request, lambda: (200, _payment_out(record_bank_return(
        request.user, payment, reason=payload.reason, bank_ref=payload.bank_ref, returned_on=payload.returned_on)))))


# ---------------------------------------------------------------- each city's AI uplift (4.2)

class AiUpliftOut(Schema):
    city_code: str
    uplift: str
    valid_from: dt.date
    document: str


class AiUpliftIn(Schema):
    city_code: str
    uplift: Decimal | None = Field(None, description="a fraction 0 to 0.20 inclusive (4.2: at most 20%): 0.15 = 15%")
    valid_from: dt.date | None = None  # required; a missing one is refused with the reason
    document: str = ""


def _uplift_out(entry: CityAiUplift) -> dict[str, Any]:
    return {"city_code": entry.city_id, "uplift": str(entry.uplift.normalize()) if entry.uplift else "0",
            "valid_from": entry.valid_from.isoformat(), "document": entry.document}


@funds_router.get("/ai-uplifts", response=list[AiUpliftOut], summary="Each city's AI uplift 人工智能职业补贴上浮")
def list_ai_uplifts(request: HttpRequest) -> list[dict[str, Any]]:
    return [_uplift_out(entry) for entry in uplift_entries()]


@funds_router.post("/ai-uplifts", response={201: AiUpliftOut, ERRORS: ErrorOut},
                   summary="Record a city's AI uplift (province) 设置人工智能职业补贴上浮")
def post_ai_uplift(request: HttpRequest, payload: AiUpliftIn) -> Status:
    return Status(*idempotent(request, lambda: (201, _uplift_out(set_ai_uplift(
        request.user, payload.city_code, payload.uplift, payload.valid_from, payload.document)))))


# ---------------------------------------------------------------- advances (3.6)

class AdvanceIn(Schema):
    class_id: int
    fund: str = "employment_subsidy"


class AdvanceOut(Schema):
    id: int
    class_id: int
    institution_uscc: str
    fund_account_id: int
    expected_amount: str
    share: str
    amount: str
    applied: str
    outstanding: str
    status: str
    terms_source: str
    rating_snapshot_id: int | None  # 1c: the star-rating snapshot in force when granted (GET /insight/ratings/{id})
    rating_stars: int | None
    granted_at: dt.datetime


def _advance_out(advance: Advance) -> dict[str, Any]:
    return {
        "id": advance.pk, "class_id": advance.training_class_id, "institution_uscc": advance.institution.uscc,
        "fund_account_id": advance.fund_account_id, "expected_amount": _money(advance.expected_amount),
        "share": str(advance.share), "amount": _money(advance.amount), "applied": _money(advance.applied),
        "outstanding": _money(advance.outstanding), "status": advance.status, "terms_source": advance.terms_source,
        "rating_snapshot_id": advance.rating_snapshot_id, "rating_stars": advance.rating_stars,
        "granted_at": advance.granted_at.isoformat(),
    }


@funds_router.get("/advances", response=list[AdvanceOut], summary="Advances in scope 信用支付垫付")
def list_advances(request: HttpRequest) -> list[dict[str, Any]]:
    advances = scoped(Advance.objects.select_related("institution"), request.user).order_by("-pk")
    return [_advance_out(advance) for advance in advances[:1000]]


@funds_router.post("/advances", response={201: AdvanceOut, ERRORS: ErrorOut},
                   summary="Grant a class's advance 信用支付垫付 (3.6)")
def post_advance(request: HttpRequest, payload: AdvanceIn) -> Status:
    def work() -> Answer:
        training = get_scoped_or_404(TrainingClass, request.user, pk=payload.class_id)
        key = request.headers["Idempotency-Key"].strip()
        advance = grant_advance(request.user, training, fund_account_for_class(training, payload.fund),
                                f"api:{request.user.pk}:{key}")
        return 201, _advance_out(advance)

    return Status(*idempotent(request, work))


# ---------------------------------------------------------------- recoveries (6d)

class RecoveryOut(Schema):
    id: int
    claim_number: str | None
    advance_id: int | None
    debtor_kind: str
    amount_owed: str
    repaid: str
    written_off: str
    outstanding: str
    reason_kind: str
    reason: str
    status: str
    opened_at: dt.datetime


def _recovery_out(case: RecoveryCase) -> dict[str, Any]:
    return {
        "id": case.pk, "claim_number": case.claim.number if case.claim_id else None, "advance_id": case.advance_id,
        "debtor_kind": case.debtor_kind, "amount_owed": _money(case.amount_owed), "repaid": _money(case.repaid),
        "written_off": _money(case.written_off), "outstanding": _money(case.outstanding),
        "reason_kind": case.reason_kind, "reason": case.reason, "status": case.status,
        "opened_at": case.opened_at.isoformat(),
    }


class RecoveryIn(Schema):
    claim_number: str
    reason_kind: str
    reason: str = ""
    amount: Money | None = None


class RepaymentIn(Schema):
    amount: Money | None = None  # required; see AppealDecisionIn
    document_ref: str = ""


@recoveries_router.get("", response=list[RecoveryOut], summary="Recovery cases in scope 追回案件")
def list_recoveries(request: HttpRequest, status: str | None = None, limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000_000)
                    ) -> list[dict[str, Any]]:
    cases = scoped(RecoveryCase.objects.select_related("claim"), request.user)
    if status:
        cases = cases.filter(status=status)
    limit = max(1, min(limit, 1000))
    return [_recovery_out(case) for case in cases.order_by("-pk")[offset: offset + limit]]


@recoveries_router.get("/{int:case_id}", response=RecoveryOut, summary="One recovery case 追回案件详情")
def get_recovery(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return _recovery_out(get_scoped_or_404(RecoveryCase.objects.select_related("claim"), request.user, pk=case_id))


@recoveries_router.post("", response={201: RecoveryOut, ERRORS: ErrorOut},
                        summary="Open a recovery case for a paid claim 追回立案")
def post_recovery(request: HttpRequest, payload: RecoveryIn) -> Status:
    def work() -> Answer:
        claim = get_scoped_or_404(SubsidyClaim, request.user, number=payload.claim_number)
        case = open_recovery(request.user, claim, payload.reason_kind, payload.reason, payload.amount)
        return 201, _recovery_out(case)

    return Status(*idempotent(request, work))


@recoveries_router.post("/{int:case_id}/repayments", response={200: RecoveryOut, ERRORS: ErrorOut},
                        summary="Record a repayment 追回还款")
def post_repayment(request: HttpRequest, case_id: int, payload: RepaymentIn) -> Status:
    case = get_scoped_or_404(RecoveryCase, request.user, pk=case_id)
    def work() -> Answer:
        if payload.amount is None:
            raise FundingRefused("bad_amount", "还款须给出金额", "a repayment needs its amount", status=422)
        return 200, _recovery_out(record_repayment(request.user, case, payload.amount, payload.document_ref))

    return Status(*idempotent(request, work))


# ---------------------------------------------------------------- advances: settle and recover

@funds_router.post("/advances/{int:advance_id}/settle", response={200: AdvanceOut, ERRORS: ErrorOut},
                   summary="Settle an advance once the class's claims are done 垫付结算")
def post_advance_settlement(request: HttpRequest, advance_id: int) -> Status:
    advance = get_scoped_or_404(Advance.objects.select_related("institution"), request.user, pk=advance_id)
    return Status(*idempotent(request, lambda: (200, _advance_out(settle_advance(request.user, advance)))))


@funds_router.post("/advances/{int:advance_id}/recover", response={201: RecoveryOut, ERRORS: ErrorOut},
                   summary="Recover an advance's unearned part 垫付追回")
def post_advance_recovery(request: HttpRequest, advance_id: int, payload: ReasonIn) -> Status:
    advance = get_scoped_or_404(Advance, request.user, pk=advance_id)
    return Status(*idempotent(request, lambda: (201, _recovery_out(recover_unearned_advance(
        request.user, advance, payload.reason)))))
