"""The shared cache of query results, figures and tables: never modified by a page, never stale."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import plotly.io
import pytest
from helpers import edit, touch_future
from streamlit.testing.v1 import AppTest

from defections import cache, charts, queries, registry
from defections.build import build
from defections.db import connect
from defections.filters import Filters

ROOT = Path(__file__).resolve().parent.parent
PAGES = [page.script for page in registry.PAGES]


def run_page(page: str, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params.update(params)
    at.switch_page(page)
    at.run()
    at.run()  # a rerun, as after any widget click: served from the cache
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_pages_leave_every_cached_result_as_the_database_returns_it(db_path, con):
    # Results are shared between sessions without copies: a page that modified one in place would
    # change what every other analyst sees.
    cache.clear()
    for page in PAGES:
        run_page(page)
        run_page(page, years=["2023", "2023"], post="Cuba", event="E27", q="Ri Il")
    cached = cache.RESULTS.items()
    assert len(cached) >= 20
    for (path, _mtime, name, args), frame in cached:  # frame, or a count, a date, options
        assert path == str(db_path)
        fresh = getattr(queries, name)(con, *args)
        if isinstance(fresh, pd.DataFrame):
            pd.testing.assert_frame_equal(frame, fresh, obj=f"cached {name}{args}")
        else:
            assert frame == fresh, f"cached {name}{args}"


def test_a_rebuilt_database_is_never_served_from_the_cache(seeds_copy, tmp_path, monkeypatch):
    db = tmp_path / "defections.duckdb"
    build(seeds_copy, db)
    monkeypatch.setenv("DEFECTIONS_DB", str(db))
    monkeypatch.setenv("DEFECTIONS_SEEDS", str(seeds_copy))
    at = run_page("pages/sources.py")
    titles = at.dataframe[0].value
    assert "A title only the rebuilt database has" not in set(titles["title"])

    edit(seeds_copy, "sources", {"source_id": "S001"}, {"title": "A title only the rebuilt database has"})
    touch_future(seeds_copy / "sources.csv", 5)  # newer than the database: the app rebuilds on its next run
    at.run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert shown.loc[shown["source_id"] == "S001", "title"].tolist() == ["A title only the rebuilt database has"]
    assert connect(db).execute("SELECT title FROM sources WHERE source_id = 'S001'").fetchone()[0] == \
        "A title only the rebuilt database has"


@pytest.mark.parametrize("page", PAGES)
def test_a_cached_page_draws_the_same_as_a_first_visit(db_path, page):
    cache.clear()
    first = run_page(page, years=["2016", "2024"])
    again = run_page(page, years=["2016", "2024"])
    assert [c.proto.spec for c in again.get("plotly_chart")] == [c.proto.spec for c in first.get("plotly_chart")]
    assert [d.value.to_dict("list") for d in again.dataframe] == [d.value.to_dict("list") for d in first.dataframe]


def test_a_cached_figure_sends_exactly_what_its_builder_drew(db_path, con):
    # The app keeps each figure as the JSON Streamlit sends; the chart must not differ from the figure.
    at = run_page("pages/timeline.py", years=["2016", "2024"])
    filters = Filters(2016, 2024)
    events, context = queries.timeline_events(con, filters, 500), queries.timeline_context(con, filters)
    years = queries.yearly_figures(con, filters)
    lags, summary = queries.lag_distribution(con, filters, 500), queries.lag_summary(con, filters)
    trend = queries.yearly_trend(con, filters)
    expected = [charts.defection_timeline(events, context), charts.defection_trend(trend, years),
                charts.lag_distribution(lags, summary), charts.yearly_arrivals(years)]
    sent = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    assert sent == [json.loads(plotly.io.to_json(figure, validate=False)) for figure in expected]
    assert sent[0]["layout"]["height"] == expected[0].layout.height
