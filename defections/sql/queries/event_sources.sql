-- The sources of one defection, each with the quote checked against its held passage.
SELECT s.source_id, s.title, s.publisher, s.published_date, s.url, ds.evidence_quote, ds.quote_gloss
FROM seed.defection_sources ds JOIN sources s USING (source_id)
WHERE ds.event_id = $id
ORDER BY ds.evidence_quote IS NULL, s.source_id
