"""Every question a page asks, as a named function: (connection, filters) -> DataFrame of what it shows.

Each function runs its own query, sql/queries/<function name>.sql, with bound parameters; no SQL text is
ever joined or formatted here. The filters reach SQL as one bound struct, $filters (Filters.params()),
which a filtered query hands to the table macro selected_by (sql/views.sql) as its first step, named
`selected`: the rows tables and the CSV list (failed and unresolved attempts and denied reports too, each
with its outcome); counts, charts and maps keep the counted rows only (completed defections).
Aggregation happens in DuckDB.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from defections import frames
from defections.db import frame, long_frame, query_sql, select_list
from defections.filters import FILTERS, Filters
from defections.labels import DETAIL_FIELDS, LABELLED_COLUMNS, code_label
from defections.wording import CLOSURES_TRACK, HAVANA_TRACK, MISSING


def _run(con: duckdb.DuckDBPyConnection, name: str, params: dict | None = None) -> pd.DataFrame:
    """The named query (sql/queries/<name>.sql) run with bound parameters."""
    return frame(con, query_sql(name), params)


# The events CSV's columns, as export_events.sql's final SELECT names them (a test compares the CSV header).
EXPORT_COLUMNS = select_list("export_events")


def filter_options(con: duckdb.DuckDBPyConnection) -> dict:
    """The values the sidebar and the CLI offer: year bounds (None when there is no defection), and for
    each entry of filters.FILTERS, under its name, its valid values; under "notes", by name, the notes its
    tooltip adds (filter_choices in sql/views.sql gives both)."""
    years = _run(con, "filter_years").iloc[0]
    choices = _run(con, "filter_choices").set_index("filter")
    return {
        "years": None if pd.isna(years["lo"]) else (int(years["lo"]), int(years["hi"])),
        **{f.name: list(choices.at[f.name, "choices"]) for f in FILTERS},
        "notes": {f.name: list(choices.at[f.name, "notes"]) for f in FILTERS},
    }


def as_of(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The data's "as of" date: the day it was last curated (the newest page read or correction made)."""
    value = _run(con, "as_of")["as_of"].iloc[0]
    return None if pd.isna(value) else pd.Timestamp(value).date()


def events_in_view(con: duckdb.DuckDBPyConnection, filters: Filters) -> int:
    """How many completed defections the filters select (the count every header gives)."""
    return int(selection_counts(con, filters)["defections"].iloc[0])


def events_listed(con: duckdb.DuckDBPyConnection, filters: Filters) -> int:
    """How many rows the filters select in tables and the events CSV: every outcome, denied reports too."""
    return int(selection_counts(con, filters)["listed"].iloc[0])


def selection_counts(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """How many completed defections the filters select, how many of them a government confirmed, and the
    rows selected but not counted: denied reports, failed attempts, attempts of unknown outcome."""
    return _run(con, "selection_counts", filters.params())


def headline_figures(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Overview headline figures, each with the source behind it."""
    return _run(con, "headline_figures", filters.params())


def post_map(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Defections per post with coordinates, for the map; posts with unknown places are left out."""
    return _run(con, "post_map", filters.params())


def timeline_events(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 2000) -> pd.DataFrame:
    """One row per defection for the timeline: the defection period (start to end) and the disclosure."""
    return _run(con, "timeline_events", {**filters.params(), "limit": limit})


def timeline_density(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Defections and disclosures per month, for views too large to draw one mark per event."""
    return _run(con, "timeline_density", filters.params())


def yearly_figures(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Arrivals and elite figures per year within the year filter, with their sources."""
    return _run(con, "yearly_figures", filters.params())


TREND_BY = ("defection", "disclosure")  # what the timeline offers, as the URL holds it
# Confirmation first: a rise made of unconfirmed reports must show as such before anything else.
TREND_STACK = ("confirmation", "category")


def yearly_trend(con: duckdb.DuckDBPyConnection, filters: Filters, by: str = "defection",
                 stack: str = "confirmation") -> pd.DataFrame:
    """The selected defections per year (of defection, or of disclosure: undisclosed ones are left out),
    split by elite category or by confirmation; `part_rank` orders the parts as the categories are listed,
    `year_of` and `stacked_by` say which choice the rows answer."""
    return _run(con, "yearly_trend", {**filters.params(), "by": by if by in TREND_BY else "defection",
                                      "stack": stack if stack in TREND_STACK else TREND_STACK[0]})


def decade_totals(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Completed defections per decade of defection, and how many of them a government confirmed: the
    period totals that say whether a rise is one of events or of unconfirmed reports."""
    return _run(con, "decade_totals", filters.params())


def lag_distribution(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int | None = None) -> pd.DataFrame:
    """The disclosure lag of every selected defection that has one at its dates' precision (shortest and
    longest in days, equal when both dates are day-precise), the shortest first; at most `limit` rows."""
    return _run(con, "lag_distribution", {**filters.params(), "limit": limit})


def lag_summary(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """How many selected defections have a lag at their precision, how many have none, and the median lag:
    it lies between the median of the shortest and the median of the longest lags (`median` in words)."""
    return _run(con, "lag_summary", filters.params())


def context_timeline(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Diplomatic context events within the year filter."""
    return _run(con, "context_timeline", filters.params())


def timeline_context(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Context events from the first selected defection to the last disclosure, for the timeline's axis."""
    return _run(con, "timeline_context", filters.params())


def motive_counts(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Defections per motive, each counted once, grouped by who attributes the motive to it: one kind of
    attributor, or "several" when sides differ; `attributors` lists the combinations with their counts."""
    return _run(con, "motive_counts", filters.params())


def motive_coverage(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """The Motives page's denominator: the counted defections selected, and how many report no motive."""
    return _run(con, "motive_coverage", filters.params())


def motive_evidence(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int | None = 1000) -> pd.DataFrame:
    """The evidence behind each motive bar: who said it, the quote, the source; every row with limit=None."""
    return _run(con, "motive_evidence", {**filters.params(), "limit": limit})


# The months the client's document is about: North Korea's embassy closures of late 2023, the Havana
# defection of November 2023, the ties of February 2024, its disclosure in July 2024 and the embassies
# opened in 2025. The Cuba panel opens on them; the whole history is one click away.
HAVANA_SEQUENCE = (dt.date(2022, 7, 1), dt.date(2025, 12, 31))


def cuba_timeline(con: duckdb.DuckDBPyConnection, filters: Filters, max_marks: int = 300,
                  window: tuple[dt.date, dt.date] | None = None) -> pd.DataFrame:
    """The Cuba panel: every North Korea–Cuba and South Korea–Cuba event, North Korea's embassy closures
    (context is not filtered: the Havana defection of November 2023 is read beside the ties of February 2024
    that its defector had worked to block) and the Havana defections the
    filters select, each with its dated period and, for a defection, its disclosure; only what touches
    `window` (first day, last day) when one is given.

    A track with more than max_marks items gets one mark per month, or per year if months are still
    too many; `items` says how many a mark stands for and its summary counts them by kind."""
    first_day, last_day = window or (None, None)
    return _run(con, "cuba_timeline", {**filters.params(), "max_marks": max_marks, "first_day": first_day,
                                       "last_day": last_day, "closures_track": CLOSURES_TRACK,
                                       "havana_track": HAVANA_TRACK})


def havana_background(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """What the record says of the selected Havana defections beyond their dates (Ri Il Kyu had worked to
    block the ties), each with its source and the event it concerns, for the Cuba panel's key facts."""
    return _run(con, "havana_background", filters.params())


def commentary(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int | None = 50) -> pd.DataFrame:
    """Attributed assessments (experts, officials) within the year filter, the most recent first;
    every one with limit=None."""
    return _run(con, "commentary", {**filters.params(), "limit": limit})


def events_table(con: duckdb.DuckDBPyConnection, filters: Filters, search: str = "",
                 limit: int = 1000) -> pd.DataFrame:
    """The filtered events for the table, optionally narrowed to a person by any romanization."""
    return _run(con, "events_table", {**filters.params(), "search": search_term(search), "limit": limit})


def spelling_suggestions(con: duckdb.DuckDBPyConnection, search: str, limit: int = 3) -> pd.DataFrame:
    """The recorded people whose names come closest to a search that matched nothing ("did you mean"),
    by Jaro-Winkler similarity of the folded spellings; none below 0.85."""
    return _run(con, "spelling_suggestions", {"search": search_term(search), "limit": limit})


def search_term(search: str | None) -> str:
    """The search as the queries compare it: trimmed, at most 200 characters."""
    return (search or "").strip()[:200]


def export_events(con: duckdb.DuckDBPyConnection, filters: Filters, search: str = "") -> pd.DataFrame:
    """Every filtered defection with citation columns, narrowed by the name search when one is given:
    the events CSV (dashboard and CLI alike)."""
    return long_frame(con, query_sql("export_events"), {**filters.params(), "search": search_term(search)})


def event_detail(con: duckdb.DuckDBPyConnection, event_id: str) -> pd.DataFrame:
    """One defection as (field, value) rows, dates at their precision, MISSING where nothing is recorded;
    no rows for an unknown id."""
    wide = _run(con, "event_detail", {"id": event_id})
    if wide.empty:
        return pd.DataFrame(columns=["field", "value"])
    values = [code_label(v) if c in LABELLED_COLUMNS else v for c, v in wide.iloc[0].items()]
    return pd.DataFrame({"field": [DETAIL_FIELDS.get(c, c) for c in wide.columns],
                         "value": pd.Series(values, dtype=object).fillna(MISSING).tolist()})


def event_motive_evidence(con: duckdb.DuckDBPyConnection, event_id: str) -> pd.DataFrame:
    """The motives of one defection, with who attributes them and the quote."""
    return _run(con, "event_motive_evidence", {"id": event_id})


def event_sources(con: duckdb.DuckDBPyConnection, event_id: str) -> pd.DataFrame:
    """The sources of one defection, each with the quote checked against its held passage."""
    return _run(con, "event_sources", {"id": event_id})


def sources_list(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every source with its metadata and how many facts cite it."""
    return _run(con, "sources_list")


def citations(con: duckdb.DuckDBPyConnection, source_id: str, limit: int | None = None) -> pd.DataFrame:
    """The facts that cite one source, the first `limit` of them (every one with None)."""
    return _run(con, "citations", {"id": source_id, "limit": limit})


def documents(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The client's seed document(s), in full."""
    return _run(con, "documents")


def held_passage(con: duckdb.DuckDBPyConnection, source_id: str) -> pd.DataFrame:
    """The passage held for one source, with where and when it was read; no rows if none is held."""
    return _run(con, "held_passage", {"id": source_id})


def corrections(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The data changelog: every correction of a curated fact, with its reason and source."""
    return _run(con, "corrections")


def revisions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The changelog of official figures revised after release."""
    return _run(con, "revisions")


def data_dictionary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every column of the public views and the curated tables, with type and meaning, read from the
    schema's own comments."""
    return _run(con, "data_dictionary")


def dictionary_markdown(dictionary: pd.DataFrame) -> str:
    """The data dictionary as markdown: one table per view or curated table (docs/sql-interface.md)."""
    lines = ["# Data dictionary", "",
             "Generated from the database schema by `python -m defections dictionary`; a test keeps it current.",
             "Query the public views; the curated tables in schema `seed` hold the seeds as loaded.", ""]
    for (layer, table), columns in dictionary.groupby(["layer", "table"], sort=False):
        lines += [f"## `{table}` ({layer})", "", "| column | type | meaning |", "|---|---|---|"]
        lines += [f"| `{c.column}` | {c.type} | {c.meaning} |" for c in frames.rows(columns)]
        lines.append("")
    return "\n".join(lines)
