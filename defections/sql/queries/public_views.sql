-- The public views' names, as the database lists them (the data dictionary reads the same list).
SELECT view_name
FROM duckdb_views()
WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
ORDER BY view_name
