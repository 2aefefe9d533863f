"""Revoking a certificate from its page (6d): the bureau of its city, with a reason; paid claims on it are
recovered; nobody else can, and another city gets the same 404 as a missing certificate."""

from __future__ import annotations

import pytest
from django.test import Client

from qiancheng.evaluation.models import Certificate, CertificateStatus
from qiancheng.funding.models import ClaimStatus, RecoveryCase, SubsidyClaim
from qiancheng.funding.services.ledger import verify_ledger
from qiancheng.funding.tests.money import funded, paid_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(province_official, nanning_official):
    claim = paid_claim(nanning_official, funded(province_official, "10000.00"))
    return claim, Certificate.objects.get(evaluation__enrolment=claim.enrolment_id)


def test_the_city_revokes_with_a_reason_and_the_paid_claim_is_recovered(paid, nanning_official, login) -> None:
    claim, certificate = paid
    client = login(Client(), nanning_official)
    page = client.get(f"/certificates/{certificate.number}/").content.decode()
    assert 'data-testid="revoke-certificate"' in page
    empty = client.post(f"/certificates/{certificate.number}/revoke/", {"reason": " "}, follow=True)
    assert "撤销须说明理由" in empty.content.decode()
    assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.VALID
    done = client.post(f"/certificates/{certificate.number}/revoke/", {"reason": "冒名顶替考试"}, follow=True)
    assert "立案追回 1 件" in done.content.decode()
    assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.REVOKED
    assert RecoveryCase.objects.filter(claim=claim, certificate=certificate).count() == 1
    assert SubsidyClaim.objects.get(pk=claim.pk).status == ClaimStatus.RECOVERED
    assert 'data-testid="revoke-certificate"' not in done.content.decode()
    assert verify_ledger().ok


def test_the_revocation_says_what_funding_did_in_the_pages_language(paid, nanning_official, login) -> None:
    """The count of recovery cases comes from funding's registered summary (evaluation does not import funding),
    in English from funding's catalogue when English is asked."""
    from django.conf import settings

    _, certificate = paid
    client = login(Client(), nanning_official)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.post(f"/certificates/{certificate.number}/revoke/", {"reason": "冒名顶替考试"},
                       follow=True).content.decode()
    assert "The certificate is revoked. Recovery cases opened for paid subsidies: 1." in page
    assert "立案追回 1 件" not in page


def test_other_cities_and_other_roles_cannot_revoke(paid, liuzhou_official, institution_user, login) -> None:
    _, certificate = paid
    for user in (liuzhou_official, institution_user):
        response = login(Client(), user).post(f"/certificates/{certificate.number}/revoke/", {"reason": "x"})
        assert response.status_code == 404
    assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.VALID


def test_the_api_revokes_once_with_a_reason(paid, nanning_official, liuzhou_official, client: Client) -> None:
    from qiancheng.evaluation.tests.test_api import call

    claim, certificate = paid
    url = f"/api/v1/certificates/{certificate.number}/revoke"
    assert call(client, liuzhou_official, "post", url, {"reason": "x"}).status_code == 404
    no_reason = call(client, nanning_official, "post", url, {"reason": ""})
    assert no_reason.status_code == 422 and no_reason.json()["message_en"]
    done = call(client, nanning_official, "post", url, {"reason": "冒名顶替考试"})
    assert done.status_code == 200 and done.json()["status"] == "revoked"
    again = call(client, nanning_official, "post", url, {"reason": "冒名顶替考试"})
    assert again.status_code == 422 and again.json()["code"] == "already_revoked"
    assert RecoveryCase.objects.filter(claim=claim).count() == 1
