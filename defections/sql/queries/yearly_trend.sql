-- The selected defections per year (of defection, or of disclosure: undisclosed ones are left out), split
-- by elite category or by confirmation; part_rank orders the parts as the categories are listed.
WITH selected AS (
    FROM selected_by($filters) WHERE counted
),
dated AS (
    SELECT CASE WHEN $by = 'disclosure' THEN year(d.disclosed_date) ELSE year(d.defection_date) END AS year,
           CASE WHEN $stack = 'confirmation' THEN d.confirmation_status::VARCHAR
                ELSE d.elite_category::VARCHAR END AS part,
           CASE WHEN $stack = 'confirmation' THEN enum_code(d.confirmation_status)
                ELSE enum_code(d.elite_category) END AS part_rank
    FROM seed.defections d JOIN selected USING (event_id)
),
final AS (
    SELECT year, part, part_rank, count(*) AS defections
    FROM dated WHERE year IS NOT NULL
    GROUP BY ALL
)
SELECT year, part, defections, part_rank, $by AS year_of, $stack AS stacked_by
FROM final
ORDER BY year, part_rank
