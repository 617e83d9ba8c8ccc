-- The Motives page's denominator: the counted defections selected, and how many report no motive.
WITH selected AS (
    FROM selected_by($filters) WHERE counted
),
final AS (
    SELECT count(*) AS defections,
           count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM seed.event_motives em
                                              WHERE em.event_id = selected.event_id)) AS without_motive
    FROM selected
)
SELECT defections, without_motive
FROM final
