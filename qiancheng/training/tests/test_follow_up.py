"""Follow-up after a class (1e): employment status at 3, 6 and 12 months, recorded by the institution, the city or
the trainee, from the checkpoint's due day on; the share employed per class, institution, occupation and city;
shown on the lifelong record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from qiancheng.accounts.models import AuditEntry, Role, User
from qiancheng.accounts.services import issue_api_token
from qiancheng.accounts.tests.second_factor_support import pass_second_factor
from qiancheng.clock import frozen_at
from qiancheng.portal.lifelong_record import own_record
from qiancheng.training.follow_up_models import EmploymentFollowUp, EmploymentStatus, RecorderRole
from qiancheng.training.services import follow_up
from qiancheng.training.services.follow_up import FollowUpInput
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 1)  # the class ended 2025-09-30: 3 months due 2025-12-30, 6 months 2026-03-30


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with frozen_at(TODAY):
        yield


def bearer(user: User) -> dict[str, str]:
    second = pass_second_factor(user) if user.role.endswith("official") else None
    raw, _ = issue_api_token(user, second_factor=second)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def finished(persona_institution, persona_person):
    training = builders.training_class(institution=persona_institution, city=persona_institution.city)
    mine = builders.enrolment(training, persona_person)
    other = builders.enrolment(training, builders.person(name="周二"))
    return training, mine, other


def test_the_due_day_is_the_last_day_plus_the_months_at_month_end_too() -> None:
    assert follow_up.checkpoint_due(date(2025, 9, 30), 3) == date(2025, 12, 30)
    assert follow_up.checkpoint_due(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert follow_up.checkpoint_due(date(2025, 8, 31), 12) == date(2026, 8, 31)


def test_the_institution_records_in_bulk_and_the_shares_follow(finished, institution_user) -> None:
    training, mine, other = finished
    changed = follow_up.record_follow_ups(institution_user, training, [
        FollowUpInput(mine.pk, 3, EmploymentStatus.EMPLOYED, "南宁某养老院"),
        FollowUpInput(other.pk, 3, EmploymentStatus.UNREACHABLE)])
    assert changed == 2
    for by in ("class", "institution", "occupation", "city"):
        [share] = follow_up.employment_shares(by, 3)
        # the unreachable trainee counts in the denominator: 1 employed of 2 recorded
        assert (share.recorded, share.employed, share.share) == (2, 1, Decimal("0.5000"))
    assert follow_up.employment_shares("class", 6) == []
    # recorded again the same: nothing changes; changed: replaced, the audit keeps the before
    assert follow_up.record_follow_ups(institution_user, training, [
        FollowUpInput(mine.pk, 3, EmploymentStatus.EMPLOYED, "南宁某养老院")]) == 0
    follow_up.record_follow_ups(institution_user, training, [FollowUpInput(other.pk, 3, EmploymentStatus.SELF_EMPLOYED)])
    assert follow_up.employment_shares("class", 3)[0].share == Decimal("1.0000")
    updated = AuditEntry.objects.get(action="follow_up.updated")
    assert updated.before["status"] == "unreachable" and updated.after["status"] == "self_employed"


def test_a_checkpoint_not_yet_due_and_a_stranger_are_refused_and_nothing_is_written(finished, institution_user,
                                                                                     liuzhou_official) -> None:
    training, mine, other = finished
    with pytest.raises(follow_up.FollowUpsRefused) as refused:
        follow_up.record_follow_ups(institution_user, training, [
            FollowUpInput(mine.pk, 3, EmploymentStatus.EMPLOYED), FollowUpInput(other.pk, 6, EmploymentStatus.EMPLOYED)])
    assert [(p.row, p.code) for p in refused.value.problems] == [(2, "not_due")]
    assert not EmploymentFollowUp.objects.exists()
    with pytest.raises(PermissionDenied):
        follow_up.record_follow_ups(liuzhou_official, training, [FollowUpInput(mine.pk, 3, EmploymentStatus.EMPLOYED)])


def test_a_trainee_records_their_own_status_only_and_sees_it_on_the_lifelong_record(finished, trainee_user,
                                                                                    login) -> None:
    training, mine, other = finished
    headers = bearer(trainee_user)
    url = f"/api/v1/classes/{training.pk}/follow-ups"
    refused = Client().post(url, {"rows": [{"enrolment_id": other.pk, "months": 3, "status": "employed"}]},
                            content_type="application/json", **headers)
    assert refused.status_code == 422 and refused.json()["details"][0]["code"] == "not_yours"
    saved = Client().post(url, {"rows": [{"enrolment_id": mine.pk, "months": 3, "status": "employed",
                                          "employer": "前程养老"}]}, content_type="application/json", **headers)
    assert saved.status_code == 200 and saved.json() == {"changed": 1}
    assert EmploymentFollowUp.objects.get().recorder_role == RecorderRole.TRAINEE
    assert [(f.months, f.status) for f in own_record(trainee_user).follow_ups] == [(3, "employed")]
    html = login(Client(), trainee_user).get("/me/record/").content.decode()
    assert 'data-testid="record-follow-ups"' in html and "前程养老" in html
    assert Client().get("/api/v1/people/me/record", **headers).json()["follow_ups"][0]["employer"] == "前程养老"


def test_the_class_page_records_in_bulk_and_another_city_gets_404(finished, nanning_official, liuzhou_official,
                                                                  login) -> None:
    training, mine, other = finished
    client = login(Client(), nanning_official)
    page = client.get(f"/classes/{training.pk}/follow-up/")
    assert page.status_code == 200 and 'data-testid="follow-up-form"' in page.content.decode()
    saved = client.post(f"/classes/{training.pk}/follow-up/", {
        "months": "3", "observed_on": "2026-02-01", f"status_{mine.pk}": "employed", f"employer_{mine.pk}": "某厂",
        f"status_{other.pk}": "not_employed"})
    assert saved.status_code == 302
    assert sorted(EmploymentFollowUp.objects.values_list("status", flat=True)) == ["employed", "not_employed"]
    assert EmploymentFollowUp.objects.filter(recorder_role=RecorderRole.CITY).count() == 2
    early = client.post(f"/classes/{training.pk}/follow-up/", {"months": "6", f"status_{mine.pk}": "employed"})
    assert early.status_code == 422 and 'data-testid="follow-up-problems"' in early.content.decode()
    assert login(Client(), liuzhou_official).get(f"/classes/{training.pk}/follow-up/").status_code == 404
    shares = Client().get("/api/v1/classes/follow-up-shares?by=city&months=3", **bearer(nanning_official)).json()
    assert shares == [{"key": training.city_id, "name": training.city.name, "recorded": 2, "employed": 1,
                       "share": "0.5000"}]
    assert Client().get("/api/v1/classes/follow-up-shares?by=city&months=3", **bearer(liuzhou_official)).json() == []
    assert Client().get("/api/v1/classes/follow-up-shares?by=nothing", **bearer(nanning_official)).status_code == 422
    stranger = User.objects.create(username="other-trainee", role=Role.TRAINEE, person=builders.person())
    assert Client().get(f"/api/v1/classes/{training.pk}/follow-ups", **bearer(stranger)).status_code == 404
