"""The public verification pages (issue 15, item 8): an example number in the register's real format, a box to
try again on the not-found page, and the verdict first, in a green or red banner, before the facts."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

from qiancheng.evaluation.models import Certificate, CertificateKind
from qiancheng.evaluation.services import issue_certificates, record_result, revoke_certificate
from qiancheng.evaluation.templatetags.verification import certificate_example
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

ISSUER = "南宁市职业技能鉴定中心"


@pytest.fixture
def certificate(nanning_official) -> Certificate:
    enrolment = builders.enrolment(trainee=builders.person(name="张小三", id_number=builders.id_number(sequence=779)))
    evaluation = record_result(nanning_official, enrolment, passed=True, evaluated_on=date(2025, 10, 8),
                               evaluator=ISSUER)
    [issued] = issue_certificates(nanning_official, evaluation, [CertificateKind.VOCATIONAL_SKILL_LEVEL],
                                  issuer=ISSUER, issued_on=date(2025, 10, 20))
    return issued


def _example(page: str) -> str:
    hint = re.search(r'data-testid="verify-example">([^<]*)<', page)
    assert hint, page
    return re.search(r"例如 (\S+?)。", hint.group(1)).group(1)


def test_the_example_has_the_format_of_the_numbers_in_the_register(client: Client, certificate) -> None:
    page = client.get("/verify/").content.decode()
    example = _example(page)
    assert certificate.number.startswith("GX-2025-ZJ-")
    assert example == "GX-2025-ZJ-000001" and len(example) == len(certificate.number)


def test_the_example_follows_the_imported_history_format(db) -> None:
    enrolment = builders.enrolment()
    Certificate.objects.create(number="ZS2026000004321", person=enrolment.person, kind=CertificateKind.OTHER_AUTHORITY,
                               title="电工", issuer=ISSUER, issued_on=date(2026, 3, 1))
    assert certificate_example() == "ZS2026000000001"


def test_not_found_offers_the_box_again_with_the_number_typed(client: Client, db) -> None:
    response = client.get("/verify/?number=GX-2025-ZJ-99999", follow=True)
    page = response.content.decode()
    assert response.status_code == 404
    verdict, box = page.index('data-testid="verdict"'), page.index('data-testid="verify-form"')
    assert verdict < box and "verdict invalid" in page
    assert re.search(r'<input id="verify-number" name="number"[^>]*value="GX-2025-ZJ-99999"', page)


def test_the_verdict_comes_first_green_when_valid_red_when_revoked(client: Client, certificate,
                                                                   nanning_official) -> None:
    page = client.get(f"/verify/{certificate.number}/").content.decode()
    assert "verdict valid" in page and page.index("该证书真实有效") < page.index('data-testid="holder"')
    revoke_certificate(nanning_official, certificate, "冒名顶替")
    page = client.get(f"/verify/{certificate.number}/").content.decode()
    assert "verdict invalid" in page and "verdict valid" not in page
    assert page.index("已撤销") < page.index('data-testid="holder"')
