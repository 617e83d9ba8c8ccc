"""Two replicas behind nginx (deploy/), as docs/deploy.md tells an operator to run them: every page is
served and runs through the proxy, a chart page and the Events page load through it in Chromium, a session
stays on one replica (its page, its scripts, its websocket, its reruns and its downloads), and the load
client runs through the proxy without an error."""

from __future__ import annotations

import os
import re
import shutil
import urllib.request

import pytest
from browser_support import (
    CHARTS,
    TIMEOUT_MS,
    download,
    new_context,
    selected_count,
    set_years,
    wait_finished,
    wait_for_count,
)

from bench import load
from bench.browser import free_port
from defections import queries, registry
from defections.filters import Filters
from deploy.replicas import deployment

REPLICA = "x-defections-replica"  # the header nginx adds: the upstream that answered
# A fresh browser context fetches Streamlit's and plotly's scripts (about 10 MB) through the proxy;
# on a busy 2-core CI machine the first drawn chart can take longer than the browser tests' 30 s.
LOAD_MS = 3 * TIMEOUT_MS


@pytest.fixture(scope="module")
def proxied(db_path, tmp_path_factory):
    served = tmp_path_factory.mktemp("served") / "defections.duckdb"  # the rollout test replaces it
    shutil.copy2(db_path, served)
    with deployment(served, replica_ports=[free_port(), free_port()], port=free_port(),
                    runtime=tmp_path_factory.mktemp("deploy")) as running:
        for url in running.replica_urls:
            load.visit(url, "")  # a replica's first run imports plotly and opens the database: not what is tested
        yield running


@pytest.fixture(scope="module")
def visitor(browser):
    """One browser visiting through the proxy. Its first request has no cookie, so nginx picks a replica
    and hands out its sticky cookie; every later tab in it sends that cookie back. A tab per test is a new
    Streamlit session; the context keeps the HTTP cache of Streamlit's and plotly's scripts (~10 MB)."""
    context = new_context(browser)
    yield context
    context.close()


@pytest.fixture(scope="module")
def visitor_tab(visitor):
    """The visitor's one long-lived tab; `replicas` lists the replica named on each HTTP response (from the
    cache or not). Reused by every test rather than a new tab each: a page load in a tab that has loaded
    the app before costs Chromium about half the CPU (a new tab is a new renderer process)."""
    page = visitor.new_page()
    page.replicas = []
    page.on("response", lambda response: page.replicas.append(response.headers.get(REPLICA)))
    yield page
    page.close()


@pytest.fixture
def tab(visitor_tab):
    """The visitor's tab, blank (its previous page and Streamlit session closed), with an empty `replicas`
    list: the test's first page load in it is a new Streamlit session, as in a new tab."""
    visitor_tab.goto("about:blank")
    visitor_tab.replicas.clear()
    yield visitor_tab
    visitor_tab.goto("about:blank")


def open_page(page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=LOAD_MS)
    wait_finished(page, timeout=LOAD_MS)


def connects(running) -> dict[str, int]:
    """Websocket sessions each replica has accepted so far (its own metrics, on its loopback port)."""
    counts = {}
    for url in running.replica_urls:
        with urllib.request.urlopen(url + "/_stcore/metrics", timeout=10) as response:
            text = response.read().decode()
        counts[url.removeprefix("http://")] = int(re.search(r'session_events_total\{type="connect"\} (\d+)', text)[1])
    return counts


def new_sessions(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {replica: after[replica] - before[replica] for replica in after if after[replica] != before[replica]}


def load_through_the_proxy(proxied, tab, con, page) -> None:
    """Load `page` in the blank tab through the proxy: the whole view, from one replica, one new session there."""
    before = connects(proxied)
    open_page(tab, proxied.proxy_url + page.url)
    assert selected_count(tab) == queries.events_in_view(con, Filters())
    assert tab.locator(CHARTS).count() == page.charts
    served_by = set(tab.replicas) - {None}
    assert len(served_by) == 1, tab.replicas  # the page, its scripts and styles: one replica
    assert new_sessions(before, connects(proxied)) == {served_by.pop(): 1}  # and the websocket too


EVENTS = registry.page("events")


@pytest.mark.parametrize("page", registry.PAGES, ids=lambda page: page.name)
def test_every_page_is_served_and_runs_through_the_proxy_on_one_replica(proxied, con, page):
    # The page's address answers with the app, and a session through the proxy runs the page to its end
    # on one replica. The websocket client stands in for Chromium here: a browser load costs several
    # CPU-seconds, and two pages load in Chromium below.
    with urllib.request.urlopen(proxied.proxy_url + page.url, timeout=30) as response:
        assert response.status == 200 and response.headers.get(REPLICA)
        assert b'<div id="root">' in response.read()
    before = connects(proxied)
    run = load.visit(proxied.proxy_url, page.url_path)
    assert run.status == "ok"
    assert len(run.of("plotly_chart")) == page.charts
    assert list(new_sessions(before, connects(proxied)).values()) == [1]


def test_a_chart_page_loads_in_chromium_through_the_proxy_on_one_replica(proxied, tab, con):
    # Its charts fetch plotly's script, which Streamlit loads only on a page that draws one.
    load_through_the_proxy(proxied, tab, con, next(page for page in registry.PAGES if page.charts))


def test_a_sessions_reruns_and_download_stay_on_its_replica(proxied, tab, con):
    load_through_the_proxy(proxied, tab, con, EVENTS)
    before = connects(proxied)
    set_years(tab, 2023, 2023)  # reruns over the open websocket
    in_2023 = queries.events_in_view(con, Filters(2023, 2023))
    # The URL changes before the rerun starts: wait for the header to show the new count.
    assert wait_for_count(tab, in_2023) == in_2023 < queries.events_in_view(con, Filters())
    got = download(tab, "Download all")
    assert got.failure() is None
    assert "2023" in got.suggested_filename
    assert got.path().read_bytes().startswith(b"\xef\xbb\xbf")  # the CSV, held by that replica
    assert connects(proxied) == before  # no new or re-established session anywhere
    assert len(set(tab.replicas) - {None}) == 1, tab.replicas


def test_the_load_client_runs_through_the_proxy_without_errors(proxied):
    # About four interactions per session: pages and year steps, each through the proxy.
    result = load.measure(proxied.proxy_url, proxied.replica_pids, sessions=8, seconds=6, think=1.5)
    assert result["errors"] == 0, result["error_examples"]
    assert result["by_kind"]["open"]["n"] == 8  # every session opened its page through the proxy
    assert result["by_kind"]["page"]["n"] >= 1 and result["by_kind"]["filter"]["n"] >= 1


def test_a_rebuilt_database_renamed_into_place_reaches_every_replica(proxied, one_defection):
    served = proxied.db
    assert load.visit(proxied.proxy_url, "events").status == "ok"
    staged = served.with_name(".defections.duckdb.new")  # same folder, same file system: rename is atomic
    shutil.copyfile(one_defection[1], staged)  # a copy gets a new mtime, as a fresh build has
    os.replace(staged, served)
    for url in proxied.replica_urls:  # each replica reopens the file on its next run, no restart
        run = load.visit(url, "events")
        assert run.status == "ok"
        assert any(text.startswith("**1** defection(s) selected") for text in run.texts("markdown"))
