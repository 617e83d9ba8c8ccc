-- Every column of the public views and the curated tables, with type and meaning, read from the schema's
-- own comments.
WITH objects AS (
    SELECT schema_name, view_name AS name, 'public view' AS layer, comment, view_oid AS oid
    FROM duckdb_views() WHERE database_name = current_database() AND NOT internal
    UNION ALL
    SELECT schema_name, table_name, 'curated table', comment, table_oid
    FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'seed'
),
final AS (
    SELECT o.layer, CASE o.layer WHEN 'curated table' THEN 'seed.' ELSE '' END || o.name AS "table",
           c.column_name AS "column", c.data_type AS type, c.comment AS meaning, o.name, c.column_index
    FROM objects o
    JOIN duckdb_columns() c ON c.database_name = current_database() AND c.schema_name = o.schema_name
                            AND c.table_name = o.name
)
SELECT layer, "table", "column", type, meaning
FROM final
ORDER BY layer DESC,
         coalesce(list_position(['events', 'event_motives', 'yearly_counts', 'context_events', 'sources',
                                 'people', 'posts', 'defections'], name), 99),
         name, column_index
