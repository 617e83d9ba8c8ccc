-- Completed defections per decade of defection, and how many of them a government confirmed.
WITH selected AS (
    FROM selected_by($filters) WHERE counted
),
per_decade AS (
    SELECT (year(d.defection_date) // 10) * 10 AS decade_start,
           count(*) AS defections,
           count(*) FILTER (WHERE d.confirmation_status = 'confirmed') AS confirmed
    FROM seed.defections d JOIN selected USING (event_id)
    GROUP BY ALL
),
final AS (
    SELECT decade_start || 's' AS decade, defections, confirmed, defections - confirmed AS unconfirmed,
           round(100.0 * confirmed / defections)::INTEGER AS confirmed_percent, decade_start
    FROM per_decade
)
SELECT decade, defections, confirmed, unconfirmed, confirmed_percent
FROM final
ORDER BY decade_start
