"""The decision pages: why a stored claim is decided so (scoped like every page), deciding again, parameters."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

from qiancheng.accounts.models import AuditEntry, User
from qiancheng.evaluation.models import Certificate, CertificateKind
from qiancheng.funding.models import ClaimStatus, SubsidyClaim
from qiancheng.funding.services.decision_store import decide_stored_claims
from qiancheng.funding.services.stored_explain import explain_stored_claim
from qiancheng.people.models import Person
from qiancheng.policy.explain import clause_texts
from qiancheng.policy.plan_text import clause_text_zh
from qiancheng.policy.rules import ALL_RULES
from qiancheng.providers.models import Institution
from qiancheng.training.models import TrainingClass
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


def _claim(training: TrainingClass, number: str, trainee: Person | None = None, **fields: object) -> SubsidyClaim:
    return builders.subsidy_claim(builders.enrolment(training, trainee or builders.person()), number, **fields)


def _higher_certificate(person: Person, number: str = "CERT-NN-1") -> Certificate:
    """Level 3 of the claim's occupation, held before the level-4 training ended: the claim fails 3.5d."""
    return Certificate.objects.create(
        number=number, kind=CertificateKind.VOCATIONAL_SKILL_LEVEL, person=person, occupation=builders.occupation(),
        level=3, issuer="鉴定中心", issued_on=date(2024, 5, 1),
    )


@pytest.fixture
def nanning_claim(persona_institution: Institution) -> SubsidyClaim:
    """A 南宁 claim filed by the persona institution, for level 4 of 人工智能训练师."""
    training = builders.training_class(institution=persona_institution, occupation=builders.occupation(), level=4)
    return _claim(training, "NN-2025-0001")


@pytest.fixture
def liuzhou_claim() -> SubsidyClaim:
    liuzhou = builders.city("450200", "柳州市")
    training = builders.training_class(institution=builders.institution(city=liuzhou), city=liuzhou, level=5)
    return _claim(training, "LZ-2025-0001", builders.person(id_number=builders.id_number(county="450202")))


def _page(number: str) -> str:
    return f"/policy/claims/{number}/"


def _decided(actions: str = "claims.decided") -> int:
    return AuditEntry.objects.filter(action=actions).count()


def test_a_denied_claim_shows_the_failed_rule_its_clause_and_the_causing_record_in_chinese(
    client: Client, login, province_official: User, nanning_claim: SubsidyClaim,
):
    _higher_certificate(nanning_claim.person)
    decide_stored_claims(province_official, SubsidyClaim.objects.filter(pk=nanning_claim.pk))

    response = login(client, province_official).get(_page(nanning_claim.number))

    assert response.status_code == 200
    html = response.content.decode()
    assert "补贴判定说明" in html and "Why this decision" not in html
    failed = re.search(r'<tr class="failed" data-rule="3.5d">(.*?)</tr>', html, re.S)
    assert failed is not None, "the 3.5d row is marked as failed"
    row = failed.group(1)
    assert "✗" in row and ALL_RULES["3.5d"].title_zh in row and ALL_RULES["3.5d"].message_zh in row
    # A Chinese page quotes the plan's own sentence for the clause, not the English summary of CLAUSES.md.
    assert clause_text_zh("3.5d") in row and "获得高等级证书的不得再申领" in row
    assert clause_texts()["3.5d"] not in html
    assert 'data-record="certificate:CERT-NN-1"' in row and "第3级" in row
    # Every other rule is listed as passed.
    assert len(re.findall(r'<tr class="passed" data-rule=', html)) == len(ALL_RULES) - 1
    # The stored decision is shown, and it agrees with today's: no "changed" notice.
    assert "不予补贴：已持有同一职业更高等级的证书（行动计划三）" in html
    assert "3.5d" in html and 'data-testid="decision-changed"' not in html
    # The person is shown masked; the clear ID number is never on the page.
    person = nanning_claim.person
    assert person.id_number_masked in html
    assert re.search(r"\b\d{17}[\dX]\b", html) is None
    assert "不符合条件，金额为0.00" in html


def test_the_explanation_of_a_stored_claim_is_the_engine_run_on_its_stored_frames(
    province_official: User, nanning_claim: SubsidyClaim,
):
    clean = explain_stored_claim(province_official, nanning_claim)
    assert clean.eligible is True and clean.denied_by in ("", None)
    assert clean.total_amount == "1500.00"  # packaged level-4 standard, no city uplift notified
    _higher_certificate(nanning_claim.person)
    denied = explain_stored_claim(province_official, nanning_claim)
    assert denied.eligible is False and denied.denied_by == "3.5d"
    assert [cause.record_id for rule in denied.rules for cause in rule.causes] == ["certificate:CERT-NN-1"]
    assert AuditEntry.objects.filter(action="person.id_numbers_read_for_decision").count() == 2


def test_a_city_official_of_another_city_gets_the_same_404_as_for_a_missing_claim(
    client: Client, login, liuzhou_official: User, nanning_official: User, nanning_claim: SubsidyClaim,
):
    login(client, liuzhou_official)
    other_city = client.get(_page(nanning_claim.number))
    missing = client.get(_page("NO-SUCH-CLAIM"))
    assert other_city.status_code == missing.status_code == 404
    assert other_city.content.replace(nanning_claim.number.encode(), b"<n>") == missing.content.replace(
        b"NO-SUCH-CLAIM", b"<n>")
    refused = client.post(f"{_page(nanning_claim.number)}decide/")
    assert refused.status_code == client.post(f"{_page('NO-SUCH-CLAIM')}decide/").status_code == 404
    assert SubsidyClaim.objects.get(pk=nanning_claim.pk).decided_at is None

    assert login(Client(), nanning_official).get(_page(nanning_claim.number)).status_code == 200


def test_an_institution_sees_only_the_claims_it_filed(
    client: Client, login, institution_user: User, nanning_claim: SubsidyClaim, liuzhou_claim: SubsidyClaim,
):
    login(client, institution_user)
    own = client.get(_page(nanning_claim.number))
    assert own.status_code == 200
    assert 'data-testid="decide-again"' not in own.content.decode(), "only officials decide"
    assert client.get(_page(liuzhou_claim.number)).status_code == 404
    # An institution cannot decide, even its own claim.
    assert client.post(f"{_page(nanning_claim.number)}decide/").status_code == 403
    assert SubsidyClaim.objects.get(pk=nanning_claim.pk).decided_at is None


def test_trainees_and_anonymous_users_do_not_get_the_page(
    client: Client, login, nanning_claim: SubsidyClaim,
):
    trainee = User.objects.create_user(username="t1", password="not-used-in-tests", role="trainee",
                                       person=nanning_claim.person)
    assert client.get(_page(nanning_claim.number)).status_code == 302  # to the login page
    assert login(client, trainee).get(_page(nanning_claim.number)).status_code == 404


def test_deciding_again_updates_the_stored_decision_and_is_audited(
    client: Client, login, nanning_official: User, nanning_claim: SubsidyClaim,
):
    login(client, nanning_official)
    decide_stored_claims(nanning_official, SubsidyClaim.objects.filter(pk=nanning_claim.pk))
    assert SubsidyClaim.objects.get(pk=nanning_claim.pk).eligible is True
    # History changes after the decision: the page says the stored decision is no longer today's.
    _higher_certificate(nanning_claim.person)
    stale = client.get(_page(nanning_claim.number)).content.decode()
    assert 'data-testid="decision-changed"' in stale and "结果与已保存的判定不同" in stale
    before = _decided()

    response = client.post(f"{_page(nanning_claim.number)}decide/")

    assert response.status_code == 302 and response["Location"] == _page(nanning_claim.number)
    claim = SubsidyClaim.objects.get(pk=nanning_claim.pk)
    assert claim.eligible is False and claim.denied_by == "3.5d" and claim.total_amount == 0
    assert _decided() == before + 1
    entry = AuditEntry.objects.filter(action="claims.decided").order_by("-seq").first()
    assert entry.actor_id == nanning_official.pk
    after = client.get(response["Location"]).content.decode()
    assert "已重新判定" in after and 'data-testid="decision-changed"' not in after


def test_deciding_again_needs_the_csrf_token_and_leaves_an_approved_claim_alone(
    login, province_official: User, nanning_claim: SubsidyClaim,
):
    guarded = login(Client(enforce_csrf_checks=True), province_official)
    assert guarded.post(f"{_page(nanning_claim.number)}decide/").status_code == 403
    assert SubsidyClaim.objects.get(pk=nanning_claim.pk).decided_at is None

    decide_stored_claims(province_official, SubsidyClaim.objects.filter(pk=nanning_claim.pk))
    SubsidyClaim.objects.filter(pk=nanning_claim.pk).update(status=ClaimStatus.APPROVED)
    approved_at = SubsidyClaim.objects.get(pk=nanning_claim.pk).decided_at
    _higher_certificate(nanning_claim.person)  # today's answer would differ; the approved record must not
    client = login(Client(), province_official)
    page = client.get(_page(nanning_claim.number)).content.decode()
    assert 'data-testid="decide-again"' not in page and 'data-testid="decision-changed"' in page
    client.post(f"{_page(nanning_claim.number)}decide/")
    claim = SubsidyClaim.objects.get(pk=nanning_claim.pk)
    assert claim.decided_at == approved_at and claim.eligible is True


def test_the_parameters_page_lists_standards_and_flags_placeholders(
    client: Client, login, province_official: User, institution_user: User,
):
    response = login(client, province_official).get("/policy/parameters/")
    assert response.status_code == 200
    html = response.content.decode()
    standards = re.search(r'data-testid="standards">(.*?)</section>', html, re.S).group(1)
    assert "1,500.00" in standards and "2023-01-01" in standards and "2026-11-29" in standards
    placeholder_rows = re.findall(r'<tr class="placeholder">', standards)
    # One language per page: the flag reads "待确认" and the source "本地标准待核实", never the file's note.
    assert placeholder_rows and standards.count('data-testid="placeholder">待确认<') == len(placeholder_rows)
    assert "PLACEHOLDER" not in standards and "本地标准待核实" in standards
    occupations = re.search(r'data-testid="ai-occupations">(.*?)</section>', html, re.S).group(1)
    # 人工智能训练师 is named in the plan (confirmed); the other AI occupation awaits the department.
    trainer = re.search(r"<tr>\s*<td>4-04-05-05</td>.*?</tr>", occupations, re.S)
    assert trainer is not None and "待确认" not in trainer.group(0)
    assert re.search(r'<tr class="placeholder">\s*<td>2-02-38-01</td>', occupations)
    assert "暂无城市通知上浮" in html
    assert login(Client(), institution_user).get("/policy/parameters/").status_code == 403


def test_the_page_switches_to_english(client: Client, login, province_official: User, nanning_claim: SubsidyClaim):
    login(client, province_official)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(_page(nanning_claim.number)).content.decode()
    assert "Why this decision" in html and "Decide again" in html
    # One language per page: the rule's requirement is named in English too.
    assert "No higher-level certificate of the occupation" in html and ALL_RULES["3.5d"].title_zh not in html
