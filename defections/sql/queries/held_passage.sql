-- The passage held for one source, with where and when it was read; no row if none is held.
SELECT d.document, d.url, d.title, d.publisher, d.published,
       coalesce(strftime(d.read_on, '%Y-%m-%d'), 'an unknown date') AS read_on, d.text
FROM documents d JOIN seed.sources s USING (document)
WHERE s.source_id = $id
