-- What the record says of the selected Havana defections beyond their dates, each with its source and the
-- event it concerns, for the Cuba panel's key facts.
WITH selected AS (
    FROM selected_by($filters) WHERE counted
),
final AS (
    SELECT c.context_id, c.event_period, c.summary, c.event_id, e.person,
           c.main_source_title AS source_title, c.main_source_url AS source_url, c.event_date
    FROM context_events c JOIN events e USING (event_id) JOIN selected USING (event_id)
    WHERE e.post_country = 'Cuba' AND c.event_type = 'defection-related'
      AND c.event_date IS DISTINCT FROM e.disclosed_date
)
SELECT context_id, event_period, summary, event_id, person, source_title, source_url
FROM final
ORDER BY event_date, context_id
