"""4.1: a border/port park's own account pays the trainings delivered for it, for the groups 4.1 names,
and receives at most 10,000,000 a year for 2025 and 2026."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client

from qiancheng.accounts.models import AuditEntry, User
from qiancheng.accounts.services import issue_api_token
from qiancheng.accounts.tests.second_factor_support import pass_second_factor
from qiancheng.catalog.models import IndustrialPark
from qiancheng.catalog.parks import ParkEntry, add_park, end_park
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.clock import frozen_at
from qiancheng.funding.models import FundAccount, FundSource
from qiancheng.funding.services.advances import grant_advance
from qiancheng.funding.services.claims import (
    approve_claim,
    file_class_claims,
    fund_account_for,
    fund_account_for_class,
)
from qiancheng.funding.services.funds import allocate, balances, check_allocation
from qiancheng.funding.services.ledger import verify_ledger
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.summary import park_totals
from qiancheng.funding.tests.money import (
    filed_claim,
    finished_class,
    funded,
    institution_parties,
    paid_for_enrolment,
)
from qiancheng.insight.tests.rating_records import rated as rated_by_snapshot
from qiancheng.people.models import PersonCategory
from qiancheng.training.models import ClassStatus, Enrolment, TrainingClass
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db
ES = FundSource.EMPLOYMENT_SUBSIDY
TEN_MILLION = Decimal("10000000.00")


@pytest.fixture
def park(province_official: User) -> IndustrialPark:
    """A park on the province's list, in 南宁 like the test classes (the name is test data, not a shipped park)."""
    entry = ParkEntry(name="测试临港园区", city=builders.city(), source_document="桂人社函〔2025〕99号（测试）",
                      valid_from=dt.date(2025, 1, 1))
    return add_park(province_official, "test_port", entry)


def _park_funded(actor: User, park: IndustrialPark, amount: str = "100000.00", year: int = 2025) -> FundAccount:
    return allocate(actor, ES, year, Decimal(amount), "桂人社发〔2025〕4号", park=park)


# ---------------------------------------------------------------- the yearly cap (allocation service)

def test_exactly_ten_million_passes_and_one_fen_more_is_refused(province_official: User,
                                                                park: IndustrialPark) -> None:
    fund = _park_funded(province_official, park, "10000000.00")
    assert fund.allocated == TEN_MILLION and fund.park_id == park.pk
    with pytest.raises(FundingRefused) as refused:
        _park_funded(province_official, park, "0.01")
    assert (refused.value.code, refused.value.status) == ("park_cap_exceeded", 422)
    assert "4.1" in refused.value.message_zh and "4.1" in refused.value.message_en
    assert balances(fund).allocated == TEN_MILLION


def test_ten_million_and_a_fen_at_once_is_refused(province_official: User, park: IndustrialPark) -> None:
    with pytest.raises(FundingRefused) as refused:
        _park_funded(province_official, park, "10000000.01")
    assert refused.value.code == "park_cap_exceeded"
    assert not FundAccount.objects.filter(park=park, allocated__gt=0).exists()


def test_the_cap_counts_every_allocation_of_the_park_and_year(province_official: User, park: IndustrialPark) -> None:
    _park_funded(province_official, park, "6000000.00")
    _park_funded(province_official, park, "4000000.00")  # 6,000,000 + 4,000,000 = the cap exactly
    _park_funded(province_official, park, "10000000.00", year=2026)  # another year has its own cap
    with pytest.raises(FundingRefused) as refused:
        _park_funded(province_official, park, "1.00")
    assert "10,000,000.00" in refused.value.message_zh
    assert verify_ledger().ok


def test_2027_is_in_the_programme_but_not_a_park_year(province_official: User, park: IndustrialPark) -> None:
    with pytest.raises(FundingRefused) as refused:
        _park_funded(province_official, park, "1.00", year=2027)
    assert refused.value.code == "park_year_not_funded" and "4.1" in refused.value.message_en
    # A city's account may be funded for 2027: the programme runs 2025-2027 (1a).
    assert funded(province_official, "1.00", year=2027).allocated == Decimal("1.00")


def test_2030_and_2024_are_outside_the_programme_for_every_account(province_official: User,
                                                                   park: IndustrialPark) -> None:
    for year, holder in ((2030, {"park": park}), (2030, {"city": builders.city()}), (2024, {}), (2030, {})):
        with pytest.raises(FundingRefused) as refused:
            allocate(province_official, ES, year, Decimal("1.00"), "桂人社发〔2025〕4号", **holder)
        assert (refused.value.code, refused.value.status) == ("year_outside_programme", 422)
        assert "2025" in refused.value.message_zh and "1a" in refused.value.message_en
    assert not FundAccount.objects.exists()


@pytest.mark.parametrize("amount", [Decimal("1e30"), Decimal("NaN"), Decimal("Infinity"), Decimal("0"),
                                    Decimal("-5.00"), Decimal("1.001"), Decimal("1000000000000.00")])
def test_an_amount_no_money_column_can_hold_is_bad_input(province_official: User, amount: Decimal) -> None:
    with pytest.raises(FundingRefused) as refused:
        allocate(province_official, ES, 2025, amount, "桂人社发〔2025〕4号", city=builders.city())
    assert (refused.value.code, refused.value.status) == ("bad_amount", 422)


def test_a_park_receives_employment_subsidy_money_only_and_only_while_listed(province_official: User,
                                                                            park: IndustrialPark) -> None:
    with pytest.raises(FundingRefused) as refused:
        allocate(province_official, FundSource.SPECIAL_ACCOUNT, 2025, Decimal("1.00"), "文号", park=park)
    assert refused.value.code == "park_fund_source"
    end_park(province_official, park, dt.date(2025, 12, 31), "桂人社函〔2025〕100号")
    check_allocation(ES, 2025, Decimal("1.00"), "文号", park)  # listed for part of 2025: may still be funded
    with pytest.raises(FundingRefused) as ended:
        _park_funded(province_official, park, "1.00", year=2026)
    assert ended.value.code == "park_not_in_force"


# ---------------------------------------------------------------- which account pays

def test_a_claim_of_a_park_class_is_paid_from_the_parks_account(province_official: User, nanning_official: User,
                                                                park: IndustrialPark) -> None:
    city_fund = funded(province_official, "100000.00")
    park_fund = _park_funded(province_official, park)
    training = finished_class(park=park)
    enrolment = paid_for_enrolment(training)
    assert fund_account_for(enrolment, ES) == park_fund
    claim = filed_claim(nanning_official, enrolment, fund_account_for(enrolment, ES))
    approve_claim(nanning_official, claim)
    assert balances(park_fund).reserved == claim.total_amount > 0
    assert balances(city_fund).reserved == Decimal("0.00")
    # A class delivered for no park stays with the city, as before.
    plain = paid_for_enrolment(finished_class())
    assert fund_account_for(plain, ES) == city_fund


def test_trainees_outside_the_groups_of_4_1_are_paid_by_the_city(province_official: User, nanning_official: User,
                                                                  park: IndustrialPark) -> None:
    city_fund = funded(province_official, "100000.00")
    park_fund = _park_funded(province_official, park)
    training = finished_class(park=park)
    employee = paid_for_enrolment(training)
    employee.category = PersonCategory.ENTERPRISE_EMPLOYEE  # named by 4.1 (not a 2.1b key group)
    employee.save(update_fields=["category"])
    other = paid_for_enrolment(training)
    other.category = PersonCategory.OTHER
    other.save(update_fields=["category"])
    assert fund_account_for(employee, ES) == park_fund and fund_account_for(other, ES) == city_fund

    class_fund = fund_account_for_class(training, ES)
    assert class_fund == park_fund
    claims, refused = file_class_claims(nanning_official, training, class_fund, institution_parties(training))
    assert refused == {}
    paid_from = {claim.enrolment_id: claim.fund_account_id for claim in claims}
    assert paid_from == {employee.pk: park_fund.pk, other.pk: city_fund.pk}
    # Filed against the park's account directly, the trainee outside the groups is refused with 4.1's reason.
    with pytest.raises(FundingRefused) as refusal:
        filed_claim(nanning_official, _other_trainee(training), park_fund)
    assert refusal.value.code == "park_rule_4.1.group" and "4.1" in refusal.value.message_zh


def _other_trainee(training: TrainingClass) -> Enrolment:
    enrolment = paid_for_enrolment(training)
    enrolment.category = PersonCategory.OTHER
    enrolment.save(update_fields=["category"])
    return enrolment


def test_entrepreneurship_training_is_not_paid_by_the_park(province_official: User, nanning_official: User,
                                                           park: IndustrialPark) -> None:
    city_fund = funded(province_official, "100000.00")
    park_fund = _park_funded(province_official, park)
    training = finished_class(park=park, training_type=TrainingType.ENTREPRENEURSHIP,
                              course_kind=builders.course_kind("SYB"))
    enrolment = paid_for_enrolment(training, passed=False)  # the account is chosen before anything else is read
    assert fund_account_for(enrolment, ES) == city_fund and fund_account_for_class(training, ES) == city_fund
    with pytest.raises(FundingRefused) as refusal:
        filed_claim(nanning_official, enrolment, park_fund)
    assert refusal.value.code == "park_rule_4.1.type" and "创业培训" in refusal.value.message_zh


def test_another_parks_class_or_a_source_the_park_does_not_hold_is_not_the_parks(
        province_official: User, nanning_official: User, park: IndustrialPark) -> None:
    park_fund = _park_funded(province_official, park)
    funded(province_official, "100000.00", source=FundSource.UNEMPLOYMENT_INSURANCE)
    training = finished_class(park=park)
    enrolment = paid_for_enrolment(training)
    # The park holds employment-subsidy money only: an unemployment-insurance claim goes to the city's account.
    assert fund_account_for(enrolment, FundSource.UNEMPLOYMENT_INSURANCE).park_id is None
    with pytest.raises(FundingRefused) as refusal:
        filed_claim(nanning_official, paid_for_enrolment(finished_class()), park_fund)
    assert refusal.value.code == "fund_other_park"


def test_a_park_account_without_the_money_refuses_the_approval(province_official: User, nanning_official: User,
                                                               park: IndustrialPark) -> None:
    funded(province_official, "100000.00")  # the city has money; the park's account must not borrow it
    park_fund = _park_funded(province_official, park, "10.00")
    claim = filed_claim(nanning_official, paid_for_enrolment(finished_class(park=park)), park_fund)
    assert claim.eligible and claim.total_amount > Decimal("10.00")
    with pytest.raises(FundingRefused) as refused:
        approve_claim(nanning_official, claim)
    assert refused.value.code == "over_budget" and f"park:{park.code}" in refused.value.message_en
    assert balances(park_fund).reserved == Decimal("0.00") and balances(park_fund).available == Decimal("10.00")


def test_a_park_class_gets_its_advance_from_the_parks_account(province_official: User, nanning_official: User,
                                                              park: IndustrialPark) -> None:
    city_fund = funded(province_official, "100000.00")
    park_fund = _park_funded(province_official, park)
    rated = rated_by_snapshot(builders.institution())
    training = builders.training_class(status=ClassStatus.APPROVED, institution=rated, park=park)
    paid_for_enrolment(training)
    with frozen_at(dt.date(2025, 9, 1)):
        with pytest.raises(FundingRefused) as refused:
            grant_advance(nanning_official, training, city_fund, "park-adv-city")
        assert refused.value.code == "fund_not_for_class" and "4.1" in refused.value.message_en
        advance = grant_advance(nanning_official, training, fund_account_for_class(training, ES), "park-adv")
    assert advance.fund_account == park_fund and balances(park_fund).paid == advance.amount > 0
    assert balances(city_fund).paid == Decimal("0.00")


# ---------------------------------------------------------------- the dashboard's park rows

def test_the_dashboard_shows_each_parks_allocated_reserved_paid_and_available(
        province_official: User, nanning_official: User, liuzhou_official: User, park: IndustrialPark) -> None:
    park_fund = _park_funded(province_official, park, "50000.00")
    claim = filed_claim(nanning_official, paid_for_enrolment(finished_class(park=park)), park_fund)
    approve_claim(nanning_official, claim)
    (row,) = park_totals(province_official, 2025)
    assert (row.label, row.allocated, row.reserved, row.paid) == (park.name, Decimal("50000.00"),
                                                                  claim.total_amount, Decimal("0.00"))
    assert row.available == Decimal("50000.00") - claim.total_amount
    assert [r.label for r in park_totals(nanning_official)] == [park.name]
    assert park_totals(liuzhou_official) == []  # a park of another city
    assert AuditEntry.objects.filter(action="park.added").count() == 1


def test_the_fund_page_shows_the_park_rows(client: Client, login: Callable[[Client, User], Client],
                                           province_official: User, park: IndustrialPark) -> None:
    _park_funded(province_official, park, "2500000.00")
    page = login(client, province_official).get("/money/funds/")
    assert page.status_code == 200
    body = page.content.decode()
    table = body[body.index('data-testid="park-funds"'):]
    assert park.name in table and "2,500,000.00" in table[:table.index("</table>")]


# "1e30" is refused by the schema (accounts/api_types.Money) before the service would say bad_amount.
@pytest.mark.parametrize(("change", "code"), [({"amount": "1e30"}, "invalid_input"), ({"year": 2030}, "year_outside_programme"),
                                              ({"amount": "10000000.01"}, "park_cap_exceeded"),
                                              ({"year": 2027}, "park_year_not_funded")])
def test_the_allocation_api_answers_a_refused_allocation_with_a_422(province_official: User, park: IndustrialPark,
                                                                   change: dict[str, object], code: str) -> None:
    with transaction.atomic():
        token, _ = issue_api_token(province_official, second_factor=pass_second_factor(province_official))
    body = {"source": ES, "year": 2025, "amount": "1.00", "document_ref": "桂人社发〔2025〕4号",
            "park_code": park.code} | change
    answer = Client().post("/api/v1/funds/allocations", body, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY=f"alloc-{code}")
    assert answer.status_code == 422 and answer.json()["code"] == code
    assert answer.json()["message_zh"] and answer.json()["message_en"]
