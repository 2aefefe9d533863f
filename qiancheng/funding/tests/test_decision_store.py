"""Claims kept in the database are decided by the same engine, and the decision is kept on the claim."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from qiancheng.accounts.models import AuditEntry
from qiancheng.evaluation.models import Certificate, CertificateKind
from qiancheng.funding.models import ClaimOrigin, ClaimStatus, FundSource, SubsidyClaim
from qiancheng.funding.services.decision_store import decide_stored_claims
from qiancheng.policy.engine import NoStandardError
from qiancheng.policy.tests.claimdata import params
from qiancheng.sanctions.models import BlacklistEntry
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


def test_stored_claims_are_decided_against_the_stored_history_and_the_decision_is_kept():
    official = builders.official()
    occupation = builders.occupation()
    training = builders.training_class(occupation=occupation, level=4)
    holder, repeat, clean = builders.person(name="甲"), builders.person(name="乙"), builders.person(name="丙")
    Certificate.objects.create(number="CERT-1", kind=CertificateKind.VOCATIONAL_SKILL_LEVEL, person=holder,
                               occupation=occupation, level=3, issuer="鉴定中心", issued_on=date(2024, 5, 1))
    SubsidyClaim.objects.create(
        number="OLD-1", origin=ClaimOrigin.IMPORTED, person=repeat, training_type="occupational",
        occupation=builders.occupation("4-01-06-02", "互联网营销师"), level=5, end_date=training.end_date,
        fund=FundSource.EMPLOYMENT_SUBSIDY, status=ClaimStatus.PAID,
    )
    for number, trainee in (("C1", holder), ("C2", repeat), ("C3", clean)):
        builders.subsidy_claim(builders.enrolment(training, trainee), number)

    run = decide_stored_claims(official, SubsidyClaim.objects.filter(status=ClaimStatus.PENDING),
                               params=params(), as_of=date(2027, 12, 31))

    stored = {claim.number: claim for claim in SubsidyClaim.objects.filter(number__in=["C1", "C2", "C3"])}
    assert stored["C1"].denied_by == "3.5d" and stored["C1"].eligible is False
    assert stored["C2"].denied_by == "3.5a" and stored["C2"].total_amount == Decimal("0.00")
    # 4-04-05-05 is on the AI list and 南宁 has a 20% uplift: 1500.00 x 1.20 = 1800.00 (4.2)
    assert stored["C3"].eligible is True and stored["C3"].total_amount == Decimal("1800.00")
    assert {claim.param_set_id for claim in stored.values()} == {run.params_id}
    assert all(claim.rule_version == run.rule_version and claim.decided_at for claim in stored.values())
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert "person.id_numbers_read_for_decision" in actions and "claims.decided" in actions


def test_a_blacklisted_institution_denies_its_stored_claims():
    official = builders.official()
    training = builders.training_class(level=5)
    BlacklistEntry.objects.create(institution=training.institution, listed_from=date(2020, 1, 1), reason="骗补",
                                  created_by=official)
    builders.subsidy_claim(builders.enrolment(training, builders.person()), "C9")
    decide_stored_claims(official, SubsidyClaim.objects.filter(number="C9"), params=params(), as_of=date(2027, 12, 31))
    assert SubsidyClaim.objects.get(number="C9").denied_by == "6d"


def test_a_missing_standard_changes_no_stored_claim():
    official = builders.official()
    training = builders.training_class(level=5)
    builders.subsidy_claim(builders.enrolment(training, builders.person()), "C7")
    with pytest.raises(NoStandardError):
        decide_stored_claims(official, SubsidyClaim.objects.filter(number="C7"), params=params(standards=[]),
                             as_of=date(2027, 12, 31))
    claim = SubsidyClaim.objects.get(number="C7")
    assert claim.decided_at is None and claim.eligible is None
