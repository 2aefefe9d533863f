"""The money pages for each role: claims, filing a class, review, payment and the fund dashboard.

Each page renders for its roles, refuses the others (403, or 404 where the URL names a record), hides
another city's records behind the same 404, and every POST changes state through the services.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from qiancheng.accounts.models import AuditEntry, User
from qiancheng.funding.models import ClaimStatus, FundAccount, FundSource, Payment, SubsidyClaim
from qiancheng.funding.services.claims import approve_claim, file_class_claims
from qiancheng.funding.summary import fund_summary
from qiancheng.funding.tests.money import finished_class, funded, institution_parties, paid_for_enrolment
from qiancheng.providers.models import Institution
from qiancheng.web.queues import queues_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def nanning_class(persona_institution: Institution, province_official: User) -> dict[str, Any]:
    """A finished 南宁 class of the persona institution: two trainees who passed, one who failed; funded."""
    training = finished_class(institution=persona_institution)
    passed = [paid_for_enrolment(training) for _ in range(2)]
    failed = paid_for_enrolment(training, passed=False)
    fund = funded(province_official, "100000.00")
    return {"class": training, "passed": passed, "failed": failed, "fund": fund}


@pytest.fixture
def filed(nanning_class: dict[str, Any], institution_user: User) -> list[SubsidyClaim]:
    training = nanning_class["class"]
    claims, _ = file_class_claims(institution_user, training, nanning_class["fund"], institution_parties(training))
    return claims


def _by_status(claims: list[SubsidyClaim], eligible: bool) -> list[SubsidyClaim]:
    return [claim for claim in claims if claim.eligible is eligible]


# ---------------------------------------------------------------- the claimant


def test_the_institution_ticks_checks_and_files_from_the_page(client: Client, login, institution_user,
                                                              nanning_class) -> None:
    login(client, institution_user)
    url = f"/money/classes/{nanning_class['class'].pk}/claim/"
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "就业补助资金" in text and "100,000.00" in text  # the fund the rules choose, and its account
    assert text.count("可申领") >= 2 and "评价未合格" in text  # the one who failed cannot be ticked
    form = {"source": FundSource.EMPLOYMENT_SUBSIDY, "advanced_by": f"institution:{institution_user.institution.uscc}",
            "enrolments": [each.pk for each in nanning_class["passed"]]}
    check = client.post(url, form)
    assert check.status_code == 200 and SubsidyClaim.objects.count() == 0  # the check step files nothing
    assert check.context["check"].count == 2 and check.context["check"].expected_total > 0
    answer = client.post(url, {**form, "confirm": "file"}, follow=True)
    claims = SubsidyClaim.objects.filter(enrolment__training_class=nanning_class["class"])
    assert claims.count() == 2 and set(claims.values_list("status", flat=True)) == {ClaimStatus.PENDING}
    assert AuditEntry.objects.filter(action="claims.filed_for_class").exists()
    listing = answer.content.decode()
    assert "已提交 2 件申领" in listing and all(claim.number in listing for claim in claims)


def test_the_institution_files_chosen_trainees_only(client: Client, login, institution_user, nanning_class) -> None:
    login(client, institution_user)
    chosen = nanning_class["passed"][0]
    client.post(f"/money/classes/{nanning_class['class'].pk}/claim/", {
        "source": FundSource.EMPLOYMENT_SUBSIDY, "advanced_by": f"institution:{institution_user.institution.uscc}",
        "enrolments": [chosen.pk], "confirm": "file"})
    assert list(SubsidyClaim.objects.values_list("enrolment_id", flat=True)) == [chosen.pk]


def test_the_class_claim_page_is_hidden_from_officials_and_other_institutions(
        client: Client, login, nanning_official, nanning_class) -> None:
    from qiancheng.training.tests import builders

    url = f"/money/classes/{nanning_class['class'].pk}/claim/"
    login(client, nanning_official)
    assert client.get(url).status_code == 404
    other = User.objects.create_user(username="other-inst", password="x", role="institution",
                                     institution=builders.institution())
    login(client, other)
    assert client.get(url).status_code == 404
    assert client.post(url, {"source": FundSource.EMPLOYMENT_SUBSIDY}).status_code == 404
    assert SubsidyClaim.objects.count() == 0


def test_the_claimant_withdraws_and_adds_an_employment_proof(client: Client, login, institution_user,
                                                             filed) -> None:
    first, second = _by_status(filed, True)
    login(client, institution_user)
    page = client.get(f"/money/claims/{first.number}/").content.decode()
    assert "撤回" in page and "上传就业证明" in page and "/policy/claims/" in page
    client.post(f"/money/claims/{first.number}/withdraw/", {"reason": "重复申报"})
    first.refresh_from_db()
    assert first.status == ClaimStatus.WITHDRAWN
    client.post(f"/money/claims/{second.number}/employment-proof/", {"kind": "labour_contract", "date": "2025-12-30"})
    second.refresh_from_db()
    assert (second.employment_proof_kind, str(second.employment_proof_date)) == ("labour_contract", "2025-12-30")


def test_a_withdrawal_without_a_reason_changes_nothing(client: Client, login, institution_user, filed) -> None:
    claim = filed[0]
    login(client, institution_user)
    client.post(f"/money/claims/{claim.number}/withdraw/", {"reason": ""})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PENDING


def test_another_city_gets_404_for_a_claim(client: Client, login, liuzhou_official, filed) -> None:
    login(client, liuzhou_official)
    number = filed[0].number
    assert client.get(f"/money/claims/{number}/").status_code == 404
    assert client.post(f"/money/claims/{number}/approve/").status_code == 404
    assert client.post(f"/money/claims/{number}/reject/", {"reason": "x"}).status_code == 404
    assert client.get("/money/claims/").content.decode().count(number) == 0


# ---------------------------------------------------------------- review


def test_the_review_queue_shows_each_decision_oldest_first(client: Client, login, nanning_official, filed) -> None:
    login(client, nanning_official)
    page = client.get("/money/review/")
    assert page.status_code == 200
    text = page.content.decode()
    eligible, denied = _by_status(filed, True), _by_status(filed, False)
    assert eligible and denied
    assert all(claim.number in text for claim in filed)
    assert "符合条件：补贴" in text and "不予补贴：" in text
    rule = denied[0].denied_by.split(";")[0]
    assert rule in text and "条款" in text
    assert f"/policy/claims/{denied[0].number}/" in text


def test_the_review_queue_is_for_officials_of_the_city(client: Client, login, institution_user, liuzhou_official,
                                                       filed) -> None:
    login(client, institution_user)
    assert client.get("/money/review/").status_code == 403
    login(client, liuzhou_official)
    page = client.get("/money/review/").content.decode()
    assert not any(claim.number in page for claim in filed)


def test_bulk_approval_approves_the_eligible_and_says_why_not_the_others(client: Client, login, nanning_official,
                                                                         filed) -> None:
    login(client, nanning_official)
    check = client.post("/money/review/check/", {"claims": [claim.number for claim in filed]})
    assert check.status_code == 200 and not SubsidyClaim.objects.filter(status=ClaimStatus.APPROVED).exists()
    answer = client.post("/money/review/confirm/", {"claims": [claim.number for claim in filed]})
    statuses = dict(SubsidyClaim.objects.values_list("number", "status"))
    for claim in filed:
        assert statuses[claim.number] == (ClaimStatus.APPROVED if claim.eligible else ClaimStatus.PENDING)
    text = answer.content.decode()
    assert "已核准 2 件申领" in text and _by_status(filed, False)[0].number in text
    fund = FundAccount.objects.get()
    assert fund.reserved == sum(claim.total_amount for claim in _by_status(filed, True))


def test_one_row_button_approves_that_claim(client: Client, login, nanning_official, filed) -> None:
    login(client, nanning_official)
    one = _by_status(filed, True)[0]
    # The row's own form leads to the check page for that claim alone; its confirm approves it.
    assert [c.number for c in client.post("/money/review/check/", {"claims": one.number}).context["claims"]] == [
        one.number]
    client.post("/money/review/confirm/", {"claims": one.number})
    assert list(SubsidyClaim.objects.filter(status=ClaimStatus.APPROVED).values_list("number", flat=True)) == [
        one.number]


def test_reject_needs_a_reason_and_is_recorded(client: Client, login, nanning_official, filed) -> None:
    login(client, nanning_official)
    claim = filed[0]
    client.post(f"/money/claims/{claim.number}/reject/", {"reason": ""})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PENDING
    client.post(f"/money/claims/{claim.number}/reject/", {"reason": "材料不全"})
    claim.refresh_from_db()
    assert (claim.status, claim.review_note) == (ClaimStatus.REJECTED, "材料不全")


def test_single_approval_from_the_claim_page(client: Client, login, nanning_official, filed) -> None:
    login(client, nanning_official)
    claim = _by_status(filed, True)[0]
    assert "核准" in client.get(f"/money/claims/{claim.number}/").content.decode()
    client.post(f"/money/claims/{claim.number}/approve/", {"note": "同意"})
    claim.refresh_from_db()
    assert (claim.status, claim.review_note) == (ClaimStatus.APPROVED, "同意")


def test_an_institution_cannot_approve(client: Client, login, institution_user, filed) -> None:
    login(client, institution_user)
    claim = filed[0]
    assert client.post(f"/money/claims/{claim.number}/approve/").status_code == 404
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PENDING


def test_the_claims_queue_is_registered(nanning_official, filed) -> None:
    states = {state.key: state for state in queues_for(nanning_official)}
    assert states["claims"].count == len(filed) and states["claims"].url == "/money/review/"


# ---------------------------------------------------------------- payment


@pytest.fixture
def approved(filed: list[SubsidyClaim], nanning_official: User) -> list[SubsidyClaim]:
    return [approve_claim(nanning_official, claim) for claim in _by_status(filed, True)]


def _pay_form(client: Client) -> dict[str, Any]:
    form = client.get("/money/payments/").context["form"]
    return {"idempotency_key": form.initial["idempotency_key"], "claims": [n for n, _ in form.fields["claims"].choices]}


def test_a_double_submitted_pay_form_pays_once(client: Client, login, nanning_official, approved) -> None:
    login(client, nanning_official)
    data = _pay_form(client)
    assert len(data["claims"]) == 2 and len(data["idempotency_key"]) == 32
    client.post("/money/payments/confirm/", data)
    client.post("/money/payments/confirm/", data)
    assert Payment.objects.count() == 2
    assert set(SubsidyClaim.objects.filter(pk__in=[c.pk for c in approved]).values_list("status", flat=True)) == {
        ClaimStatus.PAID}
    fund = FundAccount.objects.get()
    assert fund.paid == sum(claim.total_amount for claim in approved) and fund.reserved == 0
    assert len(set(Payment.objects.values_list("batch_ref", flat=True))) == 1


def test_the_batch_list_downloads_as_xlsx(client: Client, login, nanning_official, liuzhou_official,
                                          approved) -> None:
    login(client, nanning_official)
    client.post("/money/payments/confirm/", _pay_form(client))
    batch_ref = Payment.objects.values_list("batch_ref", flat=True).first()
    page = client.get("/money/payments/").content.decode()
    assert batch_ref in page
    download = client.get(f"/money/payments/batches/{batch_ref}/list.xlsx")
    assert download.status_code == 200 and download.content[:2] == b"PK"
    assert AuditEntry.objects.filter(action="payments.list_exported").exists()
    assert client.get("/money/payments/batches/no-such-batch/list.xlsx").status_code == 404
    login(client, liuzhou_official)
    assert client.get(f"/money/payments/batches/{batch_ref}/list.xlsx").status_code == 404


def test_payments_are_for_officials(client: Client, login, institution_user, approved) -> None:
    login(client, institution_user)
    assert client.get("/money/payments/").status_code == 403
    assert client.post("/money/payments/confirm/", {"idempotency_key": "a" * 32,
                                            "claims": [approved[0].number]}).status_code == 403
    assert Payment.objects.count() == 0


# ---------------------------------------------------------------- funds


def test_the_fund_dashboard_per_role(client: Client, login, province_official, nanning_official, liuzhou_official,
                                     institution_user, approved) -> None:
    login(client, province_official)
    page = client.get("/money/funds/")
    assert page.status_code == 200 and "下达资金" in page.content.decode()
    assert 'id="fund-chart"' in page.content.decode() and "echarts" not in page.content.decode()
    login(client, nanning_official)
    page = client.get("/money/funds/").content.decode()
    assert "100,000.00" in page and "下达资金" not in page
    login(client, liuzhou_official)
    assert "100,000.00" not in client.get("/money/funds/").content.decode()
    login(client, institution_user)
    assert client.get("/money/funds/").status_code == 403


def test_the_province_allocates_from_the_dashboard(client: Client, login, province_official,
                                                   nanning_official) -> None:
    from qiancheng.training.tests.builders import city

    login(client, nanning_official)
    data = {"source": FundSource.SPECIAL_ACCOUNT, "year": 2026, "amount": "5000.00", "document_ref": "桂人社发〔2026〕3号",
            "city": city().pk}
    assert client.post("/money/funds/allocate/", data).status_code == 403
    assert FundAccount.objects.count() == 0
    login(client, province_official)
    client.post("/money/funds/allocate/confirm/", data)
    fund = FundAccount.objects.get()
    assert (fund.source, fund.year, fund.city_id, fund.allocated) == (
        FundSource.SPECIAL_ACCOUNT, 2026, "450100", Decimal("5000.00"))
    client.post("/money/funds/allocate/confirm/", {**data, "document_ref": ""})
    fund.refresh_from_db()
    assert fund.allocated == Decimal("5000.00")


def test_the_fund_summary_for_the_province_home(province_official, institution_user, approved) -> None:
    summary = fund_summary(province_official)
    reserved = sum(claim.total_amount for claim in approved)
    assert (summary.total.allocated, summary.total.reserved) == (Decimal("100000.00"), reserved)
    assert summary.total.available == Decimal("100000.00") - reserved
    assert summary.chart_data()["labels"] == ["就业补助资金"]
    assert fund_summary(institution_user).total.allocated == 0


def test_the_queue_opens_the_engine_explanation_in_place(client: Client, login, nanning_official, liuzhou_official,
                                                         filed) -> None:
    denied = _by_status(filed, False)[0]
    login(client, nanning_official)
    fragment = client.get(f"/money/claims/{denied.number}/explanation/", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    text = fragment.content.decode()
    rule = denied.denied_by.split(";")[0]
    assert "不予补贴" in text and rule in text and "<html" not in text
    login(client, liuzhou_official)
    assert client.get(f"/money/claims/{denied.number}/explanation/").status_code == 404


def test_the_trainee_sees_what_was_claimed_for_their_training(client: Client, login, filed) -> None:
    claim = filed[0]
    trainee = User.objects.create_user(username="trainee-claims", password="x", role="trainee",
                                       person=claim.person)
    login(client, trainee)
    listing = client.get("/money/claims/").content.decode()
    assert claim.number in listing and filed[1].number not in listing
    page = client.get(f"/money/claims/{claim.number}/").content.decode()
    assert "撤回" not in page and "核准" not in page
    assert client.get(f"/money/claims/{filed[1].number}/").status_code == 404
