"""The shared cache of query results, figures and tables: never modified by a page, never stale."""

from __future__ import annotations

import json
import shutil
import time

import plotly.io
from helpers import edit, open_page, script, touch_future
from streamlit.testing.v1 import AppTest

from defections import cache, charts, queries, registry
from defections.db import connect
from defections.filters import Filters

PAGES = [page.script for page in registry.PAGES]
# Views of each page: no filter, a selection with an event and a search, the years of a link.
VIEWS = [{}, {"years": ["2023", "2023"], "post": "Cuba", "event": "E27", "q": "Ri Il"}, {"years": ["2016", "2024"]}]


def visit(page: str, **params) -> AppTest:
    """A new session opening `page`, then a rerun (as after any widget click) served from the cache."""
    at = open_page(page, **params)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def what_it_shows(at: AppTest) -> dict:
    """Everything an analyst reads on the page: text, figures, charts as sent, tables, download labels."""
    kinds = ["title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "text"]
    return {
        "text": [str(element.value) for kind in kinds for element in at.get(kind)],
        "metrics": [(m.label, m.value) for m in at.metric],
        "charts": [chart.proto.spec for chart in at.get("plotly_chart")],
        "tables": [frame.value.to_csv() for frame in at.dataframe],
        "downloads": [button.proto.label for button in at.get("download_button")],
    }


def test_pages_leave_every_cached_result_as_the_database_returns_it(db_path, tmp_path, monkeypatch):
    # Results and figures are shared between sessions without copies: a page that modified one in
    # place would change what every later analyst sees, on that page or another. A copy of the database
    # under a new name starts with nothing cached, so its first visits are drawn from the database itself.
    fresh = tmp_path / "defections.duckdb"
    shutil.copy(db_path, fresh)
    monkeypatch.setenv("DEFECTIONS_DB", str(fresh))
    visits = [(page, i) for page in PAGES for i in range(len(VIEWS))]
    first = {(page, i): what_it_shows(open_page(page, **VIEWS[i])) for page, i in visits}
    # Then new sessions, after every page has run: served from the cache, they show the same.
    for page, i in visits:
        assert what_it_shows(visit(page, **VIEWS[i])) == first[page, i], (page, VIEWS[i])
    assert all(shown["tables"] or shown["charts"] for shown in first.values())


def test_a_rebuilt_database_is_never_served_from_the_cache(seeds_copy, built_copy, tmp_path, monkeypatch):
    db = built_copy(tmp_path / "defections.duckdb")
    monkeypatch.setenv("DEFECTIONS_DB", str(db))
    monkeypatch.setenv("DEFECTIONS_SEEDS", str(seeds_copy))
    at = visit(script("sources"))
    titles = at.dataframe[0].value
    assert "A title only the rebuilt database has" not in set(titles["title"])

    edit(seeds_copy, "sources", {"source_id": "S001"}, {"title": "A title only the rebuilt database has"})
    touch_future(seeds_copy / "sources.csv", 5)  # newer than the database: the app rebuilds on its next look
    time.sleep(cache.SEEDS_LOOK_EVERY)  # it looks at the seeds at most once a second
    at.run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert shown.loc[shown["source_id"] == "S001", "title"].tolist() == ["A title only the rebuilt database has"]
    assert connect(db).execute("SELECT title FROM sources WHERE source_id = 'S001'").fetchone()[0] == \
        "A title only the rebuilt database has"


def test_a_cached_figure_sends_exactly_what_its_builder_drew(db_path, con):
    # The app keeps each figure as the JSON Streamlit sends; the chart must not differ from the figure.
    sent = [json.loads(chart.proto.spec) for view in ("Each defection", "Per year", "Disclosure lag",
                                                       "Official arrivals")
            for chart in visit(script("timeline"), years=["2016", "2024"], view=view).get("plotly_chart")]
    filters = Filters(2016, 2024)
    events, context = queries.timeline_events(con, filters, 500), queries.timeline_context(con, filters)
    years = queries.yearly_figures(con, filters)
    lags, summary = queries.lag_distribution(con, filters, 500), queries.lag_summary(con, filters)
    trend = queries.yearly_trend(con, filters)
    expected = [charts.defection_timeline(events, context), charts.defection_trend(trend, years),
                charts.lag_distribution(lags, summary), charts.yearly_arrivals(years)]
    assert sent == [json.loads(plotly.io.to_json(figure, validate=False)) for figure in expected]
    assert sent[0]["layout"]["height"] == expected[0]["layout"]["height"]
