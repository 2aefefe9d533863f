"""The trainee's own pages: classes (attendance, result), certificates (PDF, verify), payments (claims, payee)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from qiancheng.evaluation.models import Certificate, CertificateKind, Evaluation
from qiancheng.funding.models import ClaimStatus, Payment
from qiancheng.training.models import AttendanceRecord
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db
PAGES = ("/me/classes/", "/me/certificates/", "/me/payments/")


@pytest.fixture
def my_record(persona_person, persona_institution):
    """One class of the persona trainee: 40 of 80 hours attended, passed, certified, claimed and paid."""
    training = builders.training_class(institution=persona_institution, city=persona_institution.city,
                                       name="人工智能训练师四级班")
    enrolment = builders.enrolment(training, persona_person)
    for day in range(1, 6):
        AttendanceRecord.objects.create(enrolment=enrolment, person=persona_person, session_date=date(2025, 9, day),
                                        present=True, hours=Decimal("8"))
    evaluation = Evaluation.objects.create(enrolment=enrolment, person=persona_person, passed=True,
                                           score=Decimal("86.5"), evaluated_on=date(2025, 10, 8), evaluator="鉴定中心")
    Certificate.objects.create(number="GX-2025-ZJ-777001", kind=CertificateKind.VOCATIONAL_SKILL_LEVEL,
                               person=persona_person, occupation=training.occupation, level=4, issuer="鉴定中心",
                               issued_on=date(2025, 10, 20), evaluation=evaluation)
    claim = builders.subsidy_claim(
        enrolment, "CLM-ME-0001", status=ClaimStatus.PAID, eligible=True, training_amount=Decimal("1800.00"),
        employment_amount=Decimal("0.00"), total_amount=Decimal("1800.00"), decided_at=timezone.now(),
        param_set_id="packaged-2025", rule_version="1")
    Payment.objects.create(claim=claim, person=persona_person, amount=Decimal("1800.00"), paid_at=timezone.now(),
                           idempotency_key="pay-me-1", created_by=builders.official())
    return training


@pytest.fixture
def someone_else(persona_institution):
    """Another trainee of another class, with a certificate and a claim: never on the persona's pages."""
    training = builders.training_class(institution=persona_institution, city=persona_institution.city,
                                       name="别人的班")
    enrolment = builders.enrolment(training, builders.person(name="别人"))
    Certificate.objects.create(number="GX-2025-ZJ-888001", kind=CertificateKind.VOCATIONAL_SKILL_LEVEL,
                               person=enrolment.person, occupation=training.occupation, level=4, issuer="鉴定中心",
                               issued_on=date(2025, 10, 20))
    builders.subsidy_claim(enrolment, "CLM-OTHER-0001")
    return enrolment


def test_my_classes(client: Client, login, trainee_user, my_record, someone_else) -> None:
    login(client, trainee_user)
    page = client.get("/me/classes/").content.decode()
    assert "人工智能训练师四级班" in page and my_record.institution.name in page
    assert "50%" in page  # 40 of 80 hours
    assert "合格" in page and "86.5" in page and "2025-09-01" in page
    assert "别人的班" not in page


def test_my_certificates_link_to_the_pdf_and_the_verify_page(client: Client, login, trainee_user, my_record,
                                                             someone_else) -> None:
    login(client, trainee_user)
    page = client.get("/me/certificates/").content.decode()
    assert "/certificates/GX-2025-ZJ-777001.pdf" in page and "/verify/GX-2025-ZJ-777001/" in page
    assert "GX-2025-ZJ-888001" not in page
    assert client.get("/certificates/GX-2025-ZJ-777001.pdf").status_code == 200
    assert client.get("/certificates/GX-2025-ZJ-888001.pdf").status_code == 404


def test_my_payments_show_status_amount_fund_and_a_masked_payee(client: Client, login, trainee_user, my_record,
                                                                 someone_else) -> None:
    login(client, trainee_user)
    page = client.get("/me/payments/").content.decode()
    uscc = my_record.institution.uscc
    assert "CLM-ME-0001" in page and "已支付" in page and "1,800.00" in page and "就业补助资金" in page
    assert my_record.institution.name in page and uscc[-4:] in page and uscc not in page
    assert "CLM-OTHER-0001" not in page


def test_the_nav_shows_the_trainee_links(client: Client, login, trainee_user) -> None:
    login(client, trainee_user)
    page = client.get("/").content.decode()
    assert all(f'href="{url}"' in page for url in PAGES)


@pytest.mark.parametrize("url", PAGES)
def test_other_roles_are_refused_and_strangers_sign_in(client: Client, login, url, nanning_official,
                                                       institution_user, province_official) -> None:
    assert client.get(url).status_code == 302
    for user in (nanning_official, institution_user, province_official):
        login(client, user)
        assert client.get(url).status_code == 403


def test_empty_pages_render(client: Client, login, trainee_user) -> None:
    login(client, trainee_user)
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200 and "暂无" in response.content.decode()
