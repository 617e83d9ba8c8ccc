"""The Streamlit side shared by every page: the database, the sidebar filters, cached queries, and
the few render helpers (headers, guards, charts with their data, CSV downloads, safe text)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from defections import charts, queries
from defections.build import BuildError
from defections.charts import PLOTLY_CONFIG
from defections.db import FIX_COMMAND, DatabaseError, connect, ensure_database
from defections.export import csv_bytes
from defections.filters import Filters, clean
from defections.paths import db_path, seeds_dir

TABLE_ROWS = 1000  # rows a table sends to the browser; downloads carry every row
MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&:])")


@st.cache_resource(max_entries=1, show_spinner=False)
def _connection(path: str, mtime_ns: int):
    # Keyed on the file's identity: a rebuilt database (new mtime) gets a new connection.
    return connect(Path(path))


def _leave_pages_directory_mode() -> None:
    # Streamlit runs a top-level pages/ folder in its old multipage mode until some session has
    # called st.navigation: the first visitor of a fresh server landing on /context would get the
    # page without dashboard.py (no sidebar filters). Switch modes and rerun through dashboard.py.
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def database():
    """Make sure the database exists and is fresh, then return a read-only connection to it.

    Shows a clear page and stops the script when it cannot be used."""
    _leave_pages_directory_mode()
    path = db_path()
    try:
        with st.spinner("Building the database from seeds/ (it was missing or older than the seeds)…"):
            freshness = ensure_database(path, seeds_dir())
    except BuildError as err:
        st.error("The database does not exist and the seeds do not validate, so it cannot be built.")
        st.code("\n".join(map(str, err.problems[:50])), language=None)
        st.markdown(f"Fix the seed files named above, then run `{FIX_COMMAND}` or reload this page.")
        st.stop()
    if freshness.problems:
        st.warning(f"The seeds changed but do not validate ({len(freshness.problems)} problem(s)); "
                   f"this page still shows the last good database. First problem: `{freshness.problems[0]}`. "
                   f"Fix it and run `{FIX_COMMAND}`.")
    try:
        return _connection(str(path), path.stat().st_mtime_ns)
    except (DatabaseError, OSError) as err:
        st.error(str(err))
        st.code(FIX_COMMAND, language="bash")
        st.stop()


def db_key() -> str:
    """The database file's identity, so cached results never outlive a rebuild."""
    path = db_path()
    return f"{path}:{path.stat().st_mtime_ns}"


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(key: str, name: str, filters: Filters | None, args: tuple) -> pd.DataFrame:
    path, mtime = key.rsplit(":", 1)
    con = _connection(path, int(mtime))
    function = getattr(queries, name)
    return function(con, filters, *args) if filters is not None else function(con, *args)


def run(function: Callable, filters: Filters | None = None, *args):
    """Call a queries.* function, cached on the database file, the filters and the arguments."""
    return _cached(db_key(), function.__name__, filters, args)


def sidebar_filters(con) -> Filters:
    """The shared filters, bound to the URL (?years=2016&years=2024&post=Cuba&category=diplomat)."""
    options = run(queries.filter_options)
    lo, hi = options["years"]
    with st.sidebar:
        st.header("Filters")
        years = st.slider("Year of defection", min_value=lo, max_value=hi, value=(lo, hi), step=1,
                          key="years", bind="query-params")
        posts = st.multiselect("Post (country)", options["posts"], key="post", bind="query-params",
                               placeholder="All posts")
        categories = st.multiselect("Elite category", options["categories"], key="category",
                                    bind="query-params", placeholder="All categories")
    filters = clean(years, posts, categories, known_posts=options["posts"],
                    known_categories=options["categories"], bounds=(lo, hi))
    st.session_state["_filters"] = filters
    return filters


def filters() -> Filters:
    """The filters the sidebar set on this run (every page runs after the sidebar)."""
    _leave_pages_directory_mode()
    return st.session_state.get("_filters", Filters())


def page_header(title: str, question: str, filters: Filters) -> int:
    """Title, the question the page answers, and how many events the filters select (returned)."""
    st.title(title)
    st.caption(question)
    count = int(run(queries.events_in_view, filters))
    as_of = run(queries.as_of)
    st.markdown(f"**{count:,}** defection(s) selected by the filters · data as of **{as_of or 'unknown'}**")
    return count


def guard_empty(count: int, what: str = "defections") -> None:
    """Stop the page with a helpful message when the filters select nothing."""
    if count == 0:
        st.info(f"No {what} match these filters. Widen the year range or clear the post and category "
                "filters in the sidebar.")
        st.stop()


def plain(text) -> str:
    """Text from the data, escaped so markdown renders it literally (no links, no HTML)."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    return MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


def source_link(title, url) -> str:
    """A markdown link to a source, only for an http(s) address; otherwise the title as text."""
    if isinstance(url, str) and re.match(r"https?://[^\s<>]+$", url):
        return f"[{plain(title)}](<{url}>)"
    return plain(title)


@st.cache_resource(max_entries=256, show_spinner=False)
def _figure(builder: str, frames: tuple):
    # Keyed on the frames' content: building a plotly figure costs more than the query behind it,
    # so a rerun with the same data (any widget click) reuses the figure. Figures are not mutated.
    return getattr(charts, builder)(*frames)


def chart(builder: Callable, *frames: pd.DataFrame | None, name: str, key: str) -> None:
    """A plotly chart from a charts.* builder (built once per distinct data; map outlines served
    locally) with a CSV download of exactly its first frame."""
    st.plotly_chart(_figure(builder.__name__, frames), config=PLOTLY_CONFIG, key=f"chart-{key}")
    data = frames[0]
    download(f"Download chart data ({len(data):,} rows, CSV)", lambda: csv_bytes(data), f"{name}.csv", key)


def download(label: str, make: Callable[[], bytes], file_name: str, key: str) -> None:
    """A CSV download whose bytes are produced only when the analyst clicks."""
    st.download_button(label, data=make, file_name=file_name, mime="text/csv", key=f"download-{key}",
                       on_click="ignore", icon=":material/download:")


LINK = st.column_config.LinkColumn
# Column headings shared by every table; a column not listed keeps its name.
HEADINGS = {
    **queries.DETAIL_FIELDS,
    "motive": "Motive", "attributed_to": "Kind of attribution", "attributed_by": "Attributed by",
    "evidence_quote": st.column_config.TextColumn("Quote", width="large"),
    "summary": st.column_config.TextColumn("Summary", width="large"),
    "source_title": "Source", "source_id": "Source id", "title": st.column_config.TextColumn("Title", width="medium"),
    "publisher": "Publisher", "published_date": st.column_config.DateColumn("Published"),
    "url": LINK("URL", display_text="open"), "source_url": LINK("Link", display_text="open source"),
    "document": "Document", "reliability": "Reliability", "fact_count": "Facts citing it",
    "fact_kind": "Kind of fact", "fact_id": "Fact id", "fact": "Fact", "context_id": "Id",
    "event_period": "Date", "actors": "Actors", "event_type": "Type",
    "disclosure_lag_days": st.column_config.NumberColumn("Days until public", format="%d"),
    "field": st.column_config.TextColumn("Field", width="small"),
    "value": st.column_config.TextColumn("Value", width="large"),
}


def table(frame: pd.DataFrame, name: str | None = None, data: pd.DataFrame | None = None) -> None:
    """A read-only table with readable headings and http(s) links (data text is never markup), and a
    CSV download of its rows (or of `data`, the same rows with every column) when it has a name."""
    st.dataframe(frame.head(TABLE_ROWS), hide_index=True,
                 column_config={c: h for c, h in HEADINGS.items() if c in frame.columns})
    if len(frame) > TABLE_ROWS:
        st.caption(f"Showing the first {TABLE_ROWS:,} of {len(frame):,} rows; the download holds them all.")
    if name:
        rows = frame if data is None else data
        download(f"Download this table ({len(rows):,} rows, CSV)", lambda: csv_bytes(rows), f"{name}.csv", name)
