"""A page with a chart on a slow mobile connection (issue 15, item 9): the whole page, its chart included, in
under 2 s on slow 3G with an empty cache.

The site is served as in production, not by the test server's own static handler: `collectstatic` writes
hashed, gzip-compressed copies into a fresh STATIC_ROOT and WhiteNoise serves them (a live server
thread without Django's static handler in front). Chromium then opens the fund dashboard with an empty cache
on an emulated slow 3G link (DevTools `Network.emulateNetworkConditions`: 400 kbit/s each way, 400 ms added
to every round trip), and the test measures when the figures (the totals and the accounts table) are visible,
when the chart is drawn, and when the page has loaded with everything it asked for. The chart is inline SVG
drawn on the server (ADR 0006): it arrives with the HTML, and no chart library is sent.

The times measured are printed (`-s`) and recorded in docs/service-design.md and the ADR.
"""

from __future__ import annotations

import re
import time
import urllib.request
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import connections
from django.test.testcases import LiveServerThread

pytestmark = pytest.mark.browser

SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
# Issue 15: a page with a chart under 2 s on slow 3G, empty cache. With ECharts (219 kB gzip, 4.4 s of this
# link alone) the chart took 6.3-6.6 s; drawn on the server it comes with the figures.
PAGE_BUDGET_S = 2.0
TEN_YEARS = "max-age=315360000"
TIMING = """() => {
  const navigation = performance.getEntriesByType('navigation')[0];
  return {
    paint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1,
    load: navigation.loadEventEnd,
    entries: [navigation, ...performance.getEntriesByType('resource')].map(each => ({
      name: each.name, bytes: each.transferSize, start: each.startTime, first: each.responseStart,
      end: each.responseEnd})),
  };
}"""


def _as_is(application):
    """No static handler in front of the site: /static/ reaches WhiteNoise, as behind `qiancheng serve`."""
    return application


@pytest.fixture(scope="module")
def production_static(tmp_path_factory) -> Iterator[None]:
    """A STATIC_ROOT filled by collectstatic once for the module (it compresses every file: tens of seconds)."""
    from django.test import override_settings

    overridden = override_settings(STATIC_ROOT=tmp_path_factory.mktemp("static"), MEDIA_URL="/media/",
                                   MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
    overridden.enable()
    call_command("collectstatic", interactive=False, verbosity=0)
    yield
    overridden.disable()


@pytest.fixture
def site(production_static, transactional_db) -> Iterator[str]:
    shared = {alias: connections[alias] for alias in connections
              if connections[alias].vendor == "sqlite" and connections[alias].is_in_memory_db()}
    for connection in shared.values():
        connection.inc_thread_sharing()
    server = LiveServerThread("127.0.0.1", _as_is, connections_override=shared, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    yield f"http://127.0.0.1:{server.port}"
    server.terminate()
    time.sleep(0.5)  # a request thread closing a kept-alive connection still uses the shared connection
    for connection in shared.values():
        connection.dec_thread_sharing()


def _signed_in_context(browser, base: str, user):
    """A fresh browser context (empty cache) holding a session of `user` with the second factor passed."""
    from django.conf import settings
    from django.test import Client

    from qiancheng.accounts.tests.second_factor_support import pass_second_factor

    client = Client()
    client.force_login(user)
    pass_second_factor(user, client)
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": base}])
    return context


def test_the_chart_page_sends_no_chart_script_and_its_static_files_compressed(site, browser, province_official) -> None:
    from qiancheng.funding.tests.money import funded

    funded(province_official, "100000.00")
    context = _signed_in_context(browser, site, province_official)
    html = context.request.get(f"{site}/money/funds/").text()
    context.close()
    assert 'id="fund-chart"' in html and "<svg" in html[html.index('id="fund-chart"'):]
    assert "echarts" not in html and "charts.js" not in html  # the chart is drawn on the server (ADR 0006)
    hashed = re.search(r'"(/static/web/qiancheng\.[0-9a-f]{12}\.css)"', html)
    assert hashed, "not the hashed name: collectstatic not used"
    stylesheet = hashed[1]
    # What Chromium asks for; WhiteNoise has gzip copies (brotli was measured and left out: docs/service-design.md).
    request = urllib.request.Request(f"{site}{stylesheet}", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    with urllib.request.urlopen(request) as answer:
        body = answer.read()
        encoding, cache = answer.headers["Content-Encoding"], answer.headers["Cache-Control"]
    print(f"qiancheng.css: {len(body):,} bytes sent ({encoding}), Cache-Control: {cache}")
    assert encoding in ("gzip", "br")
    assert TEN_YEARS in cache and "immutable" in cache


def test_on_slow_3g_the_page_with_its_chart_loads_in_under_2_s(site, browser, province_official) -> None:
    from qiancheng.funding.tests.money import funded

    funded(province_official, "100000.00")
    context = _signed_in_context(browser, site, province_official)
    # A server that has answered once (URLs imported, templates compiled), as a site in use is: the first
    # request of a fresh test server spent 15 s in Python on the shared cores. The browser's cache stays empty.
    assert context.request.get(f"{site}/money/funds/").ok
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url))
    devtools = context.new_cdp_session(page)
    devtools.send("Network.enable")
    devtools.send("Network.setCacheDisabled", {"cacheDisabled": True})
    devtools.send("Network.emulateNetworkConditions", SLOW_3G)

    started = time.monotonic()
    page.goto(f"{site}/money/funds/", wait_until="commit", timeout=60_000)
    page.get_by_test_id("fund-totals").wait_for(state="visible", timeout=60_000)
    page.get_by_test_id("fund-table").wait_for(state="visible", timeout=60_000)
    figures = time.monotonic() - started
    page.locator("#fund-chart svg rect").first.wait_for(state="visible", timeout=60_000)
    chart = time.monotonic() - started
    page.wait_for_load_state("load", timeout=60_000)
    loaded = time.monotonic() - started
    timing = page.evaluate(TIMING)
    print(f"slow 3G, empty cache: first paint {timing['paint'] / 1000:.2f} s, load event {timing['load'] / 1000:.2f} s "
          f"(the browser's clock); seen by the test: figures {figures:.2f} s, chart {chart:.2f} s, loaded {loaded:.2f} s; "
          f"{sum(each['bytes'] for each in timing['entries']):,} bytes over {len(sent)} requests")
    for each in timing["entries"]:
        print(f"  {each['name'][-60:]}: {each['bytes']:,} bytes, asked {each['start'] / 1000:.2f} s, "
              f"first byte {each['first'] / 1000:.2f} s, done {each['end'] / 1000:.2f} s")
    context.close()
    assert not [url for url in sent if "echarts" in url]
    # The browser's own clock: navigation start to the end of the load event, every file the page asked for
    # arrived and the chart (in the HTML) drawn. The test's clock adds Playwright's polling on loaded cores.
    assert timing["load"] / 1000 < PAGE_BUDGET_S, f"the page took {timing['load'] / 1000:.2f} s to load"
    assert 0 < timing["paint"] <= timing["load"]
    assert errors == []
