-- The disclosure lag of every selected defection that has one at its dates' precision, the shortest first.
WITH selected AS (
    FROM selected_by($filters) WHERE counted
),
final AS (
    SELECT e.event_id, e.person, e.defection_period, e.disclosed_period, e.disclosure_lag,
           e.disclosure_lag_min_days, e.disclosure_lag_max_days
    FROM events e JOIN selected USING (event_id)
    WHERE e.disclosure_lag_min_days IS NOT NULL
)
SELECT event_id, person, defection_period, disclosed_period, disclosure_lag, disclosure_lag_min_days,
       disclosure_lag_max_days
FROM final
ORDER BY disclosure_lag_min_days + disclosure_lag_max_days, disclosure_lag_max_days, event_id
LIMIT $limit
