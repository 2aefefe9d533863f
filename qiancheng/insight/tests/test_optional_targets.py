"""The province's optional targets per training type or programme (1a): set with a document from a day, never edited
(a newer entry supersedes an older one), and the year's progress against them — every figure on the progress page
and in the API equal to a count made here from the claims, and the expected and projected figures worked out by hand."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qiancheng.accounts.models import AuditEntry, Role, User
from qiancheng.accounts.services import issue_api_token
from qiancheng.accounts.tests.second_factor_support import pass_second_factor
from qiancheng.catalog.models import City, ProgrammeTag
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.clock import frozen_at
from qiancheng.funding.models import ClaimStatus, SubsidyClaim
from qiancheng.insight import optional_targets, statistics
from qiancheng.insight.optional_target_models import OptionalTarget
from qiancheng.insight.optional_targets import Refused, set_optional_target
from qiancheng.insight.tests.records import refreshed
from qiancheng.people.models import PersonCategory
from qiancheng.training.models import TrainingClass
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 7, 2)  # day 183 of 365
DOC = "桂人社发〔2026〕8号"
PROVINCE = statistics.Scope(Role.PROVINCE_OFFICIAL)
_serial = itertools.count(1)


def _class(city: City, end: dt.date, tags: tuple[ProgrammeTag, ...] = (), *, special: bool = False) -> TrainingClass:
    subject: dict[str, Any] = ({"training_type": TrainingType.SPECIAL_ABILITY, "item": builders.item(), "level": None}
                               if special else {})
    training = builders.training_class(city=city, institution=builders.institution(city=city), end_date=end,
                                       start_date=end - dt.timedelta(days=20), **subject)
    training.programme_tags.set(tags)
    return training


def _claim(training: TrainingClass, *, status: str = ClaimStatus.PENDING, eligible: bool = True) -> SubsidyClaim:
    category = PersonCategory.RURAL_MIGRANT_WORKER
    enrolment = builders.enrolment(training, builders.person(category=category), category=category)
    money = Decimal("1000.00") if eligible else Decimal("0.00")
    extra = {"item": training.item} if training.item_id else {}
    return builders.subsidy_claim(
        enrolment, f"OT{next(_serial):07d}", status=status, eligible=eligible, training_amount=money,
        employment_amount=Decimal("0.00"), total_amount=money, decided_at=timezone.now(),
        denied_by="" if eligible else "3.5a", **extra)


@pytest.fixture
def world(nanning_official: User, liuzhou_official: User) -> dict[str, ProgrammeTag]:
    ai = ProgrammeTag.objects.get_or_create(code="ai", defaults={
        "name": "人工智能技能人才专项培训", "name_en": "Artificial intelligence", "clause": "4.2", "sort_order": 0})[0]
    manufacturing = ProgrammeTag.objects.get_or_create(code="advanced_manufacturing", defaults={
        "name": "先进制造技能人才专项培训", "name_en": "Advanced manufacturing", "clause": "4.3", "sort_order": 1})[0]
    nanning, liuzhou = nanning_official.city, liuzhou_official.city
    march = _class(nanning, dt.date(2026, 3, 31), (ai,))
    for _ in range(3):
        _claim(march)
    _claim(march, eligible=False)  # denied by the engine: not a training
    _claim(march, status=ClaimStatus.WITHDRAWN)  # withdrawn: not counted
    may = _class(liuzhou, dt.date(2026, 5, 31), (ai, manufacturing))
    _claim(may, status=ClaimStatus.PAID)
    _claim(may, status=ClaimStatus.APPROVED)
    items = _class(liuzhou, dt.date(2026, 5, 15), special=True)
    _claim(items)
    _claim(items, status=ClaimStatus.REJECTED)  # rejected: not counted
    _claim(_class(nanning, dt.date(2025, 12, 31), (ai,)))  # another year
    refreshed()
    return {"ai": ai, "advanced_manufacturing": manufacturing}


def independent(year: int = 2026, *, training_type: str | None = None, tag: str | None = None) -> int:
    """Trainings (人次) of the year by docs/statistics.md, counted claim by claim here: a pending, approved or paid
    claim the engine found eligible, in the year of its end date; of the type on the claim, or of a class tagged."""
    counted = 0
    for claim in SubsidyClaim.objects.select_related("enrolment__training_class"):
        if claim.status not in {"pending", "approved", "paid"} or claim.eligible is not True:
            continue
        if claim.end_date.year != year:
            continue
        if training_type is not None and claim.training_type != training_type:
            continue
        if tag is not None and tag not in {each.code for each in claim.enrolment.training_class.programme_tags.all()}:
            continue
        counted += 1
    return counted


def _set(actor: User, **fields: Any) -> OptionalTarget:
    values: dict[str, Any] = {"count": 10, "document": DOC, "valid_from": dt.date(2026, 1, 1)}
    values.update(fields)
    return set_optional_target(actor, values.pop("year", 2026), **values)


def _api(user: User) -> Client:
    with transaction.atomic():
        token, _ = issue_api_token(user, second_factor=pass_second_factor(user)
                                   if user.role in (Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL) else None)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _page_rows(html: str) -> dict[str, dict[str, str]]:
    section = re.search(r'data-testid="optional-targets"(.*?)</table>', html, re.S)
    assert section is not None, html
    rows = re.findall(r'data-testid="optional-([\w-]+)"[^>]*>(.*?)</tr>', section.group(1), re.S)
    return {code: dict(re.findall(r'data-testid="(\w+)">(?:<span class="flag">)?([^<]*)<', body)) for code, body in rows}


def test_progress_per_type_and_programme_equals_a_count_from_the_claims(world, province_official, nanning_official,
                                                                       login) -> None:
    _set(province_official, training_type=TrainingType.OCCUPATIONAL, count=20)
    _set(province_official, training_type=TrainingType.SPECIAL_ABILITY, count=2)
    _set(province_official, programme_tag="ai", count=6)
    _set(province_official, programme_tag="advanced_manufacturing", count=2)
    assert (independent(training_type="occupational"), independent(training_type="special_ability"),
            independent(tag="ai"), independent(tag="advanced_manufacturing")) == (5, 1, 5, 2)
    # On 2 July (day 183 of 365): expected = target × 183/365, projected = achieved × 365/183, both half up.
    #   occupational 20 → 10.03 → 10; 5 achieved → 9.97 → 10; behind (5 < 10)
    #   special ability 2 → 1.00 → 1; 1 achieved → 1.99 → 2; not behind
    #   ai 6 → 3.01 → 3; 5 achieved → 9.97 → 10; not behind
    #   advanced manufacturing 2 → 1; 2 achieved → 3.99 → 4; not behind
    wanted = {"occupational": ("20", "5", "10", "10", "进度落后"), "special_ability": ("2", "1", "1", "2", ""),
              "ai": ("6", "5", "3", "10", ""), "advanced_manufacturing": ("2", "2", "1", "4", "")}
    report = optional_targets.progress(province_official, 2026, DAY)
    assert [row.subject.code for row in report.rows] == list(wanted)  # the types in order, then the programmes
    for row in report.rows:
        counted = (independent(training_type=row.subject.code) if row.subject.kind == optional_targets.TRAINING_TYPE
                   else independent(tag=row.subject.code))
        assert row.achieved == counted
        assert (str(row.target.count), str(row.achieved), str(row.expected), str(row.projected)) == wanted[
            row.subject.code][:4]
    assert [row.subject.code for row in report.behind] == ["occupational"]
    for tag in ("ai", "advanced_manufacturing"):  # the trainings alone are the statistics page's figure
        filters = statistics.Filters(year=2026, programme_tag=tag)
        assert statistics.trainings(PROVINCE, filters) == statistics.summary(PROVINCE, filters).trainings

    with frozen_at(DAY):
        html = login(Client(), province_official).get(reverse("insight:progress"), {"year": 2026}).content.decode()
        city_html = login(Client(), nanning_official).get(reverse("insight:progress"), {"year": 2026}).content.decode()
        api = _api(province_official).get("/api/v1/insight/optional-targets/progress?year=2026").json()
        city_api = _api(nanning_official).get("/api/v1/insight/optional-targets/progress?year=2026").json()
    rows = _page_rows(html)
    for code, (target, achieved, expected, projected, flag) in wanted.items():
        assert rows[code] == {"target": target, "achieved": achieved, "expected": expected,
                              "projected": projected, "flag": flag}, code
    # A city official reads the same table (the province's figures), without the form.
    assert _page_rows(city_html) == rows
    assert 'data-testid="optional-target-form"' in html and 'data-testid="optional-target-form"' not in city_html
    by_subject = {row["training_type"] or row["programme_tag"]: row for row in api["rows"]}
    for code, (target, achieved, expected, projected, _flag) in wanted.items():
        row = by_subject[code]
        assert (row["target"], row["achieved"], row["expected_by_today"], row["projected_year_end"]) == (
            int(target), int(achieved), int(expected), int(projected))
    assert api["behind"] == ["occupational"] and api["as_of"] == DAY.isoformat()
    assert city_api == api


def test_a_newer_entry_supersedes_an_older_one_and_both_are_kept(world, province_official) -> None:
    first = _set(province_official, programme_tag="ai", count=10, valid_from=dt.date(2026, 1, 1))
    second = _set(province_official, programme_tag="ai", count=14, valid_from=dt.date(2026, 6, 1),
                  document="桂人社发〔2026〕21号")
    _set(province_official, programme_tag="ai", count=30, valid_from=dt.date(2026, 8, 1))  # not yet in force
    assert optional_targets.in_force(2026, optional_targets.Subject("programme_tag", "ai"), DAY) == second
    on_day = optional_targets.progress(province_official, 2026, DAY).rows
    assert [(row.target, row.target.count, row.expected) for row in on_day] == [(second, 14, 7)]  # 14 × 183/365
    before = optional_targets.progress(province_official, 2026, dt.date(2026, 5, 31)).rows
    assert [row.target for row in before] == [first]
    year_end = optional_targets.progress(province_official, 2026, dt.date(2027, 3, 1))
    assert year_end.as_of == dt.date(2026, 12, 31) and year_end.rows[0].target.count == 30
    assert year_end.rows[0].projected == independent(tag="ai")  # a year gone by: what was achieved
    # Nothing is edited: every entry is kept, each with its own audit entry naming the one it superseded.
    assert OptionalTarget.objects.filter(programme_tag="ai").count() == 3
    audit = AuditEntry.objects.get(action="optional_target.set", target_pk=str(second.pk))
    assert audit.actor == province_official
    assert audit.after == {"year": 2026, "programme_tag": "ai", "count": 14, "document": "桂人社发〔2026〕21号",
                           "valid_from": "2026-06-01", "replaces": first.pk}
    # The same subject and day twice: refused; a change is a new entry from a later day.
    with pytest.raises(Refused) as twice:
        _set(province_official, programme_tag="ai", count=12, valid_from=dt.date(2026, 6, 1))
    assert twice.value.code == "target_exists" and twice.value.field == "valid_from"
    # A type's target is a subject of its own: the same day is free for it.
    assert _set(province_official, training_type=TrainingType.PROJECT, valid_from=dt.date(2026, 6, 1)).pk


@pytest.mark.parametrize(("fields", "field", "code"), [
    ({"year": 2024}, "year", "year_outside_plan"),
    ({"year": "2026"}, "year", "year_outside_plan"),
    ({}, "training_type", "one_subject"),
    ({"training_type": "occupational", "programme_tag": "ai"}, "training_type", "one_subject"),
    ({"training_type": "driving"}, "training_type", "training_type_unknown"),
    ({"programme_tag": "no-such-tag"}, "programme_tag", "programme_tag_unknown"),
    ({"programme_tag": "ai", "count": 0}, "count", "bad_count"),
    ({"programme_tag": "ai", "count": True}, "count", "bad_count"),
    ({"programme_tag": "ai", "count": "12"}, "count", "bad_count"),
    ({"programme_tag": "ai", "count": 210_001}, "count", "above_province"),  # the plan's 210,000 for 2026
    ({"programme_tag": "ai", "document": "  "}, "document", "document_missing"),
    ({"programme_tag": "ai", "valid_from": dt.date(2024, 12, 31)}, "valid_from", "bad_valid_from"),
    ({"programme_tag": "ai", "valid_from": dt.date(2027, 1, 1)}, "valid_from", "bad_valid_from"),
    ({"programme_tag": "ai", "valid_from": "2026-01-01"}, "valid_from", "bad_valid_from"),
])
def test_a_refused_entry_names_its_field_and_records_nothing(world, province_official, fields, field, code) -> None:
    with pytest.raises(Refused) as refused:
        _set(province_official, **fields)
    assert (refused.value.field, refused.value.code) == (field, code)
    zh, en = refused.value.messages[0].split(" / ", 1)
    assert f"（{field}）" in zh or field in zh, zh
    assert field in en, en
    assert not OptionalTarget.objects.exists() and not AuditEntry.objects.filter(action="optional_target.set").exists()


def test_only_the_province_sets_and_only_officials_read(world, nanning_official, institution_user) -> None:
    with pytest.raises(PermissionDenied):
        _set(nanning_official, programme_tag="ai")
    with pytest.raises(optional_targets.NotAReader):
        optional_targets.progress(institution_user, 2026)
    assert not OptionalTarget.objects.exists()


def test_the_api_sets_reads_and_refuses_in_the_problem_shape(world, province_official, nanning_official,
                                                            institution_user) -> None:
    province = _api(province_official)
    made = province.post("/api/v1/insight/optional-targets", {
        "year": 2026, "programme_tag": "ai", "count": 8, "document": DOC, "valid_from": "2026-02-01"},
        content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["programme_tag"] == "ai" and made.json()["training_type"] is None
    entry = OptionalTarget.objects.get()
    assert (entry.count, entry.valid_from, entry.set_by) == (8, dt.date(2026, 2, 1), province_official)
    assert AuditEntry.objects.filter(action="optional_target.set", target_pk=str(entry.pk)).exists()
    listed = _api(nanning_official).get("/api/v1/insight/optional-targets?year=2026")
    assert listed.status_code == 200 and [row["id"] for row in listed.json()] == [entry.pk]
    # Bad input: a 4xx naming the field in Chinese and English, never a 500.
    for body, field in (({"year": 2026, "programme_tag": "ai", "count": "many", "document": DOC,
                          "valid_from": "2026-02-02"}, "count"),
                        ({"year": 2026, "programme_tag": "ai", "count": 8, "document": DOC,
                          "valid_from": "2026-13-01"}, "valid_from"),
                        ({"year": 2026, "programme_tag": "ai", "count": 8, "document": DOC,
                          "valid_from": ["2026-02-02"]}, "valid_from"),
                        ({"year": None, "programme_tag": "ai", "count": 8, "document": DOC}, "year"),
                        ({"year": 2026, "training_type": "driving", "count": 8, "document": DOC,
                          "valid_from": "2026-02-02"}, "training_type"),
                        ({"year": 2026, "programme_tag": {"code": "ai"}, "count": 8, "document": DOC,
                          "valid_from": "2026-02-02"}, "programme_tag"),
                        ({"year": 2026, "programme_tag": "ai", "count": 8, "document": 5,
                          "valid_from": "2026-02-02"}, "document")):
        answer = province.post("/api/v1/insight/optional-targets", body, content_type="application/json")
        assert answer.status_code == 422, (body, answer.content)
        problem = answer.json()
        assert set(problem) == {"code", "message_zh", "message_en", "details"}
        assert problem["details"] == [{"field": field}]
        assert field in problem["message_en"] and field in problem["message_zh"], problem
    assert OptionalTarget.objects.count() == 1
    assert province.get("/api/v1/insight/optional-targets/progress?year=2024").status_code == 422
    # Scope: a city reads but does not set; every other role is refused, in the problem shape.
    city = _api(nanning_official).post("/api/v1/insight/optional-targets", {
        "year": 2026, "programme_tag": "ai", "count": 8, "document": DOC, "valid_from": "2026-03-01"},
        content_type="application/json")
    assert city.status_code == 403 and city.json()["code"] == "forbidden"
    outsider = _api(institution_user)
    for answer in (outsider.get("/api/v1/insight/optional-targets"),
                   outsider.get("/api/v1/insight/optional-targets/progress"),
                   outsider.post("/api/v1/insight/optional-targets", {"year": 2026}, content_type="application/json")):
        assert answer.status_code == 403
        assert set(answer.json()) >= {"code", "message_zh", "message_en"}
    assert OptionalTarget.objects.count() == 1


def test_the_openapi_document_describes_the_operations() -> None:
    from qiancheng.api import api

    paths = api.get_openapi_schema()["paths"]
    assert set(paths["/api/v1/insight/optional-targets"]) == {"get", "post"}
    assert "get" in paths["/api/v1/insight/optional-targets/progress"]


def test_the_page_checks_before_it_records_and_then_shows_the_entry(world, province_official, nanning_official,
                                                                   login) -> None:
    client = login(Client(), province_official)
    form = {"year": "2026", "subject": "programme_tag:ai", "count": "12", "valid_from": "2026-03-01",
            "document": DOC}
    _set(province_official, programme_tag="ai", count=10, valid_from=dt.date(2026, 1, 1))
    with frozen_at(DAY):
        check = client.post(reverse("insight:optional_target_check"), form)
        assert check.status_code == 200
        html = check.content.decode()
        # What it will do: the subject, the count, and the target it supersedes; nothing recorded yet.
        assert re.search(r'data-testid="check-subject">人工智能技能人才专项培训<', html)
        assert re.search(r'data-testid="check-count">12<', html)
        assert "取代现行目标10人次" in html and 'data-testid="confirm-optional-target"' in html
        assert OptionalTarget.objects.count() == 1
        done = client.post(reverse("insight:optional_target_set"), form, follow=True)
        assert done.status_code == 200
        assert OptionalTarget.objects.filter(programme_tag="ai", count=12, valid_from=dt.date(2026, 3, 1)).exists()
        assert _page_rows(done.content.decode())["ai"]["target"] == "12"
        # The same again: refused in one language, nothing more recorded.
        again = client.post(reverse("insight:optional_target_set"), form, follow=True).content.decode()
        assert "已有记录" in again and OptionalTarget.objects.count() == 2
        # A bad field is named on the page; a city official may not reach either step.
        bad = client.post(reverse("insight:optional_target_check"), {**form, "count": "0"}, follow=True)
        assert "目标人次" in bad.content.decode() and OptionalTarget.objects.count() == 2
        city = login(Client(), nanning_official)
        assert city.post(reverse("insight:optional_target_check"), form).status_code == 403
        assert city.post(reverse("insight:optional_target_set"), form).status_code == 403
    assert OptionalTarget.objects.count() == 2


def test_the_page_in_english(world, province_official, login) -> None:
    _set(province_official, programme_tag="ai", count=6)
    _set(province_official, training_type=TrainingType.OCCUPATIONAL, count=20)
    client = login(Client(), province_official)
    client.cookies["django_language"] = "en"
    with frozen_at(DAY):
        html = client.get(reverse("insight:progress"), {"year": 2026}).content.decode()
    section = re.search(r'data-testid="optional-targets"(.*?)</section>', html, re.S).group(1)
    assert "Artificial intelligence" in section
    text = re.sub(r"<[^>]+>", " ", section)
    text = text.replace(DOC, "")
    assert not re.search(r"[\u4e00-\u9fff]", text), text
