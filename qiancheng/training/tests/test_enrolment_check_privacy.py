"""The enrolment check tells an institution nothing about a person it names wrongly, is in the audit trail,
and cannot be used to sweep the register (rate limit per institution)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from qiancheng.accounts.models import AuditEntry
from qiancheng.clock import frozen_at
from qiancheng.training.models import ClassStatus, TrainingClass
from qiancheng.training.services.enrolment import enrol_person, preview_enrolment
from qiancheng.training.tests import builders
from qiancheng.training.tests.test_api import Api
from qiancheng.training.tests.test_enrolment_evidence import number

pytestmark = pytest.mark.django_db

TODAY = date(2026, 5, 5)


@pytest.fixture(autouse=True)
def programme_day() -> Iterator[date]:
    with frozen_at(TODAY) as day:
        yield day


@pytest.fixture
def training(persona_institution) -> TrainingClass:
    return builders.training_class(institution=persona_institution, status=ClassStatus.APPROVED,
                                   start_date=date(2026, 5, 4), end_date=date(2026, 5, 29))


def test_a_wrong_name_learns_only_that_it_does_not_match(training, institution_user, nanning_official) -> None:
    other_school = builders.institution(name="另一所学校")
    elsewhere = builders.training_class(institution=other_school, status=ClassStatus.APPROVED,
                                        start_date=date(2026, 5, 4), end_date=date(2026, 5, 29))
    enrol_person(nanning_official, elsewhere, id_number=number(31), name="黄一",
                 category="other")
    with pytest.raises(ValidationError) as refused:
        preview_enrolment(institution_user, training, id_number=number(31), name="随便猜", category="other")
    assert refused.value.code == "name_mismatch"
    text = " ".join(refused.value.messages)
    assert "不符" in text and "次" not in text and "2026" not in text
    right = preview_enrolment(institution_user, training, id_number=number(31), name="黄一", category="other")
    assert right.ordinal == 2 and right.name == "黄一"  # the right pair is answered in full


def test_the_api_answers_a_wrong_name_with_a_422_and_no_history(training, institution_user) -> None:
    enrol_person(institution_user, training, id_number=number(32), name="黄二", category="other")
    api = Api(institution_user)
    body = {"id_number": number(32), "name": "黄三", "category": "other"}
    answer = api.post(f"/classes/{training.pk}/enrolments/check", body)
    assert answer.status_code == 422
    assert "ordinal" not in answer.json() and "years_used" not in answer.json()


def test_every_check_is_audited_and_an_institution_is_limited(training, institution_user, settings) -> None:
    settings.ENROLMENT_CHECKS_PER_HOUR = 3
    for serial in range(3):
        preview_enrolment(institution_user, training, id_number=number(40 + serial), name="覃某", category="other")
    checks = AuditEntry.objects.filter(action="enrolment.checked")
    assert checks.count() == 3 and {entry.actor_id for entry in checks} == {institution_user.pk}
    with pytest.raises(ValidationError) as throttled:
        preview_enrolment(institution_user, training, id_number=number(44), name="覃某", category="other")
    assert throttled.value.code == "checks_throttled"
