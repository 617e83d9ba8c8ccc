-- One defection as one row of text, its dates at their precision; no row for an unknown id.
WITH final AS (
    SELECT event_id, person, name_variants, position, elite_category, post_country, post_city, region,
           defection_period, date_precision, disclosed_period, disclosure_lag, confirmation_status,
           confirmed_by, period_label(confirmed_date, 'day') AS confirmed_date, outcome, outcome_source_title,
           destination, accompanied_by, motives, summary, notes
    FROM events
    WHERE event_id = $id
)
SELECT CAST(COLUMNS(*) AS VARCHAR)
FROM final
