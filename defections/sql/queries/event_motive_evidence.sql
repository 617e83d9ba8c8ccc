-- The motives of one defection, with who attributes them and the quote.
SELECT motive, attributed_to, attributed_by, evidence_quote, quote_gloss, source_title, source_url
FROM event_motives
WHERE event_id = $id
ORDER BY motive, attributed_to
