"""The money pages through the language switch: English when asked, Simplified Chinese otherwise.

The English comes from qiancheng/funding/locale/en (compiled .mo committed next to the .po). Record data
(names, cities) and the bilingual status labels stay as they are; the page's own words must switch.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from qiancheng.accounts.models import User
from qiancheng.funding.models import ClaimStatus, SubsidyClaim
from qiancheng.funding.services.claims import file_class_claims
from qiancheng.funding.tests.money import finished_class, funded, institution_parties, paid_for_enrolment
from qiancheng.providers.models import Institution

pytestmark = pytest.mark.django_db

CATALOGUE = Path(__file__).resolve().parents[1] / "locale" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")

# page: (English words that must appear, the Chinese words they replace)
PAGES: dict[str, tuple[list[str], list[str]]] = {
    "/money/review/": (["<h1>Subsidy claim review</h1>", "Approve selected claims", "Pending review",
                        "Reject / send back", "Days waiting"],
                       ["<h1>补贴申领审核</h1>", "核准选中的申领", "待审核的申领", "驳回 / 退回", "等待天数"]),
    "/money/funds/": (["<h1>Fund dashboard</h1>", "Allocated", "Available", ">Filter</button>"],
                      ["<h1>资金看板</h1>", "已下达", "可用", ">筛选</button>"]),
    "/money/claims/": (["<h1>Subsidy claims</h1>", "Whoever advances the cost claims it", ">Filter</button>"],
                       ["<h1>补贴申领</h1>", "谁垫付、谁申领", ">筛选</button>"]),
}


@pytest.fixture
def pending_claims(persona_institution: Institution, province_official: User,
                   institution_user: User) -> list[SubsidyClaim]:
    """A finished 南宁 class with two passing trainees, filed by its institution: claims wait for review."""
    training = finished_class(institution=persona_institution)
    for _ in range(2):
        paid_for_enrolment(training)
    fund = funded(province_official, "100000.00")
    claims, _ = file_class_claims(institution_user, training, fund, institution_parties(training))
    return claims


def _in_english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.parametrize("url", sorted(PAGES))
def test_a_money_page_reads_in_english_when_asked(client: Client, login, nanning_official,
                                                  pending_claims: list[Any], url: str) -> None:
    english, chinese = PAGES[url]
    response = _in_english(login(client, nanning_official)).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'lang="en"' in page
    assert [word for word in english if word not in page] == []
    assert [word for word in chinese if word in page] == []


@pytest.mark.parametrize("url", sorted(PAGES))
def test_the_same_money_page_stays_chinese_by_default(client: Client, login, nanning_official,
                                                      pending_claims: list[Any], url: str) -> None:
    english, chinese = PAGES[url]
    page = login(client, nanning_official).get(url).content.decode()
    assert 'lang="zh-hans"' in page
    assert [word for word in chinese if word not in page] == []
    assert [word for word in english if word in page] == []


def test_the_review_queue_lists_the_claims_with_english_buttons(client: Client, login, nanning_official,
                                                                pending_claims: list[SubsidyClaim]) -> None:
    page = _in_english(login(client, nanning_official)).get("/money/review/").content.decode()
    assert all(claim.number in page for claim in pending_claims)
    assert page.count(">Approve</button>") == len(pending_claims)
    assert "Show details" in page and "展开说明" not in page


def test_approving_in_english_changes_the_claim_and_answers_in_english(
        client: Client, login, nanning_official, pending_claims: list[SubsidyClaim]) -> None:
    claim = pending_claims[0]
    answer = _in_english(login(client, nanning_official)).post(f"/money/claims/{claim.number}/approve/",
                                                               {"note": ""}, follow=True)
    assert answer.status_code == 200
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    page = answer.content.decode()
    assert f"Claim {claim.number} approved; funds reserved." in page and "已核准，资金已预留" not in page


def test_a_bilingual_refusal_shows_only_its_english_half(client: Client, login, nanning_official,
                                                         pending_claims: list[SubsidyClaim]) -> None:
    claim = pending_claims[0]
    answer = _in_english(login(client, nanning_official)).post(f"/money/claims/{claim.number}/reject/",
                                                               {"reason": ""}, follow=True)
    page = answer.content.decode()
    assert "A rejection needs a reason." in page and "驳回须说明理由" not in page
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PENDING


def test_another_city_gets_the_same_404_in_english(client: Client, login, liuzhou_official,
                                                   pending_claims: list[SubsidyClaim]) -> None:
    client = _in_english(login(client, liuzhou_official))
    assert client.get(f"/money/claims/{pending_claims[0].number}/").status_code == 404
    assert client.get("/money/claims/NO-SUCH-CLAIM/").status_code == 404


def test_the_claimant_reads_its_claims_in_english(client: Client, login, institution_user,
                                                  pending_claims: list[SubsidyClaim]) -> None:
    page = _in_english(login(client, institution_user)).get("/money/claims/").content.decode()
    assert "My claims" in page and "我的申领" not in page
    assert all(claim.number in page for claim in pending_claims)


def test_the_compiled_catalogue_translates_every_entry_and_keeps_its_placeholders() -> None:
    with (CATALOGUE / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    entries = {source: english for source, english in catalogue.items() if source}
    assert len(entries) > 200
    untranslated = [source for source, english in entries.items() if not english.strip()]
    assert untranslated == []
    broken = [source for source, english in entries.items()
              if set(PLACEHOLDER.findall(source)) != set(PLACEHOLDER.findall(english))]
    assert broken == []
    still_chinese = [english for english in entries.values() if re.search(r"[\u4e00-\u9fff]", english)]
    assert still_chinese == []
    # msgfmt leaves untranslated entries out of the .mo: every entry of the committed .po must be in it.
    sources = (CATALOGUE / "django.po").read_text(encoding="utf-8").count("\nmsgid ") - 1
    assert len(entries) == sources
