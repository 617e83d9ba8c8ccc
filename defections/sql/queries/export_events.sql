-- The events CSV (dashboard and CLI alike): every filtered defection with citation columns, narrowed by
-- the name search when one is given. Its final SELECT is the CSV's column list (queries.EXPORT_COLUMNS).
WITH selected AS (
    FROM selected_by($filters)
),
search AS (
    SELECT roman_key($search) AS term
),
final AS (
    SELECT e.*
    FROM derived.events e JOIN selected USING (event_id), search
    WHERE key_matches(e.search_keys, $search, search.term)
)
SELECT event_id, person, name_variants, position, elite_category, post_country, post_city, region,
       defection_period, defection_date, date_precision, disclosed_period, disclosed_date, disclosed_precision,
       disclosure_lag_days, disclosure_lag_min_days, disclosure_lag_max_days, disclosure_lag,
       confirmation_status, confirmed_by, confirmed_date, outcome, counted, outcome_source_title, destination,
       accompanied_by, motives, summary, notes, sources_json
FROM final
ORDER BY defection_date, event_id
