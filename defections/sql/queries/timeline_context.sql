-- Context events from the first selected defection to the last disclosure, for the timeline's axis.
WITH selected AS (
    FROM selected_by($filters) WHERE counted
),
span AS (
    SELECT min(d.defection_date) AS first_day, greatest(max(d.defection_date), max(d.disclosed_date)) AS last_day
    FROM seed.defections d JOIN selected USING (event_id)
),
final AS (
    SELECT context_id, event_date, event_period, actors, event_type, summary,
           main_source_title AS source_title, main_source_url AS source_url
    FROM context_events, span
    WHERE event_date BETWEEN span.first_day AND last_day(span.last_day)
)
SELECT context_id, event_date, event_period, actors, event_type, summary, source_title, source_url
FROM final
ORDER BY event_date, context_id
