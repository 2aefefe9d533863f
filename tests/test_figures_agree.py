"""The numbers on every page agree (issue 11, 6a): each figure the province home, a city home and the fund
dashboard show equals a count made here, record by record in plain Python, on a world with claims paid,
approved, awaiting review, sent back for documents and recovered (with a repayment).

The two "paid" figures are different things with different names (docs/statistics.md): 已拨付申领人 is the
payments sent and not reversed; 账户净支出 is what left the fund accounts, repayments of recovery taken back.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from qiancheng import clock
from qiancheng.funding.models import (
    ClaimStatus,
    LedgerEntry,
    Payment,
    PaymentStatus,
    RecoveryReason,
    SubsidyClaim,
)
from qiancheng.funding.services.claims import approve_claim, send_back_claim
from qiancheng.funding.services.recovery import open_recovery, record_repayment
from qiancheng.funding.tests.money import filed_claim, finished_class, funded, paid_claim, paid_for_enrolment
from qiancheng.policy.vocabulary import COUNTING_STATUSES, KEY_GROUPS
from qiancheng.portal.figures import SENT_BACK
from qiancheng.training.tests import builders
from qiancheng.web.templatetags.page_shell import wan_yuan, yuan

pytestmark = pytest.mark.django_db

NANNING, LIUZHOU = "450100", "450200"
# The builders' classes end on 2025-09-30; the homes read the year of today, so today is pinned in 2025.
DAY = dt.date(2025, 12, 1)


def _world(province: Any, nanning: Any, liuzhou: Any) -> None:
    """南宁: two paid claims (one then recovered, 100.00 repaid), one approved, one awaiting review, one sent
    back for documents; 柳州: one paid claim."""
    liuzhou_city = builders.city(LIUZHOU, "柳州市")
    fund = funded(province, "100000.00")
    liuzhou_fund = funded(province, "100000.00", city=liuzhou_city)
    paid_claim(nanning, fund)
    recovered = paid_claim(nanning, fund)
    case = open_recovery(nanning, recovered, RecoveryReason.FRAUD, "虚假考勤")
    record_repayment(nanning, case, Decimal("100.00"), "BANK-FIG-1")
    approve_claim(nanning, filed_claim(nanning, paid_for_enrolment(finished_class()), fund))
    filed_claim(nanning, paid_for_enrolment(finished_class()), fund)
    send_back_claim(nanning, filed_claim(nanning, paid_for_enrolment(finished_class()), fund), "缺少考勤表原件")
    paid_claim(liuzhou, liuzhou_fund, finished_class(city=liuzhou_city))


def _expected(city: str | None) -> dict[str, Any]:
    """The figures of a scope (a city, or None for the province), counted here from the records."""
    claims = [claim for claim in SubsidyClaim.objects.select_related("enrolment__training_class")
              if city is None or claim.city_id == city]
    payments = [payment for payment in Payment.objects.select_related("claim")
                if payment.status == PaymentStatus.PAID and (city is None or payment.claim.city_id == city)]
    ledger_paid = [entry for entry in LedgerEntry.objects.select_related("fund")
                   if entry.account == "fund.paid" and (city is None or entry.fund.city_id == city)]
    counted = [claim for claim in claims if claim.status in COUNTING_STATUSES and claim.eligible is True
               and claim.enrolment.training_class.end_date.year == DAY.year]
    by_status = Counter(claim.status for claim in claims)
    sent_back = sum(1 for claim in claims
                    if claim.status == ClaimStatus.PENDING and claim.documents_requested_at is not None)
    by_status[SENT_BACK] = sent_back
    by_status[ClaimStatus.PENDING] -= sent_back
    return {
        "claims": len(claims),
        "by_status": {status: by_status.get(status, 0) for status in [*ClaimStatus.values, SENT_BACK]},
        "approved_amount": sum((c.total_amount for c in claims if c.status in ("approved", "paid")), Decimal("0.00")),
        "paid_to_claimants": sum((p.amount for p in payments), Decimal("0.00")),
        "net_paid_from_accounts": sum((e.credit - e.debit for e in ledger_paid), Decimal("0.00")),
        "trainings": len(counted),
        "key_group": sum(1 for claim in counted if claim.person_category in KEY_GROUPS),
    }


def _shown(response: Any) -> dict[str, Any]:
    figures, progress = response.context["figures"], response.context["progress"]
    queue = {each.key: each.count for each in response.context["queues"]}
    return {
        "claims": figures.claims,
        "by_status": {each.status: each.count for each in figures.claims_by_status},
        "approved_amount": figures.amount_approved,
        "paid_to_claimants": figures.amount_paid,
        "net_paid_from_accounts": response.context["fund_summary"].total.paid,
        "awaiting_review_queue": queue["claims"],
        "progress": progress,
    }


def test_the_province_home_the_city_home_and_the_fund_dashboard_agree_with_the_records(
        client: Client, login, province_official: Any, nanning_official: Any, liuzhou_official: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    with clock.frozen_at(DAY):
        # The services' commits queue a refresh of the statistics' pre-aggregate (funding.claim_changes); inside
        # the test's transaction the commit callbacks are run here, and the refresh with the tests' task backend.
        with django_capture_on_commit_callbacks(execute=True):
            _world(province_official, nanning_official, liuzhou_official)
        for user, city in ((province_official, None), (nanning_official, NANNING)):
            expected = _expected(city)
            response = login(client, user).get("/")
            assert response.status_code == 200
            shown = _shown(response)
            for figure in ("claims", "by_status", "approved_amount", "paid_to_claimants", "net_paid_from_accounts"):
                assert shown[figure] == expected[figure], (user.username, figure)
            # The queue's count and the home's "待审核" row are the same figure (sent back ones are apart).
            assert shown["awaiting_review_queue"] == expected["by_status"][ClaimStatus.PENDING]
            progress = shown["progress"]
            row = progress.province if city is None else next(each for each in progress.cities if each.code == city)
            assert (row.achieved.trainings, row.achieved.key_group) == (expected["trainings"], expected["key_group"])
            # The two paid figures differ here (the repayment) and are shown under their own names.
            assert expected["paid_to_claimants"] - expected["net_paid_from_accounts"] == Decimal("100.00")
            page = response.content.decode()
            assert f"已拨付申领人金额（元）</div><div class=\"card-value\">{yuan(expected['paid_to_claimants'])}" in page
            assert f"账户净支出</div><div class=\"card-value\">{wan_yuan(expected['net_paid_from_accounts'])}" in page
            assert ">已支付金额（元）<" not in page

            dashboard = client.get("/money/funds/")
            assert dashboard.status_code == 200
            assert dashboard.context["summary"].total.paid == expected["net_paid_from_accounts"]
            assert (f"账户净支出</div><div class=\"card-value\">{wan_yuan(expected['net_paid_from_accounts'])}"
                    in dashboard.content.decode())
            client.logout()

    # The world has every kind the figures must tell apart.
    province = _expected(None)
    assert province["by_status"][ClaimStatus.PAID] == 2 and province["by_status"][ClaimStatus.RECOVERED] == 1
    assert province["by_status"][ClaimStatus.PENDING] == 1 and province["by_status"][SENT_BACK] == 1
    assert province["trainings"] == 5  # 2 paid, 1 approved, 2 pending; the recovered one no longer counts
