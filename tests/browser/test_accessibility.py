"""Accessibility and narrow screens, checked in the browser (issue 15, items 5 and 10).

For each demo role (and for a visitor who is not signed in) the test crawls the pages reachable from the home
page in two clicks: the home page, the bar's links (`links_for`) and every link on the home page, then every
link on those pages. Same origin, GET only (links, never forms: no sign-out, no language switch), no
downloads (spreadsheets, PDFs, documents), the API and the admin left out. Pages built from one template (a
class, another class) count once: a path's numbers and record codes are read as one shape (each tab its own),
and a shape is visited at most twice (two records, or a list and its second page). A page's own tabs and pages
(same path, another query) count as the same depth as the page. At most MAX_PAGES pages a role, so that each
test stays well under 90 s on the shared machine.

- `test_no_serious_accessibility_violations`: Chromium at 1366 x 900; on every page axe-core (vendored from
  npm under tests/browser/vendor/axe-core/) runs the WCAG 2 A and AA rules; no violation of impact serious or
  critical, no console error, and no Latin word in a Chinese page's visible text outside codes and numbers
  (`tests/test_pages_speak_one_language.latin_words`) may remain; every bar link of the role is crawled. axe is evaluated through DevTools (`page.evaluate`), which
  the Content-Security-Policy does not govern; a <script> tag added to the page would be refused by it.
- `test_pages_fit_the_screen`: the same crawl at 390 x 844 (then 360 wide) for the trainee and the public
  pages, at 768 x 1024 for the officials, the institution and the enterprise: no page scrolls sideways
  (`scrollWidth <= clientWidth + 1`), on a phone the header is one line (its links in a closed menu), and axe finds no serious or critical violation at that width either
  (a table that scrolls in its own box must be reachable by keyboard). A failure names the page and its
  widest elements.
"""

from __future__ import annotations

import re
import time
from collections import deque
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from qiancheng.web.navigation import links_for
from tests.test_pages_speak_one_language import latin_words

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_SOURCE = AXE.read_text(encoding="utf-8")
PERSONAS = ("province_official", "nanning_official", "industry_department", "institution_user", "enterprise_user",
            "trainee_user")
ROLES = ("public", *PERSONAS)
MAX_PAGES = 90
PAGE_TIMEOUT_MS = 45_000  # a page on two cores shared with other test runs took over 15 s at times
VARIANTS_PER_SHAPE = 2
SKIPPED_PATHS = re.compile(r"^/(api|admin|static|media)/|/logout/|/documents/\d+/|\.(xlsx|pdf|csv|zip|json)$")
# A number, or a record's code (CL00000001, GX-2025-ZJ-000001, a batch reference): one template behind it.
RECORD_SEGMENT = re.compile(r"^(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]+$")
PHONE = {"width": 390, "height": 844}
SMALL_PHONE_WIDTH = 360
MAX_PHONE_HEADER = 80  # px: the brand and the menu button on one line (the bar's links are in the closed menu)
TABLET = {"width": 768, "height": 1024}
DESKTOP = {"width": 1366, "height": 900}
NARROW_ROLES = {"public": PHONE, "trainee_user": PHONE}

LINKS = """() => Array.from(document.querySelectorAll('a[href]'))
  .filter(a => !a.hasAttribute('download'))
  .map(a => a.href)"""
RUN_AXE = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']},
                                          resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5),
                                      count: v.nodes.length}));
}"""
WIDTH = """() => {
  const root = document.documentElement;
  const wide = [];
  if (root.scrollWidth > root.clientWidth + 1) {
    for (const el of document.body.querySelectorAll('*')) {
      const box = el.getBoundingClientRect();
      if (box.right > root.clientWidth + 1 && box.width > 0) {
        wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                  (el.className && typeof el.className === 'string' ? '.' + el.className.trim().replace(/\\s+/g, '.') : '') +
                  ' ' + Math.round(box.right));
      }
    }
  }
  return {scroll: root.scrollWidth, client: root.clientWidth, wide: wide.slice(-6)};
}"""


@pytest.fixture
def industry_department(db, persona_password):
    """The AI industry's department (the demo's `industry` login): its industry's statistics and its plan."""
    from django.contrib.auth.hashers import make_password

    from qiancheng.accounts.models import Role, User
    from qiancheng.catalog.models import Industry

    industry = Industry.objects.get_or_create(code="ai", defaults={"name": "人工智能", "is_ai": True})[0]
    return User.objects.create(username="industry", password=make_password(persona_password),
                               role=Role.INDUSTRY_DEPARTMENT, industry=industry)


def _shape(url: str) -> str:
    """The template behind a URL: its path with records' numbers and codes as {}, and its tab if it has one."""
    parts = urlsplit(url)
    path = "/".join("{}" if RECORD_SEGMENT.match(each) else each for each in parts.path.split("/"))
    tab = dict(parse_qsl(parts.query)).get("tab")
    return path + (f"?tab={tab}" if tab else "")


def _normal(url: str, origin: str) -> str | None:
    """The URL to visit for a link, or None: another site, a download, the API, the admin, a sign-out."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin or SKIPPED_PATHS.search(parts.path):
        return None
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return parts.path + (f"?{query}" if query else "")


def crawl(page, origin: str, seeds: list[str], visit, arrived: dict[str, str] | None = None) -> list[str]:
    """Visit the home page, `seeds` and every link of the home page, then the links of those pages (two
    clicks deep), calling `visit(url)` on each page once it has loaded; return the URLs visited. A link that
    redirects is noted in `arrived` (link → the page it landed on)."""
    queue: deque[tuple[str, int]] = deque([("/", 0), *((seed, 1) for seed in seeds)])
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    visited: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        url, depth = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        shape = _shape(url)
        if shapes.get(shape, 0) >= VARIANTS_PER_SHAPE:
            continue
        try:
            response = page.goto(origin + url, wait_until="load")
        except Exception as error:  # a link that starts a download has no page
            if "Download is starting" in str(error):
                continue
            raise
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        landed = _normal(page.url, origin)
        if arrived is not None and landed != url:
            arrived[url] = landed or page.url
        if landed is None or (landed != url and landed in seen):
            continue  # redirected away, or to a page already seen
        seen.add(landed)
        shapes[shape] = shapes.get(shape, 0) + 1
        visited.append(landed)
        visit(landed)
        for link in page.evaluate(LINKS):
            found = _normal(link, origin)
            # The tabs and pages of the page itself (same path, another query) are not a click further away.
            further = depth + (urlsplit(found).path != urlsplit(landed).path if found else 1)
            if found and found not in seen and further <= 2:
                queue.append((found, further))
    return visited


def _axe(page, url: str, counted: dict[str, int]) -> list[str]:
    """axe-core's WCAG 2 A and AA rules on the page as it is: its serious and critical violations, each with
    the page, the rule, and the first elements it names."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    found = []
    for violation in page.evaluate(RUN_AXE):
        counted["all"] = counted.get("all", 0) + violation["count"]
        if violation["impact"] in ("serious", "critical"):
            found.append(f"{url} at {page.viewport_size['width']} px: {violation['id']} ({violation['impact']}, "
                         f"{violation['count']}): {violation['help']} — {violation['targets']}")
    return found


def _records_of_the_personas(role, request) -> None:
    """Two cities of records (`build_two_cities`), and records of the signed-in persona's own, so that its pages
    show full tables: the trainee's classes, certificates and payments, the institution's classes and claims,
    the enterprise's project. Long names and amounts in the millions: what widens a page on a phone."""
    from datetime import datetime

    from django.utils import timezone

    from qiancheng.accounts.tests.two_cities import build_two_cities
    from qiancheng.catalog.vocabulary import TrainingType
    from qiancheng.evaluation.models import Certificate, CertificateKind, Evaluation
    from qiancheng.funding.models import ClaimStatus, Payment
    from qiancheng.training.tests import builders

    nanning, _liuzhou = build_two_cities()
    if role not in ("trainee_user", "institution_user", "enterprise_user"):
        return
    user = request.getfixturevalue(role)
    institution = user.institution if role == "institution_user" else nanning.institution
    if role == "enterprise_user":
        builders.project(applicant=user.enterprise, city=nanning.city, chosen_institution=nanning.institution,
                         choice_reason="师资与实训条件最优", title="新能源汽车动力电池包装调与检测技能提升培训项目（第二期）")
        return
    people = [user.person] if role == "trainee_user" else [
        builders.person(id_number=builders.id_number(sequence=400 + n)) for n in range(3)]
    for n, kind in enumerate((TrainingType.OCCUPATIONAL, TrainingType.PROJECT)):
        training = builders.training_class(
            institution=institution, city=nanning.city, training_type=kind,
            name=f"人工智能训练师（四级/中级工）职业技能培训第{n + 1}期南宁市青秀区实训基地班",
            **({"project": nanning.records[builders.Project][0]} if kind == TrainingType.PROJECT else {}))
        for m, person in enumerate(people):
            enrolment = builders.enrolment(training, person)
            builders.attended(enrolment)
            evaluation = Evaluation.objects.create(enrolment=enrolment, person=person, passed=True,
                                                   evaluated_on=training.end_date, evaluator="广西职业技能鉴定指导中心")
            subject = ({"kind": CertificateKind.PROJECT_TRAINING, "project": training.project}
                       if kind == TrainingType.PROJECT else {"kind": CertificateKind.VOCATIONAL_SKILL_LEVEL,
                                                              "occupation": training.occupation, "level": 4})
            Certificate.objects.create(number=f"GX2025{n}{m:07d}{user.pk:03d}", **subject, person=person, issuer="广西壮族自治区职业技能鉴定指导中心",
                                       issued_on=training.end_date, evaluation=evaluation)
            claim = builders.subsidy_claim(enrolment, f"CL9{n}{m:03d}{user.pk:04d}", status=ClaimStatus.PAID, eligible=True,
                                           **({"project": training.project} if kind == TrainingType.PROJECT else {}),
                                           decided_at=timezone.now(), training_amount=builders.money("1234567.00"),
                                           employment_amount=builders.money("0.00"),
                                           total_amount=builders.money("1234567.00"))
            Payment.objects.create(claim=claim, person=person, amount=builders.money("1234567.00"),
                                   paid_at=timezone.make_aware(datetime(2025, 11, 1)),
                                   idempotency_key=f"a11y-{n}-{m}-{user.pk}", created_by=builders.official())


def _signed_in_page(role, request, browser, live_server, sign_in, persona_password, viewport):
    _records_of_the_personas(role, request)
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(f"{page.url}: {message.text}") if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    seeds = [url for _label, url in links_for(None)] + ["/login/", "/verify/"]
    if role != "public":
        user = request.getfixturevalue(role)
        sign_in(page, user.username, persona_password)
        seeds = [url for _label, url in links_for(user)]
    return context, page, errors, seeds


def _unvisited_bar_links(seeds: list[str], visited: list[str], arrived: dict[str, str]) -> list[str]:
    """The bar's pages the crawl did not open (each is a click from home: the newest pages, risk cases, notices,
    brands, demand, /insight/for-me/, the report card, are bar links of their roles); a link that redirects
    (home to a role's first page, a registration for one signed in) counts by the page it landed on."""
    return [url for url in seeds if url not in visited and arrived.get(url) not in visited]


@pytest.mark.parametrize("role", ROLES)
def test_no_serious_accessibility_violations(role, request, browser, live_server, sign_in, persona_password,
                                             transactional_db) -> None:
    context, page, errors, seeds = _signed_in_page(role, request, browser, live_server, sign_in, persona_password,
                                                   DESKTOP)
    found: list[str] = []
    mixed: list[str] = []
    counted = {"all": 0}
    arrived: dict[str, str] = {}

    def check(url: str) -> None:
        found.extend(_axe(page, url, counted))
        # One language a page (issue 15, item 1): no Latin word in a Chinese page's visible text, outside codes.
        words = latin_words(page.content())
        if words:
            mixed.append(f"{url}: {sorted(words)}")

    started = time.monotonic()
    visited = crawl(page, live_server.url, seeds, check, arrived)
    context.close()
    print(f"{role}: {len(visited)} pages in {time.monotonic() - started:.0f} s; {counted['all']} nodes in violation "
          f"(any impact); serious or critical: {len(found)}; console errors: {len(errors)}; pages with Latin words: "
          f"{len(mixed)}\n  " + "\n  ".join(visited))
    assert len(visited) >= 3, visited
    assert _unvisited_bar_links(seeds, visited, arrived) == []
    assert found == [], "\n".join(found)
    assert errors == [], errors
    assert mixed == [], "\n".join(mixed)


@pytest.mark.parametrize("role", ROLES)
def test_pages_fit_the_screen(role, request, browser, live_server, sign_in, persona_password,
                              transactional_db) -> None:
    viewport = NARROW_ROLES.get(role, TABLET)
    context, page, errors, seeds = _signed_in_page(role, request, browser, live_server, sign_in, persona_password,
                                                   viewport)
    widths = [viewport["width"]] + ([SMALL_PHONE_WIDTH] if viewport is PHONE else [])
    too_wide: list[str] = []
    violations: list[str] = []

    def measure(url: str) -> None:
        violations.extend(_axe(page, url, {}))
        for width in widths:
            if width != viewport["width"]:
                page.set_viewport_size({"width": width, "height": viewport["height"]})
            measured = page.evaluate(WIDTH)
            if measured["scroll"] > measured["client"] + 1:
                too_wide.append(f"{url} at {width}: {measured['scroll']} px wide; {measured['wide']}")
            header = page.evaluate("document.querySelector('header').getBoundingClientRect().height")
            if viewport is PHONE and header > MAX_PHONE_HEADER:
                too_wide.append(f"{url} at {width}: the header is {header:.0f} px tall (its menu should be closed)")
        if len(widths) > 1:
            page.set_viewport_size(viewport)

    started = time.monotonic()
    visited = crawl(page, live_server.url, seeds, measure)
    context.close()
    print(f"{role} at {widths}: {len(visited)} pages in {time.monotonic() - started:.0f} s; "
          f"too wide: {len(too_wide)}; axe serious or critical: {len(violations)}")
    assert len(visited) >= 3, visited
    assert too_wide == [], "\n".join(too_wide)
    assert violations == [], "\n".join(violations)
    assert errors == [], errors


@pytest.mark.parametrize("url", ["/institutions/register/", "/demand/register/"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1366"])
def test_a_form_sent_empty_answers_with_one_error_summary(url, viewport, browser, live_server, transactional_db) -> None:
    """The public registration forms, sent empty: the page's one alert is the error summary, which has the
    focus and links to each field; axe finds nothing serious there either, and the page still fits."""
    from qiancheng.accounts.tests.two_cities import build_two_cities

    build_two_cities()
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    page.goto(f"{live_server.url}{url}")
    page.evaluate("() => document.querySelectorAll('main [required]').forEach(each => each.removeAttribute('required'))")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state("load")
    alerts = page.get_by_role("alert")
    assert alerts.count() == 1
    assert alerts.get_attribute("data-testid") == "error-summary"
    assert page.evaluate("document.activeElement.dataset.testid") == "error-summary"
    first = page.locator("[data-error-summary] a").first
    target = first.get_attribute("href")
    first.click()
    assert page.evaluate("'#' + document.activeElement.id") == target
    assert _axe(page, url, {}) == []
    measured = page.evaluate(WIDTH)
    assert measured["scroll"] <= measured["client"] + 1, measured
    context.close()
