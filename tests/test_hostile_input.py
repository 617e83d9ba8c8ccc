"""Hostile input: crafted links, search text, CLI arguments and seed cells never break the app, never
reach SQL as text, and never come back out as live markup, links or spreadsheet formulas."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import plotly.graph_objects as go
import pytest
from browser_support import TIMEOUT_MS, new_context, streamlit_server, wait_finished
from browser_support import open_page as open_in_browser
from helpers import (
    edit,
    open_page,
    read_table,
    run_cli,
    script,
    selected_count,
    sha256,
    shown,
    touch_future,
    write_table,
)
from playwright.sync_api import expect
from streamlit.testing.v1 import AppTest

from defections import charts, queries, registry
from defections.__main__ import main
from defections.build import build
from defections.db import connect
from defections.export import csv_bytes
from defections.filters import Filters, clean
from defections.paths import SEEDS_DIR
from defections.validate import validate

ROOT = Path(__file__).resolve().parent.parent
PAGES = [page.script for page in registry.PAGES]

SQL_FRAGMENTS = ["' OR 1=1 --", "Cuba'; DROP TABLE seed.defections; --", "$year_from", "?", "%", "_"]
SCRIPT = "<script>alert(1)</script>"
JS_LINK = "[x](javascript:alert(1))"
FORMULAS = ['=HYPERLINK("http://evil")', "+1", "-1", "@SUM(A1)"]
CORPUS = [
    *SQL_FRAGMENTS,
    "'", '"', "''", "\\", "`", "x" * 100_000,
    "리일규", "\u202ecuba", "كوبا", "😀🇰🇵", "\x00", "Cuba\x00", "e\u0301\u0302\u0303",
    SCRIPT, JS_LINK, "![x](https://evil.example/pixel.png)", *FORMULAS,
    "", " ", "2016", "-2016", "99999999999999999999",
]
IDS = [repr(item[:24]) for item in CORPUS]
# Year ranges as a URL can carry them: reversed, negative, huge, too many, too few, not integers.
YEAR_RANGES = [["2024", "2016"], ["-5", "-1"], ["0", "99999"], ["99999999999999999999", "1"],
               ["2016", "2017", "2018"], ["2016"], ["2016.5", "2020"], ["1e3", "2e3"], ["", ""]]
# Addresses that GFM would turn into links even when escaped (an autolink).
URLS = ["https://evil.example/x", "www.evil.example", "someone@evil.example"]
# Markup from data text, left unescaped: a raw script tag, or a markdown link or image that is not a
# source link (ui.source_link writes exactly `](<http…>)`).
# Live markup: a script tag, or a link other than to an http(s) source or to the app's own event card.
LIVE_MARKUP = re.compile(r"(?<!\\)<\s*script|(?<!\\)\]\((?!<https?://|<events\?event=)", re.IGNORECASE)
IMAGE = "![x](https://evil.example/pixel.png)"


def sidebar_filters(at: AppTest) -> Filters:
    """The filters as the sidebar shows them: the year slider's two thumbs and the chosen tags."""
    year_from, year_to = sorted(at.slider(key="years").value)  # a slider draws its thumbs in order
    return Filters(year_from, year_to, posts=tuple(at.multiselect(key="post").value),
                   categories=tuple(at.multiselect(key="category").value),
                   confirmations=tuple(at.multiselect(key="confirmation").value))


@pytest.fixture(scope="module")
def options(con) -> dict:
    """The years, posts, categories and confirmations the session database holds, read once for the module."""
    return queries.filter_options(con)


def assert_applied_filters_are_valid(at: AppTest, con, options: dict) -> None:
    """The filters the sidebar shows are in `options` (the database's), and the count the page states is theirs."""
    shown_filters = sidebar_filters(at)
    lo, hi = options["years"]
    assert lo <= shown_filters.year_from <= shown_filters.year_to <= hi
    assert set(shown_filters.posts) <= set(options["posts"])
    assert set(shown_filters.categories) <= set(options["categories"])
    assert set(shown_filters.confirmations) <= set(options["confirmations"])
    assert selected_count(at) == queries.events_in_view(con, shown_filters)


# --- URL parameters -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("item", CORPUS, ids=IDS)
def test_hostile_url_parameters_render_every_page_with_valid_filters(db_path, con, options, item):
    at = open_page(PAGES[0], years=[item, "2016"], post=[item, "Cuba"], category=item, q=item, tab=item,
                   utm_source=item)
    for page in PAGES:
        if page != PAGES[0]:
            at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert_applied_filters_are_valid(at, con, options)


@pytest.mark.parametrize("years", YEAR_RANGES, ids=map(repr, YEAR_RANGES))
def test_bad_year_ranges_in_the_url_are_ordered_or_dropped(db_path, con, options, years):
    at = open_page(years=years, post=["Cuba", "Cuba", "Atlantis"], category=["diplomat", "diplomat"])
    assert_applied_filters_are_valid(at, con, options)
    assert at.multiselect(key="post").value == ["Cuba"]  # repeated and unknown values collapse
    assert at.multiselect(key="category").value == ["diplomat"]


@pytest.mark.parametrize("item", [*SQL_FRAGMENTS, SCRIPT, "\x00", "E27'--"], ids=repr)
def test_unknown_event_or_source_id_in_the_url_falls_back_to_a_real_one(db_path, con, item):
    at = open_page(script("events"), event=item, source=item)
    assert at.selectbox(key="event").value in set(queries.events_table(con, Filters())["event_id"])
    at.switch_page(script("sources")).run()
    assert at.selectbox(key="source").value in set(queries.sources_list(con)["source_id"])
    assert not at.exception


BOUNDS = (1991, 2024)


def selected_years(filters: Filters) -> tuple[int, int]:
    """The years a filter selects (no bound = the data's first or last year)."""
    return filters.year_from or BOUNDS[0], filters.year_to or BOUNDS[1]


@pytest.mark.parametrize("item", CORPUS, ids=IDS)
def test_clean_keeps_only_known_values_and_an_ordered_range(item):
    cleaned = clean([item, item], {"posts": [item, "Cuba", "Cuba"], "categories": [item]},
                    {"posts": ["Cuba", "China"], "categories": ["diplomat"]}, bounds=BOUNDS)
    assert selected_years(cleaned) in {BOUNDS, (2016, 2016)}
    assert cleaned.posts == ("Cuba",) and cleaned.categories == ()


@pytest.mark.parametrize("years, expected", [
    (["2024", "2016"], (2016, 2024)), (["1900", "2100"], BOUNDS), (["-5", "-1"], BOUNDS),
    ([10**30, 2000], (2000, 2024)), (["abc", "2016"], BOUNDS), (["2016"], BOUNDS), (None, BOUNDS),
])
def test_clean_orders_clips_or_drops_year_ranges(years, expected):
    cleaned = clean(years, {}, {}, bounds=BOUNDS)
    assert selected_years(cleaned) == expected


# --- the Events page search box -----------------------------------------------------------------------------


def events_page() -> AppTest:
    return open_page(script("events"))


def search(item: str, at: AppTest | None = None) -> AppTest:
    return (at or events_page()).text_input(key="q").set_value(item).run()


@pytest.mark.parametrize("item", CORPUS, ids=IDS)
def test_any_search_text_renders_without_error(db_path, item):
    at = search(item)
    assert not at.exception, [e.value for e in at.exception]
    assert selected_count(at) > 0


@pytest.mark.parametrize("item", SQL_FRAGMENTS, ids=repr)
def test_sql_in_the_search_matches_nothing_and_changes_nothing(db_path, con, item):
    at = events_page()
    before = (sha256(db_path), con.execute("SELECT count(*) FROM seed.defections").fetchone())
    at = search(item, at)
    assert any("No selected defection has a name, post or city matching" in i.value for i in at.info)
    assert not at.dataframe
    assert (sha256(db_path), con.execute("SELECT count(*) FROM seed.defections").fetchone()) == before


@pytest.mark.parametrize("spelling", ["Ri Il-gyu", "ri il kyu", "RI IL GYU"])
def test_search_finds_ri_il_kyu_by_any_romanization(db_path, spelling):
    assert "Ri Il Kyu" in search(spelling).dataframe[0].value["person"].tolist()


@pytest.mark.parametrize("item", [JS_LINK, "![x](https://evil.example/pixel.png)",
                                  "[Sign in again](https://evil.example/login)"], ids=repr)
def test_search_text_is_echoed_as_plain_text_not_as_a_link(db_path, item):
    info = [i.value for i in open_page(script("events"), q=item).info]
    assert any("No selected defection has a name, post or city matching" in text for text in info)
    assert not any(re.search(r"(?<!\\)\]\(", text) for text in info)


# --- the command line ---------------------------------------------------------------------------------------

BAD_YEARS = [*[("--from", year) for year in ["abc", "", "2016.5", "1e3", "0x7e0", "٢٠١٦", "' OR 1=1 --", "-1"]],
             ("--to", "99999"), ("--to", "2147483648"), ("--from", "-2147483649"),
             ("--from", "2147483648"), ("--to", "-2147483649"), ("--from", "9" * 40)]


def export_events(capsysbinary, db_path, *args) -> tuple[int, bytes, str]:
    """`python -m defections export events ARGS` run in this process: (exit code, stdout, stderr).
    The shell would print a traceback exactly when an exception escapes main(); here that fails the test."""
    try:
        code = main(["export", "events", *args, "--db", str(db_path)])
    except SystemExit as exit:  # argparse's usage errors
        code = exit.code
    out, err = capsysbinary.readouterr()
    return code, out, err.decode("utf-8", errors="replace")


def assert_exported_or_explained(code: int, out: bytes, err: str) -> None:
    """Either the CSV with its header, or a non-zero exit with a message."""
    if code == 0:
        assert out.startswith(b"\xef\xbb\xbfevent_id,")
    else:
        assert err.strip(), "failed without saying why"


@pytest.mark.parametrize("item", CORPUS, ids=IDS)
def test_cli_export_with_a_hostile_post_names_the_known_posts(capsysbinary, db_path, item):
    code, out, err = export_events(capsysbinary, db_path, "--post", item)
    assert code == 2 and "unknown --post" in err and "Cuba" in err  # no corpus item is a real post


@pytest.mark.parametrize("flag, year", BAD_YEARS)
def test_cli_export_with_a_garbage_year_exports_or_explains(capsysbinary, db_path, flag, year):
    assert_exported_or_explained(*export_events(capsysbinary, db_path, flag, year))


# The same through the CLI's argument list as a shell passes it (a NUL byte cannot be passed at all): an
# exception escaping main(), a traceback in the shell, fails the test.
@pytest.mark.parametrize("args", [("--post", SQL_FRAGMENTS[1]), ("--post", "x" * 100_000), ("--post", "\u202ecuba"),
                                  ("--from", "abc"), ("--from", "1e3")], ids=lambda a: f"{a[0]} {a[1][:20]!r}")
def test_cli_export_never_prints_a_traceback(db_path, args):
    result = run_cli("export", "events", *args, "--db", db_path)
    assert "Traceback" not in result.stderr
    assert_exported_or_explained(result.returncode, result.stdout, result.stderr)


# --- hostile text in the seeds ------------------------------------------------------------------------------

MARKUP = f"{SCRIPT} {JS_LINK} {' '.join(URLS)}"
# The client's seed document's id, shown on the Sources page's Seed document tab.
HOSTILE_ID = f"S000{IMAGE}"
# (table, row, cells): markup and formula starts in free-text fields that pages, charts and the CSV show.
HOSTILE_CELLS = [
    ("defections", {"event_id": "E27"}, {"summary": MARKUP, "position": JS_LINK, "notes": FORMULAS[0],
                                         "accompanied_by": FORMULAS[1], "destination": FORMULAS[2],
                                         "confirmed_by": FORMULAS[3]}),
    ("people", {"person_id": "K27"}, {"name": f"=cmd|' /C calc'!A0 {SCRIPT}"}),
    ("posts", {"post_id": "P-CN"}, {"post_city": MARKUP}),
    ("posts", {"post_id": "P-CU-HAV"}, {"post_city": MARKUP}),
    ("commentary", 0, {"speaker": JS_LINK, "speaker_role": SCRIPT, "summary": MARKUP}),
    ("sources", {"source_id": "S000"}, {"title": MARKUP}),
    ("context_events", 0, {"summary": MARKUP}),
    ("yearly_counts", {"year": "2024"}, {"elite_count_wording": f"single digits {MARKUP}"}),
]


@pytest.fixture(scope="module")
def hostile_seeds(tmp_path_factory) -> Path:
    """A copy of the real seeds (as the seeds_copy fixture makes) with markup and formulas in text cells."""
    seeds = tmp_path_factory.mktemp("hostile") / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    for table, row, cells in HOSTILE_CELLS:
        edit(seeds, table, row, cells)
    for table in seeds.glob("*.csv"):  # S000 -> HOSTILE_ID wherever a table names it
        header, rows = read_table(seeds, table.stem)
        write_table(seeds, table.stem, header, [[HOSTILE_ID if cell == "S000" else cell for cell in r] for r in rows])
    return seeds


@pytest.fixture(scope="module")
def hostile_db(hostile_seeds) -> Path:
    return build(hostile_seeds, hostile_seeds.parent / "hostile.duckdb")


@pytest.fixture
def hostile_app(hostile_db, hostile_seeds, monkeypatch):
    """open_page on the hostile database."""
    monkeypatch.setenv("DEFECTIONS_DB", str(hostile_db))
    monkeypatch.setenv("DEFECTIONS_SEEDS", str(hostile_seeds))
    return open_page


def test_markup_and_formulas_are_valid_seed_text(hostile_seeds):
    assert validate(hostile_seeds) == []


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<script>x</script>",
                                 "vbscript:msgbox(1)", "//evil.example/x", "https:/evil", "file:///etc/passwd"])
def test_a_source_url_that_is_not_http_is_refused(seeds_copy, url):
    line = edit(seeds_copy, "sources", {"document": ""}, {"url": url})
    problems = validate(seeds_copy)
    assert [(p.line, p.column) for p in problems] == [(line, "url")]
    assert "is not an http(s) address" in problems[0].message


def rendered_text(at: AppTest) -> list[str]:
    """Every string the page hands to Streamlit's markdown renderer."""
    kinds = ["markdown", "caption", "info", "warning", "error", "success", "title", "header", "subheader"]
    return [element.value for kind in kinds for element in at.get(kind)]


TABS = ["Sources", "Seed document", "Data dictionary", "Methodology", "Changelog", "What's new"]
VIEWS = [*((page, None) for page in PAGES if page != script("sources")), *((script("sources"), tab) for tab in TABS)]


@pytest.mark.parametrize("page, tab", VIEWS)
def test_seed_markup_is_shown_only_as_escaped_text(hostile_app, page, tab):
    at = hostile_app(page, **({"tab": tab} if tab else {}))
    assert [text for text in rendered_text(at) if LIVE_MARKUP.search(text)] == []


def test_the_seed_documents_id_is_shown_as_text(hostile_app):
    at = hostile_app(script("sources"), tab="Seed document")
    assert any(f"source {HOSTILE_ID}" in shown(m.value) for m in at.markdown)
    assert [m.value for m in at.markdown if LIVE_MARKUP.search(m.value)] == []


def test_a_seed_problem_is_quoted_as_text_in_the_warning(hostile_db, hostile_seeds, tmp_path, monkeypatch):
    # Backticks in the cell would end a code span around the problem and let the image through.
    seeds = shutil.copytree(hostile_seeds, tmp_path / "seeds")
    db = Path(shutil.copy(hostile_db, tmp_path / "hostile.duckdb"))
    line = edit(seeds, "yearly_counts", {"year": "2023"}, {"total_arrivals": f"`{IMAGE}`"})
    touch_future(seeds / "yearly_counts.csv")
    monkeypatch.setenv("DEFECTIONS_DB", str(db))
    monkeypatch.setenv("DEFECTIONS_SEEDS", str(seeds))
    warnings = [w.value for w in open_page().warning]
    assert any(f"yearly_counts.csv:{line}: total_arrivals: '`{IMAGE}`'" in shown(w) for w in warnings), warnings
    assert [w for w in warnings if LIVE_MARKUP.search(w)] == []


def test_seed_markup_reaches_the_page_escaped(hostile_app):
    at = hostile_app(script("context"))
    assert any(r"\<script\>alert\(1\)\</script\>" in text for text in rendered_text(at))
    assert any(r"\[x\]\(javascript\:alert\(1\)\)" in text for text in rendered_text(at))


def csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) for cell in row]


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("name", ["export_events", "motive_evidence", "context_timeline", "cuba_timeline"])
def test_downloaded_csv_holds_no_live_formula(hostile_db, name):
    con = connect(hostile_db)
    cells = csv_cells(csv_bytes(getattr(queries, name)(con, Filters())))
    con.close()
    assert [c for c in cells if c[:1] in ("=", "+", "-", "@") and not is_number(c)] == []


def test_events_csv_keeps_formula_text_behind_an_apostrophe(hostile_db):
    con = connect(hostile_db)
    cells = set(csv_cells(csv_bytes(queries.export_events(con, Filters()))))
    con.close()
    assert {"'" + formula for formula in FORMULAS} <= cells
    assert f"'=cmd|' /C calc'!A0 {SCRIPT}" in cells


CHARTS = {
    "post_map": lambda con, f: go.Figure(charts.post_map(queries.post_map(con, f))),
    "defection_timeline": lambda con, f: go.Figure(charts.defection_timeline(queries.timeline_events(con, f, 500),
                                                                   queries.timeline_context(con, f))),
    "cuba_timeline": lambda con, f: go.Figure(charts.cuba_timeline(queries.cuba_timeline(con, f))),
    "yearly_arrivals": lambda con, f: go.Figure(charts.yearly_arrivals(queries.yearly_figures(con, f))),
}


def hover_strings(figure) -> list[str]:
    texts = []
    for trace in figure.data:
        for field in ("text", "hovertext", "hovertemplate"):
            value = getattr(trace, field, None)
            if value is not None:
                texts += [v for v in ([value] if isinstance(value, str) else list(value)) if isinstance(v, str)]
    return texts


@pytest.mark.parametrize("name", CHARTS)
def test_chart_hover_labels_escape_html_from_the_data(hostile_db, name):
    con = connect(hostile_db)
    hovers = hover_strings(CHARTS[name](con, Filters()))
    con.close()
    assert [h for h in hovers if "<script" in h] == []
    assert any("&lt;script&gt;" in h for h in hovers)


# --- links in a real browser --------------------------------------------------------------------------------

APP_PATHS = {"/", "/timeline", "/motives", "/context", "/events", "/sources"}
# Every page and Sources tab with the hostile seeds, and the search echoing each address in its "no match" box.
BROWSER_VIEWS = [*sorted(APP_PATHS - {"/sources"}), *(f"/sources?tab={quote(tab)}" for tab in TABS),
                 *(f"/events?q={quote(url)}" for url in URLS)]
NAV_LABELS = {page.url: page.name for page in registry.PAGES}  # "/timeline" -> "Timeline"


@pytest.fixture(scope="module")
def hostile_url(hostile_db, hostile_seeds, tmp_path_factory):
    env = {"DEFECTIONS_DB": str(hostile_db), "DEFECTIONS_SEEDS": str(hostile_seeds)}
    with streamlit_server(ROOT / "dashboard.py", env, tmp_path_factory.mktemp("log") / "streamlit.log") as (url, _):
        yield url


def reach(page, base: str, view: str) -> None:
    """Show `view` in the open tab the way an analyst gets there after the first page: the sidebar's link to
    its page, then the Sources tab or the search text it names (a rerun over the open session, no page load;
    each page load of the dashboard costs Chromium several CPU-seconds). Then the address bar is `view`'s."""
    path, _, query = view.partition("?")
    params = parse_qs(query)
    if urlsplit(page.url).path != path:
        page.locator('[data-testid="stSidebarNav"] a').filter(has_text=NAV_LABELS[path]).click()
        page.wait_for_url(lambda url: urlsplit(url).path == path, timeout=TIMEOUT_MS)
        page.get_by_role("heading", name=NAV_LABELS[path], level=1).wait_for(timeout=TIMEOUT_MS)
        wait_finished(page)
    if "tab" in params:
        tab = page.get_by_role("tab", name=params["tab"][0], exact=True)
        if tab.get_attribute("aria-selected") != "true":
            tab.click()
            page.wait_for_function("tab => new URLSearchParams(location.search).get('tab') === tab",
                                   arg=params["tab"][0], timeout=TIMEOUT_MS)
            wait_finished(page)
    if "q" in params:
        box = page.get_by_label(re.compile("^Search a person"))
        box.fill(params["q"][0])
        box.press("Enter")
        page.wait_for_function("q => new URLSearchParams(location.search).get('q') === q",
                               arg=params["q"][0], timeout=TIMEOUT_MS)
        wait_finished(page)
    shown_query = parse_qs(urlsplit(page.url).query)
    if "tab" in params:  # the tab is open; the first one, open by default, may go unnamed in the address
        # Waited for, not read at once: a large tab (the methodology) can still be rendering after the run.
        expect(page.get_by_role("tab", name=params["tab"][0], exact=True)).to_have_attribute(
            "aria-selected", "true", timeout=TIMEOUT_MS)
        if params["tab"] == [TABS[0]]:
            shown_query.setdefault("tab", params["tab"])
    assert (page.url.startswith(base), urlsplit(page.url).path, shown_query) == (True, path, params)


@pytest.mark.browser
def test_every_link_a_page_shows_is_an_app_page_or_a_source(browser, hostile_url, hostile_db):
    with connect(hostile_db) as con:
        sources = [url for (url,) in con.execute("SELECT url FROM sources WHERE url IS NOT NULL").fetchall()]
    foreign, seen = {}, 0
    context = new_context(browser, viewport={"width": 1400, "height": 1800})
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        # One page load, then every other view through the app's own links, tabs and search box; the views
        # in the order that needs the fewest steps (each page once, its tabs or searches while it is open).
        open_in_browser(page, hostile_url + BROWSER_VIEWS[0])
        for view in sorted(BROWSER_VIEWS, key=lambda view: (view.partition("?")[0], BROWSER_VIEWS.index(view))):
            reach(page, hostile_url, view)
            # The source URLs as a.href spells them (normalised by the browser).
            allowed = set(page.evaluate("urls => urls.map(url => new URL(url).href)", sources))
            hrefs = page.eval_on_selector_all("a[href]", "links => links.map(link => link.href)")
            seen += len(hrefs)
            app = [h for h in hrefs if h.startswith(hostile_url) and urlsplit(h).path in APP_PATHS]
            if rest := sorted(set(hrefs) - set(app) - allowed):
                foreign[view] = rest
    finally:
        context.close()
    assert seen and foreign == {}
