"""Attendance per session, corrections kept in the audit trail, and each trainee's rate against 80%."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qiancheng.accounts.models import AuditEntry
from qiancheng.training.models import AttendanceRecord, ClassStatus
from qiancheng.training.services.attendance import (
    Mark,
    attendance_rates,
    below_threshold,
    record_attendance,
    threshold_on,
)
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def training(persona_institution):
    return builders.training_class(institution=persona_institution, status=ClassStatus.IN_PROGRESS, class_hours=10,
                                   start_date=date(2026, 5, 4), end_date=date(2026, 5, 8))


def test_a_session_is_recorded_once_and_a_correction_is_audited(training, institution_user) -> None:
    one = builders.enrolment(training, enrolled_on=date(2026, 5, 4))
    day = date(2026, 5, 4)
    assert record_attendance(institution_user, training, day, [Mark(one.pk, True, Decimal("8"))]) == 1
    assert record_attendance(institution_user, training, day, [Mark(one.pk, True, Decimal("8"))]) == 0
    assert record_attendance(institution_user, training, day, [Mark(one.pk, False)]) == 1
    assert AttendanceRecord.objects.get(enrolment=one).present is False
    corrected = AuditEntry.objects.filter(action="attendance.recorded").order_by("-seq").first()
    assert corrected.before["corrected"][str(one.pk)]["present"] is True


def test_eight_of_ten_hours_is_enough_and_seven_is_not(training, institution_user) -> None:
    # Local practice: at least 80% of the hours. 8/10 = 80% passes; 7/10 = 70% fails.
    eight, seven = (builders.enrolment(training, enrolled_on=date(2026, 5, 4)) for _ in range(2))
    record_attendance(institution_user, training, date(2026, 5, 4),
                      [Mark(eight.pk, True, Decimal("8")), Mark(seven.pk, True, Decimal("7"))])
    assert attendance_rates(training) == {eight.pk: Decimal("0.80"), seven.pk: Decimal("0.70")}
    assert below_threshold(training) == {seven.pk}
    assert threshold_on(date(2026, 5, 8)).rate == Decimal("0.80")


def test_someone_not_on_the_roster_or_a_day_outside_the_class_is_refused(training, institution_user) -> None:
    stranger = builders.enrolment(enrolled_on=date(2025, 9, 1))
    with pytest.raises(ValidationError, match="not on this class's roster"):
        record_attendance(institution_user, training, date(2026, 5, 4), [Mark(stranger.pk, True, Decimal("8"))])
    one = builders.enrolment(training, enrolled_on=date(2026, 5, 4))
    with pytest.raises(ValidationError, match="outside the class's dates"):
        record_attendance(institution_user, training, date(2026, 5, 9), [Mark(one.pk, True, Decimal("8"))])
    with pytest.raises(ValidationError, match="0 when absent"):
        record_attendance(institution_user, training, date(2026, 5, 4), [Mark(one.pk, False, Decimal("2"))])


@pytest.mark.parametrize("who", ["liuzhou_official", "outsider", "trainee_user"])
def test_others_cannot_record_attendance(request, training, who) -> None:
    one = builders.enrolment(training, enrolled_on=date(2026, 5, 4))
    with pytest.raises(PermissionDenied):
        record_attendance(request.getfixturevalue(who), training, date(2026, 5, 4), [Mark(one.pk, True, Decimal("8"))])


def test_while_the_class_runs_the_roster_compares_attendance_with_the_hours_held(training, institution_user,
                                                                                 login) -> None:
    """Three days into a 10-hour class, a trainee who came to every session is at 100 %, not 60 %; from the
    last day on the roster shows the whole course, as the claim is judged (6c)."""
    from django.test import Client

    from qiancheng.clock import frozen_at
    from qiancheng.training.services.attendance import hours_held, roster_attendance

    every_day, first_day_only = (builders.enrolment(training, enrolled_on=date(2026, 5, 4)) for _ in range(2))
    with frozen_at(date(2026, 5, 6)):
        record_attendance(institution_user, training, date(2026, 5, 4),
                          [Mark(every_day.pk, True, Decimal("2")), Mark(first_day_only.pk, True, Decimal("2"))])
        for day in (date(2026, 5, 5), date(2026, 5, 6)):
            record_attendance(institution_user, training, day,
                              [Mark(every_day.pk, True, Decimal("2")), Mark(first_day_only.pk, False)])
        assert hours_held(training) == Decimal("6")
        shown = roster_attendance(training)
        assert (shown[every_day.pk].rate, shown[every_day.pk].to_date, shown[every_day.pk].below) == (
            Decimal("1.00"), True, False)
        assert (shown[first_day_only.pk].rate, shown[first_day_only.pk].below) == (Decimal("0.33"), True)
        page = login(Client(), institution_user).get(f"/classes/{training.pk}/attendance/").content.decode()
        assert "出勤率（截至目前）" in page and 'data-testid="hours-held"' in page
    with frozen_at(date(2026, 5, 8)):
        shown = roster_attendance(training)
        # The whole course now: 6 of 10 hours is under the 80 % a claim needs.
        assert (shown[every_day.pk].rate, shown[every_day.pk].to_date, shown[every_day.pk].below) == (
            Decimal("0.60"), False, True)


def test_before_any_session_the_roster_shows_no_rate(training) -> None:
    from qiancheng.clock import frozen_at
    from qiancheng.training.services.attendance import roster_attendance

    waiting = builders.enrolment(training, enrolled_on=date(2026, 5, 4))
    with frozen_at(date(2026, 5, 4)):
        assert roster_attendance(training)[waiting.pk].rate is None
        assert roster_attendance(training)[waiting.pk].below is False
