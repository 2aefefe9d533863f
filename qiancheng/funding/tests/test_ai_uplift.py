"""4.2: each city's AI uplift, set by the province with its document, read by the online decisions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from qiancheng.accounts.models import AuditEntry, User
from qiancheng.funding.models import CityAiUplift
from qiancheng.funding.services.claims import approve_claims
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.services.uplift import set_ai_uplift
from qiancheng.funding.tests.money import filed_claim, finished_class, funded, paid_for_enrolment
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

DOCUMENT = "南人社发〔2025〕12号"


def test_twenty_percent_is_accepted_and_audited(province_official: User) -> None:
    builders.city()
    entry = set_ai_uplift(province_official, "450100", "0.20", dt.date(2025, 9, 1), DOCUMENT)
    assert (entry.uplift, entry.valid_from, entry.document) == (Decimal("0.20"), dt.date(2025, 9, 1), DOCUMENT)
    assert AuditEntry.objects.get(action="ai_uplift.set").after["uplift"] in ("0.20", "0.2000", 0.2)


@pytest.mark.parametrize("value", ["0.25", "-0.05", "0.2001"])
def test_above_twenty_or_below_zero_is_refused_citing_4_2(province_official: User, value: str) -> None:
    builders.city()
    with pytest.raises(FundingRefused) as refused:
        set_ai_uplift(province_official, "450100", value, dt.date(2025, 9, 1), DOCUMENT)
    assert refused.value.code == "uplift_outside_4_2" and refused.value.status == 422
    assert "4.2" in refused.value.message_zh and "4.2" in refused.value.message_en
    assert not CityAiUplift.objects.exists()


def test_only_the_province_sets_it_with_a_document_and_a_day(province_official: User,
                                                              nanning_official: User) -> None:
    builders.city()
    with pytest.raises(FundingRefused) as city:
        set_ai_uplift(nanning_official, "450100", "0.10", dt.date(2025, 9, 1), DOCUMENT)
    assert city.value.status == 403
    codes = []
    for args in (("450100", "0.10", dt.date(2025, 9, 1), " "), ("450100", "0.10", None, DOCUMENT),
                 ("459900", "0.10", dt.date(2025, 9, 1), DOCUMENT), ("450100", "ten", dt.date(2025, 9, 1), DOCUMENT)):
        with pytest.raises(FundingRefused) as refused:
            set_ai_uplift(province_official, *args)
        codes.append(refused.value.code)
    assert codes == ["document_missing", "bad_valid_from", "city_unknown", "bad_uplift"]
    set_ai_uplift(province_official, "450100", "0.10", dt.date(2025, 9, 1), DOCUMENT)
    with pytest.raises(FundingRefused) as again:
        set_ai_uplift(province_official, "450100", "0.15", dt.date(2025, 9, 1), DOCUMENT)
    assert (again.value.code, again.value.status) == ("uplift_exists", 409)


def test_an_online_claim_of_an_ai_occupation_gets_the_uplift_in_force_on_its_end_date(
    province_official: User, nanning_official: User,
) -> None:
    fund = funded(province_official, "100000.00")
    # Both classes train 人工智能训练师 (on the AI list) at level 4 in 南宁; the uplift applies from 09-15.
    before = finished_class(start_date=dt.date(2025, 9, 1), end_date=dt.date(2025, 9, 10))
    after = finished_class(start_date=dt.date(2025, 9, 1), end_date=dt.date(2025, 9, 30))
    plain = filed_claim(nanning_official, paid_for_enrolment(before), fund)
    standard = plain.training_amount
    assert standard > 0

    set_ai_uplift(province_official, "450100", "0.20", dt.date(2025, 9, 15), DOCUMENT)
    raised = filed_claim(nanning_official, paid_for_enrolment(after), fund)
    # 4.2: standard x (1 + 0.20).
    assert raised.training_amount == (standard * Decimal("1.20")).quantize(Decimal("0.01"))

    # Approved together, each keeps the value in force on its own end date.
    approved, refused = approve_claims(nanning_official, [plain, raised])
    assert not refused and len(approved) == 2
    plain.refresh_from_db()
    raised.refresh_from_db()
    assert (plain.training_amount, raised.training_amount) == (standard, standard * Decimal("1.20"))


def test_an_occupation_off_the_ai_list_or_another_city_is_not_raised(province_official: User,
                                                                     nanning_official: User,
                                                                     liuzhou_official: User) -> None:
    fund = funded(province_official, "100000.00")
    set_ai_uplift(province_official, "450100", "0.20", dt.date(2025, 8, 13), DOCUMENT)
    ai = filed_claim(nanning_official, paid_for_enrolment(finished_class()), fund)
    butler = filed_claim(nanning_official, paid_for_enrolment(finished_class(
        occupation=builders.occupation("4-14-06-02", "民宿管家"))), fund)
    liuzhou = builders.city("450200", "柳州市")
    other_fund = funded(province_official, "100000.00", city=liuzhou)
    elsewhere = filed_claim(liuzhou_official, paid_for_enrolment(finished_class(city=liuzhou)), other_fund)
    assert ai.training_amount == butler.training_amount * Decimal("1.20")
    assert elsewhere.training_amount == butler.training_amount
