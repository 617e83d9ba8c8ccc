"""Real-browser tests: the app as `streamlit run` serves it, in Debian's headless Chromium.

What AppTest cannot see: the URL bar, charts actually drawn, the offline map, file downloads,
several browsers at once."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import defaultdict
from urllib.parse import parse_qs, quote, urlsplit

import pyarrow.parquet as pq
import pytest
from browser_support import (
    CHARTS,
    TIMEOUT_MS,
    download,
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
    wait_for_count,
)
from playwright.sync_api import Error as PlaywrightError

from defections import bundle, queries, registry, release
from defections.export import csv_bytes
from defections.filters import Filters

pytestmark = pytest.mark.browser

# path -> (name, plotly charts the page draws with the full data)
PAGES = {page.url: (page.name, page.charts) for page in registry.PAGES}
CUBA_2023 = "years=2023&years=2023&post=Cuba"
GARBAGE = "years=abc&years=99999&post=Atlantis&category=" + quote("<script>") + "&foo=bar"
EXCEPTION = '[data-testid="stException"]'
ERROR = '[data-testid="stAlertContentError"]'


def tab(context):
    """A new tab (a new Streamlit session) in `context`; `tab.requested` lists every URL it asked for and
    `tab.responses` every response it got, served from the browser's cache or not."""
    tab = context.new_page()
    tab.requested, tab.responses = [], []
    tab.on("request", lambda request: tab.requested.append(request.url))
    tab.on("response", lambda response: tab.responses.append(response))
    return tab


@pytest.fixture(scope="module")
def browsing_tab(browsing):
    """The one long-lived tab of the shared browser context that `page` hands to each test."""
    page = tab(browsing)
    yield page
    page.close()


@pytest.fixture(scope="module")
def elsewhere_tab(elsewhere):
    page = tab(elsewhere)
    yield page
    page.close()


def blank(page, width: int = 1400, height: int = 1000):
    """`page` on about:blank (its previous page, and so its Streamlit session, closed) at the given size,
    with empty request and response lists: to a test, as good as a new tab. The next page it opens is a
    new page load, so a new Streamlit session. Reusing the tab rather than opening a new one halves
    Chromium's CPU per page load (measured: about 9 -> 4 CPU-s; a new tab is a new renderer process)."""
    page.goto("about:blank")
    page.set_viewport_size({"width": width, "height": height})
    page.requested.clear()
    page.responses.clear()
    return page


@pytest.fixture
def page(browsing_tab):
    """A blank tab in the shared browser context (see blank); left blank after the test."""
    yield blank(browsing_tab)
    browsing_tab.goto("about:blank")


@pytest.fixture
def other(elsewhere_tab):
    """A blank tab in another browser (context): none of `page`'s cookies, storage or session."""
    yield blank(elsewhere_tab)
    elsewhere_tab.goto("about:blank")


def count_for(con, year_from=None, year_to=None, posts=()) -> int:
    return queries.events_in_view(con, Filters(year_from, year_to, posts=tuple(posts)))


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def assert_no_exception(page) -> None:
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()
    assert page.locator(ERROR).count() == 0, page.locator(ERROR).first.inner_text()


def test_filters_set_in_the_sidebar_survive_a_page_switch_and_reproduce_from_the_url_in_another_browser(
        page, other, app_url, con):
    open_page(page, app_url + "/")
    pick_post(page, "Cuba")
    sidebar(page).locator('[data-testid="stSidebarNav"] a').filter(has_text="Timeline").click()
    page.wait_for_url("**/timeline**", timeout=TIMEOUT_MS)
    page.get_by_role("heading", name="Timeline", level=1).wait_for()
    wait_finished(page)
    assert query_of(page.url).get("post") == ["Cuba"]
    assert selected_posts(page) == ["Cuba"]
    assert selected_count(page) == count_for(con, posts=["Cuba"])

    set_years(page, 2023, 2023)
    query = query_of(page.url)
    assert query["years"] == ["2023", "2023"] and query["post"] == ["Cuba"]
    open_page(other, f"{app_url}/timeline?{urlsplit(page.url).query}")
    assert_no_exception(other)
    assert slider_years(other) == (2023, 2023)
    assert selected_posts(other) == ["Cuba"]
    assert selected_count(other) == count_for(con, 2023, 2023, ["Cuba"]) > 0


def test_events_download_is_the_filtered_export_with_sources(page, app_url, con):
    # With test_events_page_lists_ri_il_kyu_for_cuba_2023: the same page, loaded once.
    open_page(page, f"{app_url}/events?{CUBA_2023}")
    event = page.locator('[data-testid="stSelectbox"]').filter(has_text="Event").get_by_role("combobox")
    assert "Ri Il Kyu" in event.input_value()
    assert query_of(page.url).get("post") == ["Cuba"]

    got = download(page, "Download all")
    data = got.path().read_bytes()
    expected = csv_bytes(queries.export_events(con, Filters(2023, 2023, posts=("Cuba",))))

    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == list(csv.reader(io.StringIO(expected.decode("utf-8-sig"))))
    assert "2023" in got.suggested_filename and "Cuba" in got.suggested_filename
    records = [dict(zip(rows[0], row)) for row in rows[1:]]
    ri = [r for r in records if r["person"] == "Ri Il Kyu"]
    assert ri and any((source["url"] or "").startswith("http") for source in json.loads(ri[0]["sources_json"]))


def test_the_whole_dataset_downloads_as_one_zip_whose_every_file_reads_and_the_citation_follows_the_source_picked(
        page, app_url, con):
    # Was two tests (the dataset's zip; the citation following the source picked) of the Sources page: the
    # page loaded once for both, the zip downloaded first.
    open_page(page, f"{app_url}/sources?source=S001")
    got = download(page, "Download the whole dataset")
    data = got.path().read_bytes()

    assert got.suggested_filename == bundle.file_name(con)
    assert data == bundle.bundle_bytes(con)  # which test_bundle checks against the CLI's bytes
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    for name in archive.namelist():
        content = archive.read(name)
        if name.endswith(".csv"):
            assert content.startswith(b"\xef\xbb\xbf"), name
            header, *rows = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
            assert header and all(len(row) == len(header) for row in rows), name
        elif name.endswith(".parquet"):
            table = pq.read_table(io.BytesIO(content))
            assert table.num_columns and table.num_rows == len(list(csv.reader(io.StringIO(
                archive.read(name.replace("parquet", "csv")).decode("utf-8-sig"), newline="")))) - 1, name
        elif name.endswith(".xlsx"):  # a workbook is itself a zip of XML parts
            assert "xl/worksheets/sheet1.xml" in zipfile.ZipFile(io.BytesIO(content)).namelist(), name
        else:
            assert content.decode("utf-8").strip(), name

    picker = page.locator('[data-testid="stSelectbox"]').filter(has_text="Facts citing a source")
    picker = picker.get_by_role("combobox")
    picker.click()
    page.keyboard.type("S002")
    page.get_by_role("option").filter(has_text="S002").first.click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('source') === 'S002'",
                           timeout=TIMEOUT_MS)
    wait_finished(page)
    assert cited_url(page) == page.url and "source=S002" in page.url


def cited_url(page) -> str:
    """The URL line of the page's "Cite this view" text (the expander opened if it is closed)."""
    box = page.locator('[data-testid="stExpander"]').filter(has_text="Cite this view")
    if not box.locator('[data-testid="stCode"]').first.is_visible():
        box.get_by_text("Cite this view").click()  # a rerun draws the text: the box is empty until opened
    return box.locator('[data-testid="stCode"]').first.inner_text().splitlines()[1]


def test_an_event_link_holds_the_event_id_both_ways_and_the_citation_follows_it(page, app_url):
    # Was two tests (the event link; the citation following the event picked) of the same page and the same
    # pick: the page loaded once for both.
    open_page(page, f"{app_url}/events?event=E05")
    event = page.locator('[data-testid="stSelectbox"]').filter(has_text="Event").get_by_role("combobox")
    assert event.input_value().endswith("(E05)")
    assert cited_url(page) == page.url
    event.click()
    page.keyboard.type("Ri Il Kyu")  # the list is virtual: filter it so the option is drawn
    page.get_by_role("option", name="Ri Il Kyu (E27)").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('event') === 'E27'", timeout=TIMEOUT_MS)
    wait_finished(page)
    assert event.input_value() == "Ri Il Kyu (E27)"
    assert cited_url(page) == page.url and "event=E27" in page.url
    got = download(page, "Download the citation for this CSV")
    assert page.url in got.path().read_text(encoding="utf-8").splitlines()


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
    both = queries.events_in_view(con, Filters(confirmations=("confirmed", "denied")))
    assert wait_for_count(page, both) == both


HAVANA_MARKS = [("October 2023", "embassy closures"), ("November 2023", "Ri Il Kyu defects"),
                ("14 February 2024", "South Korea and Cuba establish ties"),
                ("17 January 2025", "embassy in Havana opens"), ("16 July 2024", "made public")]
BOXES_JS = """(plot, selector) => [...plot.querySelectorAll(selector)].map(e => {
  const r = e.getBoundingClientRect();
  return {text: e.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom};
}).filter(b => b.right > b.left && b.bottom > b.top)"""


def overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def test_context_opens_on_the_havana_sequence_labelled_apart_and_the_whole_history_is_one_click_away(
        page, other, app_url):
    # With what test_the_havana_link_is_stated_on_the_context_page_with_its_source and the whole history's
    # case of test_at_desktop_width_every_legend_lies_inside_its_chart checked: the same pages, loaded once.
    open_page(page, app_url + "/context")
    main = page.locator('[data-testid="stMain"]')  # the Havana link is stated, with its source
    fact = main.get_by_text("had worked to block Cuba from opening diplomatic ties with South Korea").first
    assert fact.is_visible()
    links = fact.locator("xpath=ancestor::*[@data-testid='stMarkdownContainer']").locator("a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert any(h and "newser.com" in h for h in hrefs), hrefs
    assert any(h and "event=E27" in h for h in hrefs), hrefs

    plot = page.locator(f"{CHARTS} .js-plotly-plot").first
    labels = plot.evaluate(BOXES_JS, ".textpoint text")
    figure = plot.evaluate(BOXES_JS, ".main-svg")[0]
    found = {}
    for when, words in HAVANA_MARKS:
        matching = [b for b in labels if when in b["text"] and words in b["text"]]
        assert len(matching) == 1, (when, words, [b["text"] for b in labels])
        found[words] = matching[0]
    for box in found.values():  # drawn inside the chart and inside the opening screen (1400 x 1000)
        assert figure["left"] <= box["left"] and box["right"] <= figure["right"], box
        assert 0 <= box["top"] and box["bottom"] <= 1000, box
    boxes = list(found.values())
    assert not [(a["text"], b["text"]) for i, a in enumerate(boxes) for b in boxes[i + 1:] if overlap(a, b)]
    screenshot(page, "context-havana-sequence")

    page.locator('[data-testid="stButtonGroup"]').get_by_text("Whole history").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('view') === 'Whole history'",
                           timeout=TIMEOUT_MS)
    page.locator(f"{CHARTS} .gtitle").filter(has_text="since 1949").wait_for()  # the rerun has drawn it
    wait_finished(page)

    open_page(other, f"{app_url}/context?{urlsplit(page.url).query}")
    assert "since 1949" in other.locator(f"{CHARTS} .gtitle").first.text_content()
    assert other.locator('[data-testid="stButtonGroup"] [aria-checked="true"]').inner_text() == "Whole history"
    assert other.viewport_size == {"width": 1400, "height": 1000}  # the whole history at desktop width, by its link
    assert_no_exception(other)
    assert_charts_readable(other, 1400)


@pytest.fixture
def phone(browsing_tab):
    """The shared tab at phone width for the phone-width tests: the first of them loads its page (the tab
    comes blank from another test, or from nothing), each later one reaches its own through the app's
    links (see show), as a phone user does, in the same session; `page` blanks the tab after its tests."""
    if browsing_tab.viewport_size != {"width": 390, "height": 900}:
        blank(browsing_tab, 390, 900)
    return browsing_tab


NAV_LABELS = {path: name for path, (name, _) in PAGES.items()}
WHOLE_HISTORY = "/context?view=Whole+history"


def show(page, app_url: str, view: str) -> None:
    """Bring `view` (a page's path, or the context page's whole history) up in `page`: a page load the first
    time, then the sidebar's link to the page (the sidebar opened from its button at phone width) and the
    view's button, without loading the app again (each load costs Chromium several CPU-seconds). Then the
    address bar is `view`'s and the run is over, every chart drawn."""
    path, _, query = view.partition("?")
    if not page.url.startswith(app_url):
        open_page(page, app_url + view)
    else:
        if urlsplit(page.url).path != path:
            if page.locator('[data-testid="stSidebarNav"]').is_hidden():
                page.locator('[data-testid="stExpandSidebarButton"]').click()
            sidebar(page).locator('[data-testid="stSidebarNav"] a').filter(has_text=NAV_LABELS[path]).click()
            page.wait_for_url(lambda url: urlsplit(url).path == path, timeout=TIMEOUT_MS)
            page.get_by_role("heading", name=NAV_LABELS[path], level=1).wait_for(timeout=TIMEOUT_MS)
            wait_finished(page)
            if page.locator('[data-testid="stSidebarNav"]').is_visible():  # closed again, as after a tap on a link
                page.locator('[data-testid="stSidebarCollapseButton"] button').click()
                page.locator('[data-testid="stSidebarNav"]').wait_for(state="hidden")
        if view == WHOLE_HISTORY and query_of(page.url) != query_of(view):
            page.locator('[data-testid="stButtonGroup"]').get_by_text("Whole history").click()
            page.wait_for_function("() => new URLSearchParams(location.search).get('view') === 'Whole history'",
                                   timeout=TIMEOUT_MS)
            page.locator(f"{CHARTS} .gtitle").filter(has_text="since 1949").wait_for()  # the rerun has drawn it
            wait_finished(page)
    assert (urlsplit(page.url).path, query_of(page.url)) == (path, query_of(view))


@pytest.mark.parametrize("path", [*PAGES, WHOLE_HISTORY])
def test_at_phone_width_no_legend_overlaps_a_title(phone, app_url, con, path):
    page = phone
    show(page, app_url, path)
    assert page.viewport_size == {"width": 390, "height": 900}
    assert_no_exception(page)
    assert_charts_readable(page, 390)
    screenshot(page, f"phone-{path.strip('/').split('?')[0] or 'overview'}")
    if path == "/timeline":  # was test_at_phone_width_the_timeline_is_a_list: the same page at the same width
        listed = page.locator('[class*="st-key-narrow-timeline"] li')
        assert listed.count() == count_for(con)
        assert page.locator('[class*="st-key-wide-timeline"]').bounding_box()["height"] == 0


def assert_charts_readable(page, width: int) -> None:
    """Every chart on the page: its legend inside the figure, no legend or mode bar over a title, and the
    figure not cut at the right edge of the window."""
    for plot in page.locator(".js-plotly-plot").all():
        figure = plot.evaluate(BOXES_JS, ".main-svg")[0]
        titles, legends = plot.evaluate(BOXES_JS, ".gtitle"), plot.evaluate(BOXES_JS, ".legend")
        bars = plot.evaluate(BOXES_JS, ".modebar-container .modebar")
        assert not [(t["text"], legend["text"]) for t in titles for legend in legends if overlap(t, legend)]
        assert not [t["text"] for t in titles for bar in bars if overlap(t, bar)], "the mode bar covers a title"
        outside = [legend["text"][:60] for legend in legends
                   if legend["top"] < figure["top"] - 1 or legend["bottom"] > figure["bottom"] + 1
                   or legend["left"] < figure["left"] - 1 or legend["right"] > figure["right"] + 1]
        assert not outside, f"legend cut off by its chart: {outside}"
        if figure["bottom"] > figure["top"]:  # a chart clipped away on a phone (its list is shown) is not cut
            assert figure["right"] <= width + 1, f"chart cut at the right: {figure}"


@pytest.mark.parametrize("path", PAGES, ids=[name for name, _ in PAGES.values()])
def test_at_desktop_width_every_legend_lies_inside_its_chart(six_tabs, path):
    # Each page as one of the six tabs loaded at once shows it (the garbage in their URLs leaves the unfiltered
    # view, as test_garbage_query_parameters_are_ignored checks): not a page load of its own. The whole
    # history at desktop width: test_context_opens_on_the_havana_sequence_labelled_apart_and_the_whole_history_is_...
    page = six_tabs[path]
    assert page.viewport_size["width"] == 1400
    assert_no_exception(page)
    assert_charts_readable(page, 1400)


def test_trend_chart_draws_the_databases_yearly_totals_for_a_filtered_view(page, app_url, con):
    page.set_viewport_size({"width": 1400, "height": 2600})
    open_page(page, f"{app_url}/timeline?years=2014&years=2024&post=China&stack=confirmation")
    assert page.locator('.st-key-chart-trend').count() == 0  # one view at a time: the events first
    page.get_by_role("tab", name="Per year").click()  # the view is named in the URL, so the link cites it
    page.wait_for_url("**view=Per*", timeout=TIMEOUT_MS)
    wait_finished(page)
    assert_no_exception(page)
    plot = page.locator('.st-key-chart-trend .js-plotly-plot')
    plot.scroll_into_view_if_needed()
    # What plotly drew: every bar trace's (year, height) as plotly computed them, summed per year.
    drawn = plot.evaluate("""el => {
        const totals = {};
        el.calcdata.filter(trace => trace[0].trace.type === 'bar').forEach(trace => trace.forEach(bar => {
            totals[bar.p] = (totals[bar.p] || 0) + bar.s;
        }));
        return totals;
    }""")
    expected = con.execute("SELECT defection_year, count(*) FROM events WHERE post_country = 'China' "
                           "AND defection_year BETWEEN 2014 AND 2024 AND counted GROUP BY 1").fetchall()
    assert {int(year): int(n) for year, n in drawn.items()} == dict(expected)
    assert sum(n for _, n in expected) == selected_count(page) == count_for(con, 2014, 2024, ["China"])
    assert plot.locator(".barlayer .point").count() > 0  # the bars are drawn, not only sent
    screenshot(page, "timeline-trend-china")

    page.get_by_text("Cite this view").click()
    cite = page.locator('[data-testid="stExpander"] [data-testid="stCode"]').first.inner_text()
    assert f"{app_url}/timeline?" in cite and "post=China" in cite and "years=2014&years=2024" in cite
    assert "view=Per" in cite
    assert f"Data as of {queries.as_of(con).isoformat()}" in cite
    assert f"Data: {release.release_label(con)}." in cite


@pytest.fixture(scope="module")
def six_tabs(browsing, browsing_tab, app_url):
    """One tab per page, all loading at the same time (six sessions on the server at once), each with the
    garbage query in its URL; every tab's run over and its charts drawn. Read by the tests below, which
    check what they see in the same six loads.

    The tabs are popups that `browsing_tab`, on the app's origin, opens with window.open: they share its
    renderer process, where six new tabs would start six (measured twice: 26.2-26.7 -> 18.7-23.8 Chromium
    CPU-s for these tests). A popup's first request is sent before Playwright hands over its page, so
    requests and responses are recorded on the context, by the page they belong to."""
    requested, responses = defaultdict(list), defaultdict(list)
    opening = None  # the path of the popup being opened: its navigation request comes before its frame exists

    def page_of(request):
        try:
            return request.frame.page
        except PlaywrightError:  # no frame yet (a popup's navigation) or none at all (a service worker)
            return opening if request.is_navigation_request() else None

    def on_request(request):
        requested[page_of(request)].append(request.url)

    def on_response(response):
        responses[page_of(response.request)].append(response)

    browsing.on("request", on_request)
    browsing.on("response", on_response)
    opener = blank(browsing_tab)
    opener.goto(f"{app_url}/_stcore/health")  # a same-origin page that starts no Streamlit session
    tabs = {}
    try:
        for path in PAGES:  # all six at once; wait afterwards
            opening = path
            with browsing.expect_page() as popup:
                opener.evaluate("url => { window.open(url); }", f"{app_url}{path}?{GARBAGE}")
            tabs[path] = page = popup.value
            page.set_viewport_size({"width": 1400, "height": 1800})
            # The navigation, recorded under the path, goes first in the page's own lists.
            requested[page] = requested.pop(path, []) + requested[page]
            responses[page] = responses.pop(path, []) + responses[page]
        for page in tabs.values():
            page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=3 * TIMEOUT_MS)
            wait_finished(page, timeout=3 * TIMEOUT_MS)
            page.requested, page.responses = requested[page], responses[page]
        yield tabs
    finally:
        browsing.remove_listener("request", on_request)
        browsing.remove_listener("response", on_response)
        for page in tabs.values():
            page.close()
        opener.goto("about:blank")


@pytest.mark.parametrize("path", PAGES, ids=[name for name, _ in PAGES.values()])
def test_garbage_query_parameters_are_ignored(six_tabs, con, path):
    page = six_tabs[path]
    assert query_of(page.requested[0]) == query_of(f"?{GARBAGE}")  # the page was opened with the garbage
    assert_no_exception(page)
    assert selected_count(page) == count_for(con)


def test_several_browsers_at_once_all_load(six_tabs, con):
    # In each of the six tabs loaded at once, what test_page_renders_every_chart_without_exception and
    # test_map_draws_land_from_the_apps_own_topojson checked one page at a time (each page loaded once for
    # all three tests; the garbage in the URLs, which test_garbage_query_parameters_are_ignored reads in the
    # same tabs, leaves the unfiltered view).
    tabs = six_tabs
    for path, page in tabs.items():
        name, charts = PAGES[path]
        assert_no_exception(page)
        assert page.requested and [url for url in page.requested if not is_local(url)] == []  # all local
        assert selected_count(page) == count_for(con)
        assert page.locator(CHARTS).count() == charts
        if charts:
            assert page.locator(".js-plotly-plot .main-svg").count() > 0
            assert page.locator(".js-plotly-plot .main-svg .trace").count() >= charts
        screenshot(page, f"page-{name}")
    overview = tabs["/"]  # the map draws land from the app's own topojson
    topojson = [response for response in overview.responses if "/topojson/" in response.url]
    assert topojson and all(response.ok and is_local(response.url) for response in topojson), topojson
    land = overview.locator(".js-plotly-plot .geo .layer.land path")
    assert land.count() > 0
    assert len(land.first.get_attribute("d") or "") > 1000, "the land layer has no outline"
    assert overview.locator(".js-plotly-plot .geo .scattergeo .point").count() > 0
    plotting = [url for url in overview.requested
                if any(word in url.lower() for word in ("topojson", "plot.ly", "plotly"))]
    assert plotting and all(is_local(url) for url in plotting), plotting
