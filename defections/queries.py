"""Every question a page asks, as a named function: (connection, filters) -> DataFrame of what it shows.

All SQL of the dashboard lives here and in sql/*.sql. Values travel as bound parameters and no SQL
text is ever joined or formatted: the filters are the table macro selected_events (sql/views.sql),
called with the filter values as parameters. Aggregation happens in DuckDB.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from defections.db import query
from defections.filters import Filters
from defections.labels import DETAIL_FIELDS, LABELLED_COLUMNS, code_label
from defections.wording import CLOSURES_TRACK, HAVANA_TRACK, MISSING

# The head of every filtered query: the events the sidebar selects, as a CTE named `selected`. Counts,
# charts and maps take COUNTED (completed defections only); tables and the CSV take LISTED, which keeps
# failed and unresolved attempts and denied reports visible, each with its outcome.
_SELECTION = ("selected_events($year_from, $year_to, $posts, $categories, $confirmations, $regions, "
              "outcomes := $outcomes)")
LISTED = f"selected AS (FROM {_SELECTION})"
COUNTED = f"selected AS (FROM {_SELECTION} WHERE counted)"

# The events CSV's columns, as export_events selects them (a test compares the CSV header with this list).
EXPORT_COLUMNS = [
    "event_id", "person", "name_variants", "position", "elite_category", "post_country", "post_city",
    "region", "defection_period", "defection_date", "date_precision", "disclosed_period", "disclosed_date",
    "disclosed_precision", "disclosure_lag_days", "disclosure_lag_min_days", "disclosure_lag_max_days",
    "disclosure_lag", "confirmation_status", "confirmed_by", "confirmed_date", "outcome", "counted",
    "outcome_source_title",
    "destination", "accompanied_by", "motives", "summary", "notes", "sources_json",
]


def filter_options(con: duckdb.DuckDBPyConnection) -> dict:
    """The values the sidebar offers: year bounds (None when there is no defection), post countries,
    elite categories, confirmations, regions, and the countries whose cities decide their region."""
    years = query(con, "SELECT min(year(defection_date)) AS lo, max(year(defection_date)) AS hi "
                       "FROM seed.defections").iloc[0]
    posts = query(con, "SELECT DISTINCT post_country FROM seed.posts p "
                       "WHERE EXISTS (SELECT 1 FROM seed.defections d WHERE d.post_id = p.post_id) "
                       "ORDER BY post_country")
    categories = query(con, "SELECT unnest(enum_range(NULL::elite_category)) AS category")
    confirmations = query(con, "SELECT unnest(enum_range(NULL::confirmation_status)) AS confirmation")
    outcomes = query(con, "SELECT unnest(enum_range(NULL::outcome)) AS outcome")
    regions = query(con, "SELECT unnest(enum_range(NULL::region)) AS region")
    # Where a country's posts lie in several regions, its cities decide: say which (Russia: Moscow in
    # Europe, Vladivostok in East Asia), so an analyst picking a region knows what it holds.
    split = query(con, """
        WITH used AS (
            SELECT DISTINCT po.post_country, po.post_city, po.region::VARCHAR AS region
            FROM seed.posts po
            WHERE po.region IS NOT NULL
              AND EXISTS (SELECT 1 FROM seed.defections d WHERE d.post_id = po.post_id)
        ),
        split_countries AS (
            SELECT post_country FROM used GROUP BY post_country HAVING count(DISTINCT region) > 1
        ),
        per_region AS (
            SELECT post_country, region,
                   string_agg(coalesce(post_city, 'city unknown'), ', ' ORDER BY post_city) AS cities
            FROM used JOIN split_countries USING (post_country)
            GROUP BY post_country, region
        ),
        final AS (
            SELECT post_country || ': ' || string_agg(cities || ' in ' || region, '; ' ORDER BY region) AS note
            FROM per_region GROUP BY post_country
        )
        SELECT note FROM final ORDER BY note""")
    return {
        "years": None if pd.isna(years["lo"]) else (int(years["lo"]), int(years["hi"])),
        "posts": posts["post_country"].tolist(),
        "categories": categories["category"].tolist(),
        "confirmations": confirmations["confirmation"].tolist(),
        "outcomes": outcomes["outcome"].tolist(),
        "regions": regions["region"].tolist(),
        "split_countries": split["note"].tolist(),
    }


def as_of(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The data's "as of" date: the day it was last curated (the newest page read or correction made)."""
    value = query(con, "SELECT max(as_of_date) AS as_of FROM build_info")["as_of"].iloc[0]
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
    sql = f"""
    WITH {LISTED}
    SELECT count(*) AS listed,
           count(*) FILTER (WHERE counted) AS defections,
           count(*) FILTER (WHERE counted AND d.confirmation_status = 'confirmed') AS confirmed,
           count(*) FILTER (WHERE d.confirmation_status = 'denied') AS denied,
           count(*) FILTER (WHERE d.outcome = 'failed' AND d.confirmation_status <> 'denied') AS failed,
           count(*) FILTER (WHERE d.outcome = 'unknown' AND d.confirmation_status <> 'denied') AS unresolved
    FROM selected JOIN seed.defections d USING (event_id)
    """
    return query(con, sql, filters.params())


def headline_figures(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Overview headline figures, each with the source behind it."""
    sql = f"""
    WITH {COUNTED},
    in_view AS (
        SELECT count(DISTINCT event_id) AS n, count(DISTINCT ds.source_id) AS sources
        FROM selected LEFT JOIN seed.defection_sources ds USING (event_id)
    ),
    latest_elite AS (
        SELECT * FROM yearly_counts
        WHERE elite_count_label IS NOT NULL AND in_years(year, $year_from, $year_to)
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
    WITH {COUNTED}
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
    WITH {COUNTED}
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
    WITH {COUNTED},
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
    sql = """
    SELECT year, total_arrivals, elite_count, elite_count_low, elite_count_high, elite_count_approx,
           elite_count_label, elite_count_wording, elite_count_basis, source_titles, source_urls
    FROM yearly_counts WHERE in_years(year, $year_from, $year_to) ORDER BY year
    """
    return query(con, sql, filters.params())


TREND_BY = ("defection", "disclosure")  # what the timeline offers, as the URL holds it
# Confirmation first: a rise made of unconfirmed reports must show as such before anything else.
TREND_STACK = ("confirmation", "category")


def yearly_trend(con: duckdb.DuckDBPyConnection, filters: Filters, by: str = "defection",
                 stack: str = "confirmation") -> pd.DataFrame:
    """The selected defections per year (of defection, or of disclosure: undisclosed ones are left out),
    split by elite category or by confirmation; `part_rank` orders the parts as the categories are listed,
    `year_of` and `stacked_by` say which choice the rows answer."""
    sql = f"""
    WITH {COUNTED},
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
                            "stack": stack if stack in TREND_STACK else TREND_STACK[0]})


def decade_totals(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Completed defections per decade of defection, and how many of them a government confirmed: the
    period totals that say whether a rise is one of events or of unconfirmed reports."""
    sql = f"""
    WITH {COUNTED},
    per_decade AS (
        SELECT (year(d.defection_date) // 10) * 10 AS decade_start,
               count(*) AS defections,
               count(*) FILTER (WHERE d.confirmation_status = 'confirmed') AS confirmed
        FROM seed.defections d JOIN selected USING (event_id)
        GROUP BY ALL
    ),
    final AS (
        SELECT decade_start || 's' AS decade, defections, confirmed, defections - confirmed AS unconfirmed,
               round(100.0 * confirmed / defections)::INTEGER AS confirmed_percent, decade_start
        FROM per_decade
    )
    SELECT decade, defections, confirmed, unconfirmed, confirmed_percent FROM final ORDER BY decade_start
    """
    return query(con, sql, filters.params())


def lag_distribution(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int | None = None) -> pd.DataFrame:
    """The disclosure lag of every selected defection that has one at its dates' precision (shortest and
    longest in days, equal when both dates are day-precise), the shortest first; at most `limit` rows."""
    sql = f"""
    WITH {COUNTED}
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
    WITH {COUNTED},
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
    sql = """
    SELECT context_id, event_date, date_precision, event_period, actors, event_type, summary, event_id,
           -- The defection's card on the Events page, relative to this page (labels.event_card_path).
           if(event_id IS NULL, NULL, 'events?event=' || event_id) AS event_card,
           main_source_title AS source_title, main_source_url AS source_url,
           source_urls
    FROM context_events WHERE in_years(year(event_date), $year_from, $year_to) ORDER BY event_date, context_id
    """
    return query(con, sql, filters.params())


def timeline_context(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Context events from the first selected defection to the last disclosure, for the timeline's axis."""
    sql = f"""
    WITH {COUNTED},
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
    WITH {COUNTED},
    per_combination AS (
        SELECT ma.motive, ma.attributed_to, ma.combination, count(*) AS defections
        FROM derived.motive_attributions ma JOIN selected USING (event_id)
        GROUP BY ALL
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


def motive_coverage(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """The Motives page's denominator: the counted defections selected, and how many report no motive."""
    sql = f"""
    WITH {COUNTED}
    SELECT count(*) AS defections,
           count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM seed.event_motives em
                                              WHERE em.event_id = selected.event_id)) AS without_motive
    FROM selected
    """
    return query(con, sql, filters.params())


def motive_evidence(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int | None = 1000) -> pd.DataFrame:
    """The evidence behind each motive bar: who said it, the quote, the source; every row with limit=None."""
    sql = f"""
    WITH {COUNTED}
    SELECT em.motive, em.attributed_to, p.name AS person, em.event_id, em.attributed_by, em.evidence_quote,
           em.source_title, em.source_url
    FROM event_motives em JOIN selected USING (event_id) JOIN seed.defections d USING (event_id)
    JOIN seed.people p USING (person_id)
    ORDER BY em.motive, em.attributed_to, d.defection_date
    LIMIT $limit
    """
    return query(con, sql, {**filters.params(), "limit": limit})


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
    sql = f"""
    WITH {COUNTED},
    havana_defections AS (
        SELECT e.* FROM events e JOIN selected USING (event_id) WHERE e.post_country = 'Cuba'
    ),
    cuba_context AS (
        SELECT c.* FROM context_events c
        WHERE (c.actors LIKE '%Cuba%' OR (c.event_type = 'embassy closure' AND c.actors LIKE '%North Korea%'))
          -- A shown defection's disclosure is drawn at the end of its own bar, not again as an event.
          AND NOT EXISTS (SELECT 1 FROM havana_defections h
                          WHERE h.event_id = c.event_id AND c.event_date = h.disclosed_date)
    ),
    context_item AS (
        SELECT event_date AS date,
               CASE date_precision WHEN 'day' THEN event_date WHEN 'month' THEN last_day(event_date)
                    ELSE make_date(year(event_date), 12, 31) END AS period_end,
               event_period AS period,
               CASE WHEN event_type = 'embassy closure' AND actors NOT LIKE '%Cuba%' THEN $closures_track
                    WHEN actors LIKE '%North Korea%' AND actors LIKE '%South Korea%' THEN 'Both Koreas and Cuba'
                    WHEN actors LIKE '%South Korea%' THEN 'South Korea–Cuba'
                    ELSE 'North Korea–Cuba' END AS track,
               event_type AS kind, summary, headline, NULL::DATE AS disclosed_date, NULL AS disclosed_period,
               main_source_title AS source_title, main_source_url AS source_url
        FROM cuba_context
    ),
    defection_item AS (
        SELECT defection_date AS date,
               CASE date_precision WHEN 'day' THEN defection_date WHEN 'month' THEN last_day(defection_date)
                    ELSE make_date(year(defection_date), 12, 31) END AS period_end,
               defection_period AS period, $havana_track AS track, 'defection' AS kind,
               person || ', ' || position || ' (made public ' || coalesce(disclosed_period, 'date unknown') || ')'
                   AS summary,
               person || ' defects' AS headline, disclosed_date, disclosed_period,
               main_source_title AS source_title, main_source_url AS source_url
        FROM havana_defections
    ),
    item AS (
        SELECT * FROM context_item
        UNION ALL BY NAME
        SELECT * FROM defection_item
    ),
    in_window AS (
        -- A defection before the window whose disclosure falls in it still belongs to the story.
        SELECT * FROM item
        WHERE (CAST($first_day AS DATE) IS NULL OR greatest(period_end, disclosed_date) >= $first_day)
          AND (CAST($last_day AS DATE) IS NULL OR date <= $last_day)
    ),
    grain AS (
        SELECT track, CASE WHEN count(*) <= $max_marks THEN 'item'
                           WHEN count(DISTINCT date_trunc('month', date)) <= $max_marks THEN 'month'
                           ELSE 'year' END AS grain
        FROM in_window GROUP BY track
    ),
    one_by_one AS (
        SELECT date, period_end, period, track, kind, summary, headline, disclosed_date, disclosed_period,
               source_title, source_url, 1::BIGINT AS items
        FROM in_window JOIN grain USING (track)
        WHERE grain = 'item'
    ),
    per_kind AS (
        SELECT CASE grain WHEN 'month' THEN date_trunc('month', date) ELSE date_trunc('year', date) END AS bucket,
               grain, track, kind, count(*) AS n
        FROM in_window JOIN grain USING (track)
        WHERE grain <> 'item'
        GROUP BY ALL
    ),
    bucketed AS (
        -- Too many to draw one by one: one mark per month or year and track, saying how many of each kind.
        SELECT bucket AS date,
               CASE grain WHEN 'month' THEN last_day(bucket) ELSE make_date(year(bucket), 12, 31) END AS period_end,
               CASE grain WHEN 'month' THEN strftime(bucket, '%B %Y') ELSE strftime(bucket, '%Y') END AS period,
               track,
               CASE WHEN track = $havana_track THEN 'defections' ELSE 'events' END AS kind,
               sum(n) || CASE WHEN track = $havana_track
                              THEN if(sum(n) = 1, ' defection', ' defections') || ' from the Havana post'
                              ELSE if(sum(n) = 1, ' event: ', ' events: ')
                                   || string_agg(n || ' ' || kind, ', ' ORDER BY n DESC, kind) END AS summary,
               NULL AS headline, NULL::DATE AS disclosed_date, NULL AS disclosed_period,
               NULL AS source_title, NULL AS source_url, sum(n)::BIGINT AS items
        FROM per_kind
        GROUP BY bucket, grain, track
    ),
    final AS (
        SELECT * FROM one_by_one
        UNION ALL BY NAME
        SELECT * FROM bucketed
    )
    SELECT date, period_end, period, track, kind, summary, headline, disclosed_date, disclosed_period,
           source_title, source_url, items
    FROM final
    ORDER BY date, track, summary, source_url, kind, period_end  -- a total order: the same CSV every time
    """
    return query(con, sql, {**filters.params(), "max_marks": max_marks, "first_day": first_day,
                            "last_day": last_day, "closures_track": CLOSURES_TRACK, "havana_track": HAVANA_TRACK})


def havana_background(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """What the record says of the selected Havana defections beyond their dates (Ri Il Kyu had worked to
    block the ties), each with its source and the event it concerns, for the Cuba panel's key facts."""
    sql = f"""
    WITH {COUNTED}
    SELECT c.context_id, c.event_period, c.summary, c.event_id, e.person,
           c.main_source_title AS source_title, c.main_source_url AS source_url
    FROM context_events c JOIN events e USING (event_id) JOIN selected USING (event_id)
    WHERE e.post_country = 'Cuba' AND c.event_type = 'defection-related'
      AND c.event_date IS DISTINCT FROM e.disclosed_date
    ORDER BY c.event_date, c.context_id
    """
    return query(con, sql, filters.params())


def commentary(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int | None = 50) -> pd.DataFrame:
    """Attributed assessments (experts, officials) within the year filter, the most recent first;
    every one with limit=None."""
    sql = """
    SELECT speaker, speaker_role, attributed_to, stated_date, strftime(stated_date, '%-d %B %Y') AS stated_on,
           summary, quote, event_id, year, source_title, source_url
    FROM commentary
    WHERE stated_date IS NULL OR (in_years(coalesce(year, year(stated_date)), $year_from, $year_to))
    ORDER BY stated_date DESC NULLS LAST, commentary_id
    LIMIT $limit
    """
    return query(con, sql, {**filters.params(), "limit": limit})


def events_table(con: duckdb.DuckDBPyConnection, filters: Filters, search: str = "",
                 limit: int = 1000) -> pd.DataFrame:
    """The filtered events for the table, optionally narrowed to a person by any romanization."""
    sql = f"""
    WITH {LISTED}
    SELECT e.event_id, e.person, e.defection_period, e.post_country, e.confirmation_status, e.confirmed_by,
           e.outcome, e.motives, e.position, e.elite_category, e.post_city, e.region, e.disclosed_period,
           e.disclosure_lag, e.main_source_url AS source_url
    FROM derived.events e JOIN selected USING (event_id), (SELECT roman_key($search) AS term) AS search
    WHERE key_matches(e.search_keys, $search, search.term)
    ORDER BY e.defection_date DESC, e.event_id
    LIMIT $limit
    """
    return query(con, sql, {**filters.params(), "search": search_term(search), "limit": limit})


def spelling_suggestions(con: duckdb.DuckDBPyConnection, search: str, limit: int = 3) -> pd.DataFrame:
    """The recorded people whose names come closest to a search that matched nothing ("did you mean"),
    by Jaro-Winkler similarity of the folded spellings; none below 0.85."""
    sql = """
    WITH term AS (SELECT roman_key($search) AS k),
    keyed AS (
        SELECT person, unnest(search_keys) AS search_key FROM derived.events
    ),
    scored AS (
        SELECT person, max(jaro_winkler_similarity(search_key, term.k)) AS similarity
        FROM keyed, term GROUP BY person
    ),
    final AS (
        SELECT person, similarity FROM scored WHERE similarity >= 0.85
    )
    SELECT person FROM final ORDER BY similarity DESC, person LIMIT $limit
    """
    return query(con, sql, {"search": search_term(search), "limit": limit})


def search_term(search: str | None) -> str:
    """The search as the queries compare it: trimmed, at most 200 characters."""
    return (search or "").strip()[:200]


def export_events(con: duckdb.DuckDBPyConnection, filters: Filters, search: str = "") -> pd.DataFrame:
    """Every filtered defection with citation columns, narrowed by the name search when one is given:
    the events CSV (dashboard and CLI alike)."""
    sql = f"""
    WITH {LISTED}
    SELECT e.event_id, e.person, e.name_variants, e.position, e.elite_category, e.post_country, e.post_city,
           e.region, e.defection_period, e.defection_date, e.date_precision, e.disclosed_period, e.disclosed_date,
           e.disclosed_precision, e.disclosure_lag_days, e.disclosure_lag_min_days, e.disclosure_lag_max_days,
           e.disclosure_lag, e.confirmation_status, e.confirmed_by, e.confirmed_date, e.outcome, e.counted,
           e.outcome_source_title, e.destination,
           e.accompanied_by, e.motives, e.summary, e.notes, e.sources_json
    FROM derived.events e JOIN selected USING (event_id), (SELECT roman_key($search) AS term) AS search
    WHERE key_matches(e.search_keys, $search, search.term)
    ORDER BY e.defection_date, e.event_id
    """
    return query(con, sql, {**filters.params(), "search": search_term(search)})


def event_detail(con: duckdb.DuckDBPyConnection, event_id: str) -> pd.DataFrame:
    """One defection as (field, value) rows, dates at their precision, MISSING where nothing is recorded;
    no rows for an unknown id."""
    wide = query(con, """
        SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (
            SELECT event_id, person, name_variants, position, elite_category, post_country, post_city, region,
                   defection_period, date_precision, disclosed_period, disclosure_lag, confirmation_status,
                   confirmed_by, confirmed_date, outcome, outcome_source_title, destination, accompanied_by,
                   motives, summary, notes
            FROM events WHERE event_id = $id)""", {"id": event_id})
    if wide.empty:
        return pd.DataFrame(columns=["field", "value"])
    values = [code_label(v) if c in LABELLED_COLUMNS else v for c, v in wide.iloc[0].items()]
    return pd.DataFrame({"field": [DETAIL_FIELDS.get(c, c) for c in wide.columns],
                         "value": pd.Series(values, dtype=object).fillna(MISSING).tolist()})


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


def citations(con: duckdb.DuckDBPyConnection, source_id: str, limit: int | None = None) -> pd.DataFrame:
    """The facts that cite one source, the first `limit` of them (every one with None)."""
    return query(con, "SELECT fact_kind, fact_id, fact, evidence_quote FROM citations "
                      "WHERE source_id = $id ORDER BY fact_kind, fact_id LIMIT $limit",
                 {"id": source_id, "limit": limit})


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
                      "corrected_on, reason, source_title, source_url, "
                      "coalesce(made_in_release, 'unreleased') AS made_in_release FROM corrections "
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
                                         'people', 'posts', 'defections'], o.name), 99),
                 o.name, c.column_index""")


def dictionary_markdown(dictionary: pd.DataFrame) -> str:
    """The data dictionary as markdown: one table per view or curated table (docs/sql-interface.md)."""
    lines = ["# Data dictionary", "",
             "Generated from the database schema by `python -m defections dictionary`; a test keeps it current.",
             "Query the public views; the curated tables in schema `seed` hold the seeds as loaded.", ""]
    for (layer, table), columns in dictionary.groupby(["layer", "table"], sort=False):
        lines += [f"## `{table}` ({layer})", "", "| column | type | meaning |", "|---|---|---|"]
        lines += [f"| `{c.column}` | {c.type} | {c.meaning} |" for c in columns.itertuples()]
        lines.append("")
    return "\n".join(lines)
