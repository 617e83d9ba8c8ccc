-- The release notes: per release (newest first, then the unreleased changes), its note and how many rows
-- of each curated table it added and removed, and how many corrections it made.
WITH per_release AS (
    SELECT first_release AS release, table_name, count(*) AS added, 0 AS removed
    FROM row_releases WHERE held_now OR first_release IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT removed_in, table_name, 0, count(*) FROM row_releases WHERE NOT held_now GROUP BY ALL
),
counts AS (
    SELECT release, table_name, sum(added)::BIGINT AS added, sum(removed)::BIGINT AS removed
    FROM per_release GROUP BY ALL
)
SELECT coalesce(c.release, 'unreleased') AS release, r.released_on, r.note, c.table_name, c.added, c.removed
FROM counts c LEFT JOIN releases r USING (release)
ORDER BY r.release_number DESC NULLS FIRST, c.table_name;
