"""From an alert to the engine (issue 12, 'Done when' 2; 6d): a shared-bank-account alert becomes a case; the
case's decision recovers the paid money through the ledger (which still verifies) and lists the institution
from a day; a claim of that institution for training ending after that day is denied by 6d when it is filed
(the online path: file_claim decides at once); a later decision lifts the listing, and a claim for training
ending after the last listed day passes 6d. Through the API, as an official works it."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from qiancheng.clock import frozen_at
from qiancheng.funding.models import ClaimStatus, RecoveryCase
from qiancheng.funding.services.ledger import verify_ledger
from qiancheng.funding.tests.money import filed_claim, funded, paid_claim, paid_for_enrolment
from qiancheng.providers.tests.test_institution_api import Api
from qiancheng.risk.models import CaseStatus, MeasureKind, Signal
from qiancheng.sanctions.services import institution_listed
from qiancheng.training.models import Enrolment
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

ALERT_DAY = date(2025, 10, 15)  # the first class ended 2025-09-30 and was paid
LISTED_FROM = date(2025, 11, 1)


def _post(api: Api, path: str, body: dict[str, Any]) -> Any:
    return api.client.post(f"/api/v1/risk{path}", body, content_type="application/json", **api.headers)


def _shared_bank_alert(claim: Any) -> Signal:
    """The alert as the signal rule `shared_bank_account` writes it: the institution, the claims behind it."""
    institution = claim.enrolment.training_class.institution
    return Signal.objects.create(
        rule="shared_bank_account", clause="6d", city_id=claim.city_id,
        fingerprint=hashlib.sha256(f"shared_bank_account:{claim.pk}".encode()).hexdigest(),
        summary=f"{institution.name}：5名学员共用一个银行账户", institution=institution, person=claim.person,
        records=[{"model": "providers.institution", "pk": institution.pk},
                 {"model": "funding.subsidyclaim", "pk": claim.pk}],
        parameters={"shared_bank_min_trainees": "3"}, found_on=ALERT_DAY, found_at=timezone.now())


def _claim_for_class_ending(official: Any, fund: Any, institution: Any, end: date) -> Any:
    """A class of the institution ending on `end`, one trainee with attendance, evaluation and certificate;
    the institution's claim for it filed (and so decided) the week after."""
    training = builders.training_class(institution=institution, start_date=end - timedelta(days=29), end_date=end)
    enrolment = paid_for_enrolment(training)
    Enrolment.objects.filter(pk=enrolment.pk).update(enrolled_on=training.start_date)
    with frozen_at(end + timedelta(days=14)):
        return filed_claim(official, Enrolment.objects.get(pk=enrolment.pk), fund)


def _denied_by(claim: Any) -> set[str]:
    claim.refresh_from_db()
    return set(filter(None, claim.denied_by.split(";")))


def test_an_alert_becomes_a_case_that_recovers_lists_and_later_lifts(province_official, nanning_official) -> None:
    fund_2025 = funded(province_official, "100000.00")
    with frozen_at(ALERT_DAY):
        paid = paid_claim(nanning_official, fund_2025)
        institution = paid.enrolment.training_class.institution
        alert = _shared_bank_alert(paid)
        city = Api(nanning_official)
        opened = _post(city, "/cases", {"title": "共用银行账户", "signal_ids": [alert.pk]})
        assert opened.status_code == 201, opened.content
        case_id = opened.json()["id"]
        decided = _post(city, f"/cases/{case_id}/decisions", {
            "reason": "机构以学员名义开户代领补贴", "document_ref": "南人社处〔2025〕21号", "measures": [
                {"kind": "recovery", "claim_id": paid.pk},
                {"kind": "institution_listing", "institution_id": institution.pk, "listed_from": str(LISTED_FROM)},
                {"kind": "public_notice", "institution_id": institution.pk}]})
        assert decided.status_code == 201, decided.content
    measures = {row["kind"]: row for row in decided.json()["measures"]}
    assert measures["institution_listing"]["listed_from"] == str(LISTED_FROM)

    # The money: the claim is recovered, its receivable is in the ledger, and the ledger verifies.
    paid.refresh_from_db()
    recovery = RecoveryCase.objects.get(claim=paid)
    assert paid.status == ClaimStatus.RECOVERED and recovery.pk == measures["recovery"]["recovery_id"]
    assert recovery.amount_owed == paid.total_amount > 0
    report = verify_ledger()
    assert report.ok, report.problems
    assert Signal.objects.get().case.status == CaseStatus.CLOSED

    # The register: listed from 2025-11-01, not the day before; 6d denies a claim for a class ending after it.
    assert not institution_listed(institution.pk, LISTED_FROM - timedelta(days=1))
    assert institution_listed(institution.pk, LISTED_FROM)
    fund_2026 = funded(province_official, "100000.00", year=2026)
    barred = _claim_for_class_ending(nanning_official, fund_2025, institution, date(2025, 11, 28))
    assert "6d" in _denied_by(barred) and barred.eligible is False

    # A later decision on the case lifts the listing; a class ending after the last listed day passes 6d.
    lift_day = date(2026, 1, 10)
    with frozen_at(lift_day):
        lifted = _post(city, f"/cases/{case_id}/lift", {
            "listing_id": measures["institution_listing"]["listing_id"], "last_day": str(lift_day - timedelta(days=1)),
            "reason": "整改验收合格，提前解除", "document_ref": "南人社解〔2026〕1号"})
    assert lifted.status_code == 201, lifted.content
    assert lifted.json()["measures"][0]["kind"] == MeasureKind.LIFTING
    assert not institution_listed(institution.pk, lift_day)
    allowed = _claim_for_class_ending(nanning_official, fund_2026, institution, date(2026, 1, 30))
    assert "6d" not in _denied_by(allowed) and allowed.eligible is True, allowed.denied_by
    # The claim barred while listed stays denied: the listing covered its training's end date.
    assert "6d" in _denied_by(barred)
    assert verify_ledger().ok
