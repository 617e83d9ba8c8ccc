-- The facts that cite one source, the first $limit of them (every one with NULL).
SELECT fact_kind, fact_id, fact, evidence_quote
FROM citations
WHERE source_id = $id
ORDER BY fact_kind, fact_id
LIMIT $limit
