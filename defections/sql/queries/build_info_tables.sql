-- Whether a DuckDB file (attached as `target`) is one this app built: it has a build_info table.
SELECT count(*) AS tables
FROM duckdb_tables()
WHERE database_name = 'target' AND table_name = 'build_info'
