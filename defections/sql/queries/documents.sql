-- The client's seed document(s), in full.
SELECT d.document, s.source_id, s.title, d.text
FROM documents d JOIN seed.sources s USING (document)
WHERE s.reliability = 'client'
ORDER BY d.document
