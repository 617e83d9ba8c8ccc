-- One row per defection for the timeline: the defection period (start to end) and the disclosure.
WITH selected AS (
    FROM selected_by($filters) WHERE counted
),
final AS (
    SELECT e.event_id, e.person, e.position, e.post_country || coalesce(', ' || e.post_city, '') AS post,
           e.elite_category, e.defection_date AS period_start,
           period_end(e.defection_date, e.date_precision) AS period_end,
           e.date_precision, e.defection_period, e.disclosed_date, e.disclosed_period,
           e.disclosure_lag, e.main_source_title AS source_title, e.main_source_url AS source_url
    FROM events e JOIN selected USING (event_id)
)
SELECT event_id, person, position, post, elite_category, period_start, period_end, date_precision,
       defection_period, disclosed_date, disclosed_period, disclosure_lag, source_title, source_url
FROM final
ORDER BY period_start, event_id
LIMIT $limit
