-- Defections per motive, each counted once, grouped by who attributes the motive to it.
WITH selected AS (
    FROM selected_by($filters) WHERE counted
),
per_combination AS (
    SELECT ma.motive, ma.attributed_to, ma.combination, count(*) AS defections
    FROM derived.motive_attributions ma JOIN selected USING (event_id)
    GROUP BY ALL
),
final AS (
    SELECT motive, attributed_to, sum(defections)::BIGINT AS defections,
           string_agg(combination || ' (' || defections || ')', '; '
                      ORDER BY defections DESC, combination) AS attributors
    FROM per_combination GROUP BY ALL
)
SELECT motive, attributed_to, defections, attributors
FROM final
ORDER BY sum(defections) OVER (PARTITION BY motive) DESC, motive, attributed_to
