"""The shell: a home page per role with its Chinese heading, the public landing page, figures in scope."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from qiancheng.funding.models import ClaimStatus
from qiancheng.portal.figures import SENT_BACK, headline_figures
from qiancheng.web.templatetags.page_shell import person_name

pytestmark = pytest.mark.django_db

HEADINGS = {
    "province_official": "自治区人社厅工作台",
    "nanning_official": "南宁市人社局工作台",
    "liuzhou_official": "柳州市人社局工作台",
    "institution_user": "培训机构工作台",
    "enterprise_user": "企业工作台",
    "trainee_user": "我的前程",
}


@pytest.mark.parametrize("persona", sorted(HEADINGS))
def test_each_role_sees_its_own_home_page(persona: str, request, client: Client, login) -> None:
    user = request.getfixturevalue(persona)
    response = login(client, user).get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"<h1>{HEADINGS[persona]}</h1>" in page
    # The header names the person (a trainee's own name), not the login.
    assert person_name(user) in page and 'action="/logout/"' in page


def test_the_city_home_names_the_officials_city_only(client: Client, login, outsider) -> None:
    page = login(client, outsider).get("/").content.decode()
    assert "桂林市人社局工作台" in page and "南宁" not in page


def test_an_anonymous_visitor_gets_the_public_landing_page(client: Client) -> None:
    page = client.get("/").content.decode()
    assert "<h1>技能照亮前程</h1>" in page
    assert 'href="/login/"' in page
    assert "自治区人社厅工作台" not in page


def test_figures_of_an_empty_programme_are_zeros(province_official) -> None:
    figures = headline_figures(province_official)
    assert (figures.people, figures.institutions, figures.classes, figures.enrolments, figures.certificates) == (
        0, 0, 0, 0, 0,
    )
    # Every status, pending split into awaiting review and, after it, sent back for documents.
    assert [each.status for each in figures.claims_by_status if each.status != SENT_BACK] == list(ClaimStatus.values)
    assert figures.claims == 0
    assert figures.amount_approved == Decimal("0.00") and figures.amount_paid == Decimal("0.00")


def test_the_province_home_draws_the_claims_chart_on_the_server(client: Client, login, province_official) -> None:
    page = login(client, province_official).get("/").content.decode()
    # Inline SVG drawn by {% bar_chart %} (ADR 0006): no chart library, no chart script.
    chart = page[page.index('id="claims-chart"'):]
    assert '<svg class="' in chart and 'aria-label="补贴申领按状态的柱状图"' in chart
    assert "echarts" not in page and "charts.js" not in page and "/static/vendor/htmx/htmx.min.js" in page


def test_no_page_template_loads_anything_from_another_site() -> None:
    templates = Path(__file__).resolve().parents[1] / "templates"
    for template in templates.rglob("*.html"):
        assert not re.search(r"""(src|href)=["']https?://""", template.read_text()), template


def test_a_user_without_a_role_sees_no_programme_data(client: Client, login, django_user_model) -> None:
    admin = django_user_model.objects.create_superuser("admin", password="a-long-enough-password")
    page = login(client, admin).get("/").content.decode()
    assert "<h1>后台管理</h1>" in page and "补贴申领" not in page


def test_figures_follow_the_users_scope(province_official, nanning_official, outsider) -> None:
    from qiancheng.accounts.tests.two_cities import build_two_cities

    build_two_cities()
    province, nanning, guilin = (headline_figures(user) for user in (province_official, nanning_official, outsider))
    assert (province.institutions, province.classes, province.enrolments, province.certificates) == (2, 2, 2, 2)
    assert (nanning.institutions, nanning.classes, nanning.enrolments, nanning.certificates) == (1, 1, 1, 1)
    # Each city has its trainee and a second person of the same name (the risk records' link candidate).
    assert nanning.people == 2 and province.people == 4
    assert {each.status: each.count for each in nanning.claims_by_status}[ClaimStatus.PENDING] == 1
    assert nanning.amount_paid == Decimal("900.00") and province.amount_paid == Decimal("1800.00")
    assert (guilin.people, guilin.institutions, guilin.classes, guilin.claims) == (0, 0, 0, 0)
    assert guilin.amount_paid == Decimal("0.00")


def test_the_outsiders_home_shows_none_of_the_other_cities(client: Client, login, outsider) -> None:
    from qiancheng.accounts.tests.two_cities import build_two_cities

    build_two_cities()
    page = login(client, outsider).get("/").content.decode()
    assert "桂林市人社局工作台" in page
    assert "900.00" not in page and "南宁" not in page and "柳州" not in page


def test_the_shell_switches_to_english_through_set_language(client: Client, login, province_official) -> None:
    login(client, province_official)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "<h1>Province HR and Social Security Department</h1>" in page and 'lang="en"' in page
    assert "Sign out" in page and "Subsidy claims by status" in page


def test_the_shell_is_in_chinese_by_default(client: Client) -> None:
    page = client.get("/login/").content.decode()
    assert 'lang="zh-hans"' in page and "退出登录" not in page and "<h1>登录</h1>" in page


def test_the_language_switch_is_a_csrf_protected_post(client: Client) -> None:
    page = client.get("/").content.decode()
    assert 'action="/i18n/setlang/"' in page and 'method="post"' in page


def test_officials_homes_show_the_funds_they_may_see(client: Client, login, province_official,
                                                     nanning_official) -> None:
    from qiancheng.accounts.tests.two_cities import build_two_cities
    from qiancheng.funding.models import FundAccount
    from qiancheng.web.templatetags.page_shell import wan_yuan

    build_two_cities()
    province_page = login(client, province_official).get("/").content.decode()
    assert 'data-testid="fund-summary"' in province_page and "fund-summary-chart" in province_page
    nanning_page = login(Client(), nanning_official).get("/").content.decode()
    assert 'data-testid="fund-summary"' in nanning_page
    nanning_allocated = sum(fund.allocated for fund in FundAccount.objects.filter(city_id="450100"))
    everywhere = sum(fund.allocated for fund in FundAccount.objects.all())
    assert nanning_allocated > 0 and everywhere > nanning_allocated
    # The cards show 万元 (wan_yuan), as people compare large sums.
    assert wan_yuan(nanning_allocated) in nanning_page and wan_yuan(everywhere) not in nanning_page
    assert wan_yuan(everywhere) in province_page


def test_trainee_home_cards_lead_to_the_trainees_pages(client: Client, login, trainee_user) -> None:
    page = login(client, trainee_user).get("/").content.decode()
    for url in ("/me/classes/", "/me/certificates/", "/me/payments/"):
        assert f'href="{url}"' in page
