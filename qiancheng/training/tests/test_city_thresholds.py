"""Attendance thresholds settable per city (local practice): dated, with their source, audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from qiancheng.accounts.models import AuditEntry
from qiancheng.catalog.models import City
from qiancheng.clock import frozen_at
from qiancheng.training.models import AttendanceThreshold, ClassStatus
from qiancheng.training.services.attendance import (
    Mark,
    below_threshold,
    class_threshold,
    record_attendance,
    set_attendance_threshold,
    threshold_on,
)
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 1)


def test_a_city_value_applies_to_its_classes_ending_after_it_takes_effect(persona_institution, institution_user,
                                                                         nanning_official) -> None:
    training = builders.training_class(institution=persona_institution, status=ClassStatus.IN_PROGRESS,
                                       class_hours=10, start_date=date(2026, 5, 4), end_date=date(2026, 5, 8))
    seventy_five = builders.enrolment(training, enrolled_on=date(2026, 5, 4))
    record_attendance(institution_user, training, date(2026, 5, 4), [Mark(seventy_five.pk, True, Decimal("7.5"))])
    assert below_threshold(training) == {seventy_five.pk}  # the province default, 80%
    with frozen_at(TODAY):
        set_attendance_threshold(nanning_official, training.city, date(2026, 4, 1), Decimal("0.70"),
                                 "南人社发〔2026〕12号")
    assert class_threshold(training).rate == Decimal("0.70") and "南人社发" in class_threshold(training).source
    assert below_threshold(training) == set()
    assert threshold_on(date(2026, 3, 31), training.city_id).rate == Decimal("0.80")  # before it took effect
    assert threshold_on(date(2026, 5, 8), "450200").rate == Decimal("0.80")  # another city keeps the default
    entry = AuditEntry.objects.filter(action="attendance.threshold_set").get()
    assert entry.after["rate"] == "0.70"


def test_only_the_citys_bureau_sets_it_and_never_backdated_or_out_of_range(catalog_loaded, nanning_official,
                                                                          liuzhou_official, province_official,
                                                                          institution_user) -> None:
    nanning = City.objects.get(pk="450100")
    with frozen_at(TODAY):
        for outsider in (liuzhou_official, institution_user):
            with pytest.raises(PermissionDenied):
                set_attendance_threshold(outsider, nanning, TODAY, Decimal("0.75"), "文件")
        with pytest.raises(ValidationError) as wrong:
            set_attendance_threshold(nanning_official, nanning, date(2026, 2, 1), Decimal("0.40"), " ")
        assert set(wrong.value.message_dict) == {"rate", "effective_from", "source"}
        set_attendance_threshold(province_official, nanning, TODAY, Decimal("0.85"), "桂人社发〔2026〕3号")
    assert AttendanceThreshold.objects.get(city=nanning).rate == Decimal("0.85")


def test_the_page_shows_and_sets_the_citys_threshold(catalog_loaded, nanning_official, institution_user,
                                                     login) -> None:
    client = login(Client(), nanning_official)
    page = client.get("/classes/attendance-threshold/").content.decode()
    assert "80%" in page and "本市尚未设定" in page
    with frozen_at(TODAY):
        bad = client.post("/classes/attendance-threshold/", {"city": "450100", "rate_percent": "30",
                                                              "effective_from": "2026-03-01", "source": "x"})
        assert bad.status_code == 422 and "50%" in bad.content.decode()
        done = client.post("/classes/attendance-threshold/", {"city": "450200", "rate_percent": "75",
                                                               "effective_from": "2026-03-01", "source": "南人社发12号"})
    assert done.status_code == 302
    # A city official's form acts on their own city whatever the form says.
    assert list(AttendanceThreshold.objects.values_list("city_id", "rate")) == [("450100", Decimal("0.75"))]
    assert login(Client(), institution_user).get("/classes/attendance-threshold/").status_code == 403
