"""Every question a page asks, as a named function: (connection, filters) -> DataFrame of what it shows.

All SQL of the dashboard lives here and in sql/*.sql. Values travel as bound parameters; the only
text ever joined into SQL is the constant filter clause below. Aggregation happens in DuckDB.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from defections.db import query
from defections.filters import Filters

# Selects the defections the sidebar filters keep; every filtered query starts from it.
SELECTED = """
selected AS (
    SELECT d.event_id
    FROM seed.defections d JOIN seed.posts po USING (post_id)
    WHERE (CAST($year_from AS INTEGER) IS NULL OR year(d.defection_date) >= $year_from)
      AND (CAST($year_to AS INTEGER) IS NULL OR year(d.defection_date) <= $year_to)
      AND (len(CAST($posts AS VARCHAR[])) = 0 OR list_contains(CAST($posts AS VARCHAR[]), po.post_country))
      AND (len(CAST($categories AS VARCHAR[])) = 0
           OR list_contains(CAST($categories AS VARCHAR[]), d.elite_category::VARCHAR))
      AND (len(CAST($confirmations AS VARCHAR[])) = 0
           OR list_contains(CAST($confirmations AS VARCHAR[]), d.confirmation_status::VARCHAR))
)"""
# A person's name by any romanization ($search, '' for everyone). A list filter, not EXISTS over unnest:
# DuckDB turns that subquery into a join over every event even when the search is empty (seconds at a
# million events, docs/benchmarks.md).
SEARCH = """($search = '' OR len(list_filter(string_split(e.name_variants || '; ' || e.person, '; '),
                                       lambda name: contains(name_key(name), name_key($search)))) > 0)"""
YEARS = """(CAST($year_from AS INTEGER) IS NULL OR {col} >= $year_from)
       AND (CAST($year_to AS INTEGER) IS NULL OR {col} <= $year_to)"""

EXPORT_COLUMNS = [
    "event_id", "person", "name_variants", "position", "elite_category", "post_country", "post_city",
    "defection_period", "defection_date", "date_precision", "disclosed_period", "disclosed_date",
    "disclosed_precision", "disclosure_lag_days", "disclosure_lag_min_days", "disclosure_lag_max_days",
    "disclosure_lag", "confirmation_status", "confirmed_by", "confirmed_date",
    "destination", "accompanied_by", "motives", "summary", "notes", "source_titles", "source_urls",
]
TABLE_COLUMNS = [
    "event_id", "person", "position", "elite_category", "post_country", "post_city", "defection_period",
    "disclosed_period", "disclosure_lag", "confirmation_status", "motives", "source_url",
]


def filter_options(con: duckdb.DuckDBPyConnection) -> dict:
    """The values the sidebar offers: year bounds (None when there is no defection), post countries,
    elite categories."""
    years = query(con, "SELECT min(year(defection_date)) AS lo, max(year(defection_date)) AS hi "
                       "FROM seed.defections").iloc[0]
    posts = query(con, "SELECT DISTINCT post_country FROM seed.posts p "
                       "WHERE EXISTS (SELECT 1 FROM seed.defections d WHERE d.post_id = p.post_id) "
                       "ORDER BY post_country")
    categories = query(con, "SELECT unnest(enum_range(NULL::elite_category)) AS category")
    confirmations = query(con, "SELECT unnest(enum_range(NULL::confirmation_status)) AS confirmation")
    return {
        "years": None if pd.isna(years["lo"]) else (int(years["lo"]), int(years["hi"])),
        "posts": posts["post_country"].tolist(),
        "categories": categories["category"].tolist(),
        "confirmations": confirmations["confirmation"].tolist(),
    }


def as_of(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The data's "as of" date: the newest source's publication date."""
    value = query(con, "SELECT max(as_of_date) AS as_of FROM build_info")["as_of"].iloc[0]
    return None if pd.isna(value) else pd.Timestamp(value).date()


def events_in_view(con: duckdb.DuckDBPyConnection, filters: Filters) -> int:
    """How many defections the filters select."""
    return int(selection_counts(con, filters)["defections"].iloc[0])


def selection_counts(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """How many defections the filters select, and how many of them a government confirmed."""
    sql = f"""
    WITH {SELECTED}
    SELECT count(*) AS defections,
           count(*) FILTER (WHERE d.confirmation_status = 'confirmed') AS confirmed
    FROM selected JOIN seed.defections d USING (event_id)
    """
    return query(con, sql, filters.params())


def headline_figures(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Overview headline figures, each with the source behind it."""
    sql = f"""
    WITH {SELECTED},
    in_view AS (
        SELECT count(DISTINCT event_id) AS n, count(DISTINCT ds.source_id) AS sources
        FROM selected LEFT JOIN seed.defection_sources ds USING (event_id)
    ),
    latest_elite AS (
        SELECT * FROM yearly_counts
        WHERE elite_count_label IS NOT NULL AND {YEARS.format(col="year")}
        ORDER BY year DESC LIMIT 1
    ),
    latest_event AS (
        SELECT e.* FROM events e JOIN selected USING (event_id)
        ORDER BY e.defection_date DESC, e.event_id DESC LIMIT 1
    )
    SELECT 'Defections in view' AS figure, n::VARCHAR AS value,
           'citing ' || sources || ' sources' AS detail, NULL AS source_title, NULL AS source_url
    FROM in_view
    UNION ALL
    SELECT 'Elite arrivals in ' || year, elite_count_label,
           coalesce('"' || elite_count_wording || '" of ', '') || coalesce(total_arrivals::VARCHAR, '?')
               || ' arrivals in South Korea. A national figure: the post, category and confirmation filters '
               || 'do not apply to it',
           main_source_title, main_source_url
    FROM latest_elite
    UNION ALL
    SELECT 'Most recent defection', defection_period,
           person || ' · ' || post_country || coalesce(' (' || post_city || ')', '') || ' · made public '
               || coalesce(disclosed_period || coalesce(', ' || disclosure_lag || ' later',
                                                        ' (the dates are too coarse for a lag)'), 'date unknown'),
           main_source_title, main_source_url
    FROM latest_event
    """
    return query(con, sql, filters.params())


def post_map(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Defections per post with coordinates, for the map; posts with unknown places are left out."""
    sql = f"""
    WITH {SELECTED}
    SELECT po.post_country, po.post_city,
           po.post_country || coalesce(', ' || po.post_city, '') AS post,
           po.latitude, po.longitude, count(*) AS defections,
           string_agg(p.name, '; ' ORDER BY d.defection_date) FILTER (WHERE rn <= 5) AS people
    FROM (SELECT d.*, row_number() OVER (PARTITION BY d.post_id ORDER BY d.defection_date DESC) AS rn
          FROM seed.defections d JOIN selected USING (event_id)) d
    JOIN seed.posts po USING (post_id) JOIN seed.people p USING (person_id)
    WHERE po.latitude IS NOT NULL
    GROUP BY ALL ORDER BY defections DESC, post
    """
    return query(con, sql, filters.params())


def timeline_events(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 2000) -> pd.DataFrame:
    """One row per defection for the timeline: the defection period (start to end) and the disclosure."""
    sql = f"""
    WITH {SELECTED}
    SELECT e.event_id, e.person, e.position, e.post_country || coalesce(', ' || e.post_city, '') AS post,
           e.elite_category, e.defection_date AS period_start,
           period_end(e.defection_date, e.date_precision) AS period_end,
           e.date_precision, e.defection_period, e.disclosed_date, e.disclosed_period,
           e.disclosure_lag, e.main_source_title AS source_title, e.main_source_url AS source_url
    FROM events e JOIN selected USING (event_id)
    ORDER BY e.defection_date, e.event_id
    LIMIT $limit
    """
    return query(con, sql, {**filters.params(), "limit": limit})


def timeline_density(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Defections and disclosures per month, for views too large to draw one mark per event."""
    sql = f"""
    WITH {SELECTED},
    marks AS (
        SELECT date_trunc('month', d.defection_date) AS month, 'defected' AS what
        FROM seed.defections d JOIN selected USING (event_id)
        UNION ALL
        SELECT date_trunc('month', d.disclosed_date), 'made public'
        FROM seed.defections d JOIN selected USING (event_id) WHERE d.disclosed_date IS NOT NULL
    )
    SELECT month, what, count(*) AS events FROM marks GROUP BY ALL ORDER BY month, what
    """
    return query(con, sql, filters.params())


def yearly_figures(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Arrivals and elite figures per year within the year filter, with their sources."""
    sql = f"""
    SELECT year, total_arrivals, elite_count, elite_count_low, elite_count_high, elite_count_approx,
           elite_count_label, elite_count_wording, elite_count_basis, source_titles, source_urls
    FROM yearly_counts WHERE {YEARS.format(col="year")} ORDER BY year
    """
    return query(con, sql, filters.params())


TREND_BY = ("defection", "disclosure")  # what the timeline offers, as the URL holds it
TREND_STACK = ("category", "confirmation")


def yearly_trend(con: duckdb.DuckDBPyConnection, filters: Filters, by: str = "defection",
                 stack: str = "category") -> pd.DataFrame:
    """The selected defections per year (of defection, or of disclosure: undisclosed ones are left out),
    split by elite category or by confirmation; `part_rank` orders the parts as the categories are listed,
    `year_of` and `stacked_by` say which choice the rows answer."""
    sql = f"""
    WITH {SELECTED},
    dated AS (
        SELECT CASE WHEN $by = 'disclosure' THEN year(d.disclosed_date) ELSE year(d.defection_date) END AS year,
               CASE WHEN $stack = 'confirmation' THEN d.confirmation_status::VARCHAR
                    ELSE d.elite_category::VARCHAR END AS part,
               CASE WHEN $stack = 'confirmation' THEN enum_code(d.confirmation_status)
                    ELSE enum_code(d.elite_category) END AS part_rank
        FROM seed.defections d JOIN selected USING (event_id)
    ),
    final AS (
        SELECT year, part, part_rank, count(*) AS defections
        FROM dated WHERE year IS NOT NULL
        GROUP BY ALL
    )
    SELECT year, part, defections, part_rank, $by AS year_of, $stack AS stacked_by
    FROM final ORDER BY year, part_rank
    """
    return query(con, sql, {**filters.params(), "by": by if by in TREND_BY else "defection",
                            "stack": stack if stack in TREND_STACK else "category"})


def lag_distribution(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int | None = None) -> pd.DataFrame:
    """The disclosure lag of every selected defection that has one at its dates' precision (shortest and
    longest in days, equal when both dates are day-precise), the shortest first; at most `limit` rows."""
    sql = f"""
    WITH {SELECTED}
    SELECT e.event_id, e.person, e.defection_period, e.disclosed_period, e.disclosure_lag,
           e.disclosure_lag_min_days, e.disclosure_lag_max_days
    FROM events e JOIN selected USING (event_id)
    WHERE e.disclosure_lag_min_days IS NOT NULL
    ORDER BY e.disclosure_lag_min_days + e.disclosure_lag_max_days, e.disclosure_lag_max_days, e.event_id
    LIMIT $limit
    """
    return query(con, sql, {**filters.params(), "limit": limit})


def lag_summary(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """How many selected defections have a lag at their precision, how many have none, and the median lag:
    it lies between the median of the shortest and the median of the longest lags (`median` in words)."""
    sql = f"""
    WITH {SELECTED},
    lags AS (
        SELECT e.disclosure_lag_min_days AS lo, e.disclosure_lag_max_days AS hi
        FROM events e JOIN selected USING (event_id)
    ),
    medians AS (
        SELECT count(lo) AS with_lag, count(*) - count(lo) AS without_lag,
               quantile_disc(lo, 0.5) AS median_low, quantile_disc(hi, 0.5) AS median_high
        FROM lags
    )
    SELECT with_lag, without_lag, median_low, median_high, lag_text(median_low, median_high) AS median
    FROM medians
    """
    return query(con, sql, filters.params())


def context_timeline(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Diplomatic context events within the year filter."""
    sql = f"""
    SELECT context_id, event_date, date_precision, event_period, actors, event_type, summary, event_id,
           main_source_title AS source_title, main_source_url AS source_url,
           source_urls
    FROM context_events WHERE {YEARS.format(col="year(event_date)")} ORDER BY event_date, context_id
    """
    return query(con, sql, filters.params())


def timeline_context(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Context events from the first selected defection to the last disclosure, for the timeline's axis."""
    sql = f"""
    WITH {SELECTED},
    span AS (
        SELECT min(d.defection_date) AS first_day, greatest(max(d.defection_date), max(d.disclosed_date)) AS last_day
        FROM seed.defections d JOIN selected USING (event_id)
    )
    SELECT context_id, event_date, event_period, actors, event_type, summary,
           main_source_title AS source_title, main_source_url AS source_url
    FROM context_events, span
    WHERE event_date BETWEEN span.first_day AND last_day(span.last_day)
    ORDER BY event_date, context_id
    """
    return query(con, sql, filters.params())


def motive_counts(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Defections per motive, each counted once, grouped by who attributes the motive to it: one kind of
    attributor, or "several" when sides differ; `attributors` lists the combinations with their counts."""
    sql = f"""
    WITH {SELECTED},
    per_defection AS (
        SELECT em.motive, em.event_id, list(DISTINCT em.attributed_to ORDER BY em.attributed_to) AS kinds
        FROM event_motives em JOIN selected USING (event_id)
        GROUP BY em.motive, em.event_id
    ),
    grouped AS (
        SELECT motive, event_id, if(len(kinds) = 1, kinds[1], 'several') AS attributed_to,
               array_to_string(kinds, ' + ') AS combination
        FROM per_defection
    ),
    per_combination AS (
        SELECT motive, attributed_to, combination, count(*) AS defections
        FROM grouped GROUP BY ALL
    ),
    final AS (
        SELECT motive, attributed_to, sum(defections)::BIGINT AS defections,
               string_agg(combination || ' (' || defections || ')', '; '
                          ORDER BY defections DESC, combination) AS attributors
        FROM per_combination GROUP BY ALL
    )
    SELECT motive, attributed_to, defections, attributors FROM final
    ORDER BY sum(defections) OVER (PARTITION BY motive) DESC, motive, attributed_to
    """
    return query(con, sql, filters.params())


def motive_evidence(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int | None = 1000) -> pd.DataFrame:
    """The evidence behind each motive bar: who said it, the quote, the source; every row with limit=None."""
    sql = f"""
    WITH {SELECTED}
    SELECT em.motive, em.attributed_to, p.name AS person, em.event_id, em.attributed_by, em.evidence_quote,
           em.source_title, em.source_url
    FROM event_motives em JOIN selected USING (event_id) JOIN seed.defections d USING (event_id)
    JOIN seed.people p USING (person_id)
    ORDER BY em.motive, em.attributed_to, d.defection_date
    LIMIT $limit
    """
    return query(con, sql, {**filters.params(), "limit": limit})


def cuba_timeline(con: duckdb.DuckDBPyConnection, filters: Filters, max_marks: int = 300) -> pd.DataFrame:
    """The Cuba panel: every North Korea–Cuba and South Korea–Cuba event (context is not filtered: the
    ties of 2024 explain a defection of 2023) and the Havana defections the filters select, one axis.

    A track with more than max_marks items gets one mark per month, or per year if months are still
    too many; `items` says how many a mark stands for and its summary counts them by kind."""
    sql = f"""
    WITH {SELECTED},
    item AS (
        SELECT event_date AS date, event_period AS period,
               CASE WHEN actors LIKE '%North Korea%' AND actors LIKE '%South Korea%' THEN 'Both Koreas and Cuba'
                    WHEN actors LIKE '%South Korea%' THEN 'South Korea–Cuba'
                    ELSE 'North Korea–Cuba' END AS track,
               event_type AS kind, summary, main_source_title AS source_title, main_source_url AS source_url
        FROM context_events
        WHERE actors LIKE '%Cuba%'
        UNION ALL
        SELECT e.defection_date, e.defection_period, 'Defections from Havana', 'defection',
               e.person || ', ' || e.position || ' (made public ' || coalesce(e.disclosed_period, 'date unknown')
               || ')', e.main_source_title, e.main_source_url
        FROM events e JOIN selected USING (event_id)
        WHERE e.post_country = 'Cuba'
    ),
    grain AS (
        SELECT track, CASE WHEN count(*) <= $max_marks THEN 'item'
                           WHEN count(DISTINCT date_trunc('month', date)) <= $max_marks THEN 'month'
                           ELSE 'year' END AS grain
        FROM item GROUP BY track
    ),
    per_kind AS (
        SELECT CASE grain WHEN 'month' THEN date_trunc('month', date) ELSE date_trunc('year', date) END AS bucket,
               grain, track, kind, count(*) AS n
        FROM item JOIN grain USING (track)
        WHERE grain <> 'item'
        GROUP BY ALL
    )
    SELECT date, period, track, kind, summary, source_title, source_url, 1::BIGINT AS items
    FROM item JOIN grain USING (track)
    WHERE grain = 'item'
    UNION ALL
    -- Too many to draw one by one: one mark per month or year and track, saying how many of each kind.
    SELECT bucket, CASE grain WHEN 'month' THEN strftime(bucket, '%B %Y') ELSE strftime(bucket, '%Y') END, track,
           CASE track WHEN 'Defections from Havana' THEN 'defections' ELSE 'events' END,
           sum(n) || CASE WHEN track = 'Defections from Havana'
                          THEN if(sum(n) = 1, ' defection', ' defections') || ' from the Havana post'
                          ELSE if(sum(n) = 1, ' event: ', ' events: ')
                               || string_agg(n || ' ' || kind, ', ' ORDER BY n DESC, kind) END,
           NULL, NULL, sum(n)::BIGINT
    FROM per_kind
    GROUP BY bucket, grain, track
    ORDER BY date, track
    """
    return query(con, sql, {**filters.params(), "max_marks": max_marks})


def commentary(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int | None = 50) -> pd.DataFrame:
    """Attributed assessments (experts, officials) within the year filter, the most recent first;
    every one with limit=None."""
    sql = f"""
    SELECT speaker, speaker_role, attributed_to, stated_date, strftime(stated_date, '%-d %B %Y') AS stated_on,
           summary, quote, event_id, year, source_title, source_url
    FROM commentary
    WHERE stated_date IS NULL OR ({YEARS.format(col="coalesce(year, year(stated_date))")})
    ORDER BY stated_date DESC NULLS LAST, commentary_id
    LIMIT $limit
    """
    return query(con, sql, {**filters.params(), "limit": limit})


def events_table(con: duckdb.DuckDBPyConnection, filters: Filters, search: str = "",
                 limit: int = 1000) -> pd.DataFrame:
    """The filtered events for the table, optionally narrowed to a person by any romanization."""
    sql = f"""
    WITH {SELECTED}
    SELECT {", ".join("e." + c for c in TABLE_COLUMNS[:-1])}, e.main_source_url AS source_url
    FROM events e JOIN selected USING (event_id)
    WHERE {SEARCH}
    ORDER BY e.defection_date DESC, e.event_id
    LIMIT $limit
    """
    return query(con, sql, {**filters.params(), "search": search_term(search), "limit": limit})


def search_term(search: str | None) -> str:
    """The search as the queries compare it: trimmed, at most 200 characters."""
    return (search or "").strip()[:200]


def export_events(con: duckdb.DuckDBPyConnection, filters: Filters, search: str = "") -> pd.DataFrame:
    """Every filtered defection with citation columns, narrowed by the name search when one is given:
    the events CSV (dashboard and CLI alike)."""
    sql = f"""
    WITH {SELECTED}
    SELECT {", ".join("e." + c for c in EXPORT_COLUMNS)}
    FROM events e JOIN selected USING (event_id)
    WHERE {SEARCH}
    ORDER BY e.defection_date, e.event_id
    """
    return query(con, sql, {**filters.params(), "search": search_term(search)})


DETAIL_FIELDS = {
    "event_id": "Id", "person": "Person", "name_variants": "Also written", "position": "Position",
    "elite_category": "Elite category", "post_country": "Post country", "post_city": "Post city",
    "defection_period": "Defected", "date_precision": "Date precision", "disclosed_period": "Made public",
    "disclosure_lag": "Time until public", "confirmation_status": "Confirmation",
    "confirmed_by": "Confirmed by", "confirmed_date": "Confirmed on", "destination": "Destination",
    "accompanied_by": "Accompanied by", "motives": "Motives", "summary": "Summary", "notes": "Notes",
}


def event_detail(con: duckdb.DuckDBPyConnection, event_id: str) -> pd.DataFrame:
    """One defection as (field, value) rows, dates at their precision, "—" where nothing is recorded;
    no rows for an unknown id."""
    columns = ", ".join(f"CAST({c} AS VARCHAR) AS \"{label}\"" for c, label in DETAIL_FIELDS.items())
    wide = query(con, f"SELECT {columns} FROM events WHERE event_id = $id", {"id": event_id})
    if wide.empty:
        return pd.DataFrame(columns=["field", "value"])
    return pd.DataFrame({"field": list(wide.columns), "value": wide.iloc[0].fillna("—").tolist()})


def event_motive_evidence(con: duckdb.DuckDBPyConnection, event_id: str) -> pd.DataFrame:
    """The motives of one defection, with who attributes them and the quote."""
    return query(con, "SELECT motive, attributed_to, attributed_by, evidence_quote, quote_gloss, source_title, "
                      "source_url FROM event_motives WHERE event_id = $id ORDER BY motive, attributed_to",
                 {"id": event_id})


def event_sources(con: duckdb.DuckDBPyConnection, event_id: str) -> pd.DataFrame:
    """The sources of one defection, each with the quote checked against its held passage."""
    return query(con, "SELECT s.source_id, s.title, s.publisher, s.published_date, s.url, ds.evidence_quote, "
                      "ds.quote_gloss FROM seed.defection_sources ds JOIN sources s USING (source_id) "
                      "WHERE ds.event_id = $id ORDER BY ds.evidence_quote IS NULL, s.source_id", {"id": event_id})


def sources_list(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every source with its metadata and how many facts cite it."""
    return query(con, "SELECT source_id, url, title, publisher, published_date, reliability, fact_count, document "
                      "FROM sources ORDER BY source_id")


def citations(con: duckdb.DuckDBPyConnection, source_id: str) -> pd.DataFrame:
    """The facts that cite one source."""
    return query(con, "SELECT fact_kind, fact_id, fact, evidence_quote FROM citations "
                      "WHERE source_id = $id ORDER BY fact_kind, fact_id", {"id": source_id})


def documents(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The client's seed document(s), in full."""
    return query(con, "SELECT d.document, s.source_id, s.title, d.text FROM documents d "
                      "JOIN seed.sources s USING (document) WHERE s.reliability = 'client' ORDER BY d.document")


def held_passage(con: duckdb.DuckDBPyConnection, source_id: str) -> pd.DataFrame:
    """The passage held for one source, with where and when it was read; no rows if none is held."""
    return query(con, "SELECT d.document, d.url, d.title, d.publisher, d.published, "
                      "coalesce(strftime(d.read_on, '%Y-%m-%d'), 'an unknown date') AS read_on, d.text "
                      "FROM documents d JOIN seed.sources s USING (document) WHERE s.source_id = $id",
                 {"id": source_id})


def corrections(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The data changelog: every correction of a curated fact, with its reason and source."""
    return query(con, "SELECT correction_id, table_name, row_key, column_name, previous_value, current_value, "
                      "corrected_on, reason, source_title, source_url FROM corrections "
                      "ORDER BY corrected_on, correction_id")


def revisions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The changelog of official figures revised after release."""
    return query(con, "SELECT * FROM revisions ORDER BY revised_on NULLS LAST, table_name, row_key")


def data_dictionary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every column of the public views and the curated tables, with type and meaning, read from the
    schema's own comments."""
    return query(con, """
        WITH objects AS (
            SELECT schema_name, view_name AS name, 'public view' AS layer, comment, view_oid AS oid
            FROM duckdb_views() WHERE database_name = current_database() AND NOT internal
            UNION ALL
            SELECT schema_name, table_name, 'curated table', comment, table_oid
            FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'seed'
        )
        SELECT o.layer, CASE o.layer WHEN 'curated table' THEN 'seed.' ELSE '' END || o.name AS "table",
               c.column_name AS "column", c.data_type AS type, c.comment AS meaning
        FROM objects o
        JOIN duckdb_columns() c ON c.database_name = current_database() AND c.schema_name = o.schema_name
                                AND c.table_name = o.name
        ORDER BY o.layer DESC,
                 coalesce(list_position(['events', 'event_motives', 'yearly_counts', 'context_events', 'sources',
                                         'sources', 'people', 'posts', 'defections'], o.name), 99),
                 o.name, c.column_index""")
