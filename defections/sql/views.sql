-- The public SQL interface: stable view names and columns for the dashboard, the CLI export and
-- analysts in the DuckDB CLI. Derived values (period labels, lags, joined lists) are settled here once.

-- A month-precision date reads "November 2023", never a fake day.
CREATE MACRO period_label(d, p) AS CASE p::VARCHAR
    WHEN 'day' THEN strftime(d, '%-d %B %Y') WHEN 'month' THEN strftime(d, '%B %Y')
    ELSE strftime(d, '%Y') END;

-- A lag is only as precise as its two dates allow: from the end of the defection's period to the start
-- of the disclosure's (at least 0: a disclosure cannot precede the defection) up to start to end. It
-- reads in days when short or exact, in months or years when the span of the dates is wide.
CREATE MACRO lag_text(lo, hi) AS CASE
    WHEN lo IS NULL OR hi IS NULL THEN NULL
    WHEN lo = hi THEN lo || if(lo = 1, ' day', ' days')
    WHEN hi < 62 THEN lo || '–' || hi || ' days'
    WHEN hi < 730 THEN if(round(lo / 30.44) = round(hi / 30.44), 'about ' || round(hi / 30.44)::INTEGER || ' months',
                          round(lo / 30.44)::INTEGER || '–' || round(hi / 30.44)::INTEGER || ' months')
    ELSE if(round(lo / 365.25) = round(hi / 365.25), 'about ' || round(hi / 365.25)::INTEGER || ' years',
            round(lo / 365.25)::INTEGER || '–' || round(hi / 365.25)::INTEGER || ' years') END;

-- The last day of a dated period: the day itself, the month's last day, or 31 December.
CREATE MACRO period_end(d, p) AS CASE p::VARCHAR WHEN 'day' THEN d WHEN 'month' THEN last_day(d)
    ELSE make_date(year(d), 12, 31) END;

-- A year within the filter's bounds; a NULL bound is no bound. Written with coalesce, not as
-- "bound IS NULL OR ...", which DuckDB's optimizer takes longer over, and every filtered query calls
-- this (through selected_events) at least once (docs/benchmarks.md, "Behind the code").
CREATE MACRO in_years(y, year_from, year_to) AS
    coalesce(y >= year_from, year_from IS NULL) AND coalesce(y <= year_to, year_to IS NULL);

-- A spelling's key for the search: romanization systems differ in rules, not only in hyphens. Revised
-- (Hwang Jang-yeop), McCune-Reischauer (Hwang Chang-yŏp), the North's own (Ri Il Gyu) and press forms
-- (Tae Young-ho) fold to one key: surname forms (Ri/Lee/Yi/Rhee, Choi/Choe, Park/Pak, Ryu/Yu …), then
-- voiced and voiceless consonants (g/k, d/t, b/p, j/ch), l/r, the vowel spellings eo/o, eu/u, oo/u, ou/o,
-- aspiration marks (th, kh, ph) and everything that is not a letter. No maintained library folds these
-- systems into one another (the romanizers on PyPI write Revised Romanization from hangul only), so the
-- rules are here, applied once per name at build time and once per search. One call per rule with a
-- literal pattern, so DuckDB compiles each regex once; a list of rules folded by a lambda recompiled
-- them for every row (docs/benchmarks.md, "Behind the code").
CREATE MACRO roman_key(s) AS lower(strip_accents(s))
    .regexp_replace('\b(rhee|rhie|ri|lee|yi|yee)\b', 'i', 'g')
    .regexp_replace('\b(choi|choe|chwe)\b', 'choe', 'g')
    .regexp_replace('\b(park|pak|bak)\b', 'pak', 'g')
    .regexp_replace('\b(roh|noh|ro)\b', 'no', 'g')
    .regexp_replace('\b(rim|lim)\b', 'im', 'g')
    .regexp_replace('\b(ryu|yoo|ryoo)\b', 'yu', 'g')
    .regexp_replace('\bryang\b', 'yang', 'g')
    .regexp_replace('\b(ryom|yeom)\b', 'yom', 'g')
    .regexp_replace('[^a-z0-9\p{L}]', '', 'g')
    .regexp_replace('yeo', 'yo', 'g')
    .regexp_replace('eo', 'o', 'g')
    .regexp_replace('eu', 'u', 'g')
    .regexp_replace('oo', 'u', 'g')
    .regexp_replace('ee', 'i', 'g')
    .regexp_replace('ou', 'o', 'g')
    .regexp_replace('hyun', 'hyon', 'g')
    .regexp_replace('ung', 'ong', 'g')
    .regexp_replace('th', 't', 'g')
    .regexp_replace('kh', 'k', 'g')
    .regexp_replace('ph', 'p', 'g')
    .regexp_replace('sh', 's', 'g')
    .regexp_replace('j', 'ch', 'g')
    .regexp_replace('g', 'k', 'g')
    .regexp_replace('d', 't', 'g')
    .regexp_replace('b', 'p', 'g')
    .regexp_replace('l', 'r', 'g')
    .regexp_replace('kk', 'k', 'g')
    .regexp_replace('tt', 't', 'g')
    .regexp_replace('pp', 'p', 'g')
    .regexp_replace('ss', 's', 'g')
    .regexp_replace('chch', 'ch', 'g');
-- Western order (Yong-ho Thae) is the display order turned round: the first word moved to the end.
CREATE MACRO name_rotated(s) AS regexp_replace(trim(s), '^(\S+)\s+(.+)$', '\2 \1');
-- Every key a search compares against: each recorded name in both orders, the post's country and city.
CREATE MACRO search_keys(person, variants, post_country, post_city) AS list_filter(list_distinct(
    flatten(list_transform(string_split(variants || ';' || person, ';'),
                           lambda v: [roman_key(v), roman_key(name_rotated(v))]))
    || [roman_key(post_country), roman_key(post_city)]), lambda k: k IS NOT NULL AND k <> '');
-- A row matched by a search (an empty search matches everyone; one that folds to no letters, such as
-- '%' or '?', matches nobody). `term` is roman_key(search), computed once per query. A list filter, not
-- EXISTS over unnest: DuckDB turns that subquery into a join over every event even when the search is
-- empty (seconds at a million events, docs/benchmarks.md).
CREATE MACRO key_matches(keys, search, term) AS
    search = '' OR (term <> '' AND len(list_filter(keys, lambda k: contains(k, term))) > 0);

-- Schema `derived` holds what is computed once, when the database is built; it is internal.
CREATE SCHEMA derived;

-- The sources of every defection, yearly count and context event, summed up once for the views that
-- list them: URLs, titles, the sources as JSON, and the one a chart links to.
CREATE TABLE derived.source_lists AS
WITH links AS (
    SELECT 'defections' AS fact_table, event_id AS fact_id, source_id, evidence_quote FROM seed.defection_sources
    UNION ALL SELECT 'yearly_counts', year::VARCHAR, source_id, evidence_quote FROM seed.yearly_count_sources
    UNION ALL SELECT 'context_events', context_id, source_id, evidence_quote FROM seed.context_event_sources
),
final AS (
    SELECT l.fact_table, l.fact_id,
           string_agg(s.url, ' ' ORDER BY s.source_id) AS source_urls,
           string_agg(s.title, '; ' ORDER BY s.source_id) AS source_titles,
           -- One object per source, so a program pairs each title with its URL (titles hold "; ", some
           -- sources have no URL: the two joined lists above cannot be paired).
           to_json(list({'source_id': s.source_id, 'title': s.title, 'url': s.url} ORDER BY s.source_id))::VARCHAR
               AS sources_json,
           -- The source a chart links to: one whose held passage has the quote for this fact (the words a
           -- caption gives), then a public page before a held document, primary first.
           first(s.title ORDER BY l.evidence_quote IS NULL, s.url IS NULL, s.reliability, s.source_id)
               AS main_source_title,
           first(s.url ORDER BY l.evidence_quote IS NULL, s.url IS NULL, s.reliability, s.source_id)
               AS main_source_url
    FROM links l JOIN seed.sources s USING (source_id)
    GROUP BY l.fact_table, l.fact_id
)
SELECT fact_table, fact_id, source_urls, source_titles, sources_json, main_source_title, main_source_url FROM final;

-- The source summary of one kind of fact (its table's name), keyed by fact_id.
CREATE MACRO source_lists(fact_table_name) AS TABLE
SELECT fact_id, source_urls, source_titles, sources_json, main_source_title, main_source_url
FROM derived.source_lists WHERE fact_table = fact_table_name;

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

-- The events view's rows are computed once, when the database is built: aggregating every
-- event's motives and sources at query time, before the filters apply, took seconds per page at
-- a million events (docs/benchmarks.md). Schema `derived` is internal; query the `events` view.
CREATE TABLE derived.events AS
WITH motive_lists AS (
    SELECT em.event_id, string_agg(DISTINCT m.label, '; ' ORDER BY m.label) AS motives
    FROM seed.event_motives em JOIN seed.motives m USING (motive_code)
    GROUP BY em.event_id
),
-- A year-dated defection or disclosure leaves the lag open (it could be a day or most of a year):
-- no lag. Otherwise the shortest and longest lag both dates allow; equal when both are day-precise.
lags AS (
    SELECT event_id,
           CASE WHEN disclosed_date IS NOT NULL AND defection_precision <> 'year' AND disclosed_precision <> 'year'
                THEN greatest(0, date_diff('day', period_end(defection_date, defection_precision), disclosed_date))
           END AS lag_min,
           CASE WHEN disclosed_date IS NOT NULL AND defection_precision <> 'year' AND disclosed_precision <> 'year'
                THEN greatest(0, date_diff('day', defection_date, period_end(disclosed_date, disclosed_precision)))
           END AS lag_max
    FROM seed.defections
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
        po.region::VARCHAR AS region,
        d.defection_date,
        d.defection_precision::VARCHAR AS date_precision,
        period_label(d.defection_date, d.defection_precision) AS defection_period,
        d.disclosed_date,
        d.disclosed_precision::VARCHAR AS disclosed_precision,
        period_label(d.disclosed_date, d.disclosed_precision) AS disclosed_period,
        -- Days only when both ends are known to the day; the range columns hold what coarser dates allow.
        if(lg.lag_min = lg.lag_max AND d.defection_precision = 'day' AND d.disclosed_precision = 'day',
           lg.lag_min, NULL) AS disclosure_lag_days,
        lg.lag_min AS disclosure_lag_min_days,
        lg.lag_max AS disclosure_lag_max_days,
        lag_text(lg.lag_min, lg.lag_max) AS disclosure_lag,
        (d.defection_precision <> 'day' OR d.disclosed_precision <> 'day') AS disclosure_lag_approx,
        d.confirmation_status::VARCHAR AS confirmation_status,
        d.outcome::VARCHAR AS outcome,
        -- The one counting rule (docs/methodology.md, "Outcome"): failed and unresolved attempts and
        -- denied reports stay listed but are never summed into a count.
        d.outcome = 'completed' AS counted,
        os.title AS outcome_source_title,
        os.url AS outcome_source_url,
        d.confirmed_by,
        d.confirmed_date,
        d.destination,
        d.accompanied_by,
        ml.motives,
        d.summary,
        d.notes,
        sl.source_titles,
        sl.source_urls,
        sl.sources_json,
        sl.main_source_title,
        sl.main_source_url,
        year(d.defection_date) AS defection_year,
        search_keys(p.name, p.name_variants, po.post_country, po.post_city) AS search_keys,
        d.person_id,
        d.post_id,
        po.latitude,
        po.longitude
    FROM seed.defections d
    JOIN seed.people p USING (person_id)
    JOIN seed.posts po USING (post_id)
    LEFT JOIN motive_lists ml USING (event_id)
    LEFT JOIN source_lists('defections') sl ON sl.fact_id = d.event_id
    LEFT JOIN lags lg USING (event_id)
    JOIN seed.sources os ON os.source_id = d.outcome_source_id
)
SELECT * FROM final;

-- search_keys is the search's internal index (a list per row): not part of the published interface.
CREATE VIEW events AS SELECT * EXCLUDE (search_keys) FROM derived.events;

-- The defections the dashboard's filters select (an empty list or a NULL year means "all"); every
-- filtered query starts from it. One parameter and one clause per filter of filters.FILTERS, each named
-- and defaulted to "all", so a call names only what it selects and calls written before a filter was
-- added keep working: selected_events(year_from := 2016, regions := ['Europe']), or by position in the
-- order below. DuckDB binds macro arguments as prepared values, so no choice of an analyst becomes SQL
-- text. `counted` marks the completed defections, the only ones any count or chart sums.
CREATE MACRO selected_events(year_from := NULL, year_to := NULL, posts := [], categories := [],
                             confirmations := [], regions := [], outcomes := [])
AS TABLE
-- From the built table, whose columns are already text: no join and no casts to bind, which was half of
-- every filtered query's CPU on the curated record (docs/benchmarks.md, "Behind the code"). A row whose
-- column is NULL (a post with no known region) matches no chosen value. A NULL list, like an empty one,
-- chooses nothing and so selects all (len(NULL) is NULL, which would drop every row).
SELECT e.event_id, e.counted
FROM derived.events e
WHERE in_years(e.defection_year, year_from, year_to)
  AND (coalesce(len(posts), 0) = 0 OR coalesce(list_contains(posts, e.post_country), false))
  AND (coalesce(len(categories), 0) = 0 OR coalesce(list_contains(categories, e.elite_category), false))
  AND (coalesce(len(confirmations), 0) = 0 OR coalesce(list_contains(confirmations, e.confirmation_status), false))
  AND (coalesce(len(regions), 0) = 0 OR coalesce(list_contains(regions, e.region), false))
  AND (coalesce(len(outcomes), 0) = 0 OR coalesce(list_contains(outcomes, e.outcome), false));

-- The app's call of selected_events: every filter in one struct, bound as $filters (Filters.params()),
-- so the query files (sql/queries/) never list the filters; a new filter is passed on here too.
CREATE MACRO selected_by(filters) AS TABLE
FROM selected_events(year_from := filters['year_from'], year_to := filters['year_to'], posts := filters['posts'],
                     categories := filters['categories'], confirmations := filters['confirmations'],
                     regions := filters['regions'], outcomes := filters['outcomes']);

-- The values each filter of selected_events offers, one row per filter (filters.FILTERS names them): the
-- post countries that have a defection, every value of the enums, and notes the sidebar's tooltip gives.
-- Where a country's posts lie in several regions, its cities decide: the notes say which (Russia: Moscow
-- in Europe, Vladivostok in East Asia), so an analyst picking a region knows what it holds.
CREATE MACRO filter_choices() AS TABLE
WITH used_posts AS (
    SELECT po.post_country, po.post_city, po.region::VARCHAR AS region
    FROM seed.posts po
    WHERE EXISTS (SELECT 1 FROM seed.defections d WHERE d.post_id = po.post_id)
),
located AS (
    SELECT DISTINCT post_country, post_city, region FROM used_posts WHERE region IS NOT NULL
),
split_countries AS (
    SELECT post_country FROM located GROUP BY post_country HAVING count(DISTINCT region) > 1
),
per_region AS (
    SELECT post_country, region,
           string_agg(coalesce(post_city, 'city unknown'), ', ' ORDER BY post_city) AS cities
    FROM located JOIN split_countries USING (post_country)
    GROUP BY post_country, region
),
region_notes AS (
    SELECT post_country || ': ' || string_agg(cities || ' in ' || region, '; ' ORDER BY region) AS note
    FROM per_region GROUP BY post_country
),
final AS (
    SELECT 'regions' AS filter, enum_range(NULL::region)::VARCHAR[] AS choices,
           coalesce((SELECT list(note ORDER BY note) FROM region_notes), []) AS notes
    UNION ALL
    SELECT 'posts', coalesce((SELECT list(DISTINCT post_country ORDER BY post_country) FROM used_posts), []), []
    UNION ALL
    SELECT 'categories', enum_range(NULL::elite_category)::VARCHAR[], []
    UNION ALL
    SELECT 'confirmations', enum_range(NULL::confirmation_status)::VARCHAR[], []
    UNION ALL
    SELECT 'outcomes', enum_range(NULL::outcome)::VARCHAR[], []
)
SELECT filter, choices, notes FROM final;

CREATE VIEW event_motives AS
SELECT em.event_id, m.label AS motive, em.motive_code, em.attributed_to::VARCHAR AS attributed_to,
       em.attributed_by, em.evidence_quote, em.quote_gloss, s.url AS source_url, s.title AS source_title,
       em.source_id
FROM seed.event_motives em
JOIN seed.motives m USING (motive_code)
JOIN seed.sources s USING (source_id);

-- Who attributes each motive of each defection: the one kind of attributor, or 'several' when sides
-- differ, and the combination ("media + self"). It does not depend on the filters, so it is computed
-- once, when the database is built: grouping every (motive, defection) pair at query time made the
-- motives page slow at a million events (docs/benchmarks.md, "Behind the code"). queries.motive_counts
-- counts its rows.
CREATE TABLE derived.motive_attributions AS
WITH per_defection AS (
    SELECT motive, event_id, list(DISTINCT attributed_to ORDER BY attributed_to) AS kinds
    FROM event_motives
    GROUP BY motive, event_id
),
final AS (
    SELECT motive, event_id, if(len(kinds) = 1, kinds[1], 'several') AS attributed_to,
           array_to_string(kinds, ' + ') AS combination
    FROM per_defection
)
SELECT * FROM final;

CREATE VIEW yearly_counts AS
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
       y.elite_count_wording, y.elite_count_basis::VARCHAR AS elite_count_basis, y.notes, sl.source_titles, sl.source_urls, sl.main_source_title, sl.main_source_url
FROM seed.yearly_counts y LEFT JOIN source_lists('yearly_counts') sl ON sl.fact_id = y.year::VARCHAR;

-- Built once, like derived.events: three of the app's filtered queries read it on every slider step, and
-- binding the view's join on source_lists took more CPU than the rest of a small query
-- (docs/benchmarks.md, "Behind the code").
CREATE TABLE derived.context_events AS
SELECT c.context_id, c.event_date, c.date_precision::VARCHAR AS date_precision,
       period_label(c.event_date, c.date_precision) AS event_period,
       replace(c.actors, ';', '; ') AS actors, c.event_type::VARCHAR AS event_type, c.summary,
       c.headline, c.event_id, c.notes, sl.source_titles, sl.source_urls, sl.main_source_title, sl.main_source_url
FROM seed.context_events c LEFT JOIN source_lists('context_events') sl ON sl.fact_id = c.context_id;

CREATE VIEW context_events AS SELECT * FROM derived.context_events;

CREATE VIEW commentary AS
SELECT c.commentary_id, c.speaker, c.speaker_role, c.attributed_to::VARCHAR AS attributed_to,
       c.stated_date, c.event_id, c.year, c.summary, c.quote,
       s.title AS source_title, s.url AS source_url, c.source_id
FROM seed.commentary c JOIN seed.sources s USING (source_id);

CREATE VIEW posts AS
SELECT post_id, post_country, post_city, region::VARCHAR AS region, latitude, longitude, location_note FROM seed.posts;

CREATE VIEW motives AS SELECT motive_code, label, description FROM seed.motives;

CREATE VIEW revisions AS
SELECT r.revision_id, r.table_name, r.row_key, r.column_name, r.previous_value, r.current_value,
       r.revised_on, r.reason, s.title AS source_title, s.url AS source_url
FROM seed.revisions r LEFT JOIN seed.sources s USING (source_id);

CREATE VIEW corrections AS
SELECT c.correction_id, c.table_name, c.row_key, c.column_name, c.previous_value, c.current_value,
       c.corrected_on, c.reason, s.title AS source_title, s.url AS source_url, c.source_id,
       -- The release that first held the correction's row (sql/releases.sql); NULL until one does.
       rr.first_release AS made_in_release
FROM seed.corrections c JOIN seed.sources s USING (source_id)
LEFT JOIN row_releases rr ON rr.table_name = 'corrections' AND rr.row_key = c.correction_id;

-- Every quote a fact rests on, with the held document it was checked against at build time.
CREATE VIEW evidence AS
WITH quoted AS (
    SELECT 'defections' AS fact_table, event_id AS fact_id, evidence_quote AS quote, quote_gloss, source_id
    FROM seed.defection_sources
    UNION ALL
    SELECT 'event_motives', event_id || '/' || motive_code || '/' || attributed_to::VARCHAR, evidence_quote,
           quote_gloss, source_id
    FROM seed.event_motives
    UNION ALL
    SELECT 'yearly_counts', year::VARCHAR, evidence_quote, quote_gloss, source_id FROM seed.yearly_count_sources
    UNION ALL
    SELECT 'context_events', context_id, evidence_quote, quote_gloss, source_id FROM seed.context_event_sources
    UNION ALL
    SELECT 'commentary', commentary_id, quote, NULL, source_id FROM seed.commentary
),
final AS (
    SELECT q.fact_table, q.fact_id, q.quote, q.quote_gloss, q.source_id, s.title AS source_title,
           s.url AS source_url, s.document
    FROM quoted q JOIN seed.sources s USING (source_id)
    WHERE q.quote IS NOT NULL
)
SELECT * FROM final;

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

-- Column comments: the public interface documents itself (data dictionary, docs/sql-interface.md).
COMMENT ON VIEW events IS 'One row per defection, with person, post, dates at their precision, motives and sources.';
COMMENT ON COLUMN events.event_id IS 'Stable id of the defection (E01...).';
COMMENT ON COLUMN events.person IS 'Display name of the defector (descriptive for unnamed people).';
COMMENT ON COLUMN events.name_variants IS 'Every romanization and script found, separated by "; ".';
COMMENT ON COLUMN events.position IS 'Position held when he or she defected.';
COMMENT ON COLUMN events.elite_category IS 'diplomat, trade official, military, intelligence, party-state official or other.';
COMMENT ON COLUMN events.post_country IS 'Country where the defector was posted (or was when he left).';
COMMENT ON COLUMN events.post_city IS 'City of the post, when a source names it.';
COMMENT ON COLUMN events.region IS 'Region of the post (posts.region); empty when unknown.';
COMMENT ON COLUMN events.defection_date IS 'First day of the period of the defection; read it with date_precision.';
COMMENT ON COLUMN events.date_precision IS 'Precision of defection_date: day, month or year.';
COMMENT ON COLUMN events.defection_period IS 'The defection date as text at its precision ("November 2023").';
COMMENT ON COLUMN events.disclosed_date IS 'First day of the period in which the defection became public.';
COMMENT ON COLUMN events.disclosed_precision IS 'Precision of disclosed_date.';
COMMENT ON COLUMN events.disclosed_period IS 'The disclosure date as text at its precision.';
COMMENT ON COLUMN events.disclosure_lag_days IS 'Days from the defection to its disclosure, only when both dates are known to the day.';
COMMENT ON COLUMN events.disclosure_lag_min_days IS 'Shortest lag in days both dates allow (end of the defection''s period to start of the disclosure''s); empty when either date is known only to the year.';
COMMENT ON COLUMN events.disclosure_lag_max_days IS 'Longest lag in days both dates allow (start of the defection''s period to end of the disclosure''s); empty as disclosure_lag_min_days.';
COMMENT ON COLUMN events.disclosure_lag IS 'The lag as text at the precision of the dates: "54 days", "17–46 days", "about 8 months"; empty when a date is known only to the year.';
COMMENT ON COLUMN events.disclosure_lag_approx IS 'true unless both dates are known to the day.';
COMMENT ON COLUMN events.confirmation_status IS 'confirmed (by a government), self-disclosed (by the defector), multiple-reports (two or more independent outlets), single-report, or denied.';
COMMENT ON COLUMN events.outcome IS 'completed (got out for good), failed (caught, sent back) or unknown (no source gives the result; every denied report).';
COMMENT ON COLUMN events.counted IS 'true for completed defections, the only rows any count, chart or total sums; the others are listed, never counted.';
COMMENT ON COLUMN events.outcome_source_title IS 'The source that establishes the outcome.';
COMMENT ON COLUMN events.outcome_source_url IS 'URL of outcome_source_title (empty for a held document without one).';
COMMENT ON COLUMN events.confirmed_by IS 'Who confirmed the defection.';
COMMENT ON COLUMN events.confirmed_date IS 'When it was confirmed, when known to the day.';
COMMENT ON COLUMN events.destination IS 'Where the defector went.';
COMMENT ON COLUMN events.accompanied_by IS 'Who came along.';
COMMENT ON COLUMN events.motives IS 'Labels of every motive reported for the defection, separated by "; ".';
COMMENT ON COLUMN events.summary IS 'Short summary in the curators'' words.';
COMMENT ON COLUMN events.notes IS 'Disputed points and the other values sources give.';
COMMENT ON COLUMN events.source_titles IS 'Titles of the sources cited for the defection, separated by "; ".';
COMMENT ON COLUMN events.source_urls IS 'URLs of those sources, separated by spaces (a held document without a public address adds none); for reading, not for pairing with source_titles: use sources_json.';
COMMENT ON COLUMN events.sources_json IS 'The sources as a JSON array of objects {"source_id", "title", "url"} (url null when none), in source_id order: the form a program pairs safely.';
COMMENT ON COLUMN events.main_source_title IS 'The source charts link to: a public page before a document, primary first.';
COMMENT ON COLUMN events.main_source_url IS 'URL of main_source_title.';
COMMENT ON COLUMN events.defection_year IS 'Calendar year of the defection (what the year filter selects on).';
COMMENT ON COLUMN events.person_id IS 'Id of the person (seed.people).';
COMMENT ON COLUMN events.post_id IS 'Id of the post (posts view).';
COMMENT ON COLUMN events.latitude IS 'Latitude of the post city (or capital), for the map.';
COMMENT ON COLUMN events.longitude IS 'Longitude of the post city (or capital), for the map.';

COMMENT ON VIEW event_motives IS 'One row per motive attributed to a defection, by whom, with the evidence.';
COMMENT ON COLUMN event_motives.event_id IS 'The defection (events.event_id).';
COMMENT ON COLUMN event_motives.motive IS 'Motive label from the fixed taxonomy.';
COMMENT ON COLUMN event_motives.motive_code IS 'Motive code (motives view).';
COMMENT ON COLUMN event_motives.attributed_to IS 'Who gives the motive: self (the defector), north-korean-officials, south-korean-officials, other-governments, unnamed-officials, media or analysts.';
COMMENT ON COLUMN event_motives.quote_gloss IS 'English gloss of the quote when it is not in English.';
COMMENT ON COLUMN event_motives.attributed_by IS 'Who exactly, and where.';
COMMENT ON COLUMN event_motives.evidence_quote IS 'Verbatim words of the source, when held.';
COMMENT ON COLUMN event_motives.source_url IS 'URL of the source (empty only for a held document without a public address).';
COMMENT ON COLUMN event_motives.source_title IS 'Title of the source.';
COMMENT ON COLUMN event_motives.source_id IS 'Id of the source (sources view).';

COMMENT ON VIEW yearly_counts IS 'Arrivals in South Korea per calendar year, with elite figures where any exist.';
COMMENT ON COLUMN yearly_counts.year IS 'Calendar year of arrival.';
COMMENT ON COLUMN yearly_counts.total_arrivals IS 'All arrivals that year: the current, revised Unification Ministry figure.';
COMMENT ON COLUMN yearly_counts.male IS 'Men among the arrivals, where reported.';
COMMENT ON COLUMN yearly_counts.female IS 'Women among the arrivals, where reported.';
COMMENT ON COLUMN yearly_counts.elite_count IS 'Elite defectors that year, when a point figure was reported.';
COMMENT ON COLUMN yearly_counts.elite_count_low IS 'Lower bound, when only a range or a minimum was reported.';
COMMENT ON COLUMN yearly_counts.elite_count_high IS 'Upper bound, when only a range was reported.';
COMMENT ON COLUMN yearly_counts.elite_count_approx IS 'true when the elite figure is approximate, partial or a range.';
COMMENT ON COLUMN yearly_counts.elite_count_label IS 'The elite figure as shown: "~10" approximate, "1–9" range, "≥7" minimum.';
COMMENT ON COLUMN yearly_counts.elite_count_wording IS 'The source''s own words for the elite figure.';
COMMENT ON COLUMN yearly_counts.elite_count_basis IS 'official (Unification Ministry, NIS) or media: who gave the elite figure.';
COMMENT ON COLUMN yearly_counts.notes IS 'Revisions, disagreements and scope.';
COMMENT ON COLUMN yearly_counts.source_titles IS 'Titles of the sources for the year, separated by "; ".';
COMMENT ON COLUMN yearly_counts.source_urls IS 'URLs of those sources, separated by spaces.';
COMMENT ON COLUMN yearly_counts.main_source_title IS 'The source charts link to.';
COMMENT ON COLUMN yearly_counts.main_source_url IS 'URL of main_source_title.';

COMMENT ON VIEW context_events IS 'The diplomatic timeline around the defections.';
COMMENT ON COLUMN context_events.context_id IS 'Stable id (C01...).';
COMMENT ON COLUMN context_events.event_date IS 'First day of the period of the event; read it with date_precision.';
COMMENT ON COLUMN context_events.date_precision IS 'day, month or year.';
COMMENT ON COLUMN context_events.event_period IS 'The date as text at its precision.';
COMMENT ON COLUMN context_events.actors IS 'Countries involved, separated by "; ".';
COMMENT ON COLUMN context_events.event_type IS 'diplomatic ties, embassy opening, embassy closure, visit, statement or defection-related.';
COMMENT ON COLUMN context_events.summary IS 'What happened, in the curators'' words.';
COMMENT ON COLUMN context_events.headline IS 'A few words that label the event on a chart; empty for most events.';
COMMENT ON COLUMN context_events.event_id IS 'The defection the event concerns, if any.';
COMMENT ON COLUMN context_events.notes IS 'Disputed points.';
COMMENT ON COLUMN context_events.source_titles IS 'Titles of the sources, separated by "; ".';
COMMENT ON COLUMN context_events.source_urls IS 'URLs of the sources, separated by spaces.';
COMMENT ON COLUMN context_events.main_source_title IS 'The source charts link to.';
COMMENT ON COLUMN context_events.main_source_url IS 'URL of main_source_title.';

COMMENT ON VIEW sources IS 'Every source with its metadata and how many facts cite it.';
COMMENT ON COLUMN sources.source_id IS 'Stable id (S000 is the client''s seed document).';
COMMENT ON COLUMN sources.title IS 'Descriptive label written by the curators (not necessarily the headline).';
COMMENT ON COLUMN sources.publisher IS 'Outlet, agency or site.';
COMMENT ON COLUMN sources.published_date IS 'Publication date, when known.';
COMMENT ON COLUMN sources.url IS 'Public http(s) address; empty only for a held document.';
COMMENT ON COLUMN sources.document IS 'File in seeds/documents/ holding the text (quotes are checked against it).';
COMMENT ON COLUMN sources.reliability IS 'primary, secondary, dataset or client.';
COMMENT ON COLUMN sources.fact_count IS 'How many fact rows cite the source.';

COMMENT ON VIEW commentary IS 'Attributed assessments by experts and officials: views, not facts.';
COMMENT ON COLUMN commentary.commentary_id IS 'Stable id.';
COMMENT ON COLUMN commentary.speaker IS 'Who said it.';
COMMENT ON COLUMN commentary.speaker_role IS 'Role or affiliation.';
COMMENT ON COLUMN commentary.attributed_to IS 'self, north-korean-officials, south-korean-officials, other-governments, unnamed-officials, media or analysts.';
COMMENT ON COLUMN commentary.stated_date IS 'When it was said or published.';
COMMENT ON COLUMN commentary.event_id IS 'The defection it is about, if any.';
COMMENT ON COLUMN commentary.year IS 'The year of arrivals it is about, if any.';
COMMENT ON COLUMN commentary.summary IS 'The assessment in the curators'' words.';
COMMENT ON COLUMN commentary.quote IS 'Verbatim words.';
COMMENT ON COLUMN commentary.source_title IS 'Title of the source.';
COMMENT ON COLUMN commentary.source_url IS 'URL of the source (empty only for a held document without a public address).';
COMMENT ON COLUMN commentary.source_id IS 'Id of the source.';

COMMENT ON VIEW posts IS 'Places where defectors were posted.';
COMMENT ON COLUMN posts.post_id IS 'Stable id.';
COMMENT ON COLUMN posts.post_country IS 'Country of the post.';
COMMENT ON COLUMN posts.post_city IS 'City of the post, when a source names it.';
COMMENT ON COLUMN posts.region IS 'Region of the post (Europe, East Asia, ...; North Korea when the defector left from home), by city where the country spans regions; empty when unknown.';
COMMENT ON COLUMN posts.latitude IS 'Latitude of the city (or of the capital when the city is unknown).';
COMMENT ON COLUMN posts.longitude IS 'Longitude, as latitude.';
COMMENT ON COLUMN posts.location_note IS 'How the location was settled, and disputes.';

COMMENT ON VIEW motives IS 'The fixed taxonomy of reported motives.';
COMMENT ON COLUMN motives.motive_code IS 'Stable code.';
COMMENT ON COLUMN motives.label IS 'Label shown on the dashboard.';
COMMENT ON COLUMN motives.description IS 'What the motive covers.';

COMMENT ON VIEW revisions IS 'Changelog: official figures revised after first release.';
COMMENT ON COLUMN revisions.revision_id IS 'Stable id.';
COMMENT ON COLUMN revisions.table_name IS 'The table whose value changed.';
COMMENT ON COLUMN revisions.row_key IS 'The row (its id or year).';
COMMENT ON COLUMN revisions.column_name IS 'The column that changed.';
COMMENT ON COLUMN revisions.previous_value IS 'The value first reported or held.';
COMMENT ON COLUMN revisions.current_value IS 'The value now held.';
COMMENT ON COLUMN revisions.revised_on IS 'When the change was made or published, if known.';
COMMENT ON COLUMN revisions.reason IS 'Why.';
COMMENT ON COLUMN revisions.source_title IS 'Title of the source of the earlier or corrected figure.';
COMMENT ON COLUMN revisions.source_url IS 'Its URL.';

COMMENT ON VIEW corrections IS 'Data changelog: every correction of a curated fact, with its reason and source.';
COMMENT ON COLUMN corrections.correction_id IS 'Stable id (X001...).';
COMMENT ON COLUMN corrections.table_name IS 'The seed table whose value changed.';
COMMENT ON COLUMN corrections.row_key IS 'The row (its id).';
COMMENT ON COLUMN corrections.column_name IS 'The column that changed ("(row)" for a row removed or added).';
COMMENT ON COLUMN corrections.previous_value IS 'The value held before: what an earlier export showed.';
COMMENT ON COLUMN corrections.current_value IS 'The value held now.';
COMMENT ON COLUMN corrections.corrected_on IS 'When the correction was made.';
COMMENT ON COLUMN corrections.reason IS 'Why, in the curators'' words.';
COMMENT ON COLUMN corrections.source_title IS 'Title of the source that shows the corrected value.';
COMMENT ON COLUMN corrections.source_url IS 'Its URL.';
COMMENT ON COLUMN corrections.source_id IS 'Its id (sources view).';
COMMENT ON COLUMN corrections.made_in_release IS 'The release the correction was made in (the first that held it); NULL while it is unreleased.';

COMMENT ON VIEW evidence IS 'Every verbatim quote a fact rests on, checked at build time against the held document of its source.';
COMMENT ON COLUMN evidence.fact_table IS 'defections, event_motives, yearly_counts, context_events or commentary.';
COMMENT ON COLUMN evidence.fact_id IS 'The fact: an event id, event/motive/attribution, a year, a context or commentary id.';
COMMENT ON COLUMN evidence.quote IS 'The words of the source, verbatim.';
COMMENT ON COLUMN evidence.quote_gloss IS 'English gloss when the quote is not in English.';
COMMENT ON COLUMN evidence.source_id IS 'Id of the source (sources view).';
COMMENT ON COLUMN evidence.source_title IS 'Title of the source.';
COMMENT ON COLUMN evidence.source_url IS 'URL of the page the passage was read on (empty only for a held document without a public address).';
COMMENT ON COLUMN evidence.document IS 'File in seeds/documents/ holding the passage the quote was checked against.';

COMMENT ON VIEW citations IS 'Every fact row with a source that supports it.';
COMMENT ON COLUMN citations.fact_kind IS 'defection, motive, yearly count, context event or commentary.';
COMMENT ON COLUMN citations.fact_id IS 'Id of the fact row.';
COMMENT ON COLUMN citations.fact IS 'The fact in a few words.';
COMMENT ON COLUMN citations.source_id IS 'Id of the source (sources view).';
COMMENT ON COLUMN citations.evidence_quote IS 'Verbatim words of the source, when held.';
