"""A park's operating company (4.1): appointed by the park's city, it reports demand for the park, reads its
enterprises' demand, and its page lists the park's reports, projects and confirmations; others get 404."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from qiancheng.accounts.models import AuditEntry, Role, User
from qiancheng.accounts.scope import scoped
from qiancheng.catalog.models import City, IndustrialPark
from qiancheng.demand import services
from qiancheng.demand.models import DemandReport, Enterprise, EnterpriseStatus, RoundScope
from qiancheng.demand.parks import appoint_park_operator, operates
from qiancheng.demand.tests.support import open_round, report, valid_uscc
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def park(catalog_loaded) -> IndustrialPark:
    return IndustrialPark.objects.create(code="nanning_port", name="南宁临空产业园", city=City.objects.get(code="450100"),
                                         is_confirmed=True, source_document="桂政函〔2026〕1号")


def _enterprise(park: IndustrialPark, number: int, status: str = EnterpriseStatus.APPROVED) -> Enterprise:
    return Enterprise.objects.create(name=f"园区企业{number}", uscc=valid_uscc(number), city=park.city, park=park,
                                     status=status)


def _login_of(enterprise: Enterprise) -> User:
    return User.objects.create(username=f"e{enterprise.pk}", role=Role.ENTERPRISE, enterprise=enterprise)


def test_the_parks_city_appoints_its_operator_and_a_second_appointment_moves_it(park, nanning_official):
    first, second = _enterprise(park, 1), _enterprise(park, 2)
    appoint_park_operator(nanning_official, park, first)
    assert operates(_login_of(first), park)
    appoint_park_operator(nanning_official, park, second)
    assert list(Enterprise.objects.filter(park=park, is_park_operator=True)) == [second]
    actions = list(AuditEntry.objects.filter(action__startswith="park.operator").values_list("action", flat=True))
    assert actions == ["park.operator_appointed", "park.operator_removed", "park.operator_appointed"]


def test_another_city_may_not_appoint_and_only_an_approved_enterprise_of_the_park_may_be(park, liuzhou_official,
                                                                                      nanning_official):
    with pytest.raises(PermissionDenied):
        appoint_park_operator(liuzhou_official, park, _enterprise(park, 3))
    with pytest.raises(ValidationError, match="尚未通过审核"):
        appoint_park_operator(nanning_official, park, _enterprise(park, 4, EnterpriseStatus.APPLIED))
    outside = Enterprise.objects.create(name="园区外企业", uscc=valid_uscc(5), city=park.city,
                                        status=EnterpriseStatus.APPROVED)
    with pytest.raises(ValidationError, match="不在本园区"):
        appoint_park_operator(nanning_official, park, outside)


def test_the_operator_reports_for_the_park_and_reads_its_enterprises_demand(park, nanning_official):
    operator, member, other = _enterprise(park, 6), _enterprise(park, 7), _enterprise(park, 8)
    appoint_park_operator(nanning_official, park, operator)
    census = open_round(nanning_official, scope=RoundScope.PARK, park=park)
    services.submit_reports(_login_of(operator), census, operator, [report(headcount=30)])
    member_login = _login_of(member)
    services.submit_reports(member_login, census, member, [report(headcount=5)])
    operator_login = User.objects.get(enterprise=operator)
    assert sorted(scoped(DemandReport, operator_login).values_list("headcount", flat=True)) == [5, 30]
    # an enterprise of the park that does not operate it sees its own demand only
    assert list(scoped(DemandReport, member_login).values_list("headcount", flat=True)) == [5]
    assert not scoped(DemandReport, _login_of(other)).exists()


def test_the_park_page_lists_reports_projects_and_confirmations(client: Client, login, park, nanning_official,
                                                                  liuzhou_official):
    operator, member = _enterprise(park, 9), _enterprise(park, 10)
    appoint_park_operator(nanning_official, park, operator)
    census = open_round(nanning_official, scope=RoundScope.PARK, park=park)
    services.submit_reports(_login_of(member), census, member, [report(headcount=12)])
    builders.project(applicant=operator, city=park.city, title="园区物流项目")
    operator_login = _login_of(operator)
    login(client, operator_login)
    page = client.get(f"/projects/parks/{park.code}/").content.decode()
    assert "园区物流项目" in page and "园区企业10" in page and 'data-testid="park-operator-note"' in page
    login(client, User.objects.get(enterprise=member))
    assert client.get(f"/projects/parks/{park.code}/").status_code == 404
    login(client, liuzhou_official)
    assert client.get(f"/projects/parks/{park.code}/").status_code == 404
    login(client, nanning_official)
    assert client.post(f"/projects/parks/{park.code}/operator/", {"enterprise": member.pk}).status_code == 302
    assert Enterprise.objects.get(pk=member.pk).is_park_operator


def test_the_api_appoints_an_operator_in_scope(client: Client, park, nanning_official, liuzhou_official):
    from qiancheng.accounts.services import issue_api_token
    from qiancheng.accounts.tests.second_factor_support import pass_second_factor

    def bearer(user: User) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user, second_factor=pass_second_factor(user))[0]}"}

    member = _enterprise(park, 11)
    url = f"/api/v1/demand/parks/{park.code}/operator"
    assert client.post(url, {"enterprise_id": member.pk}, content_type="application/json",
                       **bearer(liuzhou_official)).status_code == 404
    made = client.post(url, {"enterprise_id": member.pk}, content_type="application/json", **bearer(nanning_official))
    assert made.status_code == 200 and Enterprise.objects.get(pk=member.pk).is_park_operator
    again = client.post(url, {"enterprise_id": member.pk}, content_type="application/json", **bearer(nanning_official))
    assert again.status_code == 422 and again.json()["code"] == "already_operator"
