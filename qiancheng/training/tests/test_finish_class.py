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


def test_the_api_finishes_a_class_with_the_same_rules_as_the_page(training, institution_user,
                                                                  liuzhou_official, enterprise_user) -> None:
    from qiancheng.training.tests.test_api import Api

    stayed = builders.enrolment(training, enrolled_on=date(2026, 5, 4))
    path = f"/classes/{training.pk}/finish"
    with frozen_at(date(2026, 5, 7)):
        early = Api(institution_user).post(path)
    assert (early.status_code, early.json()["code"]) == (422, "not_ended")
    assert "2026-05-08" in early.json()["message_zh"] and "2026-05-08" in early.json()["message_en"]
    with frozen_at(END):
        assert Api(liuzhou_official).post(path).status_code == 404  # another city: as if it did not exist
        assert Api(enterprise_user).post(path).status_code in (403, 404)
        finished = Api(institution_user).post(path)
        again = Api(institution_user).post(path)
    assert finished.status_code == 200, finished.json()
    assert finished.json()["status"] == ClassStatus.FINISHED and again.json()["status"] == ClassStatus.FINISHED
    stayed.refresh_from_db()
    assert (stayed.status, stayed.left_on) == (EnrolmentStatus.COMPLETED, END)
    assert AuditEntry.objects.filter(action="class.finished", actor=institution_user).count() == 1


def test_a_trainee_enrolled_after_the_last_day_does_not_stop_the_class_finishing(training, institution_user,
                                                                                 login) -> None:
    # Rows from before enrolment closed on the last day: completed on their own enrolment day, since a
    # completion may not precede the enrolment (enrolment_left_on_iff_left).
    on_time = builders.enrolment(training, enrolled_on=date(2026, 5, 4))
    late = builders.enrolment(training, enrolled_on=date(2026, 5, 12))
    client = login(Client(), institution_user)
    with frozen_at(date(2026, 5, 15)):
        answer = client.post(f"/classes/{training.pk}/finish/", follow=True)
    assert answer.status_code == 200 and "已结业" in answer.content.decode()
    on_time.refresh_from_db()
    late.refresh_from_db()
    assert (on_time.status, on_time.left_on) == (EnrolmentStatus.COMPLETED, END)
    assert (late.status, late.left_on) == (EnrolmentStatus.COMPLETED, date(2026, 5, 12))
    entry = AuditEntry.objects.get(action="class.finished")
    assert (entry.after["completed"], entry.after["enrolled_after_last_day"]) == (2, 1)
