-- The changelog of official figures revised after release.
SELECT revision_id, table_name, row_key, column_name, previous_value, current_value, revised_on, reason,
       source_title, source_url
FROM revisions
ORDER BY revised_on NULLS LAST, table_name, row_key
