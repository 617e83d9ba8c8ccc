-- Defections and disclosures per month, for views too large to draw one mark per event.
WITH selected AS (
    FROM selected_by($filters) WHERE counted
),
marks AS (
    SELECT date_trunc('month', d.defection_date) AS month, 'defected' AS what
    FROM seed.defections d JOIN selected USING (event_id)
    UNION ALL
    SELECT date_trunc('month', d.disclosed_date), 'made public'
    FROM seed.defections d JOIN selected USING (event_id) WHERE d.disclosed_date IS NOT NULL
),
final AS (
    SELECT month, what, count(*) AS events FROM marks GROUP BY ALL
)
SELECT month, what, events
FROM final
ORDER BY month, what
