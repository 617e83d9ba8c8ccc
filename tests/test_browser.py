"""Real-browser tests: the app as `streamlit run` serves it, in Debian's headless Chromium.

What AppTest cannot see: the URL bar, charts actually drawn, the offline map, file downloads,
several browsers at once."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from browser_support import (
    CHARTS,
    TIMEOUT_MS,
    is_local,
    open_page,
    pick_post,
    screenshot,
    selected_count,
    selected_posts,
    set_years,
    sidebar,
    slider_years,
    wait_finished,
)

from defections import queries, registry
from defections.export import csv_bytes
from defections.filters import Filters

pytestmark = pytest.mark.browser

# path -> (name, plotly charts the page draws with the full data)
PAGES = {page.url: (page.name, page.charts) for page in registry.PAGES}
CUBA_2023 = "years=2023&years=2023&post=Cuba"
GARBAGE = "years=abc&years=99999&post=Atlantis&category=" + quote("<script>") + "&foo=bar"
EXCEPTION = '[data-testid="stException"]'
ERROR = '[data-testid="stAlertContentError"]'


@pytest.fixture
def new_context(browser):
    """Make fresh browser contexts (no shared cookies, storage or cache); all closed after the test."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a fresh context; `page.requested` lists every URL it asked for."""
    page = new_context().new_page()
    page.requested = []
    page.on("request", lambda request: page.requested.append(request.url))
    return page


def count_for(con, year_from=None, year_to=None, posts=()) -> int:
    return queries.events_in_view(con, Filters(year_from, year_to, tuple(posts)))


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def assert_no_exception(page) -> None:
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()
    assert page.locator(ERROR).count() == 0, page.locator(ERROR).first.inner_text()


@pytest.mark.parametrize("path", PAGES, ids=[name for name, _ in PAGES.values()])
def test_page_renders_every_chart_without_exception(page, app_url, con, path):
    name, charts = PAGES[path]
    page.set_viewport_size({"width": 1400, "height": 1800})
    open_page(page, app_url + path)
    assert_no_exception(page)
    assert page.requested and [url for url in page.requested if not is_local(url)] == []  # nothing leaves localhost
    assert selected_count(page) == count_for(con)
    assert page.locator(CHARTS).count() == charts
    if charts:
        assert page.locator(".js-plotly-plot .main-svg").count() > 0
        assert page.locator(".js-plotly-plot .main-svg .trace").count() >= charts
    screenshot(page, f"page-{name}")


def test_map_draws_land_from_the_apps_own_topojson(page, app_url):
    with page.expect_response(lambda response: "/topojson/" in response.url, timeout=TIMEOUT_MS) as topojson:
        open_page(page, app_url + "/")
    assert topojson.value.ok and is_local(topojson.value.url), topojson.value.url
    land = page.locator(".js-plotly-plot .geo .layer.land path")
    assert land.count() > 0
    assert len(land.first.get_attribute("d") or "") > 1000, "the land layer has no outline"
    assert page.locator(".js-plotly-plot .geo .scattergeo .point").count() > 0
    plotting = [url for url in page.requested if any(word in url.lower() for word in ("topojson", "plot.ly", "plotly"))]
    assert plotting and all(is_local(url) for url in plotting), plotting


def test_filters_set_in_the_sidebar_reproduce_from_the_url_in_a_new_browser(page, app_url, new_context, con):
    open_page(page, app_url + "/")
    set_years(page, 2023, 2023)
    pick_post(page, "Cuba")
    query = query_of(page.url)
    assert query["years"] == ["2023", "2023"] and query["post"] == ["Cuba"]

    other = new_context().new_page()
    open_page(other, f"{app_url}/timeline?{urlsplit(page.url).query}")
    assert_no_exception(other)
    assert slider_years(other) == (2023, 2023)
    assert selected_posts(other) == ["Cuba"]
    assert selected_count(other) == count_for(con, 2023, 2023, ["Cuba"]) > 0


def test_filters_survive_a_page_switch(page, app_url, con):
    open_page(page, app_url + "/")
    pick_post(page, "Cuba")
    sidebar(page).locator('[data-testid="stSidebarNav"] a').filter(has_text="Timeline").click()
    page.wait_for_url("**/timeline**", timeout=TIMEOUT_MS)
    page.get_by_role("heading", name="Timeline", level=1).wait_for()
    wait_finished(page)
    assert query_of(page.url).get("post") == ["Cuba"]
    assert selected_posts(page) == ["Cuba"]
    assert selected_count(page) == count_for(con, posts=["Cuba"])


def test_events_page_lists_ri_il_kyu_for_cuba_2023(page, app_url):
    open_page(page, f"{app_url}/events?{CUBA_2023}")
    event = page.locator('[data-testid="stSelectbox"]').filter(has_text="Event").get_by_role("combobox")
    assert "Ri Il Kyu" in event.input_value()
    assert query_of(page.url).get("post") == ["Cuba"]


def test_an_event_link_holds_the_event_id_both_ways(page, app_url):
    open_page(page, f"{app_url}/events?event=E05")
    event = page.locator('[data-testid="stSelectbox"]').filter(has_text="Event").get_by_role("combobox")
    assert event.input_value().endswith("(E05)")
    event.click()
    page.keyboard.type("Ri Il Kyu")  # the list is virtual: filter it so the option is drawn
    page.get_by_role("option", name="Ri Il Kyu (E27)").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('event') === 'E27'", timeout=TIMEOUT_MS)
    wait_finished(page)
    assert event.input_value() == "Ri Il Kyu (E27)"


def test_events_download_is_the_filtered_export_with_sources(page, app_url, con):
    open_page(page, f"{app_url}/events?{CUBA_2023}")
    with page.expect_download(timeout=TIMEOUT_MS) as download:
        page.get_by_role("button", name="Download all").click()
    data = download.value.path().read_bytes()
    expected = csv_bytes(queries.export_events(con, Filters(2023, 2023, ("Cuba",))))

    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == list(csv.reader(io.StringIO(expected.decode("utf-8-sig"))))
    assert "2023" in download.value.suggested_filename and "Cuba" in download.value.suggested_filename
    records = [dict(zip(rows[0], row)) for row in rows[1:]]
    ri = [r for r in records if r["person"] == "Ri Il Kyu"]
    assert ri and "http" in ri[0]["source_urls"]


@pytest.mark.parametrize("path", PAGES, ids=[name for name, _ in PAGES.values()])
def test_garbage_query_parameters_are_ignored(page, app_url, con, path):
    open_page(page, f"{app_url}{path}?{GARBAGE}")
    assert_no_exception(page)
    assert selected_count(page) == count_for(con)


def test_several_browsers_at_once_all_load(new_context, app_url, con):
    tabs = {path: new_context().new_page() for path in PAGES}
    for path, tab in tabs.items():
        tab.goto(app_url + path, wait_until="commit")  # all six load at the same time; wait afterwards
    for tab in tabs.values():
        tab.locator('[data-testid="stMain"] h1').first.wait_for(timeout=3 * TIMEOUT_MS)
        wait_finished(tab, timeout=3 * TIMEOUT_MS)
        assert_no_exception(tab)
        assert selected_count(tab) == count_for(con)


def test_confirmation_filter_is_read_from_and_written_to_the_url(page, app_url, con):
    open_page(page, app_url + "/events?confirmation=confirmed")
    assert selected_count(page) == queries.events_in_view(con, Filters(confirmations=("confirmed",)))
    box = sidebar(page).locator('[data-testid="stMultiSelect"]').filter(has_text="Confirmation")
    box.get_by_role("combobox").click()
    page.keyboard.type("denied")
    page.get_by_role("option", name="denied", exact=True).click()
    page.keyboard.press("Escape")
    page.wait_for_function("() => new URLSearchParams(location.search).getAll('confirmation').includes('denied')",
                           timeout=TIMEOUT_MS)
    wait_finished(page)
    assert query_of(page.url)["confirmation"] == ["confirmed", "denied"]
    assert selected_count(page) == queries.events_in_view(con, Filters(confirmations=("confirmed", "denied")))
