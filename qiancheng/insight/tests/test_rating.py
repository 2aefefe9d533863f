"""Star ratings (1c, docs/star-rating.md): small institutions are shrunk toward the city's mean, a snapshot is
explained and reproduced, the command is idempotent, each reader sees its scope, the public formula page speaks
Chinese and English, and the API validates its input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from qiancheng.accounts.models import AuditEntry
from qiancheng.clock import frozen_at
from qiancheng.insight import rating
from qiancheng.insight.models import RatingSnapshot
from qiancheng.insight.services import explain, rate_month, recompute, snapshot_in_force
from qiancheng.insight.tests.rating_records import rated_class
from qiancheng.insight.tests.test_api import Api
from qiancheng.providers.models import Institution
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 7, 2)
MONTH = "2026-06"


@pytest.fixture
def nanning_world(db: None) -> dict[str, Institution]:
    """Three 南宁 institutions: 3 trainees and 300 trainees with the same perfect rates, and 300 trainees at half."""
    nanning = builders.city()
    small, large, middling = (builders.institution(city=nanning) for _ in range(3))
    rated_class(small, 3, passed=3, completed=3, attended=3)
    rated_class(large, 300, passed=300, completed=300, attended=300)
    rated_class(middling, 300, passed=150, completed=300, attended=150)
    return {"small": small, "large": large, "middling": middling}


def test_same_rates_different_sizes_get_different_stars_the_small_one_nearer_the_city_mean(nanning_world) -> None:
    with frozen_at(DAY):
        run = rate_month(None, MONTH)
    assert run.written == 3 and run.rating_day == dt.date(2026, 6, 30)
    small = RatingSnapshot.objects.get(institution=nanning_world["small"])
    large = RatingSnapshot.objects.get(institution=nanning_world["large"])
    assert small.inputs["pass_rate" and "passed"] == 3 and large.inputs["passed"] == 300
    # The same raw rates ...
    for name in rating.COMPONENTS[:1] + rating.COMPONENTS[2:]:
        assert explain(small).components[name]["rate"] == explain(large).components[name]["rate"] == "1.0000"
    # ... but the small one is pulled toward the city's pooled rate, (n·rate + k·city)/(n + k), so fewer stars.
    city_pass = Fraction(3 + 300 + 150, 603)
    assert small.inputs["city_rates"]["pass_rate"] == rating.rate_text(city_pass)
    k = rating.parameters_on(DAY).prior_strength
    city = Fraction(Decimal(small.inputs["city_rates"]["pass_rate"]))
    assert explain(small).components["pass_rate"]["shrunk"] == rating.rate_text((3 + k * city) / (3 + k))
    assert large.stars == 5 and small.stars < large.stars
    city_score = 100 * sum(Fraction(Decimal(w)) * Fraction(Decimal(small.inputs["city_rates"][name]))
                           for name, w in small.parameters["weights"].items() if name != "employment_rate") \
        / sum(Fraction(Decimal(w)) for name, w in small.parameters["weights"].items() if name != "employment_rate")
    assert abs(Fraction(small.score) - city_score) < abs(Fraction(large.score) - city_score)
    # The copy the profile and project pages show follows the snapshot.
    assert Institution.objects.get(pk=nanning_world["small"].pk).star_rating == small.stars


def test_a_snapshot_is_explained_and_reproduced(nanning_world) -> None:
    with frozen_at(DAY):
        rate_month(None, MONTH)
        for snapshot in RatingSnapshot.objects.all():
            again = recompute(snapshot)
            assert again is not None
            assert (again.result.score, again.result.stars, again.inputs) == (
                snapshot.score, snapshot.stars, snapshot.inputs)
            assert (explain(snapshot).score, explain(snapshot).stars) == (snapshot.score, snapshot.stars)
            assert snapshot.parameters == rating.parameters_on(snapshot.rating_day).as_json()
            assert snapshot_in_force(snapshot.institution_id, DAY) == snapshot
            assert snapshot_in_force(snapshot.institution_id, dt.date(2026, 6, 29)) is None


def test_the_command_is_idempotent_and_audited(nanning_world) -> None:
    out = StringIO()
    with frozen_at(DAY):
        call_command("rate", month=[MONTH], stdout=out)
        first = list(RatingSnapshot.objects.order_by("pk").values_list("pk", "stars", "score"))
        audited = AuditEntry.objects.filter(action="rating.computed").count()
        call_command("rate", month=[MONTH], stdout=out)
    assert "written 3" in out.getvalue() and "written 0, already rated 3" in out.getvalue()
    assert list(RatingSnapshot.objects.order_by("pk").values_list("pk", "stars", "score")) == first
    assert audited == 3 == AuditEntry.objects.filter(action="rating.computed").count()


def test_a_listing_caps_the_stars(nanning_world, nanning_official) -> None:
    from qiancheng.sanctions.services import list_institution

    with frozen_at(dt.date(2026, 6, 10)):
        list_institution(nanning_official, nanning_world["large"], "虚报培训人数", "桂人社罚〔2026〕1号")
    with frozen_at(DAY):
        rate_month(None, MONTH)
    large = RatingSnapshot.objects.get(institution=nanning_world["large"])
    assert large.inputs["listings_in_window"] == 1 and large.stars == 1


@pytest.mark.parametrize("month", ["2026-08", "2024-12", "2026-13", "June"])
def test_a_month_outside_the_ratings_is_refused(db: None, month: str) -> None:
    with frozen_at(DAY), pytest.raises(rating.RatingRefused):
        rate_month(None, month)


def test_each_reader_sees_its_scope(nanning_world, province_official, nanning_official, liuzhou_official,
                                    login) -> None:
    with frozen_at(DAY):
        rate_month(None, MONTH)
    small = RatingSnapshot.objects.get(institution=nanning_world["small"])
    from qiancheng.accounts.models import Role, User

    own = User.objects.create_user(username="small-school", password="x", role=Role.INSTITUTION,
                                   institution=nanning_world["small"])
    assert [row["id"] for row in Api(own).get("/ratings").json()] == [small.pk]
    assert len(Api(nanning_official).get("/ratings").json()) == 3
    assert Api(liuzhou_official).get("/ratings").json() == []
    assert Api(liuzhou_official).get(f"/ratings/{small.pk}").status_code == 404
    assert len(Api(province_official).get(f"/ratings?month={MONTH}&stars=5").json()) == 1
    body = Api(nanning_official).get(f"/ratings/{small.pk}").json()
    assert body["inputs"]["enrolled"] == 3 and body["components"]["pass_rate"]["rate"] == "1.0000"
    page = login(Client(), own).get("/insight/rating/")
    assert page.status_code == 200 and 'data-testid="own-stars"' in page.content.decode()
    assert login(Client(), liuzhou_official).get(f"/insight/rating/{small.pk}/").status_code == 404
    detail = login(Client(), nanning_official).get(f"/insight/rating/{small.pk}/")
    assert detail.status_code == 200 and str(small.score) in detail.content.decode()


@pytest.mark.parametrize("query", ["month=2026-6", "month=x' OR 1=1", "stars=6", "stars=0", "institution_id=-1",
                                   "city_code=4501000", "limit=0", "offset=-1"])
def test_bad_filters_are_422(province_official, query: str) -> None:
    response = Api(province_official).get(f"/ratings?{query}")
    assert response.status_code == 422, response.content


def test_other_roles_are_refused(enterprise_user) -> None:
    assert Api(enterprise_user).get("/ratings").status_code == 403


def test_the_public_formula_page_in_chinese_and_english(db: None) -> None:
    client = Client()
    chinese = client.get("/insight/star-rating/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "培训机构星级评定办法" in chinese and "本地做法" in chinese
    assert 'data-testid="weight-pass_rate">30.0<' in chinese
    client.cookies["django_language"] = "en"
    english = client.get("/insight/star-rating/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "star rating" in english.lower() and "培训机构星级评定办法" not in english


def test_an_appeal_once_per_period_decided_by_a_second_official(nanning_world, province_official, nanning_official,
                                                                 liuzhou_official, login) -> None:
    from qiancheng.accounts.models import Role, User
    from qiancheng.insight.models import RatingAppeal, RatingAppealStatus

    with frozen_at(DAY):
        rate_month(province_official, MONTH)  # rated by the province's official this time
    small = RatingSnapshot.objects.get(institution=nanning_world["small"])
    own = User.objects.create_user(username="small-school", password="x", role=Role.INSTITUTION,
                                   institution=nanning_world["small"])
    api = Api(own)
    assert api.post(f"/ratings/{small.pk}/appeal", {"reason": ""}).status_code == 422
    filed = api.post(f"/ratings/{small.pk}/appeal", {"reason": "三名学员均已就业，证明见附件"})
    assert filed.status_code == 201, filed.content
    again = api.post(f"/ratings/{small.pk}/appeal", {"reason": "再次申诉"})
    assert again.status_code == 422 and again.json()["code"] == "already_appealed"
    appeal_id = filed.json()["id"]
    # Another city cannot see it; the official who computed the rating cannot decide it; the institution neither.
    assert Api(liuzhou_official).post(f"/rating-appeals/{appeal_id}/decision", {"note": "x"}).status_code == 404
    same = Api(province_official).post(f"/rating-appeals/{appeal_id}/decision", {"revised_stars": 5, "note": "改"})
    assert same.status_code == 422 and same.json()["code"] == "same_official"
    assert api.post(f"/rating-appeals/{appeal_id}/decision", {"note": "自己改"}).status_code == 403
    assert Api(nanning_official).post(f"/rating-appeals/{appeal_id}/decision",
                                      {"revised_stars": 9, "note": "x"}).status_code == 422
    # A second official decides: the revised stars are the ones in force; the snapshot keeps the formula's.
    decided = Api(nanning_official).post(f"/rating-appeals/{appeal_id}/decision",
                                         {"revised_stars": small.stars + 1, "note": "核实就业证明后改定"})
    assert decided.status_code == 200 and decided.json()["status"] == "revised"
    appeal = RatingAppeal.objects.get(pk=appeal_id)
    assert appeal.decided_by == nanning_official and appeal.status == RatingAppealStatus.REVISED
    assert RatingSnapshot.objects.get(pk=small.pk).stars == small.stars
    assert snapshot_in_force(small.institution_id, DAY) == small
    from qiancheng.providers.ratings import rating_in_force

    assert rating_in_force(small.institution_id, DAY).stars == small.stars + 1
    assert Api(own).get(f"/ratings/{small.pk}").json()["stars_in_force"] == small.stars + 1
    twice = Api(nanning_official).post(f"/rating-appeals/{appeal_id}/decision", {"note": "再复核"})
    assert twice.status_code == 422 and twice.json()["code"] == "already_decided"
    page = login(Client(), own).get(f"/insight/rating/{small.pk}/").content.decode()
    assert 'data-testid="stars-in-force"' in page and "核实就业证明后改定" in page


def test_the_appeal_pages(nanning_world, nanning_official, login) -> None:
    from qiancheng.accounts.models import Role, User
    from qiancheng.insight.models import RatingAppeal

    with frozen_at(DAY):
        rate_month(None, MONTH)
    small = RatingSnapshot.objects.get(institution=nanning_world["small"])
    own = User.objects.create_user(username="small-school", password="x", role=Role.INSTITUTION,
                                   institution=nanning_world["small"])
    school = login(Client(), own)
    assert 'data-testid="appeal-form"' in school.get(f"/insight/rating/{small.pk}/").content.decode()
    school.post(f"/insight/rating/{small.pk}/appeal/", {"reason": "学员人数少，请复核"})
    appeal = RatingAppeal.objects.get(snapshot=small)
    city = login(Client(), nanning_official)
    assert 'data-testid="decision-form"' in city.get(f"/insight/rating/{small.pk}/").content.decode()
    city.post(f"/insight/rating-appeal/{appeal.pk}/decision/", {"revised_stars": "", "note": "按公式维持"})
    appeal.refresh_from_db()
    assert appeal.status == "upheld" and appeal.revised_stars is None and appeal.decided_by == nanning_official
