"""Each signal rule fires on a planted case and stays quiet on a clean one; a re-run adds nothing."""

from __future__ import annotations

from datetime import date

import pytest

from qiancheng.risk import services
from qiancheng.risk.models import Signal
from qiancheng.risk.tests import records
from qiancheng.sanctions.models import BlacklistEntry
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

SEPT = (date(2025, 9, 1), date(2025, 9, 30))


def _found(code: str) -> list[Signal]:
    services.run_signals(None, [code])
    return list(Signal.objects.filter(rule=code))


def test_a_phone_shared_by_trainees_of_different_names_across_institutions() -> None:
    first, second = builders.training_class(), builders.training_class()
    for name, training in (("李一", first), ("李二", second), ("李三", second)):
        builders.enrolment(training, builders.person(name=name, phone="13800001111"))
    # clean: two people sharing a family phone at one institution
    family = builders.training_class()
    for name in ("黄一", "黄二"):
        builders.enrolment(family, builders.person(name=name, phone="13900002222"))
    found = _found("shared_phone")
    assert len(found) == 1 and found[0].clause == "6d" and "3名" in found[0].summary
    assert found[0].parameters["shared_phone_min_names"]["source"].startswith("本地做法")
    assert "13800001111" not in str(found[0].records) + found[0].summary


def test_a_trainee_in_two_overlapping_classes() -> None:
    one, two = records.two_classes(SEPT, (date(2025, 9, 20), date(2025, 10, 20)))
    trainee = builders.person(name="覃重叠")
    builders.enrolment(one, trainee)
    builders.enrolment(two, trainee)
    three, four = records.two_classes(SEPT, (date(2025, 10, 1), date(2025, 10, 30)))
    clean = builders.person(name="韦先后")
    builders.enrolment(three, clean)
    builders.enrolment(four, clean)
    found = _found("trainee_overlap")
    assert [signal.person_id for signal in found] == [trainee.pk]
    assert {"model": "people.person", "pk": trainee.pk} in found[0].records


def test_a_teacher_in_two_places_at_once() -> None:
    number = builders.id_number(county="450103")
    one, two = records.two_classes(SEPT, (date(2025, 9, 15), date(2025, 10, 15)))
    one.teachers.add(records.teacher(one.institution, number))
    two.teachers.add(records.teacher(two.institution, number))  # the same person, on another institution's team
    other = builders.id_number(county="450103")
    three, four = records.two_classes(SEPT, (date(2025, 10, 1), date(2025, 10, 30)))
    three.teachers.add(records.teacher(three.institution, other, "陆老师"))
    four.teachers.add(records.teacher(four.institution, other, "陆老师"))
    found = _found("teacher_overlap")
    assert len(found) == 1 and "重叠16天" in found[0].summary
    assert {"model": "training.trainingclass", "pk": two.pk} in found[0].records


def test_a_whole_class_with_the_same_attendance() -> None:
    copied = [(True, "8"), (False, "0"), (True, "6.5")]
    planted = records.class_with_attendance([copied] * 5)
    honest = [[(True, "8"), (True, "8"), (True, "8")]] * 5  # full attendance is not told apart from honesty
    records.class_with_attendance(honest)
    records.class_with_attendance([copied] * 4 + [[(True, "8"), (True, "8"), (True, "6.5")]])
    found = _found("copied_attendance")
    assert [signal.records for signal in found] == [[{"model": "training.trainingclass", "pk": planted.pk}]]
    assert found[0].clause == "6c"


def test_a_claim_paid_for_a_person_listed_on_the_class_dates(province_official, nanning_official) -> None:
    from qiancheng.funding.tests.money import funded, paid_claim

    fund = funded(province_official, "100000.00")
    claim = paid_claim(nanning_official, fund)
    clean = paid_claim(nanning_official, fund, key="pay-clean")
    BlacklistEntry.objects.create(person=claim.person, listed_from=date(2025, 9, 10), reason="骗取补贴",
                                  created_by=nanning_official)
    BlacklistEntry.objects.create(person=clean.person, listed_from=date(2025, 10, 10), reason="骗取补贴",
                                  created_by=nanning_official)
    found = _found("claim_for_listed")
    assert [signal.person_id for signal in found] == [claim.person_id]
    assert {"model": "funding.subsidyclaim", "pk": claim.pk} in found[0].records


def test_a_rerun_adds_no_duplicate_signal() -> None:
    one, two = records.two_classes(SEPT, (date(2025, 9, 20), date(2025, 10, 20)))
    trainee = builders.person(name="覃重叠")
    builders.enrolment(one, trainee)
    builders.enrolment(two, trainee)
    first = services.run_signals(None)
    again = services.run_signals(None)
    assert sum(result.new for result in first) == Signal.objects.count() == 1
    assert sum(result.new for result in again) == 0 and Signal.objects.count() == 1
