"""The worker side of demand: a worker's skill gap (themselves, or their city on their behalf), kept in dated
versions; the consent to be contacted, given and withdrawn by the person alone, each change audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from qiancheng.accounts.models import AuditEntry, User
from qiancheng.accounts.services import issue_api_token
from qiancheng.accounts.tests.second_factor_support import pass_second_factor
from qiancheng.clock import frozen_at
from qiancheng.demand import worker_services
from qiancheng.demand.models import ConsentScope, ContactConsent, ReportedBy, Willingness, WorkerNeed
from qiancheng.demand.tests.support import CARE_WORKER, XINGNING

pytestmark = pytest.mark.django_db
PERSONA_ID_FIRST17 = "45010219950315002"


@pytest.fixture(autouse=True)
def frozen(catalog_loaded: dict[str, int]) -> Iterator[None]:
    with frozen_at(date(2026, 3, 1)):
        yield


def bearer(user: User) -> dict[str, str]:
    second = pass_second_factor(user) if user.role.endswith("official") else None
    raw, _ = issue_api_token(user, second_factor=second)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def need(actor: User, person, level: int = 4, willingness: str = Willingness.WILLING, county: str = XINGNING):
    return worker_services.report_worker_need(actor, person, occupation_code=CARE_WORKER, level=level,
                                              county_code=county, willingness=willingness)


def test_a_gap_reported_again_is_updated_with_a_new_version_and_the_same_again_changes_nothing(
        trainee_user: User, persona_person) -> None:
    first = need(trainee_user, persona_person)
    assert first.created and first.need.reported_by == ReportedBy.SELF
    second = need(trainee_user, persona_person, willingness=Willingness.UNDECIDED)
    assert not second.created and second.changed and second.need.pk == first.need.pk
    assert not need(trainee_user, persona_person, willingness=Willingness.UNDECIDED).changed
    assert [v.willingness for v in first.need.versions.all()] == [Willingness.WILLING, Willingness.UNDECIDED]
    assert AuditEntry.objects.filter(target_model="demand.workerneed").count() == 2


def test_the_city_reports_on_behalf_only_in_its_own_counties(persona_person, nanning_official, liuzhou_official) -> None:
    assert need(nanning_official, persona_person).need.reported_by == ReportedBy.ON_BEHALF
    with pytest.raises(PermissionDenied):
        need(liuzhou_official, persona_person)


def test_a_level_the_occupation_lacks_or_an_unknown_county_is_refused(trainee_user: User, persona_person) -> None:
    with pytest.raises(ValidationError) as refused:
        worker_services.report_worker_need(trainee_user, persona_person, occupation_code="4-10-01-06", level=1,
                                           county_code=XINGNING, willingness=Willingness.WILLING)
    assert refused.value.code == "level_not_in_occupation"
    with pytest.raises(ValidationError) as refused:
        need(trainee_user, persona_person, county="999999")
    assert refused.value.code == "county_unknown"


def test_consent_is_given_changed_and_withdrawn_by_the_person_alone_and_kept_as_history(
        trainee_user: User, persona_person, nanning_official) -> None:
    with pytest.raises(PermissionDenied):
        worker_services.give_consent(nanning_official, persona_person, ConsentScope.PROFILE)
    first = worker_services.give_consent(trainee_user, persona_person, ConsentScope.PROFILE)
    assert worker_services.give_consent(trainee_user, persona_person, ConsentScope.PROFILE) == first
    second = worker_services.give_consent(trainee_user, persona_person, ConsentScope.PHONE)
    first.refresh_from_db()
    assert first.withdrawn_at is not None and worker_services.consent_in_force(persona_person) == second
    worker_services.withdraw_consent(trainee_user, persona_person)
    assert worker_services.consent_in_force(persona_person) is None
    assert ContactConsent.objects.filter(person=persona_person).count() == 2
    assert list(AuditEntry.objects.filter(target_model="demand.contactconsent").values_list("action", flat=True)
                .order_by("seq")) == ["contact_consent.given", "contact_consent.withdrawn", "contact_consent.given",
                                      "contact_consent.withdrawn"]


def test_the_trainee_pages_record_a_gap_and_a_consent(trainee_user: User, persona_person, login) -> None:
    client = login(Client(), trainee_user)
    assert client.get("/demand/my-skills/").status_code == 200
    saved = client.post("/demand/my-skills/", {"occupation": CARE_WORKER, "level": "3", "county": XINGNING,
                                               "willingness": "willing"})
    assert saved.status_code == 302 and WorkerNeed.objects.get(person=persona_person).level == 3
    wrong = client.post("/demand/my-skills/", {"occupation": "0-00-00-00", "level": "3", "county": XINGNING,
                                               "willingness": "willing"})
    assert wrong.status_code == 422 and 'data-testid="error-summary"' in wrong.content.decode()
    client.post("/demand/consent/give/", {"scope": "phone"})
    assert worker_services.consent_in_force(persona_person).scope == ConsentScope.PHONE
    assert 'data-testid="consent-current"' in client.get("/demand/consent/").content.decode()
    client.post("/demand/consent/withdraw/")
    assert worker_services.consent_in_force(persona_person) is None


def test_the_api_reports_gaps_and_consent_in_scope(trainee_user: User, persona_person, nanning_official,
                                                   liuzhou_official, enterprise_user) -> None:
    from qiancheng.people.identity import id_number_check_character

    body = {"occupation_code": CARE_WORKER, "level": 4, "county_code": XINGNING, "willingness": "willing"}
    assert Client().post("/api/v1/demand/worker-needs", body, content_type="application/json",
                         **bearer(trainee_user)).status_code == 201
    id_number = PERSONA_ID_FIRST17 + id_number_check_character(PERSONA_ID_FIRST17)
    on_behalf = Client().post("/api/v1/demand/worker-needs", {**body, "level": 3, "id_number": id_number},
                              content_type="application/json", **bearer(nanning_official))
    assert on_behalf.status_code == 201 and on_behalf.json()["need"]["reported_by"] == "on_behalf"
    assert id_number not in on_behalf.content.decode()
    assert Client().post("/api/v1/demand/worker-needs", {**body, "id_number": id_number},
                         content_type="application/json", **bearer(liuzhou_official)).status_code == 403
    assert len(Client().get("/api/v1/demand/worker-needs", **bearer(nanning_official)).json()) == 2
    assert Client().get("/api/v1/demand/worker-needs", **bearer(liuzhou_official)).json() == []
    given = Client().post("/api/v1/demand/consent", {"scope": "profile"}, content_type="application/json",
                          **bearer(trainee_user))
    assert given.status_code == 200 and given.json()["in_force"]["scope"] == "profile"
    assert Client().post("/api/v1/demand/consent", {"scope": "everything"}, content_type="application/json",
                         **bearer(trainee_user)).status_code == 422
    assert Client().post("/api/v1/demand/consent", {"scope": "profile"}, content_type="application/json",
                         **bearer(enterprise_user)).status_code == 403
    withdrawn = Client().post("/api/v1/demand/consent/withdraw", **bearer(trainee_user)).json()
    assert withdrawn["in_force"] is None and withdrawn["history"][0]["withdrawn_at"]
