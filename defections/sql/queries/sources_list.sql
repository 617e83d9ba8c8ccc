-- Every source with its metadata and how many facts cite it.
SELECT source_id, url, title, publisher, published_date, reliability, fact_count, document
FROM sources
ORDER BY source_id
