"""A class no subsidy standard covers: the roster is rejected with the reason, not a server error."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from qiancheng.policy import params as policy_params
from qiancheng.training.models import ClassStatus, ImportStatus
from qiancheng.training.services import enrolment
from qiancheng.training.services.roster_import import receive_roster
from qiancheng.training.tests import builders
from qiancheng.training.tests.rosters import roster_xlsx

# Enrolment closes after a class's last day: the clock stands on a day the classes take trainees.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("roster_open")]


def test_a_missing_standard_rejects_the_roster_with_the_reason(persona_institution, institution_user,
                                                               monkeypatch) -> None:
    packaged = policy_params.load_packaged()
    monkeypatch.setattr(enrolment, "load_packaged", lambda: replace(packaged, standards=()))
    training = builders.training_class(institution=persona_institution, status=ClassStatus.APPROVED,
                                       start_date=date(2026, 5, 4), end_date=date(2026, 5, 29))
    job = receive_roster(institution_user, training, "名册.xlsx",
                         roster_xlsx([("甘一", builders.id_number(), None, "其他", None)]))
    assert job.status == ImportStatus.REJECTED and "no subsidy standard" in job.rejection_reason
