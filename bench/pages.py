"""Each page's work without Streamlit: the same queries.* and charts.* calls pages/*.py make.

Two uses: the fallback measure of a page that AppTest cannot run, and the page's *uncached* cost
(AppTest's warm runs are served from the app's result cache, cache.RESULTS; these run every query each time). Keep this
table in step with pages/*.py: one function per page, the calls in the page's order.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pandas as pd
import plotly.graph_objects as go

from defections import charts, queries
from defections.filters import Filters
from defections.ui import TABLE_ROWS


@dataclass
class Output:
    """One thing a page renders that costs something to send: a chart or a table."""

    kind: str  # "chart" or "table"
    value: go.Figure | pd.DataFrame
    seconds: float = 0.0  # for a chart: the time its charts.* builder took


def _chart(builder: Callable[..., go.Figure], *frames) -> Output:
    start = time.perf_counter()
    figure = builder(*frames)
    return Output("chart", figure, time.perf_counter() - start)


def _table(frame: pd.DataFrame) -> Output:
    return Output("table", frame.head(TABLE_ROWS))  # as ui.table: the download carries every row


def default_filters(con: duckdb.DuckDBPyConnection) -> Filters:
    """What the sidebar selects before the analyst touches it: the full year range, everything else open."""
    lo, hi = queries.filter_options(con)["years"]
    return Filters(year_from=lo, year_to=hi)


def _header(con, filters: Filters) -> int:
    queries.as_of(con)
    return int(queries.selection_counts(con, filters)["defections"].iloc[0])


def overview(con, filters: Filters) -> list[Output]:
    if not _header(con, filters):
        return []
    queries.headline_figures(con, filters)  # rendered as st.metric
    return [_chart(charts.post_map, queries.post_map(con, filters))]


def timeline(con, filters: Filters, max_marks: int = 500) -> list[Output]:
    count = _header(con, filters)
    if not count:
        return []
    if count <= max_marks:
        events = queries.timeline_events(con, filters, max_marks)
        out = [_chart(charts.defection_timeline, events, queries.timeline_context(con, filters))]
    else:
        out = [_chart(charts.timeline_density, queries.timeline_density(con, filters))]
    years = queries.yearly_figures(con, filters)
    if len(years):
        out.append(_chart(charts.yearly_arrivals, years))
    return out


def motives(con, filters: Filters) -> list[Output]:
    if not _header(con, filters):
        return []
    counts = queries.motive_counts(con, filters)
    if counts.empty:
        return []
    return [_chart(charts.motive_bars, counts), _table(queries.motive_evidence(con, filters))]


def context(con, filters: Filters) -> list[Output]:
    _header(con, filters)
    out = [_chart(charts.cuba_timeline, queries.cuba_timeline(con, filters))]
    queries.commentary(con, filters)  # rendered as one bordered container per remark
    out.append(_chart(charts.yearly_arrivals, queries.yearly_figures(con, filters)))
    return out + [_table(queries.context_timeline(con, filters).drop(columns=["event_date", "source_urls"]))]


def events(con, filters: Filters, rows_shown: int = 1000) -> list[Output]:
    if not _header(con, filters):
        return []
    table = queries.events_table(con, filters, "", rows_shown)  # the CSV download is built only on a click
    if table.empty:
        return []
    event_id = table["event_id"].iloc[0]
    details = [f(con, event_id) for f in (queries.event_detail, queries.event_motive_evidence, queries.event_sources)]
    return [_table(frame) for frame in [table, *details] if len(frame)]


def sources(con, filters: Filters) -> list[Output]:
    _header(con, filters)
    listed = queries.sources_list(con)
    out = [_table(listed)]
    if len(listed):
        out.append(_table(queries.citations(con, listed["source_id"].iloc[0])))
        queries.held_passage(con, listed["source_id"].iloc[0])  # rendered as markdown
    queries.documents(con)  # rendered as st.text
    return out + [_table(queries.data_dictionary(con)), _table(queries.corrections(con)),
                  _table(queries.revisions(con))]


PAGES: dict[str, Callable[[duckdb.DuckDBPyConnection, Filters], list[Output]]] = {
    "overview": overview, "timeline": timeline, "motives": motives,
    "context": context, "events": events, "sources": sources,
}
# The page file and the URL path of each page (dashboard.py's st.navigation).
PAGE_FILES = {name: f"pages/{name}.py" for name in PAGES}
URL_PATHS = {name: "" if name == "overview" else name for name in PAGES}


def run_page(con: duckdb.DuckDBPyConnection, name: str) -> list[Output]:
    """One uncached run of a page as the sidebar would start it (filter options, then the page)."""
    return PAGES[name](con, default_filters(con))
