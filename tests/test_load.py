"""The load client (bench/load.py) against a running app: a simulated session must see the page an
AppTest run of the same page and filters renders (so the client cannot measure an error page), and a
short run of five sessions serves every interaction without an error. The app is the session's server
(conftest.app_url), the one the browser tests use."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from bench import load, runner
from defections import registry

ROOT = Path(__file__).resolve().parent.parent
YEARS = (2019, 2023)


def leaves(block) -> list[str]:
    """The element types under an AppTest block, depth first (an empty tab is a block, not an element)."""
    found = []
    for child in block.children.values():
        found += leaves(child) if isinstance(child, Block) else [child.type]
    return found


def apptest(page: registry.Page, years: tuple[int, int] | None) -> AppTest:
    """What an analyst gets in AppTest: the shared link, the page, then the slider moved."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params.update({"years": ["2016", "2024"]})
    at.run()
    if page.url_path:
        at.switch_page(page.script)
        at.run()
    if years:
        at.slider(key="years").set_value(years).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def header(markdowns: list[str]) -> str:
    return next(text for text in markdowns if "defection(s) selected by the filters" in text)


@pytest.mark.parametrize("page", registry.PAGES, ids=lambda page: page.name)
@pytest.mark.parametrize("years", [None, YEARS], ids=["shared-link", "slider-moved"])
def test_a_simulated_session_sees_the_page_apptest_renders(app_url, db_path, page, years):
    run = load.visit(app_url, page.url_path, years=years)
    at = apptest(page, years)
    assert run.status == "ok"
    # The main area and the sidebar (containers 0 and 1); a page's stylesheet (ui.wide_and_narrow) sits in
    # Streamlit's event container, which AppTest does not list.
    shown = [path for path in run.elements if path[0] in (0, 1)]
    assert shown and len(shown) == len(leaves(at.main)) + len(leaves(at.sidebar))
    assert header(run.texts("markdown")) == header([m.value for m in at.markdown])
    assert run.texts("metric") == [m.value for m in at.metric]
    assert run.texts("heading")[0] == at.title[0].value


def test_moving_the_slider_changes_the_count_the_session_sees(app_url):
    everything = load.visit(app_url, "events")
    narrowed = load.visit(app_url, "events", years=YEARS)
    assert header(everything.texts("markdown")) != header(narrowed.texts("markdown"))


def test_five_sessions_for_a_few_seconds_make_no_error(app_url):
    result = load.measure(app_url, [load.listening_pid(app_url)], sessions=5, seconds=6, think=1.5)
    assert result["errors"] == 0, result["error_examples"]
    assert result["by_kind"]["open"]["n"] == 5 and result["by_kind"]["page"]["n"] >= 5
    assert result["server_cpu_s"] > 0 and result["peak_rss_mb"] > 50


@pytest.mark.parametrize("url", ["http://example.org:8501", "http://10.0.0.1", "http://192.168.1.5:80"])
def test_the_client_refuses_a_server_that_is_not_on_this_machine(url):
    with pytest.raises(load.LoadError, match="loopback"):
        load.loopback_url(url)


def test_bounds_are_refused_with_a_message(capsys):
    assert runner.main(["--url", "http://127.0.0.1:1", "--pid", "1", "--sessions", "500", "--seconds", "1"]) == 2
    assert "sessions must be between 1 and 200" in capsys.readouterr().err
