-- How many completed defections the filters select, how many of them a government confirmed, and the rows
-- selected but not counted: denied reports, failed attempts, attempts of unknown outcome.
WITH selected AS (
    FROM selected_by($filters)
),
final AS (
    SELECT count(*) AS listed,
           count(*) FILTER (WHERE counted) AS defections,
           count(*) FILTER (WHERE counted AND d.confirmation_status = 'confirmed') AS confirmed,
           count(*) FILTER (WHERE d.confirmation_status = 'denied') AS denied,
           count(*) FILTER (WHERE d.outcome = 'failed' AND d.confirmation_status <> 'denied') AS failed,
           count(*) FILTER (WHERE d.outcome = 'unknown' AND d.confirmation_status <> 'denied') AS unresolved
    FROM selected JOIN seed.defections d USING (event_id)
)
SELECT listed, defections, confirmed, denied, failed, unresolved
FROM final
