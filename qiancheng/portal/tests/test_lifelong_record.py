"""The lifelong record (1e): the trainee's page, PDF and API, an official's view (scoped, audited), and the
remaining entitlement, which is what the engine predicts at enrolment."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from qiancheng.accounts.models import AuditEntry
from qiancheng.accounts.services import issue_api_token
from qiancheng.accounts.tests.second_factor_support import pass_second_factor
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.clock import frozen_at
from qiancheng.evaluation.models import Certificate, CertificateKind, Evaluation
from qiancheng.funding.models import ClaimStatus, Payment, ProofKind
from qiancheng.people.identity import id_number_check_character
from qiancheng.portal.lifelong_record import own_record
from qiancheng.portal.record_pdf import record_sections
from qiancheng.training.models import ClassStatus
from qiancheng.training.services.enrolment import preview_enrolment
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 1)
PERSONA_ID = "45010219950315002" + id_number_check_character("45010219950315002")


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with frozen_at(TODAY):
        yield


@pytest.fixture
def trained(persona_person, persona_institution):
    """The persona trainee: an occupational class in 2025 (passed, level-4 certificate, claim paid with a proof of
    employment) and a creation course in January 2026 (claim pending)."""
    training = builders.training_class(institution=persona_institution, city=persona_institution.city,
                                       name="人工智能训练师四级班")
    enrolment = builders.enrolment(training, persona_person)
    builders.attended(enrolment)
    evaluation = Evaluation.objects.create(enrolment=enrolment, person=persona_person, passed=True,
                                           score=Decimal("86.5"), evaluated_on=date(2025, 10, 8), evaluator="鉴定中心")
    Certificate.objects.create(number="GX-2025-ZJ-777001", kind=CertificateKind.VOCATIONAL_SKILL_LEVEL,
                               person=persona_person, occupation=training.occupation, level=4, issuer="鉴定中心",
                               issued_on=date(2025, 10, 20), evaluation=evaluation)
    claim = builders.subsidy_claim(
        enrolment, "CLM-REC-0001", status=ClaimStatus.PAID, eligible=True, training_amount=Decimal("1800.00"),
        employment_amount=Decimal("0.00"), total_amount=Decimal("1800.00"), decided_at=timezone.now(),
        param_set_id="packaged-2025", rule_version="1", employment_proof_kind=ProofKind.LABOUR_CONTRACT,
        employment_proof_date=date(2026, 1, 5))
    Payment.objects.create(claim=claim, person=persona_person, amount=Decimal("1800.00"), paid_at=timezone.now(),
                           idempotency_key="pay-rec-1", created_by=builders.official())
    syb = builders.training_class(institution=persona_institution, city=persona_institution.city, name="SYB创业班",
                                  training_type=TrainingType.ENTREPRENEURSHIP, course_kind=builders.course_kind(),
                                  start_date=date(2026, 1, 5), end_date=date(2026, 1, 15))
    builders.subsidy_claim(builders.enrolment(syb, persona_person), "CLM-REC-0002", course_kind=syb.course_kind)
    return training


def test_the_remaining_entitlement_is_what_the_engine_predicts_at_enrolment(trained, trainee_user,
                                                                             institution_user) -> None:
    entitlement = own_record(trainee_user).entitlement
    assert entitlement.counted == 2 and entitlement.left_in_programme == 1
    assert entitlement.used_this_year and entitlement.left_this_year == 0
    assert entitlement.used_levels == ((trained.occupation_id, 4),)
    assert entitlement.closed_levels == ((trained.occupation_id, 5),)
    # The enrolment check for a class of the same occupation and level this year: the same count, 3.5a and 3.5c.
    again = builders.training_class(institution=trained.institution, city=trained.city, status=ClassStatus.APPROVED,
                                    occupation=trained.occupation, level=4,
                                    start_date=date(2026, 3, 10), end_date=date(2026, 4, 30))
    preview = preview_enrolment(institution_user, again, id_number=PERSONA_ID, name="李前程", category="other")
    assert preview.ordinal == entitlement.counted + 1
    assert {"3.5a", "3.5c"} <= {refusal.code for refusal in preview.refusals}


def test_the_page_lists_class_certificate_claim_proof_and_what_is_left(client: Client, login, trainee_user,
                                                                       trained) -> None:
    login(client, trainee_user)
    page = client.get("/me/record/").content.decode()
    assert "人工智能训练师四级班" in page and "SYB创业班" in page and trained.institution.name in page
    assert "GX-2025-ZJ-777001" in page and "CLM-REC-0001" in page and "1,800.00" in page
    assert "劳动合同" in page and "2026年1月5日" in page and "2025年9月1日" in page
    assert 'data-testid="entitlement"' in page and "人工智能训练师（4-04-05-05）" in page
    assert trainee_user.person.id_number_masked in page and PERSONA_ID not in page


def test_the_pdf_carries_the_same_content(client: Client, login, trainee_user, trained) -> None:
    login(client, trainee_user)
    response = client.get("/me/record.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and b"NotoSansSC" in response.content
    sections = dict(record_sections(own_record(trainee_user)))
    text = "\n".join(line for lines in sections.values() for line in lines)
    assert "人工智能训练师四级班" in text and "GX-2025-ZJ-777001" in text and "CLM-REC-0001" in text
    assert "项目期内还可参加补贴性培训（次）：1" in text and "生成日期：2026年3月1日" in text
    assert PERSONA_ID not in text and trainee_user.person.id_number_masked in text


def test_the_trainee_sees_only_their_own(client: Client, login, trainee_user, trained) -> None:
    other = builders.enrolment(trained, builders.person(name="别人"))
    builders.subsidy_claim(other, "CLM-OTHER-0009")
    login(client, trainee_user)
    assert "CLM-OTHER-0009" not in client.get("/me/record/").content.decode()
    assert client.get(f"/people/{other.person_id}/record/").status_code == 404


def test_an_official_of_the_city_and_the_province_see_it_audited(client: Client, login, trained, persona_person,
                                                                  nanning_official, province_official) -> None:
    for official in (nanning_official, province_official):
        login(client, official)
        page = client.get(f"/people/{persona_person.pk}/record/")
        assert page.status_code == 200 and "GX-2025-ZJ-777001" in page.content.decode()
        assert client.get(f"/people/{persona_person.pk}/record.pdf").status_code == 200
        viewed = AuditEntry.objects.filter(action="person.record_viewed", actor=official,
                                           target_pk=persona_person.pk)
        assert viewed.count() == 2


def test_another_city_an_institution_and_an_unknown_key_get_404(client: Client, login, trained, persona_person,
                                                                liuzhou_official, institution_user,
                                                                nanning_official) -> None:
    for user in (liuzhou_official, institution_user):
        login(client, user)
        assert client.get(f"/people/{persona_person.pk}/record/").status_code == 404
        assert client.get(f"/people/{persona_person.pk}/record.pdf").status_code == 404
    login(client, nanning_official)
    assert client.get(f"/people/{'0' * 64}/record/").status_code == 404
    assert not AuditEntry.objects.filter(action="person.record_viewed").exists()


def _api(client: Client, user, url: str):
    token, _ = issue_api_token(user, second_factor=pass_second_factor(user))
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_api_answers_the_trainee_and_the_official_in_scope(client: Client, trained, trainee_user,
                                                               persona_person, nanning_official,
                                                               liuzhou_official) -> None:
    mine = _api(client, trainee_user, "/api/v1/people/me/record").json()
    assert mine["entitlement"]["left_in_programme"] == 1 and mine["entitlement"]["left_this_year"] == 0
    assert {claim["number"] for claim in mine["claims"]} == {"CLM-REC-0001", "CLM-REC-0002"}
    assert mine["id_number_masked"] == persona_person.id_number_masked
    theirs = _api(client, nanning_official, f"/api/v1/people/{persona_person.pk}/record")
    assert theirs.status_code == 200 and theirs.json()["certificates"][0]["number"] == "GX-2025-ZJ-777001"
    assert AuditEntry.objects.filter(action="person.record_viewed", actor=nanning_official).count() == 1
    assert _api(client, liuzhou_official, f"/api/v1/people/{persona_person.pk}/record").status_code == 404
    assert _api(client, nanning_official, "/api/v1/people/me/record").status_code == 403


def test_the_roster_links_officials_to_the_record(client: Client, login, trained, persona_person, nanning_official,
                                                  institution_user) -> None:
    link = f'href="/people/{persona_person.pk}/record/"'
    login(client, nanning_official)
    assert link in client.get(f"/classes/{trained.pk}/roster/").content.decode()
    login(client, institution_user)
    page = client.get(f"/classes/{trained.pk}/roster/")
    assert page.status_code == 200 and link not in page.content.decode()
