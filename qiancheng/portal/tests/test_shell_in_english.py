"""The portal shell through the language switch: an official's home page, menu groups and review queues.

The shell's English lives in the project catalogue (qiancheng/locale/en), which Django reads before the
apps' own catalogues; each app's links and queue labels come from its catalogue.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from qiancheng.accounts.models import User
from qiancheng.web.navigation import menu_for
from qiancheng.web.queues import queues_for

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
HAN = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")

# The city official's home page: the English words and the Chinese ones they stand for.
CITY_HOME_ENGLISH = ["<h1>南宁市 HR and Social Security Bureau</h1>", "<summary>Training</summary>",
                     "<summary>Subsidies and funds</summary>", "<summary>Public lookup</summary>",
                     ">Reviews to do<", "Longest wait (days)", "Sign out", "Subsidy claims awaiting review"]
CITY_HOME_CHINESE = ["<h1>南宁市人社局工作台</h1>", "<summary>培训管理</summary>", "<summary>补贴资金</summary>",
                     "<summary>公开查询</summary>", ">待办审核<", "最久等待（天）", "退出登录", "补贴申领待审核"]


def _in_english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_a_city_officials_home_reads_in_english_when_asked(client: Client, login, nanning_official) -> None:
    response = _in_english(login(client, nanning_official)).get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'lang="en"' in page
    assert [word for word in CITY_HOME_ENGLISH if word not in page] == []
    assert [word for word in CITY_HOME_CHINESE if word in page] == []


def test_the_same_home_stays_chinese_by_default(client: Client, login, nanning_official) -> None:
    page = login(client, nanning_official).get("/").content.decode()
    assert 'lang="zh-hans"' in page
    assert [word for word in CITY_HOME_CHINESE if word not in page] == []
    assert [word for word in CITY_HOME_ENGLISH if word in page] == []


def test_the_switch_goes_to_english_and_back(client: Client, login, nanning_official) -> None:
    login(client, nanning_official)
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/queues/"}).status_code == 302
    english = client.get("/queues/").content.decode()
    assert "<h1>Reviews to do</h1>" in english and "how many are waiting for you" in english
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/queues/"})
    chinese = client.get("/queues/").content.decode()
    assert "<h1>待办审核</h1>" in chinese and "Reviews to do" not in chinese


def test_the_queue_page_in_english_lists_nothing_for_a_trainee_and_asks_strangers_to_sign_in(
        client: Client, login, trainee_user) -> None:
    assert _in_english(client).get("/queues/").status_code == 302
    page = login(client, trainee_user).get("/queues/").content.decode()
    assert "Nothing is waiting for your review." in page and "没有需要您处理的审核事项" not in page
    assert "data-queue=" not in page


@pytest.mark.parametrize("persona", ["province_official", "nanning_official", "institution_user",
                                     "enterprise_user", "trainee_user"])
def test_every_menu_entry_and_queue_has_english(request: pytest.FixtureRequest, persona: str) -> None:
    user: User = request.getfixturevalue(persona)
    reverse("portal:home")  # loads the URLconf, whose modules register the links and queues
    with translation.override("en"):
        labels = [str(entry.label) for entry in menu_for(user)]
        labels += [str(label) for entry in menu_for(user) for label, _ in entry.links]
        labels += [str(queue.label) for queue in queues_for(user)]
    assert len(labels) >= 5
    assert [label for label in labels if HAN.search(label)] == []


def test_the_project_catalogue_is_compiled_and_complete() -> None:
    with (CATALOGUE / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    # A plural entry is stored under (msgid, n); count it once, as the .po does.
    sources = {key[0] if isinstance(key, tuple) else key: value for key, value in catalogue.items()}
    sources.pop("", None)
    po = (CATALOGUE / "django.po").read_text(encoding="utf-8")
    assert len(sources) == po.count("\nmsgid ") - 1  # untranslated entries are left out of a .mo
    for group in ("培训管理", "补贴资金", "公开查询", "待办审核"):
        assert group in sources
    assert [source for source, english in sources.items() if HAN.search(english)] == []
    for key, english in catalogue.items():
        source = key[0] if isinstance(key, tuple) else key
        assert set(PLACEHOLDER.findall(source)) == set(PLACEHOLDER.findall(english)), source
