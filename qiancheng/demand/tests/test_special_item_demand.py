"""Demand naming a special-ability item (专项职业能力, 3.2) where no occupation standard exists: accepted by the
form, the API and the .xlsx through the one service, refused with a level or a withdrawn item, and idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from qiancheng.accounts.models import User
from qiancheng.catalog.models import SpecialAbilityItem
from qiancheng.clock import today
from qiancheng.demand import report_file, services
from qiancheng.demand.models import DemandReport
from qiancheng.demand.tests.support import CARE_WORKER, XINGNING, open_round, report, sheet
from qiancheng.demand.tests.test_census import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _catalog(catalog_loaded: dict[str, int]) -> None:
    """Occupations, counties, industries and the special-ability items of the shipped catalog."""


@pytest.fixture
def item() -> SpecialAbilityItem:
    return SpecialAbilityItem.objects.filter(is_active=True).order_by("code").first()


def test_the_service_takes_an_item_without_level_and_keeps_it_apart_from_a_content(
        province_official: User, enterprise_user: User, item: SpecialAbilityItem) -> None:
    census = open_round(province_official)
    result = services.submit_reports(enterprise_user, census, enterprise_user.enterprise, [
        report(occupation=None, level=None, item=item.code, headcount=6),
        # the item's code typed as a content is another need, not the same one
        report(occupation=None, level=None, content=item.code, headcount=2),
    ])
    assert len(result.created) == 2
    saved = DemandReport.objects.get(item=item)
    assert (saved.occupation_id, saved.level, saved.content, saved.headcount) == (None, None, "", 6)
    again = services.submit_reports(enterprise_user, census, enterprise_user.enterprise,
                                    [report(occupation=None, level=None, item=item.code, headcount=6)])
    assert again.unchanged == 1 and DemandReport.objects.count() == 2


def test_an_item_with_a_level_an_unknown_or_withdrawn_item_and_two_trades_are_refused(
        province_official: User, enterprise_user: User, item: SpecialAbilityItem) -> None:
    census = open_round(province_official)
    withdrawn = SpecialAbilityItem.objects.filter(is_active=True).exclude(pk=item.pk).order_by("code").first()
    SpecialAbilityItem.objects.filter(pk=withdrawn.pk).update(is_active=False)
    with pytest.raises(services.ReportsRefused) as refused:
        services.submit_reports(enterprise_user, census, enterprise_user.enterprise, [
            report(occupation=None, level=4, item=item.code, row=2),
            report(occupation=None, level=None, item="NO-SUCH-ITEM", row=3),
            report(occupation=None, level=None, item=withdrawn.code, row=4),
            report(item=item.code, row=5),  # an occupation and an item at once
        ])
    assert [(p.row, p.field, p.code) for p in refused.value.problems] == [
        (2, "level", "level_with_item"), (3, "item", "item_unknown"), (4, "item", "item_unknown"),
        (5, "item", "occupation_and_content")]
    assert "专项职业能力不分等级" in refused.value.problems[0].zh
    assert not DemandReport.objects.exists()


def test_the_form_the_api_and_the_xlsx_accept_an_item(client: Client, login: Any, province_official: User,
                                                       enterprise_user: User, item: SpecialAbilityItem) -> None:
    census = open_round(province_official)
    deadline = str(today() + dt.timedelta(days=30))
    login(client, enterprise_user)
    form = {"occupation": "", "level": "", "item": item.code, "content": "", "headcount": "3", "wage_offered": "3000",
            "county": XINGNING, "industry": "ai", "deadline": deadline, "will_hire": "yes"}
    assert client.post(f"/demand/rounds/{census.pk}/report/", form).status_code == 302
    page = client.get(f"/demand/rounds/{census.pk}/").content.decode()
    assert f"专项职业能力 {item.code} {item.name}" in page

    body = {"reports": [{"item_code": item.code, "headcount": 4, "wage_offered": "3000", "county_code": "450103",
                         "industry_code": "ai", "deadline": deadline, "will_hire": True}]}
    answer = Client().post(f"/api/v1/demand/rounds/{census.pk}/reports", body, content_type="application/json",
                           **bearer(enterprise_user))
    assert answer.status_code == 200 and answer.json()["created"] == 1
    listed = Client().get("/api/v1/demand/reports", **bearer(enterprise_user)).json()
    assert sorted(each["item_code"] for each in listed) == [item.code, item.code]

    rows = [[None, None, None, 5, 3000, "450105", "ai", deadline, "是", item.code],
            [CARE_WORKER, 4, None, 20, 3800, XINGNING, "ai", deadline, "是", None]]
    upload = client.post(f"/demand/rounds/{census.pk}/upload/", {"file": SimpleUploadedFile("d.xlsx", sheet(rows))})
    assert upload.status_code == 302
    assert DemandReport.objects.filter(item=item).count() == 3 and DemandReport.objects.count() == 4


def test_a_file_of_the_earlier_nine_column_template_still_reads() -> None:
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    page = book.add_worksheet("需求填报")
    for column, header in enumerate(report_file.PREVIOUS_HEADERS):
        page.write_string(0, column, header)
    for column, value in enumerate([CARE_WORKER, 4, None, 20, 3800, XINGNING, "ai", "2030-01-01", "是"]):
        if value is not None:
            page.write(1, column, value)
    book.close()
    rows = report_file.read_reports("old.xlsx", buffer.getvalue())
    assert [(each.occupation, each.headcount, each.item) for each in rows] == [(CARE_WORKER, "20", None)]
