"""The API of payment batches and of allocations awaiting a second official (four-eyes), on the money
routers: `/api/v1/payments/batches` and `/api/v1/funds/allocation-requests`. The pages call the same
services (payment_batches.py, four_eyes.py); every POST needs an Idempotency-Key, like the rest of the
money API. A batch or allocation that waits answers 202 with its status `awaiting_second`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Schema, Status

from qiancheng.accounts.api_errors import ErrorOut
from qiancheng.accounts.scope import get_scoped_or_404, scoped
from qiancheng.funding.api import (
    ERRORS,
    AllocationRequestOut,
    Answer,
    PaymentOut,
    ReasonIn,
    RecoveryOut,
    _money,
    _payment_out,
    _recovery_out,
    allocation_request_out,
    funds_router,
    idempotent,
    payments_router,
    recoveries_router,
)
from qiancheng.funding.models import AllocationRequest, PaymentBatch, RecoveryCase, SecondCheck, SubsidyClaim
from qiancheng.funding.services.four_eyes import approve_allocation, refuse_allocation
from qiancheng.funding.services.payment_batches import (
    BatchOutcome,
    approve_payment_batch,
    pay_one_claim,
    prepare_payment_batch,
    refuse_payment_batch,
)
from qiancheng.funding.services.recovery import write_off_recovery
from qiancheng.funding.services.refusal import FundingRefused


class BatchPaymentOut(Schema):
    claim_number: str
    amount: str


class PaymentBatchOut(Schema):
    reference: str
    status: str
    count: int
    total: str
    claims: list[str]
    paid: list[BatchPaymentOut]
    not_paid: dict[str, str]
    prepared_by_id: int
    second_official_id: int | None
    refusal_reason: str


class PaymentBatchIn(Schema):
    claim_numbers: list[str]


def _batch_out(outcome: BatchOutcome) -> dict[str, Any]:
    batch = outcome.batch
    return {
        "reference": batch.reference, "status": batch.status, "count": batch.count, "total": _money(batch.total),
        "claims": list(batch.claims.order_by("pk").values_list("number", flat=True)),
        "paid": [{"claim_number": payment.claim.number, "amount": _money(payment.amount)}
                 for payment in outcome.payments],
        "not_paid": {number: refusal.code for number, refusal in outcome.refusals.items()},
        "prepared_by_id": batch.prepared_by_id, "second_official_id": batch.second_official_id,
        "refusal_reason": batch.refusal_reason,
    }


def _answer(outcome: BatchOutcome, done: int) -> Answer:
    return (202 if outcome.batch.status == SecondCheck.AWAITING else done), _batch_out(outcome)


@payments_router.get("/batches", response=list[PaymentBatchOut], summary="Payment batches in scope 支付批次")
def list_payment_batches(request: HttpRequest, status: str | None = None) -> list[dict[str, Any]]:
    batches = scoped(PaymentBatch.objects.all(), request.user)
    if status:
        batches = batches.filter(status=status)
    return [_batch_out(BatchOutcome(batch)) for batch in batches.order_by("-pk")[:100]]


@payments_router.post("/batches", response={201: PaymentBatchOut, 202: PaymentBatchOut, ERRORS: ErrorOut},
                      summary="Pay a batch of approved claims (202: awaiting a second official) 生成支付批次")
def post_payment_batch(request: HttpRequest, payload: PaymentBatchIn) -> Status:
    def work() -> Answer:
        claims = list(scoped(SubsidyClaim.objects.filter(number__in=payload.claim_numbers), request.user))
        key = request.headers["Idempotency-Key"].strip()
        return _answer(prepare_payment_batch(request.user, claims, f"api:{request.user.pk}:{key}"), 201)

    return Status(*idempotent(request, work))


class PaymentIn(Schema):
    claim_number: str
    # Kept so that an old client's reference is refused aloud rather than ignored: the batch makes its own.
    batch_ref: str = ""


@payments_router.post("", response={201: PaymentOut, 202: PaymentBatchOut, ERRORS: ErrorOut},
                      summary="Pay one approved claim, as a batch of one (202: awaiting a second official) 支付")
def post_payment(request: HttpRequest, payload: PaymentIn) -> Status:
    """One claim through the batch service (`pay_one_claim`): the four-eyes threshold and the one reference
    format apply as on the payment page. 201 with the payment, or 202 with the batch awaiting its second
    official, approved through `/payments/batches/{reference}/approve`."""
    def work() -> Answer:
        claim = get_scoped_or_404(SubsidyClaim, request.user, number=payload.claim_number)
        if payload.batch_ref:
            raise FundingRefused("bad_batch_ref", "批次号由支付批次生成（PAY<年月日>-<城市代码或GX>-<10位校验码>），请勿填写",
                                 "the batch makes its own reference (PAY<yyyymmdd>-<city code or GX>-<10 hex>); "
                                 "leave batch_ref out", status=422)
        key = request.headers["Idempotency-Key"].strip()
        outcome = pay_one_claim(request.user, claim, f"api-payment:{request.user.pk}:{key}")
        if outcome.batch.status == SecondCheck.AWAITING:
            return 202, _batch_out(outcome)
        return 201, _payment_out(outcome.payments[0])

    return Status(*idempotent(request, work))


@payments_router.post("/batches/{reference}/approve", response={200: PaymentBatchOut, ERRORS: ErrorOut},
                      summary="Approve and pay a batch, as the second official 复核支付批次")
def post_payment_batch_approval(request: HttpRequest, reference: str) -> Status:
    batch = get_scoped_or_404(PaymentBatch, request.user, reference=reference)
    return Status(*idempotent(request, lambda: _answer(approve_payment_batch(request.user, batch), 200)))


@payments_router.post("/batches/{reference}/refuse", response={200: PaymentBatchOut, ERRORS: ErrorOut},
                      summary="Refuse a batch with a reason, as the second official 退回支付批次")
def post_payment_batch_refusal(request: HttpRequest, reference: str, payload: ReasonIn) -> Status:
    batch = get_scoped_or_404(PaymentBatch, request.user, reference=reference)
    return Status(*idempotent(request, lambda: (
        200, _batch_out(BatchOutcome(refuse_payment_batch(request.user, batch, payload.reason))))))


@funds_router.get("/allocation-requests", response=list[AllocationRequestOut],
                  summary="Allocations above the threshold and their review 待复核的资金下达")
def list_allocation_requests(request: HttpRequest, status: str | None = None) -> list[dict[str, Any]]:
    requests = scoped(AllocationRequest.objects.select_related("park"), request.user)
    if status:
        requests = requests.filter(status=status)
    return [allocation_request_out(each) for each in requests.order_by("-pk")[:100]]


@funds_router.post("/allocation-requests/{int:request_id}/approve",
                   response={200: AllocationRequestOut, ERRORS: ErrorOut},
                   summary="Approve an allocation, as the second province official 复核资金下达")
def post_allocation_approval(request: HttpRequest, request_id: int) -> Status:
    waiting = get_scoped_or_404(AllocationRequest, request.user, pk=request_id)
    return Status(*idempotent(request, lambda: (200, allocation_request_out(
        approve_allocation(request.user, waiting)))))


@funds_router.post("/allocation-requests/{int:request_id}/refuse",
                   response={200: AllocationRequestOut, ERRORS: ErrorOut},
                   summary="Refuse an allocation with a reason, as the second province official 退回资金下达")
def post_allocation_refusal(request: HttpRequest, request_id: int, payload: ReasonIn) -> Status:
    waiting = get_scoped_or_404(AllocationRequest, request.user, pk=request_id)
    return Status(*idempotent(request, lambda: (200, allocation_request_out(
        refuse_allocation(request.user, waiting, payload.reason)))))


@recoveries_router.post("/{int:case_id}/write-off", response={200: RecoveryOut, ERRORS: ErrorOut},
                        summary="Write off what a case can no longer recover (province) 追回核销")
def post_write_off(request: HttpRequest, case_id: int, payload: ReasonIn) -> Status:
    case = get_scoped_or_404(RecoveryCase, request.user, pk=case_id)
    return Status(*idempotent(request, lambda: (200, _recovery_out(
        write_off_recovery(request.user, case, payload.reason)))))
