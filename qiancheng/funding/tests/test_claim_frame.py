"""The database carries every column the decision engine reads (EXCHANGE.md), and the engine decides
claims built from it as it decides claims read from files."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction

from qiancheng.evaluation.models import Certificate, CertificateKind
from qiancheng.funding.models import ClaimOrigin, ClaimStatus, FundSource, SubsidyClaim
from qiancheng.funding.models import columns as cols
from qiancheng.funding.services.decision_store import stored_frames
from qiancheng.people.models import SkillUpgradeSubsidy
from qiancheng.policy.engine import decide
from qiancheng.policy.exchange import CLAIM_FIELDS, HISTORY_FIELDS
from qiancheng.policy.params import params_from_exchange
from qiancheng.sanctions.models import BlacklistEntry
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


def test_every_exchange_column_has_a_home_in_the_database() -> None:
    assert set(cols.CLAIM_COLUMNS) == {field.name for field in CLAIM_FIELDS}
    history_names = {field.name for field in HISTORY_FIELDS} - {"record_type"}
    homes = (
        cols.HISTORY_CLAIM_COLUMNS, cols.HISTORY_CERTIFICATE_COLUMNS, cols.HISTORY_SKILL_UPGRADE_COLUMNS,
        cols.HISTORY_BLACKLIST_COLUMNS,
    )
    assert set().union(*homes) == history_names
    assert set(cols.HISTORY_STATUS.values()) <= {"pending", "approved", "paid", "rejected", "withdrawn"}


def test_claims_and_history_built_from_the_database_are_decided_by_the_engine() -> None:
    institution, occupation = builders.institution(), builders.occupation()
    training = builders.training_class(institution=institution, occupation=occupation, level=4)
    held, upgraded, twice, clean = (builders.person(name=name) for name in ("甲", "乙", "丙", "丁"))
    # 3.5d: 甲 holds level 3 of the same occupation.
    Certificate.objects.create(
        number="CERT-1", kind=CertificateKind.VOCATIONAL_SKILL_LEVEL, person=held, occupation=occupation, level=3,
        issuer="鉴定中心", issued_on=date(2024, 5, 1),
    )
    # 3.5c: 乙 had the skill-upgrade subsidy for the same occupation and level.
    SkillUpgradeSubsidy.objects.create(
        record_id="SU-1", person=upgraded, occupation=occupation, level=4, granted_on=date(2024, 3, 1)
    )
    # 3.5a: 丙 already has a paid claim ending in 2025, imported from before.
    SubsidyClaim.objects.create(
        number="H-1", origin=ClaimOrigin.IMPORTED, person=twice, training_type="occupational",
        occupation=builders.occupation("4-01-06-02", "互联网营销师"), level=5, end_date=date(2025, 3, 31),
        fund=FundSource.EMPLOYMENT_SUBSIDY, status=ClaimStatus.RECOVERED,
    )
    SubsidyClaim.objects.create(
        number="H-2", origin=ClaimOrigin.IMPORTED, person=twice, training_type="occupational",
        occupation=builders.occupation("4-01-06-01", "电子商务师"), level=5, end_date=date(2025, 4, 30),
        fund=FundSource.EMPLOYMENT_SUBSIDY, status=ClaimStatus.PAID,
    )
    BlacklistEntry.objects.create(
        institution=builders.institution(), listed_from=date(2024, 1, 1), reason="骗补", created_by=builders.official()
    )
    for number, trainee in (("C1", held), ("C2", upgraded), ("C3", twice), ("C4", clean)):
        builders.subsidy_claim(builders.enrolment(training, trainee), number)

    deciding = SubsidyClaim.objects.filter(status=ClaimStatus.PENDING)
    with transaction.atomic():  # opening the sealed ID numbers is an audited read
        claims, history = stored_frames(builders.official(), deciding)
    params = params_from_exchange(
        {
            "standards": [
                {"training_type": "occupational", "level": 4, "amount": "1200.00", "valid_from": "2023-01-01"},
            ],
            "unemployment_insurance_standards": [],
            "ai_occupations": [],
            "ai_uplift": {},
        },
        "test params",
    )
    run = decide(claims, history, params, date(2026, 6, 30))
    decided = {row["claim_id"]: row for row in run.decisions.iter_rows(named=True)}
    assert decided["C1"]["denied_by"] == "3.5d"
    assert decided["C2"]["denied_by"] == "3.5c"
    assert decided["C3"]["denied_by"] == "3.5a"  # H-2 counts; the recovered H-1 does not
    assert decided["C4"]["eligible"] and str(decided["C4"]["total_amount"]) == "1200.00"
