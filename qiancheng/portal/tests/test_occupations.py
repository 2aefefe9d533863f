"""The public occupation catalogue: anyone may search it; HTMX gets only the result list."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def occupations(db: None) -> None:
    from qiancheng.training.tests import builders

    builders.occupation("4-04-05-05", "人工智能训练师")
    builders.occupation("6-31-01-09", "汽车装调工")


def test_anyone_finds_an_occupation_by_name(client: Client, occupations) -> None:
    response = client.get("/occupations/", {"q": "人工智能训练师"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>职业目录</h1>" in page and "4-04-05-05" in page and "汽车装调工" not in page


def test_htmx_gets_only_the_results(client: Client, occupations) -> None:
    response = client.get("/occupations/", {"q": "6-31"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "汽车装调工" in page and "<html" not in page and "人工智能训练师" not in page


def test_no_match_says_so(client: Client, occupations) -> None:
    assert "没有符合条件的职业" in client.get("/occupations/", {"q": "不存在的职业"}).content.decode()


def test_the_landing_page_links_to_the_public_catalogue(client: Client) -> None:
    assert 'href="/occupations/"' in client.get("/").content.decode()


def test_the_catalogue_speaks_english_when_asked(client: Client, occupations) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/occupations/", {"q": "4-"}).content.decode()
    assert "<h1>Occupations</h1>" in page and "1 occupation" in page
