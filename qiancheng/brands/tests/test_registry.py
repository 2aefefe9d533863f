"""The registry (1d): the city proposes, the province publishes or declines with a reason; figures come
from the records (1e), and the public sees published brands only, small counts suppressed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from qiancheng.accounts.models import AuditEntry
from qiancheng.brands import services
from qiancheng.brands.figures import brand_figures
from qiancheng.brands.models import BrandStatus, TrainingBrand
from qiancheng.brands.tests.support import elder_care_class
from qiancheng.training.models import ClassStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposed(catalog_loaded, nanning_official) -> TrainingBrand:
    return services.propose_brand(nanning_official, name="南宁养老护理员培训")


def test_a_city_proposes_a_brand_whose_name_fits(proposed, nanning_official):
    assert proposed.status == BrandStatus.PROPOSED and proposed.city_id == "450100"
    assert proposed.occupation.name == "养老护理员"
    entry = AuditEntry.objects.get(action="brand.proposed", target_pk=str(proposed.pk))
    assert entry.actor == nanning_official and entry.after["name"] == "南宁养老护理员培训"


def test_a_name_that_does_not_fit_is_refused_with_the_reason_and_nothing_written(catalog_loaded, nanning_official):
    with pytest.raises(services.NameRefused) as refused:
        services.propose_brand(nanning_official, name="最好的培训")
    assert refused.value.problems[0].part == "trade" and "最好的" in refused.value.problems[0].zh
    assert not TrainingBrand.objects.exists()


def test_only_a_city_proposes(catalog_loaded, province_official, enterprise_user):
    for actor in (province_official, enterprise_user):
        with pytest.raises(PermissionDenied):
            services.propose_brand(actor, name="南宁养老护理员培训")


def test_the_same_name_twice_is_refused(proposed, nanning_official):
    with pytest.raises(ValidationError, match="已被申报"):
        services.propose_brand(nanning_official, name="南宁 养老护理员培训")


def test_publishing_needs_the_province(proposed, nanning_official, province_official):
    with pytest.raises(PermissionDenied):
        services.publish_brand(nanning_official, proposed)
    published = services.publish_brand(province_official, proposed)
    assert published.status == BrandStatus.PUBLISHED and published.decided_by == province_official
    assert AuditEntry.objects.filter(action="brand.published", actor=province_official).exists()
    with pytest.raises(ValidationError, match="不在待发布状态"):
        services.publish_brand(province_official, published)


def test_declining_needs_a_reason(proposed, province_official):
    with pytest.raises(ValidationError, match="须说明理由"):
        services.decline_brand(province_official, proposed, "  ")
    declined = services.decline_brand(province_official, proposed, "名称与已发布品牌重复")
    assert declined.status == BrandStatus.DECLINED and declined.decision_reason == "名称与已发布品牌重复"


def test_figures_are_computed_from_enrolments_certificates_and_employment_proofs(proposed, nanning_official):
    # 12 completed (+2 withdrawn): 10 certified, 6 of them employed -> 83.3 % and 50.0 %
    training = elder_care_class(completed=12, certified=10, employed=6, withdrawn=2)
    services.link_classes(nanning_official, proposed, [training])
    figures = brand_figures(proposed)
    assert (figures.classes, figures.trainees, figures.completed, figures.certified, figures.employed) == (
        1, 12, 12, 10, 6)
    assert figures.pass_rate == Decimal("83.3") and figures.employment_rate == Decimal("50.0")
    shown = figures.public()
    # 6 employed is a small count: "<10", and the employment rate is not shown beside it
    assert (shown.trainees, shown.certified, shown.employed) == ("12", "10", "<10")
    assert shown.pass_rate == "83.3%" and shown.employment_rate is None


def test_only_the_citys_approved_classes_of_the_trade_are_linked(proposed, nanning_official, liuzhou_official):
    other_trade = elder_care_class(completed=0, certified=0, employed=0)
    other_trade.occupation_id = "4-04-05-05"
    other_trade.save()
    with pytest.raises(ValidationError, match="不是养老护理员培训"):
        services.link_classes(nanning_official, proposed, [other_trade])
    draft = elder_care_class(completed=0, certified=0, employed=0)
    draft.status = ClassStatus.DRAFT
    draft.save()
    with pytest.raises(ValidationError, match="尚未批准"):
        services.link_classes(nanning_official, proposed, [draft])
    with pytest.raises(PermissionDenied):
        services.link_classes(liuzhou_official, proposed, [elder_care_class(completed=0, certified=0, employed=0)])


def test_the_public_page_shows_published_brands_only(client: Client, proposed, province_official):
    services.propose_brand(_other_official(proposed), name="武鸣养老护理员培训")
    services.publish_brand(province_official, proposed)
    page = client.get("/brands/published/").content.decode()
    assert "南宁养老护理员培训" in page and "武鸣养老护理员培训" not in page
    assert client.get(f"/brands/published/{proposed.pk}/").status_code == 200
    hidden = TrainingBrand.objects.get(name="武鸣养老护理员培训")
    assert client.get(f"/brands/published/{hidden.pk}/").status_code == 404


def _other_official(brand: TrainingBrand):
    return brand.proposed_by


def test_the_pages_propose_and_publish(client: Client, login, catalog_loaded, nanning_official, province_official):
    login(client, nanning_official)
    refused = client.post("/brands/propose/", {"name": "最好的培训"})
    assert refused.status_code == 422 and "最好的" in refused.content.decode()
    created = client.post("/brands/propose/", {"name": "南宁养老护理员培训"})
    brand = TrainingBrand.objects.get(name="南宁养老护理员培训")
    assert created.status_code == 302 and created["Location"] == f"/brands/{brand.pk}/"
    assert client.post(f"/brands/{brand.pk}/decide/", {"decision": "publish"}).status_code == 404
    login(client, province_official)
    assert client.post(f"/brands/{brand.pk}/decide/", {"decision": "decline"}).status_code == 422
    assert client.post(f"/brands/{brand.pk}/decide/", {"decision": "publish"}).status_code == 302
    assert TrainingBrand.objects.get(pk=brand.pk).status == BrandStatus.PUBLISHED


def test_the_api_scopes_and_refuses_with_the_parts(client: Client, catalog_loaded, nanning_official,
                                                   liuzhou_official, province_official):
    from qiancheng.accounts.services import issue_api_token
    from qiancheng.accounts.tests.second_factor_support import pass_second_factor

    def bearer(user):
        return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user, second_factor=pass_second_factor(user))[0]}"}

    bad = client.post("/api/v1/brands", {"name": "最好的培训"}, content_type="application/json", **bearer(nanning_official))
    assert bad.status_code == 422 and bad.json()["details"][0]["part"] == "trade"
    made = client.post("/api/v1/brands", {"name": "南宁养老护理员培训"}, content_type="application/json",
                       **bearer(nanning_official))
    assert made.status_code == 201
    brand_id = made.json()["id"]
    assert client.get(f"/api/v1/brands/{brand_id}", **bearer(liuzhou_official)).status_code == 404
    no = client.post(f"/api/v1/brands/{brand_id}/decision", {"decision": "publish"}, content_type="application/json",
                     **bearer(nanning_official))
    assert no.status_code == 403
    yes = client.post(f"/api/v1/brands/{brand_id}/decision", {"decision": "publish"}, content_type="application/json",
                      **bearer(province_official))
    assert yes.status_code == 200 and yes.json()["status"] == "published"
    assert [row["name"] for row in client.get("/api/v1/brands/published").json()] == ["南宁养老护理员培训"]
