"""The Streamlit side shared by every page: the database, the sidebar filters, cached queries, and
the few render helpers (headers, guards, charts with their data, CSV downloads, safe text)."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go
import plotly.io
import pyarrow as pa
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from defections import citation, queries
from defections.build import BuildError
from defections.charts import PLOTLY_CONFIG
from defections.db import FIX_COMMAND, DatabaseError, Freshness, connect, ensure_database, is_stale, unreadable
from defections.export import csv_bytes
from defections.filters import Filters, clean
from defections.paths import db_path, seeds_dir

TABLE_ROWS = 1000  # rows a table sends to the browser; downloads carry every row
MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&:])")
# Streamlit's markdown (GFM) links bare web and e-mail addresses after it has decoded the backslash
# escapes, so escaping cannot stop it; an invisible word joiner (U+2060) inside the scheme, after
# "www" and before "@" does. Only source links (source_link) and page links stay clickable.
AUTOLINK = re.compile(r"(?i)(?:https?|mailto|xmpp)(?=:)|www(?=\.)|(?=@)")
WORD_JOINER = "\u2060"


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
    path, seeds = db_path(), seeds_dir()
    try:
        freshness = Freshness()
        if is_stale(path, seeds):
            with st.spinner("Building the database from seeds/ (it was missing or older than the seeds)…"):
                freshness = ensure_database(path, seeds)
    except BuildError as err:
        st.error("The database does not exist and the seeds do not validate, so it cannot be built.")
        st.code("\n".join(map(str, err.problems[:50])), language=None)
        st.markdown(f"Fix the seed files named above, then run `{FIX_COMMAND}` or reload this page.")
        st.stop()
    if freshness.problems:
        # The problem quotes a seed cell: escaped, not in backticks (a backtick in the cell would end the code span).
        st.warning(f"The seeds changed but do not validate ({len(freshness.problems)} problem(s)); "
                   f"this page still shows the last good database. First problem: {plain(freshness.problems[0])}. "
                   f"Fix it and run `{FIX_COMMAND}`.")
    try:
        _THIS_RUN.db = _identity(path)
        return _connection(*_THIS_RUN.db)
    except (DatabaseError, OSError) as err:
        _unusable(err)


def _unusable(err: Exception):
    """Stop the page with what is wrong with the database and the command that fixes it."""
    st.error(plain(err))
    st.code(FIX_COMMAND, language="bash")
    st.stop()


# The database file's identity as this script run's database() found it: one run reads one file,
# and run() need not stat the file for every query.
_THIS_RUN = threading.local()


def db_key() -> tuple[str, int]:
    """The database file's identity (path, mtime), so cached results never outlive a rebuild."""
    known = getattr(_THIS_RUN, "db", None)
    if known is not None and known[0] == str(db_path()):
        return known
    return _identity(db_path())


def _identity(path: Path) -> tuple[str, int]:
    return str(path), path.stat().st_mtime_ns


class _Memo:
    """A small thread-safe LRU of query results and figures, shared by every session.

    st.cache_data hashes its arguments and unpickles a copy of the result on every call, which made
    a warm page ~2x the cost of the same elements drawn from memory. Here keys are plain tuples and
    values are returned as they are: pages treat query results as read-only (a test checks that)."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict = OrderedDict()
        self._key_of: dict[int, object] = {}  # id(value) -> key, for the values held
        self._lock = threading.Lock()

    def get(self, key, make: Callable):
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = make()  # outside the lock: a slow query must not hold up other sessions
        with self._lock:
            value = self._entries.setdefault(key, value)  # a concurrent miss keeps the first value
            self._key_of[id(value)] = key
            while len(self._entries) > self.max_entries:
                _, evicted = self._entries.popitem(last=False)
                self._key_of.pop(id(evicted), None)
        return value

    def key_of(self, value):
        """The key a value held here is stored under, or None."""
        with self._lock:
            key = self._key_of.get(id(value))
            return key if key is not None and self._entries.get(key) is value else None

    def items(self) -> list[tuple]:
        """A snapshot of (key, value) pairs, oldest first."""
        with self._lock:
            return list(self._entries.items())

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._key_of.clear()


RESULTS = _Memo(max_entries=512)
RENDERED = _Memo(max_entries=256)  # figures and tables built from RESULTS
CONNECTIONS = _Memo(max_entries=2)


def _connection(path: str, mtime_ns: int):
    # Keyed on the file's identity: a rebuilt database (new mtime) gets a new connection. The old
    # one is closed by garbage collection once no running query holds it.
    return CONNECTIONS.get((path, mtime_ns), lambda: connect(Path(path)))


def clear_caches() -> None:
    """Forget every cached result, figure and connection (the benchmark's cold runs)."""
    RESULTS.clear()
    RENDERED.clear()
    CONNECTIONS.clear()


def run(function: Callable, filters: Filters | None = None, *args) -> pd.DataFrame:
    """Call a queries.* function, cached on the database file, the filters and the arguments.

    The result is shared: derive new frames from it, never modify it in place."""
    path, mtime = db_key()
    key = (path, mtime, function.__name__, filters, args)

    return RESULTS.get(key, lambda: _call(path, mtime, function, filters, args))


def fetch(function: Callable, filters: Filters | None = None, *args) -> pd.DataFrame:
    """Call a queries.* function without caching (large one-off results such as a download)."""
    return _call(*_identity(db_path()), function, filters, args)  # stat afresh: a click may come much later


def _call(path: str, mtime: int, function: Callable, filters: Filters | None, args: tuple) -> pd.DataFrame:
    # A file can open and still fail a query (garbage blocks in the middle): the page then says so
    # with the fix command, as for a file that does not open.
    try:
        con = _connection(path, mtime)
        return function(con, filters, *args) if filters is not None else function(con, *args)
    except DatabaseError as err:
        _unusable(err)
    except duckdb.Error as err:
        _unusable(unreadable(Path(path), err))


def sidebar_filters(con) -> Filters | None:
    """The shared filters, bound to the URL
    (?years=2016&years=2024&post=Cuba&category=diplomat&confirmation=confirmed); None when there is no defection."""
    options = run(queries.filter_options)
    if options["years"] is None:  # valid seeds with no defection yet: filters() tells each page
        st.session_state["_filters"] = None
        return None
    lo, hi = options["years"]
    with st.sidebar:
        st.header("Filters")
        if lo == hi:  # a slider needs two distinct ends; one year is no choice to offer
            st.caption(f"Year of defection: {lo} (every defection in the data)")
            years = None
        else:
            years = st.slider("Year of defection", min_value=lo, max_value=hi, value=(lo, hi), step=1,
                              key="years", bind="query-params")
        posts = st.multiselect("Post (country)", options["posts"], key="post", bind="query-params",
                               placeholder="All posts")
        categories = st.multiselect("Elite category", options["categories"], key="category",
                                    bind="query-params", placeholder="All categories")
        confirmations = st.multiselect("Confirmation", options["confirmations"], key="confirmation",
                                       bind="query-params", placeholder="Any confirmation",
                                       help="confirmed: by a government · self-disclosed: by the defector · "
                                            "multiple-reports: two or more independent outlets · single-report · "
                                            "denied: by a government")
    filters = clean(years, posts, categories, confirmations, known_posts=options["posts"],
                    known_categories=options["categories"], known_confirmations=options["confirmations"],
                    bounds=(lo, hi))
    st.session_state["_filters"] = filters
    return filters


def navigation(specs):
    """st.navigation over the app's pages (registry.Page entries); the first is the home page.
    The st.Page objects are made once per session (each costs file checks) and reused."""
    if st.session_state.get("_page_specs") != specs:
        st.session_state["_pages"] = {
            p.url_path: st.Page(p.script, title=p.title, icon=p.icon, url_path=p.url_path or None,
                                default=not p.url_path)
            for p in specs}
        st.session_state["_page_specs"] = specs
    current = st.navigation(list(st.session_state["_pages"].values()))
    st.session_state["_page_url_path"] = current.url_path  # the cite text's address
    return current


def page_link(url_path: str, label: str) -> None:
    """A link to another page of the app (by its URL path), keeping the session and its filters."""
    st.page_link(st.session_state["_pages"][url_path], label=label)


def filters() -> Filters:
    """The filters the sidebar set on this run (every page runs after the sidebar). With no defection in
    the database there is nothing to filter or show: the page says so and stops."""
    _leave_pages_directory_mode()
    chosen = st.session_state.get("_filters", Filters())
    if chosen is None:
        st.info("The database holds no defections yet. Add rows to seeds/defections.csv (each with a source "
                f"in defection_sources.csv), then run `{FIX_COMMAND}` or reload this page.")
        st.stop()
    return chosen


def page_header(title: str, question: str, filters: Filters) -> int:
    """Title, the question the page answers, and how many events the filters select (returned)."""
    st.title(title)
    counts = run(queries.selection_counts, filters).iloc[0]
    count, confirmed = int(counts["defections"]), int(counts["confirmed"])
    as_of = run(queries.as_of)
    st.markdown(f"**{count:,}** defection(s) selected by the filters, **{confirmed:,}** confirmed by a government"
                f" · data as of **{plain(as_of or 'unknown')}**  \n:gray[{plain(question)}]")
    cite_view(title, as_of)
    return count


def _view_url() -> str:
    # The browser's address without its query string (None in AppTest and before the frontend reports
    # it: then the default local address), with the query string the view's widgets keep in the URL.
    base = st.context.url or f"http://localhost:8501/{st.session_state.get('_page_url_path', '')}"
    return citation.view_url(base, {key: st.query_params.get_all(key) for key in st.query_params})


def cite_view(title: str, as_of) -> None:
    """A "Cite this view" block with a copy button: the view's title, URL, as-of date and licence."""
    text = citation.cite_text(title, _view_url(), as_of, dt.date.today())
    st.session_state["_cite_title"] = title
    with st.expander("Cite this view", icon=":material/format_quote:"):
        st.code(text, language=None, wrap_lines=True)


def citation_download(file_name: str, key: str) -> None:
    """A citation.txt beside a download: the cite text naming the file it accompanies (the CSV's rows stay
    clean)."""
    text = citation.cite_text(st.session_state.get("_cite_title", ""), _view_url(), run(queries.as_of),
                              dt.date.today(), file_name)
    st.download_button("Download the citation for this CSV (citation.txt)", data=text.encode("utf-8"),
                       file_name="citation.txt", mime="text/plain", key=f"citation-{key}", on_click="ignore",
                       icon=":material/format_quote:")


def guard_empty(count: int, what: str = "defections") -> None:
    """Stop the page with a helpful message when the filters select nothing."""
    if count == 0:
        st.info(f"No {what} match these filters. Widen the year range or clear the post, category and "
                "confirmation filters in the sidebar.")
        st.stop()


def plain(text) -> str:
    """Text from the data or a visitor, escaped so markdown renders it literally: no markup, no HTML,
    no link (not even a bare address). Every value a page puts into markdown goes through here."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    inert = AUTOLINK.sub(lambda match: match.group(0) + WORD_JOINER, str(text))
    return MARKDOWN_SPECIALS.sub(r"\\\1", inert)


def source_link(title, url) -> str:
    """A markdown link to a source, only for an http(s) address; otherwise the title as text."""
    if isinstance(url, str) and re.match(r"https?://[^\s<>]+$", url):
        return f"[{plain(title)}](<{url}>)"
    return plain(title)


def _figure(builder: Callable, frames: tuple):
    # Building a plotly figure costs more than the query behind it, so a rerun with the same data
    # (any widget click) reuses it, keyed by the queries its frames came from. A frame that did not
    # come from run() is drawn afresh. Figures are never modified after they are built.
    keys = tuple(None if frame is None else RESULTS.key_of(frame) for frame in frames)
    if any(key is None for key, frame in zip(keys, frames) if frame is not None):
        return builder(*frames)
    return RENDERED.get((builder.__name__, *keys), lambda: _Sent(builder(*frames)))


class _Sent(go.Figure):
    """A built figure held as the JSON-ready dict st.plotly_chart sends. Streamlit deep-copies a
    figure into a dict on every run (1-2 ms a chart); this figure hands over the dict made once,
    which nothing modifies (it holds no arrays left to encode)."""

    def __init__(self, figure: go.Figure) -> None:
        super().__init__()
        self._sent = json.loads(plotly.io.to_json(figure, validate=False))

    def to_dict(self) -> dict:
        return self._sent


def chart(builder: Callable, *frames: pd.DataFrame | None, name: str, key: str) -> None:
    """A plotly chart from a charts.* builder (built once per distinct data; map outlines served
    locally) with a CSV download of exactly its first frame."""
    st.plotly_chart(_figure(builder, frames), config=PLOTLY_CONFIG, key=f"chart-{key}")
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
    "defections": "Defections", "attributors": "Attributors (defections)",
    "evidence_quote": st.column_config.TextColumn("Quote", width="large"),
    "quote_gloss": st.column_config.TextColumn("Gloss (English)", width="medium"),
    "correction_id": "Correction", "corrected_on": st.column_config.DateColumn("Corrected on"),
    "summary": st.column_config.TextColumn("Summary", width="large"),
    "source_title": "Source", "source_id": "Source id", "title": st.column_config.TextColumn("Title", width="medium"),
    "publisher": "Publisher", "published_date": st.column_config.DateColumn("Published"),
    "url": LINK("URL", display_text="open"), "source_url": LINK("Link", display_text="open source"),
    "document": "Document", "reliability": "Reliability", "fact_count": "Facts citing it",
    "fact_kind": "Kind of fact", "fact_id": "Fact id", "fact": "Fact", "context_id": "Id",
    "event_period": "Date", "actors": "Actors", "event_type": "Type",
    "disclosure_lag": "Time until public",
    "revision_id": "Revision", "table_name": "Table", "row_key": "Row", "column_name": "Column",
    "previous_value": "Earlier value", "current_value": "Current value",
    "revised_on": st.column_config.DateColumn("Revised on"),
    "reason": st.column_config.TextColumn("Why", width="large"),
    "field": st.column_config.TextColumn("Field", width="small"),
    "value": st.column_config.TextColumn("Value", width="large"),
}


def table(frame: pd.DataFrame, name: str | None = None, hide: tuple[str, ...] = (),
          every_row: Callable[[], pd.DataFrame] | None = None) -> None:
    """A read-only table of at most TABLE_ROWS rows with readable headings and http(s) links (data text
    is never markup), without the `hide` columns, and a CSV download with every column when it has a name.

    The download holds every row of the view: `frame` itself, or, for a query cut at TABLE_ROWS + 1 rows,
    what `every_row` fetches when the analyst clicks."""
    shown = [c for c in frame.columns if c not in hide]
    st.dataframe(_arrow(frame, tuple(shown)), hide_index=True,
                 column_config={c: HEADINGS[c] for c in shown if c in HEADINGS})
    cut = every_row is not None and len(frame) > TABLE_ROWS
    if len(frame) > TABLE_ROWS:
        of = "" if cut else f" of {len(frame):,}"
        st.caption(f"Showing the first {TABLE_ROWS:,}{of} rows; the download holds them all.")
    if name:
        rows = "every row" if cut else f"{len(frame):,} rows"
        download(f"Download this table ({rows}, CSV)", lambda: csv_bytes(every_row() if cut else frame),
                 f"{name}.csv", name)


def pick(label: str, frame: pd.DataFrame, id_column: str, shown: str, key: str):
    """A selectbox over a result's rows, each shown as `shown` (a format string over its columns,
    "{source_id}: {title}"), returning the chosen row's `id_column`. The URL holds the id (?event=E27),
    so a shared link survives a relabelling, and an unknown id is dropped; Streamlit's own URL binding
    would store the label shown."""
    labels = _labels(frame, id_column, shown)
    ids = list(labels)
    if not ids:
        return None
    wanted = st.query_params.get(key)
    choice = st.selectbox(label, ids, index=ids.index(wanted) if wanted in labels else 0,
                          format_func=labels.get, key=key)
    if choice != ids[0]:  # the first row is the default: the URL stays clean
        if wanted != choice:
            st.query_params[key] = choice
    elif key in st.query_params:
        del st.query_params[key]
    return choice


def _labels(frame: pd.DataFrame, id_column: str, shown: str) -> dict:
    # {id: label}, made once per cached result: formatting every row costs more than the page's query.
    def make():
        return {row[id_column]: shown.format(**row) for row in frame.to_dict("records")}

    key = RESULTS.key_of(frame)
    return make() if key is None else RENDERED.get(("labels", key, id_column, shown), make)


def _arrow(frame: pd.DataFrame, columns: tuple[str, ...]):
    # The rows a table sends, as Arrow: converting a DataFrame is most of st.dataframe's cost, so a
    # result from run() is converted once. A frame Arrow cannot type as it is goes to Streamlit as is.
    def make():
        rows = frame[list(columns)].head(TABLE_ROWS)
        try:
            # No pandas metadata: the browser does not need it, and it is serialised on every run.
            return pa.Table.from_pandas(rows, preserve_index=False).replace_schema_metadata(None)
        except (pa.ArrowException, TypeError, ValueError):
            return rows

    key = RESULTS.key_of(frame)
    return make() if key is None else RENDERED.get(("table", key, columns), make)
