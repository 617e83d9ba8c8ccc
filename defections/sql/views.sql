-- The public SQL interface: stable view names and columns for the dashboard, the CLI export and
-- analysts in the DuckDB CLI. Derived values (period labels, lags, joined lists) are settled here once.

-- A month-precision date reads "November 2023", never a fake day.
CREATE MACRO period_label(d, p) AS CASE p::VARCHAR
    WHEN 'day' THEN strftime(d, '%-d %B %Y') WHEN 'month' THEN strftime(d, '%B %Y')
    ELSE strftime(d, '%Y') END;

-- Romanizations differ in spaces, hyphens and apostrophes (Ri Il-kyu, Ri Il Kyu): compare without them.
CREATE MACRO name_key(s) AS regexp_replace(lower(s), '[\s\-''’.,]', '', 'g');

CREATE VIEW sources AS
WITH cited AS (
    SELECT source_id, count(*) AS fact_count FROM (
        SELECT source_id FROM seed.defection_sources
        UNION ALL SELECT source_id FROM seed.event_motives
        UNION ALL SELECT source_id FROM seed.yearly_count_sources
        UNION ALL SELECT source_id FROM seed.context_event_sources
        UNION ALL SELECT source_id FROM seed.commentary
    ) GROUP BY source_id
)
SELECT s.source_id, s.title, s.publisher, s.published_date, s.url, s.document,
       s.reliability::VARCHAR AS reliability, coalesce(c.fact_count, 0) AS fact_count
FROM seed.sources s LEFT JOIN cited c USING (source_id);

CREATE VIEW events AS
WITH motive_lists AS (
    SELECT em.event_id, string_agg(DISTINCT m.label, '; ' ORDER BY m.label) AS motives
    FROM seed.event_motives em JOIN seed.motives m USING (motive_code)
    GROUP BY em.event_id
),
source_lists AS (
    SELECT ds.event_id,
           string_agg(s.url, ' ' ORDER BY s.source_id) AS source_urls,
           string_agg(s.title, '; ' ORDER BY s.source_id) AS source_titles,
           -- The source a chart links to: a public page before a held document, primary first.
           first(s.title ORDER BY s.url IS NULL, s.reliability, s.source_id) AS main_source_title,
           first(s.url ORDER BY s.url IS NULL, s.reliability, s.source_id) AS main_source_url
    FROM seed.defection_sources ds JOIN seed.sources s USING (source_id)
    GROUP BY ds.event_id
),
final AS (
    SELECT
        d.event_id,
        p.name AS person,
        replace(p.name_variants, ';', '; ') AS name_variants,
        d.position,
        d.elite_category::VARCHAR AS elite_category,
        po.post_country,
        po.post_city,
        d.defection_date,
        d.defection_precision::VARCHAR AS date_precision,
        period_label(d.defection_date, d.defection_precision) AS defection_period,
        d.disclosed_date,
        d.disclosed_precision::VARCHAR AS disclosed_precision,
        period_label(d.disclosed_date, d.disclosed_precision) AS disclosed_period,
        date_diff('day', d.defection_date, d.disclosed_date) AS disclosure_lag_days,
        -- The lag is only exact when both ends are known to the day.
        (d.defection_precision <> 'day' OR d.disclosed_precision <> 'day') AS disclosure_lag_approx,
        d.confirmation_status::VARCHAR AS confirmation_status,
        d.confirmed_by,
        d.confirmed_date,
        d.destination,
        d.accompanied_by,
        ml.motives,
        d.summary,
        d.notes,
        sl.source_titles,
        sl.source_urls,
        sl.main_source_title,
        sl.main_source_url,
        year(d.defection_date) AS defection_year,
        d.person_id,
        d.post_id,
        po.latitude,
        po.longitude
    FROM seed.defections d
    JOIN seed.people p USING (person_id)
    JOIN seed.posts po USING (post_id)
    LEFT JOIN motive_lists ml USING (event_id)
    LEFT JOIN source_lists sl USING (event_id)
)
SELECT * FROM final;

CREATE VIEW event_motives AS
SELECT em.event_id, m.label AS motive, em.motive_code, em.attributed_to::VARCHAR AS attributed_to,
       em.attributed_by, em.evidence_quote, s.url AS source_url, s.title AS source_title, em.source_id
FROM seed.event_motives em
JOIN seed.motives m USING (motive_code)
JOIN seed.sources s USING (source_id);

CREATE VIEW yearly_counts AS
WITH source_lists AS (
    SELECT ys.year, string_agg(s.url, ' ' ORDER BY s.source_id) AS source_urls,
           string_agg(s.title, '; ' ORDER BY s.source_id) AS source_titles,
           first(s.title ORDER BY s.url IS NULL, s.reliability, s.source_id) AS main_source_title,
           first(s.url ORDER BY s.url IS NULL, s.reliability, s.source_id) AS main_source_url
    FROM seed.yearly_count_sources ys JOIN seed.sources s USING (source_id)
    GROUP BY ys.year
)
SELECT y.year, y.total_arrivals, y.male, y.female, y.elite_count,
       y.elite_count_low, y.elite_count_high,
       coalesce(y.elite_count_approx, false) AS elite_count_approx,
       -- "about 10" is shown as "~10", a range as "1–9", a minimum as "≥7": never silently exact.
       CASE
           WHEN y.elite_count IS NOT NULL AND y.elite_count_approx THEN '~' || y.elite_count
           WHEN y.elite_count IS NOT NULL THEN y.elite_count::VARCHAR
           WHEN y.elite_count_low IS NOT NULL AND y.elite_count_high IS NOT NULL
               THEN y.elite_count_low || '–' || y.elite_count_high
           WHEN y.elite_count_low IS NOT NULL THEN '≥' || y.elite_count_low
       END AS elite_count_label,
       y.elite_count_wording, y.notes, sl.source_titles, sl.source_urls, sl.main_source_title, sl.main_source_url
FROM seed.yearly_counts y LEFT JOIN source_lists sl USING (year);

CREATE VIEW context_events AS
WITH source_lists AS (
    SELECT cs.context_id, string_agg(s.url, ' ' ORDER BY s.source_id) AS source_urls,
           string_agg(s.title, '; ' ORDER BY s.source_id) AS source_titles,
           first(s.title ORDER BY s.url IS NULL, s.reliability, s.source_id) AS main_source_title,
           first(s.url ORDER BY s.url IS NULL, s.reliability, s.source_id) AS main_source_url
    FROM seed.context_event_sources cs JOIN seed.sources s USING (source_id)
    GROUP BY cs.context_id
)
SELECT c.context_id, c.event_date, c.date_precision::VARCHAR AS date_precision,
       period_label(c.event_date, c.date_precision) AS event_period,
       replace(c.actors, ';', '; ') AS actors, c.event_type::VARCHAR AS event_type, c.summary,
       c.event_id, c.notes, sl.source_titles, sl.source_urls, sl.main_source_title, sl.main_source_url
FROM seed.context_events c LEFT JOIN source_lists sl USING (context_id);

CREATE VIEW commentary AS
SELECT c.commentary_id, c.speaker, c.speaker_role, c.attributed_to::VARCHAR AS attributed_to,
       c.stated_date, c.event_id, c.year, c.summary, c.quote,
       s.title AS source_title, s.url AS source_url, c.source_id
FROM seed.commentary c JOIN seed.sources s USING (source_id);

CREATE VIEW posts AS
SELECT post_id, post_country, post_city, latitude, longitude, location_note FROM seed.posts;

CREATE VIEW motives AS SELECT motive_code, label, description FROM seed.motives;

CREATE VIEW revisions AS
SELECT r.revision_id, r.table_name, r.row_key, r.column_name, r.previous_value, r.current_value,
       r.revised_on, r.reason, s.title AS source_title, s.url AS source_url
FROM seed.revisions r LEFT JOIN seed.sources s USING (source_id);

-- Every fact row with the source that supports it: the "facts that cite it" on the Sources page.
CREATE VIEW citations AS
SELECT 'defection' AS fact_kind, ds.event_id AS fact_id, p.name || ' (' || d.event_id || ')' AS fact,
       ds.source_id, ds.evidence_quote
FROM seed.defection_sources ds JOIN seed.defections d USING (event_id) JOIN seed.people p USING (person_id)
UNION ALL
SELECT 'motive', em.event_id || '/' || em.motive_code, m.label || ' (' || em.event_id || ', ' || em.attributed_to || ')',
       em.source_id, em.evidence_quote
FROM seed.event_motives em JOIN seed.motives m USING (motive_code)
UNION ALL
SELECT 'yearly count', ys.year::VARCHAR, 'Arrivals in ' || ys.year, ys.source_id, ys.evidence_quote
FROM seed.yearly_count_sources ys
UNION ALL
SELECT 'context event', cs.context_id, c.summary, cs.source_id, cs.evidence_quote
FROM seed.context_event_sources cs JOIN seed.context_events c USING (context_id)
UNION ALL
SELECT 'commentary', c.commentary_id, c.speaker || ': ' || c.summary, c.source_id, c.quote
FROM seed.commentary c;
