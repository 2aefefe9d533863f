"""Guangxi's special-ability items (3.2): the province adds one with its document; nobody else may; the
starter list stays marked unverified; occupations without checked levels allow all five, marked so."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from qiancheng.accounts.models import AuditEntry
from qiancheng.catalog.models import Occupation, SpecialAbilityItem
from qiancheng.catalog.special_items import ItemEntry, add_item, deactivate_item

pytestmark = pytest.mark.django_db

ZHUANG_EMBROIDERY = ItemEntry(code="GX-ZX-2026-001", name="壮族刺绣", min_hours=40,
                              source_document="桂人社函〔2026〕12号", note="")


def test_the_province_adds_an_item_with_its_document(catalog, province_official):
    item = add_item(province_official, ZHUANG_EMBROIDERY)
    assert (item.source_document, item.is_starter, item.is_active) == ("桂人社函〔2026〕12号", False, True)
    entry = AuditEntry.objects.get(action="special_item.added", target_pk=item.code)
    assert entry.actor == province_official and entry.after["source_document"] == "桂人社函〔2026〕12号"


def test_an_item_without_its_document_or_under_the_minimum_hours_is_refused(catalog, province_official):
    with pytest.raises(ValidationError) as refused:
        add_item(province_official, ItemEntry(code="X1", name="无文件项目", min_hours=27, source_document=" "))
    assert set(refused.value.message_dict) == {"source_document", "min_hours"}
    assert not SpecialAbilityItem.objects.filter(code="X1").exists()


def test_only_the_province_keeps_the_list(catalog, nanning_official, enterprise_user):
    for actor in (nanning_official, enterprise_user):
        with pytest.raises(PermissionDenied):
            add_item(actor, ZHUANG_EMBROIDERY)


def test_an_item_is_deactivated_with_a_reason_not_deleted(catalog, province_official):
    item = SpecialAbilityItem.objects.get(code="starter-01")
    with pytest.raises(ValidationError):
        deactivate_item(province_official, item, "")
    deactivate_item(province_official, item, "以桂人社函〔2026〕12号公布清单为准")
    assert SpecialAbilityItem.objects.get(code="starter-01").is_active is False
    assert AuditEntry.objects.filter(action="special_item.deactivated", target_pk="starter-01").exists()


def test_the_page_and_the_api(client: Client, login, catalog, province_official, nanning_official):
    login(client, province_official)
    page = client.get("/catalog/items/").content.decode()
    assert "起始清单，编码非官方，未核实" in page
    refused = client.post("/catalog/items/", {"code": "Y1", "name": "无文件", "min_hours": 40, "source_document": ""})
    assert refused.status_code == 422
    made = client.post("/catalog/items/", {"code": "GX-1", "name": "北海贝雕制作", "min_hours": 40,
                                           "source_document": "桂人社函〔2026〕13号"})
    assert made.status_code == 302 and SpecialAbilityItem.objects.get(code="GX-1").source_document
    login(client, nanning_official)
    assert client.get("/catalog/items/").status_code == 403


def test_levels_are_verified_for_the_recorded_occupations_only(catalog):
    infant = Occupation.objects.get(name="婴幼儿发展引导员")
    assert infant.levels_verified and infant.allowed_levels == [4, 3, 2, 1]
    other = Occupation.objects.get(code="6-31-07-02")
    assert not other.levels_verified and other.allowed_levels == [5, 4, 3, 2, 1]
    # 人工智能工程技术人员 was checked: professional grades, no skill levels, so not restricted but verified
    assert Occupation.objects.get(code="2-02-38-01").levels_verified


def test_the_catalogue_page_marks_unverified_levels(client: Client, catalog):
    page = client.get("/occupations/", {"q": "养老护理员"}).content.decode()
    assert 'data-testid="levels-verified"' in page
    other = client.get("/occupations/", {"q": "6-31-07-02"}).content.decode()
    assert "五个等级均可（未核实）" in other


def test_the_api_adds_and_deactivates_for_the_province_only(client: Client, catalog, province_official,
                                                            nanning_official):
    from qiancheng.accounts.services import issue_api_token
    from qiancheng.accounts.tests.second_factor_support import pass_second_factor

    def bearer(user) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user, second_factor=pass_second_factor(user))[0]}"}

    body = {"code": "GX-2", "name": "北海贝雕制作", "min_hours": 40, "source_document": "桂人社函〔2026〕14号"}
    url = "/api/v1/catalog/special-ability-items"
    assert client.post(url, body, content_type="application/json", **bearer(nanning_official)).status_code == 403
    made = client.post(url, body, content_type="application/json", **bearer(province_official))
    assert made.status_code == 201 and made.json()["source_document"] == "桂人社函〔2026〕14号"
    gone = client.post(f"{url}/GX-2/deactivate", {"reason": "文件废止"}, content_type="application/json",
                       **bearer(province_official))
    assert gone.status_code == 200 and not SpecialAbilityItem.objects.get(code="GX-2").is_active
