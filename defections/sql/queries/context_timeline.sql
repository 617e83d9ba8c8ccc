-- Diplomatic context events within the year filter.
SELECT context_id, event_date, date_precision, event_period, actors, event_type, summary, event_id,
       -- The defection's card on the Events page, relative to this page (labels.event_card_path).
       if(event_id IS NULL, NULL, 'events?event=' || event_id) AS event_card,
       main_source_title AS source_title, main_source_url AS source_url,
       source_urls
FROM context_events
WHERE in_years(year(event_date), $year_from, $year_to)
ORDER BY event_date, context_id
