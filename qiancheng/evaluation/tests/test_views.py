"""Certificate pages: public verification shows a masked holder and never the ID number; the print page is scoped."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from qiancheng.evaluation.models import Certificate, CertificateKind, Evaluation
from qiancheng.evaluation.services import issue_certificates, record_result, revoke_certificate
from qiancheng.evaluation.views import mask_name
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

ISSUER = "南宁市职业技能鉴定中心"
HOLDER_ID = builders.id_number(sequence=777)


@pytest.fixture
def certificate(nanning_official) -> Certificate:
    enrolment = builders.enrolment(trainee=builders.person(name="张小三", id_number=HOLDER_ID))
    evaluation: Evaluation = record_result(nanning_official, enrolment, passed=True, evaluated_on=date(2025, 10, 8),
                                           evaluator=ISSUER)
    [issued] = issue_certificates(nanning_official, evaluation, [CertificateKind.VOCATIONAL_SKILL_LEVEL],
                                  issuer=ISSUER, issued_on=date(2025, 10, 20))
    return issued


def test_names_are_masked() -> None:
    assert (mask_name("张三"), mask_name("张小三"), mask_name("欧阳小明")) == ("张*", "张*三", "欧**明")


def test_verify_shows_the_facts_with_a_masked_name_and_no_id_number(client: Client, certificate) -> None:
    response = client.get(f"/verify/{certificate.number}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "张*三" in page and "张小三" not in page
    assert "人工智能训练师" in page and ISSUER in page and "2025年10月20日" in page and "有效" in page
    assert HOLDER_ID not in page and HOLDER_ID[-4:] not in page and certificate.person.id_number_masked not in page


def test_a_revoked_certificate_verifies_as_revoked(client: Client, certificate, nanning_official) -> None:
    revoke_certificate(nanning_official, certificate, "冒名顶替 / impersonation")
    response = client.get(f"/verify/{certificate.number}/")
    assert response.status_code == 200
    assert "已撤销" in response.content.decode() and 'data-testid="revoked"' in response.content.decode()


def test_an_unknown_number_is_not_found(client: Client, db) -> None:
    response = client.get("/verify/GX-2025-ZJ-999999/")
    assert response.status_code == 404
    assert "未找到该证书" in response.content.decode()


def test_the_print_page_carries_a_qr_code_to_the_verify_page(client: Client, login, certificate,
                                                             nanning_official) -> None:
    login(client, nanning_official)
    response = client.get(f"/certificates/{certificate.number}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in page and f"/verify/{certificate.number}/" in page and "张小三" in page


def test_the_print_page_is_404_for_another_city_and_for_strangers(client: Client, login, certificate,
                                                                  liuzhou_official) -> None:
    assert client.get(f"/certificates/{certificate.number}/").status_code == 404
    login(client, liuzhou_official)
    other_city = client.get(f"/certificates/{certificate.number}/")
    missing = client.get("/certificates/GX-2025-ZJ-999999/")
    assert other_city.status_code == missing.status_code == 404
