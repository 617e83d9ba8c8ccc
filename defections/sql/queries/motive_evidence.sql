-- The evidence behind each motive bar: who said it, the quote, the source.
WITH selected AS (
    FROM selected_by($filters) WHERE counted
),
final AS (
    SELECT em.motive, em.attributed_to, p.name AS person, em.event_id, em.attributed_by, em.evidence_quote,
           em.source_title, em.source_url, d.defection_date
    FROM event_motives em JOIN selected USING (event_id) JOIN seed.defections d USING (event_id)
    JOIN seed.people p USING (person_id)
)
SELECT motive, attributed_to, person, event_id, attributed_by, evidence_quote, source_title, source_url
FROM final
ORDER BY motive, attributed_to, defection_date
LIMIT $limit
