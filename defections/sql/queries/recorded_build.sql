-- The schema version and seeds digest a database file (attached as `built`) records, for the freshness check.
SELECT max(schema_version) AS schema_version, max(seeds_digest) AS seeds_digest
FROM built.build_info
