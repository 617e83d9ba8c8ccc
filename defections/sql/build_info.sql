-- The build's own row, written last: the schema version, when, the digest of the seeds built, and the day
-- the data is as of: the day it was last curated, the newest page read or correction made, not the newest
-- source's publication (a correction made today of a 2024 fact is today's data).
INSERT INTO build_info
SELECT $schema_version, $built_at, $seeds_digest,
       greatest((SELECT max(read_on) FROM documents), (SELECT max(corrected_on) FROM seed.corrections));
