"""The roster closes on the class's last day: enrolment after it is refused on every path (the page, the
roster import, the API), saying so in Chinese and English and naming the last day. On the last day itself
a trainee may still be enrolled (the boundary pair)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from qiancheng.clock import frozen_at
from qiancheng.people.identity import id_number_check_character
from qiancheng.training.models import ClassStatus, Enrolment, ImportStatus
from qiancheng.training.services.enrolment import enrol_person
from qiancheng.training.services.roster_import import apply_roster, receive_roster
from qiancheng.training.tests import builders
from qiancheng.training.tests.rosters import roster_xlsx
from qiancheng.training.tests.test_api import Api

pytestmark = pytest.mark.django_db
LAST_DAY = date(2026, 5, 8)
DAY_AFTER = LAST_DAY + timedelta(days=1)


def number(serial: int) -> str:
    first17 = f"45010219910303{serial:03d}"
    return first17 + id_number_check_character(first17)


@pytest.fixture
def training(persona_institution):
    return builders.training_class(institution=persona_institution, status=ClassStatus.IN_PROGRESS,
                                   start_date=date(2026, 5, 4), end_date=LAST_DAY)


def _says_last_day(message: str) -> None:
    assert "最后一天为2026-05-08" in message and "last day was 2026-05-08" in message, message


def test_the_last_day_still_takes_a_trainee_the_day_after_does_not(training, institution_user) -> None:
    with frozen_at(LAST_DAY):
        enrol_person(institution_user, training, id_number=number(1), name="覃一", category="other")
    with frozen_at(DAY_AFTER), pytest.raises(ValidationError) as refused:
        enrol_person(institution_user, training, id_number=number(2), name="覃二", category="other")
    assert refused.value.code == "after_last_day"
    _says_last_day(refused.value.messages[0])
    assert list(Enrolment.objects.filter(training_class=training).values_list("person__name", flat=True)) == ["覃一"]


def test_an_enrolment_dated_after_the_last_day_is_refused_even_while_the_class_runs(training,
                                                                                    institution_user) -> None:
    with frozen_at(date(2026, 5, 5)), pytest.raises(ValidationError) as refused:
        enrol_person(institution_user, training, id_number=number(3), name="覃三", category="other",
                     enrolled_on=DAY_AFTER)
    assert refused.value.code == "after_last_day"
    assert not Enrolment.objects.filter(training_class=training).exists()


def test_the_page_refuses_with_the_reason_and_offers_no_form(training, institution_user, login) -> None:
    client = login(Client(), institution_user)
    with frozen_at(LAST_DAY):
        assert 'data-testid="enrol-form"' in client.get(f"/classes/{training.pk}/roster/").content.decode()
    with frozen_at(DAY_AFTER):
        assert 'data-testid="enrol-form"' not in client.get(f"/classes/{training.pk}/roster/").content.decode()
        answer = client.post(f"/classes/{training.pk}/enrol/", {"name": "覃四", "id_number": number(4),
                                                                "category": "other"}, follow=True)
    assert answer.status_code == 200
    # The service says it in both languages (the API carries both); the Chinese page shows its half only.
    page = answer.content.decode()
    assert "最后一天为2026-05-08" in page and "last day was" not in page
    assert not Enrolment.objects.filter(training_class=training).exists()


def test_a_roster_is_neither_received_nor_applied_after_the_last_day(training, institution_user) -> None:
    data = roster_xlsx([("覃五", number(5), None, "其他", None)])
    with frozen_at(DAY_AFTER), pytest.raises(ValidationError) as refused:
        receive_roster(institution_user, training, "名册.xlsx", data)
    _says_last_day(refused.value.messages[0])
    with frozen_at(LAST_DAY):
        job = receive_roster(institution_user, training, "名册.xlsx", data)
    assert job.status == ImportStatus.VALIDATED and job.good_count == 1
    with frozen_at(DAY_AFTER), pytest.raises(ValidationError) as late:
        apply_roster(institution_user, job)
    assert late.value.code == "after_last_day"
    assert not Enrolment.objects.filter(training_class=training).exists()


def test_the_api_answers_422_naming_the_last_day(training, institution_user) -> None:
    api = Api(institution_user)
    with frozen_at(DAY_AFTER):
        answer = api.post(f"/classes/{training.pk}/enrolments", {"id_number": number(6), "name": "覃六",
                                                                 "category": "other"})
        upload = api.upload(f"/classes/{training.pk}/roster", "名册.xlsx",
                            roster_xlsx([("覃七", number(7), None, "其他", None)]))
        check = api.post(f"/classes/{training.pk}/enrolments/check", {"id_number": number(8), "name": "覃八",
                                                                      "category": "other"})
    assert answer.status_code == 422, answer.json()
    body = answer.json()
    assert body["code"] == "after_last_day"
    assert "2026-05-08" in body["message_zh"] and "2026-05-08" in body["message_en"]
    assert (upload.status_code, upload.json()["code"]) == (422, "after_last_day")
    assert (check.status_code, check.json()["code"]) == (422, "after_last_day")
    assert not Enrolment.objects.filter(training_class=training).exists()


def test_a_roster_checked_before_the_last_day_is_not_applied_through_the_api_after_it(training,
                                                                                        institution_user) -> None:
    with frozen_at(LAST_DAY):
        job = receive_roster(institution_user, training, "名册.xlsx",
                             roster_xlsx([("覃九", number(9), None, "其他", None)]))
    with frozen_at(DAY_AFTER):
        answer = Api(institution_user).post(f"/imports/{job.pk}/apply")
    assert (answer.status_code, answer.json()["code"]) == (422, "after_last_day")
    _says_last_day(answer.json()["message_zh"] + " / " + answer.json()["message_en"])
    assert not Enrolment.objects.filter(training_class=training).exists()
