"""结业: a class is closed by its institution once its last day has come; its trainees have completed it."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from qiancheng.accounts.models import AuditEntry
from qiancheng.clock import frozen_at
from qiancheng.training.models import ClassStatus, EnrolmentStatus
from qiancheng.training.services.classes import finish_class
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db
END = date(2026, 5, 8)


@pytest.fixture
def training(persona_institution):
    return builders.training_class(institution=persona_institution, status=ClassStatus.APPROVED,
                                   start_date=date(2026, 5, 4), end_date=END)


def test_the_institution_closes_its_class_on_or_after_the_last_day(training, institution_user,
                                                                    liuzhou_official) -> None:
    stayed = builders.enrolment(training)
    left = builders.enrolment(training, status=EnrolmentStatus.WITHDRAWN, left_on=date(2026, 5, 5))
    with frozen_at(date(2026, 5, 7)), pytest.raises(ValidationError) as early:
        finish_class(institution_user, training)
    assert early.value.code == "not_ended"
    with frozen_at(END):
        with pytest.raises(PermissionDenied):
            finish_class(liuzhou_official, training)
        finished = finish_class(institution_user, training)
        assert finish_class(institution_user, training).status == ClassStatus.FINISHED  # again: nothing more
    assert finished.status == ClassStatus.FINISHED
    stayed.refresh_from_db()
    left.refresh_from_db()
    assert (stayed.status, stayed.left_on) == (EnrolmentStatus.COMPLETED, END)
    assert left.status == EnrolmentStatus.WITHDRAWN
    assert AuditEntry.objects.filter(action="class.finished").count() == 1


def test_a_class_not_yet_approved_cannot_be_closed(persona_institution, institution_user) -> None:
    submitted = builders.training_class(institution=persona_institution, status=ClassStatus.SUBMITTED, end_date=END)
    with frozen_at(END), pytest.raises(ValidationError) as refused:
        finish_class(institution_user, submitted)
    assert refused.value.code == "not_running"


def test_the_class_page_offers_the_button_only_from_the_last_day(training, institution_user, login) -> None:
    client = login(Client(), institution_user)
    with frozen_at(date(2026, 5, 7)):
        assert 'data-testid="finish-class"' not in client.get(f"/classes/{training.pk}/").content.decode()
    with frozen_at(END):
        assert 'data-testid="finish-class"' in client.get(f"/classes/{training.pk}/").content.decode()
        response = client.post(f"/classes/{training.pk}/finish/", follow=True)
    assert "已结业" in response.content.decode()
    training.refresh_from_db()
    assert training.status == ClassStatus.FINISHED
