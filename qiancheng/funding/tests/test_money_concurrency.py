"""Money under real concurrency, on PostgreSQL with real threads and connections (STYLE.md 9, ADR 0003).

Double-clicked buttons, two officials at once, retried requests: however the requests interleave, there
is one claim per training, one reservation per claim, one payment per claim, and no fund account ever
commits more than it was allocated. SQLite serialises every writer (BEGIN IMMEDIATE), so these tests
prove nothing there and run only on PostgreSQL.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections
from django.db.models import Sum
from django.test import Client

from qiancheng.accounts.models import User
from qiancheng.accounts.services import issue_api_token
from qiancheng.accounts.tests.second_factor_support import pass_second_factor
from qiancheng.funding.models import (
    ClaimStatus,
    IdempotentRequest,
    LedgerTransaction,
    Payment,
    SubsidyClaim,
    TransactionKind,
)
from qiancheng.funding.services.claims import approve_claim, approve_claims, file_claim, file_class_claims
from qiancheng.funding.services.funds import balances
from qiancheng.funding.services.ledger import verify_ledger
from qiancheng.funding.services.payments import pay_claim
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.tests.money import finished_class, funded, institution_parties, paid_for_enrolment
from qiancheng.training.models import Enrolment

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks and concurrent writers need PostgreSQL"),
]


def _race(count: int, work: Callable[[int], Any], workers: int) -> list[Any]:
    """Run `work(i)` for i in range(count) on `workers` threads released together; each keeps its own
    connection. Returns each result or the FundingRefused it raised."""
    start = threading.Barrier(min(workers, count))

    def run(index: int) -> Any:
        try:
            if index < workers:
                start.wait(timeout=30)
            return work(index)
        except FundingRefused as refusal:
            return refusal
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, range(count)))


def test_64_identical_filings_and_approvals_at_once_make_one_claim_and_one_reservation(
    province_official: User, nanning_official: User
) -> None:
    enrolment = paid_for_enrolment(finished_class())
    fund = funded(province_official, "100000.00")
    parties = institution_parties(enrolment.training_class)

    def file_and_approve(index: int) -> str:
        mine = Enrolment.objects.get(pk=enrolment.pk)
        try:
            claim = file_claim(nanning_official, mine, fund, parties.advanced_by, parties.advanced_by_ref,
                               parties.claimant, parties.claimant_ref)
        except FundingRefused as refusal:  # one training, one claim: the others are told which claim exists
            return f"{refusal.details[0]['claim_number'] if refusal.details else ''}:{refusal.code}"
        try:
            approve_claim(nanning_official, claim)
        except FundingRefused as refusal:
            return f"{claim.number}:{refusal.code}"
        return f"{claim.number}:approved"

    outcomes = _race(64, file_and_approve, workers=64)
    claim = SubsidyClaim.objects.get()
    assert Counter(outcomes) == {f"{claim.number}:approved": 1, f"{claim.number}:already_claimed": 63}
    assert claim.status == ClaimStatus.APPROVED
    assert LedgerTransaction.objects.filter(kind=TransactionKind.RESERVATION).count() == 1
    assert balances(fund).reserved == claim.total_amount
    assert verify_ledger().ok


def test_500_payments_worth_twice_the_budget_stay_within_it_to_the_fen(
    province_official: User, nanning_official: User
) -> None:
    """Twice the budget is asked. Twenty reviewers approve their share of the queue at once, racing for the
    money (the budget gate is the reservation); then 500 payment requests, and a retry of each, arrive at
    once. Per-claim approval is the same code path (`_approve_decided`) and is raced 64-fold above; the
    queue is approved in batches here because every engine decision writes the audit chain, which
    serialises them, and 500 single decisions would take a minute."""
    training = finished_class()
    for _ in range(500):
        paid_for_enrolment(training)
    fund = funded(province_official, "1.00")  # opened; the budget is completed below from what is asked
    claims, refused = file_class_claims(province_official, training, fund, institution_parties(training))
    assert len(claims) == 500 and not refused and all(claim.eligible for claim in claims)
    asked = sum((claim.total_amount for claim in claims), Decimal("0.00"))
    budget = (asked / 2 - Decimal("0.01")).quantize(Decimal("0.01"))  # half of what is asked, less a fen
    fund = funded(province_official, str(budget - Decimal("1.00")))
    assert balances(fund).allocated == budget

    shares = [claims[index::20] for index in range(20)]
    reviews = _race(20, lambda index: approve_claims(nanning_official, shares[index]), workers=20)
    approved = [claim for claim_list, _ in reviews for claim in claim_list]
    refusals = Counter(refusal.code for _, by_number in reviews for refusal in by_number.values())
    assert set(refusals) == {"over_budget"} and len(approved) + refusals["over_budget"] == 500
    reserved = sum((claim.total_amount for claim in approved), Decimal("0.00"))
    assert balances(fund).reserved == reserved <= budget

    requests = [(claim, f"pay-{claim.number}") for claim in claims] * 2

    def pay(index: int) -> int:
        claim, key = requests[index]
        return pay_claim(nanning_official, claim, key).pk

    outcomes = _race(len(requests), pay, workers=48)
    paid_ids = {outcome for outcome in outcomes if isinstance(outcome, int)}
    assert Counter(o.code for o in outcomes if isinstance(o, FundingRefused)) == {"not_approved": 2 * (500 - len(approved))}
    paid_total = Payment.objects.aggregate(total=Sum("amount"))["total"]
    money = balances(fund)
    assert len(paid_ids) == Payment.objects.count() == len(approved)
    assert paid_total == money.paid == reserved <= budget == money.allocated
    assert money.reserved == Decimal("0.00") and money.available == budget - paid_total
    assert SubsidyClaim.objects.filter(status=ClaimStatus.PAID).count() == len(approved)
    assert LedgerTransaction.objects.filter(kind=TransactionKind.PAYMENT).count() == len(approved)
    assert verify_ledger().ok


def test_32_concurrent_api_retries_with_one_key_do_the_work_once(
    province_official: User, nanning_official: User
) -> None:
    enrolment = paid_for_enrolment(finished_class())
    funded(province_official, "100000.00")
    token, _ = issue_api_token(nanning_official, second_factor=pass_second_factor(nanning_official))
    parties = institution_parties(enrolment.training_class)
    body = {"enrolment_id": enrolment.pk, "fund": "employment_subsidy", "advanced_by": parties.advanced_by,
            "advanced_by_ref": parties.advanced_by_ref, "claimant": parties.claimant,
            "claimant_ref": parties.claimant_ref}
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_IDEMPOTENCY_KEY": "file-once"}

    def post(index: int) -> tuple[int, Any]:
        response = Client().post("/api/v1/claims", body, content_type="application/json", **headers)
        return response.status_code, response.json()

    answers = _race(32, post, workers=32)
    assert {status for status, _ in answers} == {201}
    assert len({answer["number"] for _, answer in answers}) == 1
    assert SubsidyClaim.objects.count() == 1 and IdempotentRequest.objects.count() == 1
