"""Matching (1b): a trainee sees the open classes of their reported gap with what they are still entitled to (the
engine's prediction); an enterprise sees only the consenting holders of a matching certificate (withdrawn consent
hides them; never an ID number; each phone reveal audited); a city sees demand without supply, classes without
demand, and the share of demand headcount matched to a class within 90 days. A special-ability item's demand is
answered by classes and certificates of that item."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from qiancheng.accounts.models import AuditEntry, Role, User
from qiancheng.accounts.services import issue_api_token
from qiancheng.accounts.tests.second_factor_support import pass_second_factor
from qiancheng.catalog.models import City, Occupation, SpecialAbilityItem
from qiancheng.clock import frozen_at
from qiancheng.demand import services as demand_services
from qiancheng.demand import worker_services
from qiancheng.demand.models import ConsentScope, DemandReport, Willingness
from qiancheng.demand.tests.support import CARE_WORKER, XINGNING, open_round, report
from qiancheng.evaluation.models import Certificate, CertificateKind
from qiancheng.insight import matching
from qiancheng.training.models import ClassStatus, TrainingType
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 1)
ELECTRICIAN = "4-10-01-06"  # 家政服务员


@pytest.fixture(autouse=True)
def frozen(catalog_loaded: dict[str, int]) -> Iterator[None]:
    with frozen_at(TODAY):
        yield


def bearer(user: User) -> dict[str, str]:
    second = pass_second_factor(user) if user.role.endswith("official") else None
    raw, _ = issue_api_token(user, second_factor=second)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def care_class(institution, city: City, level: int, **fields) -> object:
    values = dict(institution=institution, city=city, occupation=Occupation.objects.get(code=CARE_WORKER), level=level,
                  status=ClassStatus.APPROVED, start_date=date(2026, 4, 1), end_date=date(2026, 5, 30))
    values.update(fields)
    return builders.training_class(**values)


@pytest.fixture
def gaps(trainee_user: User, persona_person, persona_institution) -> dict[str, object]:
    """The persona trained as a level-4 care worker in 2025 (claimed), and now wants levels 3 and 4 in 兴宁区."""
    persona_institution.address = "南宁市兴宁区民族大道1号"
    persona_institution.save()
    past = care_class(persona_institution, persona_institution.city, 4, status=ClassStatus.FINISHED,
                      start_date=date(2025, 5, 1), end_date=date(2025, 6, 30))
    builders.subsidy_claim(builders.enrolment(past, persona_person, enrolled_on=date(2025, 5, 1)), "CLM-MATCH-1")
    for level in (3, 4):
        worker_services.report_worker_need(trainee_user, persona_person, occupation_code=CARE_WORKER, level=level,
                                           county_code=XINGNING, willingness=Willingness.WILLING)
    liuzhou = builders.city("450200", "柳州市")
    other = builders.institution(city=liuzhou, name="柳州技工学校")
    return {
        "near": care_class(persona_institution, persona_institution.city, 3, name="养老护理员三级班（兴宁）"),
        "far": care_class(other, liuzhou, 3, name="养老护理员三级班（柳州）", start_date=date(2026, 3, 10)),
        "used": care_class(persona_institution, persona_institution.city, 4, name="养老护理员四级班"),
        "ended": care_class(persona_institution, persona_institution.city, 3, name="已结束班",
                            start_date=date(2026, 1, 5), end_date=date(2026, 2, 20)),
    }


def test_a_trainee_sees_the_classes_of_their_gap_nearest_first_with_what_they_may_still_claim(
        gaps, trainee_user: User) -> None:
    found = matching.recommendations(trainee_user)
    # one claim in 2025: two trainings left in the programme (3.5b), one this year (3.5a)
    assert found.entitlement.left_in_programme == 2 and found.entitlement.left_this_year == 1
    assert [m.training_class for m in found.entitled_classes] == [gaps["near"], gaps["far"]]
    assert [m.nearness for m in found.entitled_classes] == [matching.SAME_COUNTY, matching.PROVINCE]
    # the level already subsidised is matched but refused by 3.5c; a class already ended is not offered
    [refused] = found.refused_classes
    assert refused.training_class == gaps["used"] and [r.clause for r in refused.refusals] == ["3.5c"]
    assert gaps["ended"] not in {m.training_class for m in found.classes}


def test_an_unwilling_gap_is_not_matched(gaps, trainee_user: User, persona_person) -> None:
    for level in (3, 4):
        worker_services.report_worker_need(trainee_user, persona_person, occupation_code=CARE_WORKER, level=level,
                                           county_code=XINGNING, willingness=Willingness.UNWILLING)
    assert matching.recommendations(trainee_user).classes == []


def test_the_for_me_page_and_api_show_the_same(gaps, trainee_user: User, login) -> None:
    page = login(Client(), trainee_user).get("/insight/for-me/")
    html = page.content.decode()
    assert page.status_code == 200 and "养老护理员三级班（兴宁）" in html and 'data-testid="refused-' in html
    assert "今年还可享受 1 次，累计还可享受 2 次" in html
    answer = Client().get("/api/v1/insight/recommendations", **bearer(trainee_user)).json()
    assert [row["name"] for row in answer["classes"] if row["entitled"]] == ["养老护理员三级班（兴宁）", "养老护理员三级班（柳州）"]
    assert answer["entitlement"]["left_in_programme"] == 2
    assert [r["clause"] for row in answer["classes"] if not row["entitled"] for r in row["refusals"]] == ["3.5c"]


def test_others_do_not_get_recommendations(enterprise_user: User, nanning_official: User) -> None:
    assert Client().get("/api/v1/insight/recommendations", **bearer(enterprise_user)).status_code == 403
    assert Client().get("/api/v1/insight/recommendations", **bearer(nanning_official)).status_code == 403


# ---- an enterprise's candidates ----

def holder(name: str, sequence: int, level: int = 4, phone: str | None = None) -> tuple[object, User]:
    person = builders.person(id_number=builders.id_number(sequence=sequence), name=name, phone=phone)
    Certificate.objects.create(number=f"GX-MATCH-{sequence}", kind=CertificateKind.VOCATIONAL_SKILL_LEVEL,
                               person=person, occupation=Occupation.objects.get(code=CARE_WORKER), level=level,
                               issuer="鉴定中心", issued_on=date(2025, 12, 1))
    user = User.objects.create(username=f"trainee-{sequence}", role=Role.TRAINEE, person=person)
    return person, user


@pytest.fixture
def demand(province_official: User, enterprise_user: User) -> DemandReport:
    census = open_round(province_official)
    result = demand_services.submit_reports(enterprise_user, census, enterprise_user.enterprise, [report()])
    return result.created[0]


@pytest.fixture
def holders() -> dict[str, tuple[object, User]]:
    found = {"profile": holder("王小明", 911), "phone": holder("赵大力", 912, level=3, phone="13812345678"),
             "silent": holder("钱不语", 913), "withdrawn": holder("孙撤回", 914), "lower": holder("周五级", 915, level=5)}
    worker_services.give_consent(found["profile"][1], found["profile"][0], ConsentScope.PROFILE)
    worker_services.give_consent(found["phone"][1], found["phone"][0], ConsentScope.PHONE)
    worker_services.give_consent(found["withdrawn"][1], found["withdrawn"][0], ConsentScope.PHONE)
    worker_services.withdraw_consent(found["withdrawn"][1], found["withdrawn"][0])
    worker_services.give_consent(found["lower"][1], found["lower"][0], ConsentScope.PROFILE)
    return found


def test_an_enterprise_sees_only_consenting_holders_of_the_level_or_higher(demand, holders, enterprise_user) -> None:
    _report, rows = matching.candidates(enterprise_user, demand.pk)
    # the level-3 holder first (higher), then level 4; no one without consent, withdrawn, or below the level
    assert [row.masked_name for row in rows] == ["赵*力", "王*明"]
    assert [row.phone_masked for row in rows] == ["138****5678", ""]
    assert [row.may_reveal_phone for row in rows] == [True, False]


def test_withdrawing_consent_hides_the_person_at_once(demand, holders, enterprise_user) -> None:
    person, user = holders["phone"]
    worker_services.withdraw_consent(user, person)
    _report, rows = matching.candidates(enterprise_user, demand.pk)
    assert [row.masked_name for row in rows] == ["王*明"]
    consent_id = person.contact_consents.get().pk
    with pytest.raises(LookupError):
        matching.reveal_candidate_phone(enterprise_user, demand.pk, consent_id, "联系")


def test_a_phone_is_revealed_only_where_consent_allows_and_each_reveal_is_audited(demand, holders,
                                                                                   enterprise_user) -> None:
    phone_consent = holders["phone"][0].contact_consents.get()
    assert matching.reveal_candidate_phone(enterprise_user, demand.pk, phone_consent.pk, "联系面试") == "13812345678"
    assert AuditEntry.objects.filter(action="person.phone_revealed", actor=enterprise_user,
                                     target_pk=holders["phone"][0].pk).count() == 1
    with pytest.raises(LookupError):
        matching.reveal_candidate_phone(enterprise_user, demand.pk, holders["profile"][0].contact_consents.get().pk, "x")


def test_the_candidates_page_shows_no_id_number_and_another_enterprise_gets_404(demand, holders, enterprise_user,
                                                                                 login) -> None:
    client = login(Client(), enterprise_user)
    html = client.get(f"/insight/candidates/{demand.pk}/").content.decode()
    assert "赵*力" in html and "王*明" in html and "钱" not in html and "孙" not in html
    for person, _user in holders.values():
        assert person.id_number_masked not in html and person.name not in html
    consent = holders["phone"][0].contact_consents.get()
    revealed = client.post(f"/insight/candidates/{demand.pk}/{consent.pk}/phone/", {"reason": "联系"}, follow=True)
    assert "13812345678" in revealed.content.decode()
    other = builders.enterprise(city=builders.city("450200", "柳州市"), name="柳州某企业")
    stranger = User.objects.create(username="liuzhou-enterprise", role=Role.ENTERPRISE, enterprise=other)
    assert login(Client(), stranger).get(f"/insight/candidates/{demand.pk}/").status_code == 404
    api = Client().get(f"/api/v1/insight/demand-reports/{demand.pk}/candidates", **bearer(enterprise_user)).json()
    assert [row["masked_name"] for row in api] == ["赵*力", "王*明"]
    assert all("id_number" not in key and "person" not in key for row in api for key in row)
    assert Client().get(f"/api/v1/insight/demand-reports/{demand.pk}/candidates",
                        **bearer(stranger)).status_code == 404


# ---- the city ----

def test_the_matched_share_counts_demand_headcount_a_class_answers_within_90_days(
        province_official, enterprise_user, persona_institution, nanning_official, login) -> None:
    census = open_round(province_official)
    demand_services.submit_reports(enterprise_user, census, enterprise_user.enterprise, [
        report(headcount=20), report(occupation=ELECTRICIAN, level=4, headcount=10)])
    # a care-worker class starting 90 days after the report answers it; the electricians wait
    answering = care_class(persona_institution, persona_institution.city, 4, start_date=date(2026, 5, 30),
                           end_date=date(2026, 7, 30))
    share = matching.matched_share(nanning_official)
    assert (share.demand, share.matched, share.days, share.share) == (30, 20, 90, Decimal("0.6667"))
    # a day later would be too late
    answering.start_date = date(2026, 5, 31)
    answering.save()
    assert matching.matched_share(nanning_official).matched == 0


def test_the_city_page_shows_demand_without_classes_and_classes_without_demand(
        province_official, enterprise_user, persona_institution, nanning_official, liuzhou_official, login) -> None:
    census = open_round(province_official)
    demand_services.submit_reports(enterprise_user, census, enterprise_user.enterprise, [
        report(headcount=20), report(occupation=ELECTRICIAN, level=4, headcount=10)])
    care_class(persona_institution, persona_institution.city, 4, name="有需求的班")
    idle = care_class(persona_institution, persona_institution.city, 2, name="没有需求的班")
    overview = matching.city_overview(nanning_official)
    assert [r.occupation_id for r in overview.unanswered_reports] == [ELECTRICIAN]
    assert overview.idle_classes == [idle]
    html = login(Client(), nanning_official).get("/insight/matching/").content.decode()
    assert "66.7%" in html and "没有需求的班" in html and 'data-testid="idle-class-' in html
    assert matching.city_overview(liuzhou_official).unanswered_reports == []
    api = Client().get("/api/v1/insight/matching", **bearer(nanning_official)).json()
    assert api["share"]["demand"] == 30 and api["share"]["matched"] == 20
    assert [row["class_id"] for row in api["classes_without_demand"]] == [idle.pk]
    assert Client().get("/api/v1/insight/matching", **bearer(enterprise_user)).status_code == 403
    assert Client().get("/api/v1/insight/matched-share?city_code=450100",
                        **bearer(liuzhou_official)).status_code == 404


# ---- special-ability items (专项职业能力, 3.2) ----

def test_an_item_report_finds_the_consenting_holders_of_that_items_certificate(
        province_official: User, enterprise_user: User, nanning_official: User, persona_institution, login) -> None:
    item, other = SpecialAbilityItem.objects.filter(is_active=True).order_by("code")[:2]
    census = open_round(province_official)
    demand_services.submit_reports(enterprise_user, census, enterprise_user.enterprise, [
        report(occupation=None, level=None, item=item.code, headcount=5)])
    filed = DemandReport.objects.get()
    people = {}
    for sequence, name, certified_item in ((921, "李持证", item), (922, "陈别项", other), (923, "吴未授权", item)):
        person = builders.person(id_number=builders.id_number(sequence=sequence), name=name)
        Certificate.objects.create(number=f"GX-ITEM-{sequence}", kind=CertificateKind.SPECIAL_ABILITY, person=person,
                                   item=certified_item, issuer="鉴定中心", issued_on=date(2025, 12, 1))
        people[name] = (person, User.objects.create(username=f"trainee-{sequence}", role=Role.TRAINEE, person=person))
    for name in ("李持证", "陈别项"):  # the third never consents
        worker_services.give_consent(people[name][1], people[name][0], ConsentScope.PROFILE)
    _report, rows = matching.candidates(enterprise_user, filed.pk)
    assert [(row.masked_name, row.item_code, row.level, row.occupation_name) for row in rows] == [
        ("李*证", item.code, None, item.name)]
    html = login(Client(), enterprise_user).get("/insight/candidates/").content.decode()
    assert item.name in html and f"/insight/candidates/{filed.pk}/" in html
    api = Client().get(f"/api/v1/insight/demand-reports/{filed.pk}/candidates", **bearer(enterprise_user)).json()
    assert [(row["item_code"], row["level"], row["occupation_code"]) for row in api] == [(item.code, None, None)]


def test_an_item_is_answered_only_by_a_class_of_that_item_and_counts_in_the_matched_share(
        province_official: User, enterprise_user: User, nanning_official: User, persona_institution, login) -> None:
    item, other = SpecialAbilityItem.objects.filter(is_active=True).order_by("code")[:2]
    census = open_round(province_official)
    demand_services.submit_reports(enterprise_user, census, enterprise_user.enterprise, [
        report(occupation=None, level=None, item=item.code, headcount=6)])
    filed = DemandReport.objects.get()
    item_class = {"institution": persona_institution, "city": persona_institution.city,
                  "training_type": TrainingType.SPECIAL_ABILITY, "status": ClassStatus.APPROVED,
                  "start_date": date(2026, 4, 1), "end_date": date(2026, 4, 20)}
    unasked = builders.training_class(item=other, name="无人需要的专项班", **item_class)
    overview = matching.city_overview(nanning_official)
    assert overview.unanswered_reports == [filed] and overview.idle_classes == [unasked]
    assert (overview.share.demand, overview.share.matched) == (6, 0)
    answering = builders.training_class(item=item, name="有需求的专项班", **item_class)
    overview = matching.city_overview(nanning_official)
    assert overview.unanswered_reports == [] and overview.idle_classes == [unasked]
    assert (overview.share.demand, overview.share.matched) == (6, 6)
    html = login(Client(), nanning_official).get("/insight/matching/").content.decode()
    assert "无人需要的专项班" in html and "有需求的专项班" not in html and "100.0%" in html
    api = Client().get("/api/v1/insight/matching", **bearer(nanning_official)).json()
    assert [(row["class_id"], row["item_code"], row["level"]) for row in api["classes_without_demand"]] == [
        (unasked.pk, other.code, None)]
    assert answering.item_id == item.code
