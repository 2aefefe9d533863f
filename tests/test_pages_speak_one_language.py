"""One language per page (issue 15, item 1), read off the rendered pages: every role's bar pages, queues,
a claim and its decision, in Chinese and in English.

A Chinese page has no Latin word in its visible text, outside codes and numbers: a word glued to digits or
code punctuation (CL00000001, 4-04-05-05, occupational.L5) is a code, text inside <code>, <kbd>, <samp> is a
code, an element marked lang="en" (the language switch) says so itself, an element marked translate="no"
holds a name (the signed-in person's name, or the login name when the account has none), and a few acronyms
officials use as words, file formats and units that have no Chinese form are allowed (ALLOWED). An English page has no Han character outside the names and addresses the
records hold (the fixtures' people, institutions, cities, enterprises, projects)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from qiancheng.accounts.tests.two_cities import build_two_cities
from qiancheng.funding.models import SubsidyClaim
from qiancheng.web.navigation import menu_for
from qiancheng.web.queues import queues_for

pytestmark = pytest.mark.django_db

PERSONAS = ("province_official", "nanning_official", "institution_user", "enterprise_user", "trainee_user")
# Acronyms officials use as words; file formats (an upload's "PDF、JPEG 或 PNG") and the units "MB" (10 MB), "KB",
# which Chinese pages write in Latin letters too.
ALLOWED = {"AI", "GYB", "SYB", "IYB", "EYB", "PDF", "Excel", "IP", "ID", "JPEG", "PNG", "MB", "KB"}
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9_.:/@#-])[A-Za-z]{2,}(?![A-Za-z0-9_.:/@#-])")
HAN = re.compile(r"[\u4e00-\u9fff]+")
HIDDEN = {"script", "style", "code", "kbd", "samp", "template"}


class VisibleText(HTMLParser):
    """The text a reader sees, without code elements, without what an element marks lang="en" and without
    names an element marks translate="no" (HTML's own mark for words no translation changes)."""

    def __init__(self) -> None:
        super().__init__()
        self.skipping: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"br", "input", "img", "meta", "link", "hr"}:
            return
        marks = dict(attrs)
        if self.skipping or tag in HIDDEN or marks.get("lang") == "en" or marks.get("translate") == "no":
            self.skipping.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def latin_words(html: str) -> set[str]:
    return {word for word in LATIN_WORD.findall(visible(html)) if word not in ALLOWED}


def _pages(user) -> list[str]:
    urls = []
    for entry in menu_for(user):
        urls.extend([entry.url] if entry.url else [url for _, url in entry.links])
    urls += [queue.url for queue in queues_for(user)]
    if user.role in ("province_official", "city_official", "institution"):
        claim = SubsidyClaim.objects.order_by("pk").first()
        urls += [f"/money/claims/{claim.number}/", f"/policy/claims/{claim.number}/"]
    return list(dict.fromkeys(urls))


def _names() -> set[str]:
    """The Han words that come from the records (names, places), which an English page shows as they are."""
    from qiancheng.catalog.models import City, Occupation
    from qiancheng.demand.models import Enterprise
    from qiancheng.people.models import Person
    from qiancheng.projects.models import Project
    from qiancheng.providers.models import Institution
    from qiancheng.training.models import TrainingClass

    found: set[str] = set()
    # The national occupational classification (职业分类大典) names occupations and their groups in Chinese only.
    for model, fields in ((Person, ("name",)), (Institution, ("name", "address")), (City, ("name",)),
                          (Enterprise, ("name",)), (Project, ("title",)), (TrainingClass, ("name", "venue")),
                          (Occupation, ("name", "minor_name"))):
        for values in model.objects.values_list(*fields):
            for value in values:
                found.update(HAN.findall(str(value or "")))
    return found


@pytest.mark.parametrize("persona", PERSONAS)
def test_chinese_pages_have_no_latin_words(persona, request, login) -> None:
    user = request.getfixturevalue(persona)
    build_two_cities()
    client = login(Client(), user)
    found = {}
    for url in _pages(user):
        response = client.get(url, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
        words = latin_words(response.content.decode())
        if words:
            found[url] = sorted(words)
    assert found == {}


@pytest.mark.parametrize("persona", PERSONAS)
def test_english_pages_have_no_han_outside_names(persona, request, login) -> None:
    user = request.getfixturevalue(persona)
    build_two_cities()
    client = login(Client(), user)
    client.cookies["django_language"] = "en"
    names = _names()
    found = {}
    for url in _pages(user):
        text = visible(client.get(url, follow=True).content.decode())
        words = {word for word in HAN.findall(text) if not any(word in name or name in word for name in names)}
        if words:
            found[url] = sorted(words)[:15]
    assert found == {}


def test_the_visible_text_skips_codes_and_marked_english() -> None:
    html = ('<p>申领 CL00000001 <code>denied_by</code> 4-04-05-05 <button lang="en">English</button> Pending'
            ' <span translate="no">nanning</span></p>')
    assert latin_words(html) == {"Pending"}
