"""The navigation bar: officials' pages grouped by the part of the work, public pages grouped once signed in."""

from __future__ import annotations

import pytest
from django.test import Client

from qiancheng.web.navigation import links_for, menu_for

pytestmark = pytest.mark.django_db


def _flatten(entries) -> list[str]:
    urls = []
    for entry in entries:
        urls.extend([entry.url] if entry.url else [url for _, url in entry.links])
    return urls


def test_officials_menu_groups_every_link_it_has(nanning_official) -> None:
    entries = menu_for(nanning_official)
    assert sorted(_flatten(entries)) == sorted(url for _, url in links_for(nanning_official))
    groups = {str(entry.label): [url for _, url in entry.links] for entry in entries if not entry.url}
    assert "/money/review/" in groups["补贴资金"] and "/classes/" in groups["培训管理"]
    assert "/projects/catalogue/" in groups["公开查询"]
    assert [str(entry.label) for entry in entries if entry.url][:2] == ["首页", "待办审核"]


def test_institutions_keep_their_own_links_flat_and_public_ones_grouped(institution_user) -> None:
    entries = menu_for(institution_user)
    flat = [entry.url for entry in entries if entry.url]
    assert "/classes/" in flat and "/institutions/mine/" in flat
    public = [entry for entry in entries if not entry.url]
    assert [str(entry.label) for entry in public] == ["公开查询"]


def test_anonymous_visitors_see_the_public_links_flat() -> None:
    entries = menu_for(None)
    assert all(entry.url for entry in entries)
    assert "/verify/" in [entry.url for entry in entries]


def test_the_current_page_opens_its_group_marker(client: Client, login, nanning_official) -> None:
    page = login(client, nanning_official).get("/money/review/").content.decode()
    assert '<details class="navgroup" data-current="true">' in page
    assert '<a href="/money/review/" aria-current="page">' in page
