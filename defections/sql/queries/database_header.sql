-- What connect checks of the attached file: the schema version it was built by, and the size its own
-- header gives (a file shorter than that was truncated).
SELECT (SELECT max(schema_version) FROM build_info) AS schema_version,
       (SELECT total_blocks * block_size FROM pragma_database_size() WHERE database_name = 'defections') AS size
