"""The table of claim status changes (CLAIM_TRANSITIONS), enforced by the one writer (claim_status.move_claim).

Every change not in the table is refused with nothing written; every change the product makes goes through
the services and lands where the table says.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from qiancheng.accounts.models import AuditEntry, Role, User
from qiancheng.accounts.services import issue_api_token
from qiancheng.accounts.tests.second_factor_support import pass_second_factor
from qiancheng.clock import today
from qiancheng.funding.models import (
    CLAIM_TRANSITIONS,
    FILED_STATUS,
    ClaimStatus,
    Payment,
    RecoveryReason,
    SubsidyClaim,
)
from qiancheng.funding.services.appeals import decide_appeal, file_appeal
from qiancheng.funding.services.claim_status import file_new_claim, move_claim
from qiancheng.funding.services.claims import approve_claim, reject_claim, withdraw_claim
from qiancheng.funding.services.payments import pay_claim
from qiancheng.funding.services.recovery import open_recovery
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.services.returns import record_bank_return
from qiancheng.funding.tests.money import (
    filed_claim,
    finished_class,
    funded,
    institution_user_of,
    paid_for_enrolment,
)

pytestmark = pytest.mark.django_db

ILLEGAL = [(before, after) for before, after in itertools.product(ClaimStatus, ClaimStatus)
           if after not in CLAIM_TRANSITIONS[before]]


def test_the_table_names_every_status_and_only_statuses() -> None:
    assert set(CLAIM_TRANSITIONS) == set(ClaimStatus)
    assert all(targets <= set(ClaimStatus) for targets in CLAIM_TRANSITIONS.values())
    # Nothing leaves a final status, and no status "changes" to itself.
    assert CLAIM_TRANSITIONS[ClaimStatus.WITHDRAWN] == CLAIM_TRANSITIONS[ClaimStatus.RECOVERED] == frozenset()
    assert all(status not in CLAIM_TRANSITIONS[status] for status in ClaimStatus)
    assert FILED_STATUS == ClaimStatus.PENDING


def _claim_in(status: ClaimStatus, province: User) -> SubsidyClaim:
    """An eligible filed claim, put in `status` directly (the test's own setup; CHECK constraints still hold)."""
    claim = filed_claim(province, paid_for_enrolment(finished_class()), funded(province, "10000.00"))
    assert claim.eligible
    SubsidyClaim.objects.filter(pk=claim.pk).update(status=status)
    claim.refresh_from_db()
    return claim


@pytest.mark.parametrize(("before", "after"), ILLEGAL, ids=[f"{b}->{a}" for b, a in ILLEGAL])
def test_a_change_not_in_the_table_is_refused_and_nothing_is_written(before: ClaimStatus, after: ClaimStatus,
                                                                     province_official: User) -> None:
    claim = _claim_in(before, province_official)
    written = SubsidyClaim.objects.values_list("updated_at", flat=True).get(pk=claim.pk)
    with pytest.raises(FundingRefused) as refused, transaction.atomic():
        move_claim(claim, after)
    assert (refused.value.code, refused.value.status) == ("illegal_status_change", 409)
    assert refused.value.details == [{"claim_number": claim.number, "status": before, "requested": after,
                                      "allowed": sorted(CLAIM_TRANSITIONS[before])}]
    assert SubsidyClaim.objects.values_list("status", "updated_at").get(pk=claim.pk) == (before, written)


def test_the_table_is_read_on_the_stored_row_not_on_a_stale_copy(province_official: User) -> None:
    """A copy read while pending, when the row has since been withdrawn, cannot be approved through it."""
    claim = _claim_in(ClaimStatus.PENDING, province_official)
    SubsidyClaim.objects.filter(pk=claim.pk).update(status=ClaimStatus.WITHDRAWN)
    assert claim.status == ClaimStatus.PENDING
    with pytest.raises(FundingRefused) as refused, transaction.atomic():
        move_claim(claim, ClaimStatus.APPROVED)
    assert refused.value.code == "illegal_status_change" and "withdrawn" in refused.value.message_en
    assert SubsidyClaim.objects.get(pk=claim.pk).status == ClaimStatus.WITHDRAWN


def test_a_claim_is_filed_only_in_the_filed_status() -> None:
    with pytest.raises(TypeError):
        file_new_claim(number="X-1", status=ClaimStatus.PAID)
    assert not SubsidyClaim.objects.exists()


def _seen(claim: SubsidyClaim, moves: set[tuple[str, str]], before: str) -> str:
    claim.refresh_from_db()
    moves.add((before, claim.status))
    return claim.status


def test_every_change_the_product_makes_goes_through_the_services(province_official: User,
                                                                   nanning_official: User) -> None:
    """File, approve, pay, bank return, pay again, recover; reject, appeal upheld; withdraw pending and approved.
    Together they make every change of the table but draft → pending (no draft is made today)."""
    moves: set[tuple[str, str]] = set()
    fund = funded(province_official, "10000.00")

    paid = filed_claim(nanning_official, paid_for_enrolment(finished_class()), fund)
    assert paid.status == FILED_STATUS
    status = _seen(approve_claim(nanning_official, paid), moves, ClaimStatus.PENDING)
    pay_claim(nanning_official, paid, "pay-1")
    status = _seen(paid, moves, status)
    record_bank_return(nanning_official, Payment.objects.get(claim=paid), reason="账户已销户",
                       bank_ref="TP-1", returned_on=today())
    status = _seen(paid, moves, status)
    pay_claim(nanning_official, paid, "pay-2")
    status = _seen(paid, moves, status)
    open_recovery(nanning_official, paid, RecoveryReason.FRAUD, "虚报培训 / false training")
    _seen(paid, moves, status)

    appealed = filed_claim(nanning_official, paid_for_enrolment(finished_class()), fund)
    reject_claim(nanning_official, appealed, "考勤存疑")
    status = _seen(appealed, moves, ClaimStatus.PENDING)
    appeal = file_appeal(institution_user_of(appealed.enrolment.training_class), appealed, "考勤完整", [])
    colleague = User.objects.create(username="nanning-2", role=Role.CITY_OFFICIAL, city=nanning_official.city)
    decide_appeal(colleague, appeal, True, "考勤核实无误")
    _seen(appealed, moves, status)
    restored = AuditEntry.objects.get(action="appeal.decided")
    assert restored.after["claim_status"] == ClaimStatus.APPROVED

    for approve_first in (False, True):
        taken_back = filed_claim(nanning_official, paid_for_enrolment(finished_class()), fund)
        if approve_first:
            approve_claim(nanning_official, taken_back)
        before = taken_back.status if not approve_first else ClaimStatus.APPROVED
        _seen(withdraw_claim(nanning_official, taken_back, "重复提交"), moves, before)

    # The appeal passes through pending on its way to approved, in one transaction.
    moves |= {(ClaimStatus.REJECTED, ClaimStatus.PENDING), (ClaimStatus.PENDING, ClaimStatus.APPROVED)}
    moves.discard((ClaimStatus.REJECTED, ClaimStatus.APPROVED))
    table = {(before, after) for before, targets in CLAIM_TRANSITIONS.items() for after in targets}
    assert moves == table - {(ClaimStatus.DRAFT, ClaimStatus.PENDING)}


def _api(user: User) -> tuple[Client, dict[str, Any]]:
    with transaction.atomic():
        token, _ = issue_api_token(user, second_factor=pass_second_factor(user))
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_IDEMPOTENCY_KEY": "withdraw-1"}


def test_the_api_answers_a_refused_change_as_a_409_problem(province_official: User, nanning_official: User) -> None:
    fund = funded(province_official, "10000.00")
    claim = filed_claim(nanning_official, paid_for_enrolment(finished_class()), fund)
    approve_claim(nanning_official, claim)
    pay_claim(nanning_official, claim, "pay-1")
    client, headers = _api(nanning_official)
    response = client.post(f"/api/v1/claims/{claim.number}/withdraw", {"reason": "撤回"},
                           content_type="application/json", **headers)
    assert response.status_code == 409 and response["Content-Type"].startswith("application/json")
    problem = response.json()
    assert problem["code"] == "not_withdrawable" and "paid" in problem["message_en"] and problem["message_zh"]
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
