"""The Streamlit helpers every page shares: the database check, the sidebar filters, headers and
guards, charts with their data, tables, downloads, and safe text (labels.plain). What is kept between
runs lives in cache.py; the filter model and its URL binding in filters.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import streamlit as st

# The public API offers no way to leave the pages-folder mode short of renaming pages/ (Streamlit
# detects that folder by name): see _leave_pages_directory_mode.
from streamlit.runtime.pages_manager import PagesManager

from defections import cache, citation, queries, registry, release
from defections.build import BuildError
from defections.charts import PLOTLY_CONFIG
from defections.db import FIX_COMMAND, DatabaseError, Freshness, ensure_database
from defections.export import csv_bytes
from defections.filters import Filters, clear, names_in_words, sidebar
from defections.labels import HEADINGS, LABELLED_COLUMNS, Heading, code_label, plain, source_link
from defections.paths import db_path, seeds_dir
from defections.wording import MISSING, not_counted, plural

__all__ = ["TABLE_ROWS", "bullets", "chart", "csv_bytes", "database", "download", "dropped_choice", "filters",
           "guard_empty", "navigation", "page_header", "page_link", "pick", "plain", "sidebar_filters", "source_link",
           "stop", "table"]

TABLE_ROWS = 1000  # rows a table sends to the browser; downloads carry every row
CITE_KEY = "cite_view"  # the "Cite this view" box's state: open or closed (tests open it through it)


def _leave_pages_directory_mode() -> None:
    # Streamlit runs a top-level pages/ folder in its old multipage mode until some session has
    # called st.navigation: the first visitor of a fresh server landing on /context would get the
    # page without dashboard.py (no sidebar filters). Switch modes and rerun through dashboard.py.
    # Streamlit 1.67 has no public setting for this; the public way out is a folder not named pages/,
    # which would move every page (and every link to pages/*.py) for one flag.
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


@st.fragment(run_every="1h")
def rerun_on_reconnect() -> None:
    """Nothing to show: an auto-rerun fragment makes Streamlit's frontend rerun a tab that reconnects to a
    restarted server. Without that rerun the tab keeps the old server's session id, its first download
    click is rejected, and the rejection is dropped with the run the click starts: the button spins for
    three minutes (docs/security.md, "Downloads after a server restart")."""


def database() -> None:
    """Make sure the database exists, is fresh and opens (pages then query it through cache.cached).

    Shows a clear page and stops the script when it cannot be used."""
    _leave_pages_directory_mode()
    path, seeds = db_path(), seeds_dir()
    try:
        freshness = Freshness()
        if cache.stale(path, seeds):
            with st.spinner("Building the database from seeds/ (it was missing or older than the seeds)…"):
                freshness = ensure_database(path, seeds)
    except BuildError as err:
        st.error("The database does not exist and the seeds do not validate, so it cannot be built.")
        st.code("\n".join(map(str, err.problems[:50])), language=None)
        st.markdown(f"Fix the seed files named above, then run `{FIX_COMMAND}` or reload this page.")
        st.stop()
    except DatabaseError as err:  # DEFECTIONS_DB names no database file, or a new one cannot be written
        cache.stop_unusable(err)
    if freshness.notice:  # full disk, read-only folder: the last good database serves, and the page says why
        st.warning(plain(freshness.notice))
    if freshness.problems:
        # The problem quotes a seed cell: escaped, not in backticks (a backtick in the cell would end the code span).
        st.warning(f"The seeds changed but do not validate ({len(freshness.problems)} problem(s)); "
                   f"this page still shows the last good database. First problem: {plain(freshness.problems[0])}. "
                   f"Fix it and run `{FIX_COMMAND}`.")
    try:
        cache.remember_database(path)
    except OSError as err:
        cache.stop_unusable(err)


def sidebar_filters() -> None:
    """The shared filters in the sidebar, bound to the URL (filters.sidebar); every page reads them
    through filters()."""
    chosen, dropped = sidebar(cache.cached(queries.filter_options))
    st.session_state["_filters"] = chosen
    st.session_state["_dropped"] = dropped


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
    counts = cache.cached(queries.selection_counts, filters).iloc[0]
    count, confirmed = int(counts["defections"]), int(counts["confirmed"])
    left_out = not_counted(counts)
    as_of = cache.cached(queries.as_of)
    data_release = cache.cached(release.release_label)  # "release 2026.12.1" or "unreleased changes since …"
    st.markdown(f"**{count:,}** defection(s) selected by the filters, **{confirmed:,}** confirmed by a government"
                + (f"; {left_out}" if left_out else "")
                + f" · data as of **{plain(as_of or 'unknown')}**, **{plain(data_release)}**"
                  f"  \n:gray[{plain(question)}]")
    if in_force := filters.in_words():
        words, button = st.columns([5, 1], vertical_alignment="center")
        words.caption(f"Filters in force: {plain(in_force)}")
        button.button("Clear all filters", on_click=clear, icon=":material/filter_alt_off:", key="clear-filters")
    dropped = st.session_state.get("_dropped")
    if dropped:
        st.info("This link asked for filter values that do not exist, so they were dropped: "
                + "; ".join(plain(value) for value in dropped) + ".")
    st.session_state["_cite_title"] = title
    st.session_state["_cite_slots"] = [(st.container(), None, None)]  # filled by cite_views(), after the page ran
    return count


def _view_url() -> str:
    # The browser's address without its query string (None in AppTest and before the frontend reports
    # it: then the default local address), with the query string the view's widgets keep in the URL.
    base = st.context.url or f"http://localhost:8501/{st.session_state.get('_page_url_path', '')}"
    return citation.view_url(base, {key: st.query_params.get_all(key) for key in st.query_params})


def citation_download(file_name: str, key: str) -> None:
    """A citation.txt beside a download: the cite text naming the file it accompanies (the CSV's rows stay
    clean). Drawn by cite_views() once the page has run, like the "Cite this view" box."""
    st.session_state.setdefault("_cite_slots", []).append((st.container(), file_name, key))


def cite_views() -> None:
    """Fill the page's citation slots: the "Cite this view" box (title, URL, as-of date, licence, with a copy
    button) and each citation.txt. Called after the page has run, because widgets further down (the event
    or source picked) change the URL during the run: a citation written earlier would lag the address bar."""
    slots = st.session_state.pop("_cite_slots", [])
    if not slots:
        return
    title, url, as_of = st.session_state.get("_cite_title", ""), _view_url(), cache.cached(queries.as_of)
    data_release = cache.cached(release.release_label)
    for slot, file_name, key in slots:
        text = citation.cite_text(title, url, as_of, dt.date.today(), file_name, release=data_release)
        if file_name is None:
            # Drawn only once opened: a code block loads the browser's syntax highlighter, about 0.5 s of
            # script in every new tab (docs/benchmarks.md, "Behind the code").
            box = slot.expander("Cite this view", icon=":material/format_quote:", key=CITE_KEY, on_change="rerun")
            if box.open:
                box.code(text, language=None, wrap_lines=True)
        else:
            slot.download_button("Download the citation for this CSV (citation.txt)", data=text.encode("utf-8"),
                                 file_name="citation.txt", mime="text/plain", key=f"citation-{key}",
                                 on_click="ignore", icon=":material/format_quote:")


def stop() -> None:
    """Stop the page here, its citations drawn first: Streamlit drops whatever is drawn after st.stop()."""
    cite_views()
    st.stop()


def guard_empty(filters: Filters, rows: str = "defections") -> None:
    """Stop the page with a helpful message when the filters select nothing it shows: no completed
    defection (counts and charts), or with rows="listed" (tables, the CSV) no row of any outcome."""
    counts = cache.cached(queries.selection_counts, filters).iloc[0]
    if int(counts[rows]):
        return
    if int(counts["listed"]):
        st.info(f"No completed defection matches these filters, so there is nothing to count or draw here: "
                f"{not_counted(counts)}. The Events page lists them with their outcomes.")
        page_link(registry.page("events").url_path, "Events: the rows these filters select")
    else:
        st.info(f"No defections match these filters. Widen the year range or clear the {names_in_words()} "
                "filters in the sidebar.")
    stop()


def dropped_choice(key: str, options: Iterable[str]) -> None:
    """Say which value of the link's ?key= a widget bound to it does not offer: Streamlit drops it unsaid."""
    offered = set(options)
    unknown = [value for value in st.query_params.get_all(key) if value not in offered]
    if unknown:
        st.info(f"This link asked for {key} " + ", ".join(f"“{plain(value)}”" for value in unknown)
                + ", which this page does not offer, so it was dropped.")


def chart(builder: Callable, *frames: pd.DataFrame | None, name: str, key: str) -> None:
    """A plotly chart from a charts.* builder (built once per distinct data; map outlines served
    locally) with a CSV download of exactly its first frame."""
    st.plotly_chart(cache.figure(builder, frames), config=PLOTLY_CONFIG, key=f"chart-{key}")
    data = frames[0]
    download(f"Download chart data ({plural(len(data), 'row')}, CSV)", lambda: csv_bytes(data), f"{name}.csv", key)


NARROW_PX = 640  # below this width a chart with many rows or labels cannot be read: show its list


def wide_and_narrow(key: str):
    """Two containers: one for the chart (wide screens), one for the same facts as a list (phones).

    Both are sent; CSS picks by the screen's width, since the server cannot know it. The chart is
    clipped rather than removed on a phone, so plotly still draws it (a chart drawn at zero width is
    never finished)."""
    st.html(f"""<style>
@media (max-width: {NARROW_PX}px) {{ .st-key-wide-{key} {{ height: 0 !important; max-height: 0; overflow: hidden; }} }}
@media (min-width: {NARROW_PX + 1}px) {{ .st-key-narrow-{key} {{ display: none !important; }} }}
</style>""")
    return st.container(key=f"wide-{key}"), st.container(key=f"narrow-{key}")


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(label: str, make: Callable[[], bytes], file_name: str, key: str, mime: str = "text/csv") -> None:
    """A download (CSV unless `mime` says otherwise) whose bytes are produced only when the analyst clicks."""
    # on_click="ignore": a click that starts a run has a failed request's error dropped with the run's
    # queue (Streamlit 1.67), so the button spun for minutes; without a run the error shows under the
    # button and the next click works (docs/security.md, "After a restart"). It also saves a page run.
    st.download_button(label, data=make, file_name=file_name, mime=mime, key=f"download-{key}",
                       on_click="ignore", icon=":material/download:")


def _column(heading: str | Heading):
    if isinstance(heading, str):
        return heading
    config = {"text": st.column_config.TextColumn, "date": st.column_config.DateColumn,
              "number": st.column_config.NumberColumn, "link": st.column_config.LinkColumn}[heading.kind]
    extra = {k: v for k, v in (("width", heading.width), ("display_text", heading.display_text),
                               ("format", heading.format), ("pinned", heading.pinned)) if v is not None}
    return config(heading.label, **extra)


COLUMNS = {name: _column(heading) for name, heading in HEADINGS.items()}


def bullets(items: Iterable[str]) -> None:
    """A markdown list (items already escaped) drawn as one element, not one per item: a page of fewer
    elements redraws faster (docs/benchmarks.md, "Behind the code"). Nothing when there is no item."""
    text = "\n".join(f"- {item}" for item in items)
    if text:
        st.markdown(text)


def table(frame: pd.DataFrame, name: str | None = None, hide: tuple[str, ...] = (),
          every_row: Callable[[], pd.DataFrame] | None = None) -> None:
    """A read-only table of at most TABLE_ROWS rows with readable headings and http(s) links (data text
    is never markup), without the `hide` columns, and a CSV download with every column when it has a name.

    The download holds every row of the view: `frame` itself, or, for a query cut at TABLE_ROWS + 1 rows,
    what `every_row` fetches when the analyst clicks."""
    shown = [c for c in frame.columns if c not in hide]
    st.dataframe(_arrow(frame, tuple(shown)), hide_index=True,
                 column_config={c: COLUMNS[c] for c in shown if c in COLUMNS})
    cut = every_row is not None and len(frame) > TABLE_ROWS
    if len(frame) > TABLE_ROWS:
        of = "" if cut else f" of {len(frame):,}"
        st.caption(f"Showing the first {TABLE_ROWS:,}{of} rows; the download holds them all.")
    if name:
        rows = "every row" if cut else plural(len(frame), "row")
        download(f"Download this table ({rows}, CSV)", lambda: csv_bytes(every_row() if cut else frame),
                 f"{name}.csv", name)


def pick(label: str, frame: pd.DataFrame, id_column: str, shown: str, key: str):
    """A selectbox over a result's rows, each shown as `shown` (a format string over its columns,
    "{source_id}: {title}"), returning the chosen row's `id_column`. The URL holds the id (?event=E27),
    so a shared link survives a relabelling, and an unknown id is dropped."""
    # Not bind="query-params": Streamlit 1.67's selectbox binding stores the label shown, not the option
    # (tried: ?event=E27 is rejected as invalid, ?event=Ri+Il+Kyu+(E27) is what it writes), so a
    # corrected name or title would break every shared link. Hence the URL is written here by hand.
    labels = _labels(frame, id_column, shown)
    ids = list(labels)
    if not ids:
        return None
    wanted = st.query_params.get(key)
    if wanted is not None and wanted not in labels:  # named, as other dropped values are
        st.info(f"This link asked for {key} {plain(wanted)}, which is not among the selected rows, so it was "
                f"dropped; {plain(labels[ids[0]])} is shown.")
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
    return cache.derived(("labels", id_column, shown), frame,
                         lambda: {row[id_column]: shown.format(**row) for row in frame.to_dict("records")})


def _arrow(frame: pd.DataFrame, columns: tuple[str, ...]):
    # The rows a table sends, as Arrow: converting a DataFrame is most of st.dataframe's cost, so a
    # result from cache.cached() is converted once. A frame Arrow cannot type as it is goes to Streamlit as is.
    def make():
        rows = frame[list(columns)].head(TABLE_ROWS)
        coded = [c for c in LABELLED_COLUMNS if c in rows.columns]
        if coded:  # words, not codes, on screen; the CSV keeps the codes
            rows = rows.assign(**{c: rows[c].map(code_label) for c in coded})
        try:
            # No pandas metadata: the browser does not need it, and it is serialised on every run.
            table = pa.Table.from_pandas(rows, preserve_index=False).replace_schema_metadata(None)
        except (pa.ArrowException, TypeError, ValueError):
            return rows.fillna({c: MISSING for c in rows.columns
                                if rows[c].dtype == object or pd.api.types.is_string_dtype(rows[c])})
        # An empty text cell reads as the one missing mark used everywhere (Streamlit would print "None"),
        # filled in Arrow: pandas' fillna over the text columns cost more than the conversion.
        for i, field in enumerate(table.schema):
            if pa.types.is_null(field.type):  # a column empty in every row: Arrow cannot tell it is text
                table = table.set_column(i, pa.field(field.name, pa.string()),
                                         pa.array([MISSING] * table.num_rows, pa.string()))
            elif pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
                if table.column(i).null_count:
                    table = table.set_column(i, field, pc.fill_null(table.column(i), MISSING))
        return table

    return cache.derived(("table", columns), frame, make)
