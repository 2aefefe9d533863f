"""The certificate PDF: same scope as the printable page; it parses, carries the number and a QR to /verify/."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

from qiancheng.evaluation.models import Certificate, CertificateKind
from qiancheng.evaluation.pdf import certificate_facts, certificate_pdf, verify_qr
from qiancheng.evaluation.services import issue_certificates, record_result
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

ISSUER = "南宁市职业技能鉴定中心"
HOLDER_ID = builders.id_number(sequence=778)


@pytest.fixture
def certificate(nanning_official) -> Certificate:
    enrolment = builders.enrolment(trainee=builders.person(name="张小三", id_number=HOLDER_ID))
    evaluation = record_result(nanning_official, enrolment, passed=True, evaluated_on=date(2025, 10, 8),
                               evaluator=ISSUER)
    [issued] = issue_certificates(nanning_official, evaluation, [CertificateKind.VOCATIONAL_SKILL_LEVEL],
                                  issuer=ISSUER, issued_on=date(2025, 10, 20))
    return issued


def test_the_qr_widget_encodes_the_verify_url() -> None:
    url = "https://qiancheng.example/verify/GX-2025-ZJ-000001/"
    assert verify_qr(url).value == url


def test_the_pdf_parses_and_carries_the_number(certificate) -> None:
    pdf = certificate_pdf(certificate, "http://testserver/verify/x/")
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert certificate.number.encode() in pdf
    # The font travels with the file, as a subset: glyphs embedded (FontFile2), a subset's tag before the name,
    # and far smaller than the 10 MB font.
    assert b"/FontFile2" in pdf and re.search(rb"/BaseFont /[A-Z]{6}\+NotoSansSC", pdf)
    assert len(pdf) < 300_000


def test_the_facts_mask_the_id_number(certificate) -> None:
    facts = dict(certificate_facts(certificate))
    assert facts["持证人 Holder"] == "张小三" and facts["发证机构 Issuer"] == ISSUER
    assert facts["身份证号 ID number"] == certificate.person.id_number_masked != HOLDER_ID
    assert HOLDER_ID not in " ".join(value for _, value in certificate_facts(certificate))


def test_the_pdf_page_for_the_holder_and_the_city(client: Client, login, certificate, nanning_official) -> None:
    login(client, nanning_official)
    response = client.get(f"/certificates/{certificate.number}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and certificate.number.encode() in response.content


def test_the_pdf_is_404_for_another_city_and_strangers(client: Client, login, certificate, liuzhou_official,
                                                       trainee_user) -> None:
    assert client.get(f"/certificates/{certificate.number}.pdf").status_code == 404
    for user in (liuzhou_official, trainee_user):
        login(client, user)
        assert client.get(f"/certificates/{certificate.number}.pdf").status_code == 404
    assert client.get("/certificates/GX-2025-ZJ-999999.pdf").status_code == 404
