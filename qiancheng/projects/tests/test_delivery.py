"""Projects read their classes and their institutions' records through the hook training and evaluation fill."""

from __future__ import annotations

import pytest

from qiancheng.projects import delivery
from qiancheng.training.project_delivery import DELIVERY
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


def test_training_and_evaluation_registered_at_startup() -> None:
    assert delivery.delivery() is DELIVERY
    assert set(delivery._record_readers) == {"training", "evaluation"}


def test_an_institution_with_no_classes_has_an_empty_record_and_one_with_classes_has_its_figures() -> None:
    quiet, busy = builders.institution(), builders.institution()
    builders.enrolment(builders.training_class(institution=busy))
    records = delivery.institution_records([quiet.pk, busy.pk])
    assert records[quiet.pk] == {}
    assert set(records[busy.pk]) >= {"running_classes", "classes_delivered", "running_trainees", "trainees_completed"}
