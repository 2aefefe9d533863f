"""A money action on one thing has its check step too: a claim approved from its own page, a 5.2c top-up and a
3.6 credit advance show the claim or class, the amount, the fund account and whether the money is reserved or
paid; only the confirm does it, and its message names the claim or class."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from qiancheng.accounts.models import User
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.clock import frozen_at
from qiancheng.funding.models import (
    Advance,
    ClaimStatus,
    FundAccount,
    FundSource,
    LedgerTransaction,
    SubsidyClaim,
    TopupStatus,
)
from qiancheng.funding.services.claims import EmploymentProof, add_employment_proof, approve_claim
from qiancheng.funding.services.payments import pay_claim
from qiancheng.funding.tests.money import filed_claim, finished_class, funded, paid_for_enrolment
from qiancheng.funding.tests.test_money_followup_pages import END, _project_claim
from qiancheng.insight.tests.rating_records import rated as rated_by_snapshot
from qiancheng.training.models import ClassStatus
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


def _money_state() -> tuple[int, list[tuple[Decimal, Decimal]]]:
    """What a check step must leave alone: the ledger's transactions and every account's reserved and paid."""
    return (LedgerTransaction.objects.count(),
            list(FundAccount.objects.order_by("pk").values_list("reserved", "paid")))


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)">', page)
    assert found, f"no hidden {name} on the check page"
    return found.group(1)


# ---------------------------------------------------------------- a claim approved on its own page


def test_approving_from_the_claim_page_checks_first(client: Client, login, province_official: User,
                                                    nanning_official: User) -> None:
    fund = funded(province_official, "100000.00")
    claim = filed_claim(province_official, paid_for_enrolment(finished_class()), fund)
    login(client, nanning_official)
    page = client.get(f"/money/claims/{claim.number}/").content.decode()
    assert f'action="/money/claims/{claim.number}/approve/check/"' in page
    assert f'action="/money/claims/{claim.number}/approve/"' not in page

    before = _money_state()
    check = client.post(f"/money/claims/{claim.number}/approve/check/", {"note": "材料齐全"})
    assert check.status_code == 200
    shown = check.content.decode()
    assert claim.number in shown and claim.person.name in shown and str(fund) in shown
    assert check.context["check"].amount == claim.total_amount > 0 and f"{claim.total_amount:,.2f}" in shown
    assert "预留" in shown and 'data-testid="confirm-approve"' in shown and _hidden(shown, "note") == "材料齐全"
    assert _money_state() == before and SubsidyClaim.objects.get().status == ClaimStatus.PENDING

    done = client.post(f"/money/claims/{claim.number}/approve/", {"note": _hidden(shown, "note")}, follow=True)
    assert f"申领 {claim.number} 已核准，资金已预留。" in done.content.decode()
    claim.refresh_from_db()
    fund.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED and fund.reserved == claim.total_amount

    again = client.post(f"/money/claims/{claim.number}/approve/check/", {"note": ""}, follow=True)
    assert "该申领不在待审核状态" in again.content.decode() and "confirm-approve" not in again.content.decode()


# ---------------------------------------------------------------- 5.2c top-up


def test_a_topup_is_checked_before_it_is_reserved(client: Client, login, province_official: User,
                                                  nanning_official: User, persona_institution) -> None:
    training = builders.training_class(training_type=TrainingType.PROJECT, project=builders.project(), end_date=END,
                                       institution=persona_institution)
    fund = funded(province_official, "100000.00", source=FundSource.SPECIAL_ACCOUNT)
    claim = approve_claim(nanning_official, _project_claim(province_official, training, fund))
    pay_claim(nanning_official, claim, "pay-training")
    with frozen_at(dt.date(2026, 1, 5)):
        add_employment_proof(nanning_official, claim, EmploymentProof("social_insurance_record", dt.date(2026, 1, 5)))
    claim.refresh_from_db()
    assert (claim.topup_status, claim.topup_amount) == (TopupStatus.PENDING, Decimal("200.00"))

    login(client, nanning_official)
    page = client.get(f"/money/claims/{claim.number}/").content.decode()
    assert f'formaction="/money/claims/{claim.number}/topup/check/"' in page

    before = _money_state()
    check = client.post(f"/money/claims/{claim.number}/topup/check/", {"action": "approve", "reason": "社保记录"})
    shown = check.content.decode()
    assert check.status_code == 200 and claim.number in shown and str(fund) in shown
    assert check.context["check"].amount == Decimal("200.00") and "预留" in shown
    assert _hidden(shown, "action") == "approve" and _hidden(shown, "reason") == "社保记录"
    assert _money_state() == before and SubsidyClaim.objects.get().topup_status == TopupStatus.PENDING

    done = client.post(f"/money/claims/{claim.number}/topup/", {"action": "approve", "reason": "社保记录"},
                       follow=True).content.decode()
    assert f"申领 {claim.number} 的就业补贴 200.00 元已核准" in done
    fund.refresh_from_db()
    assert SubsidyClaim.objects.get().topup_status == TopupStatus.APPROVED
    assert fund.reserved == before[1][0][0] + Decimal("200.00")
    gone = client.post(f"/money/claims/{claim.number}/topup/check/", {"action": "approve"}, follow=True)
    assert "没有待审核的就业补贴" in gone.content.decode()


# ---------------------------------------------------------------- 3.6 credit advance


def test_an_advance_is_checked_before_it_is_paid(client: Client, login, province_official: User,
                                                 nanning_official: User, persona_institution) -> None:
    rated_by_snapshot(persona_institution)
    training = finished_class(institution=persona_institution, status=ClassStatus.APPROVED, name="先垫付班")
    paid_for_enrolment(training)
    fund = funded(province_official, "100000.00")
    login(client, nanning_official)
    with frozen_at(dt.date(2025, 9, 1)):
        listing = client.get("/money/advances/")
        candidate = listing.context["candidates"][0]
        assert f'action="/money/advances/classes/{training.pk}/grant/check/"' in listing.content.decode()
        before = _money_state()
        check = client.post(f"/money/advances/classes/{training.pk}/grant/check/",
                            {"idempotency_key": candidate.idempotency_key})
        shown = check.content.decode()
        assert check.status_code == 200 and "先垫付班" in shown and persona_institution.name in shown
        assert check.context["check"].amount == candidate.amount > 0 and f"{candidate.amount:,.2f}" in shown
        assert str(fund) in shown and "支付" in check.context["check"].movement
        assert _hidden(shown, "idempotency_key") == candidate.idempotency_key
        assert _money_state() == before and not Advance.objects.exists()

        for _ in range(2):  # a double click on the confirm grants once
            done = client.post(f"/money/advances/classes/{training.pk}/grant/",
                               {"idempotency_key": _hidden(shown, "idempotency_key")}, follow=True)
    assert Advance.objects.get().amount == candidate.amount
    assert f"已为班级 先垫付班 向{persona_institution.name}垫付 {candidate.amount:,.2f} 元。" in done.content.decode()
    stale = client.post(f"/money/advances/classes/{training.pk}/grant/check/", {"idempotency_key": "x"}, follow=True)
    assert "页面已过期" in stale.content.decode() and not stale.context.get("check")


def test_the_claim_check_page_reads_in_english(client: Client, login, province_official: User,
                                               nanning_official: User) -> None:
    fund = funded(province_official, "100000.00")
    claim = filed_claim(province_official, paid_for_enrolment(finished_class()), fund)
    login(client, nanning_official).cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.post(f"/money/claims/{claim.number}/approve/check/", {"note": ""}).content.decode()
    assert "Check before approving" in page and "Reserved (now, on approval" in page
    assert f"Confirm: approve claim {claim.number} and reserve {claim.total_amount:,.2f} CNY" in page
    assert "核对后核准" not in page and "资金变动" not in page
