-- The filtered events for the table (every outcome), optionally narrowed to a person by any romanization.
WITH selected AS (
    FROM selected_by($filters)
),
search AS (
    SELECT roman_key($search) AS term
),
final AS (
    SELECT e.event_id, e.person, e.defection_period, e.post_country, e.confirmation_status, e.confirmed_by,
           e.outcome, e.motives, e.position, e.elite_category, e.post_city, e.region, e.disclosed_period,
           e.disclosure_lag, e.main_source_url AS source_url, e.defection_date
    FROM derived.events e JOIN selected USING (event_id), search
    WHERE key_matches(e.search_keys, $search, search.term)
)
SELECT event_id, person, defection_period, post_country, confirmation_status, confirmed_by, outcome, motives,
       position, elite_category, post_city, region, disclosed_period, disclosure_lag, source_url
FROM final
ORDER BY defection_date DESC, event_id
LIMIT $limit
