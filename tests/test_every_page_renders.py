"""Every link of every role's navigation bar and every review queue opens (200, after any redirect) on a
world with data in two cities: a crash on a page a user reaches from the bar fails here, not in front of
an official."""

from __future__ import annotations

import pytest
from django.test import Client

from qiancheng.accounts.tests.two_cities import build_two_cities
from qiancheng.web.navigation import menu_for
from qiancheng.web.queues import queues_for

pytestmark = pytest.mark.django_db

PERSONAS = ("province_official", "nanning_official", "institution_user", "enterprise_user", "trainee_user")


def _urls(user) -> list[str]:
    urls = []
    for entry in menu_for(user):
        urls.extend([entry.url] if entry.url else [url for _, url in entry.links])
    return urls + [queue.url for queue in queues_for(user)]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_link_of_the_bar_opens(persona, request, login) -> None:
    user = request.getfixturevalue(persona)
    build_two_cities()
    client = login(Client(), user)
    failures = {url: response.status_code for url in _urls(user)
                if (response := client.get(url, follow=True)).status_code != 200}
    assert failures == {}


def test_every_public_link_opens_for_a_visitor(client: Client) -> None:
    build_two_cities()
    failures = {url: response.status_code for url in _urls(None) if (response := client.get(url, follow=True)).status_code != 200}
    assert failures == {}
