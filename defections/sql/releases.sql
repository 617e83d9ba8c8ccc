-- Releases of the curated data: public views over seed.releases and seed.release_rows, compared with what
-- the build found in the seeds (curated_digest, row_keys). Run before views.sql, whose corrections view
-- says in which release each correction was made. See defections/release.py and README "Citing a release".

-- In the order they were made: by date, then by the numbers in the version (2026.12.2 before 2026.12.10).
CREATE VIEW releases AS
SELECT release, released_on, note, digest,
       row_number() OVER (ORDER BY released_on,
                          list_transform(string_split(release, '.'), lambda part: coalesce(TRY_CAST(part AS BIGINT), 0)),
                          release) AS release_number
FROM seed.releases;
COMMENT ON VIEW releases IS 'Every release of the curated data, oldest first (release_number 1).';
COMMENT ON COLUMN releases.release IS 'Version (2026.12.1).';
COMMENT ON COLUMN releases.released_on IS 'When it was recorded.';
COMMENT ON COLUMN releases.note IS 'What it brings, in the curators'' words.';
COMMENT ON COLUMN releases.digest IS 'sha256 of the curated data it holds.';
COMMENT ON COLUMN releases.release_number IS 'Its place in the order of releases, 1 for the first.';

-- One row. The data is a release only when its digest is the last release's: any edit since, however
-- small, makes it "unreleased changes since" that release, so no export passes edited data off as it.
CREATE VIEW release_status AS
WITH latest AS (SELECT * FROM releases ORDER BY release_number DESC LIMIT 1),
final AS (
    SELECT l.release AS last_release, l.released_on AS last_released_on, d.digest AS data_digest,
           coalesce(l.digest = d.digest, false) AS is_release,
           CASE WHEN l.release IS NULL THEN 'unreleased (no release recorded yet)'
                WHEN l.digest = d.digest THEN 'release ' || l.release
                ELSE 'unreleased changes since ' || l.release END AS label
    FROM curated_digest d LEFT JOIN latest l ON true
)
SELECT * FROM final;
COMMENT ON VIEW release_status IS 'Whether this data is a recorded release, or holds unreleased changes since the last one.';
COMMENT ON COLUMN release_status.last_release IS 'The last recorded release (NULL before the first).';
COMMENT ON COLUMN release_status.last_released_on IS 'When it was recorded.';
COMMENT ON COLUMN release_status.data_digest IS 'sha256 of the curated data in this database.';
COMMENT ON COLUMN release_status.is_release IS 'true when data_digest is the last release''s digest.';
COMMENT ON COLUMN release_status.label IS '"release 2026.12.1" or "unreleased changes since 2026.12.1", as exports say it.';

-- Every row key the curated tables hold now or held in a release. A row first appeared in the first release
-- that listed it as added; one removed by a release and back since is new again (first_release NULL).
CREATE VIEW row_releases AS
WITH listed AS (
    SELECT rr.table_name, rr.row_key, rr.change::VARCHAR AS change, r.release, r.release_number
    FROM seed.release_rows rr JOIN releases r USING (release)
),
history AS (
    SELECT table_name, row_key,
           arg_max(change, release_number) AS last_change,
           arg_max(release, release_number) AS last_listed,
           arg_min(release, release_number) FILTER (WHERE change = 'added') AS first_added
    FROM listed GROUP BY table_name, row_key
),
final AS (
    SELECT coalesce(k.table_name, h.table_name) AS table_name, coalesce(k.row_key, h.row_key) AS row_key,
           k.row_key IS NOT NULL AS held_now,
           CASE WHEN k.row_key IS NULL OR h.last_change = 'added' THEN h.first_added END AS first_release,
           CASE WHEN k.row_key IS NULL AND h.last_change = 'removed' THEN h.last_listed END AS removed_in
    FROM row_keys k FULL JOIN history h USING (table_name, row_key)
)
SELECT * FROM final;
COMMENT ON VIEW row_releases IS 'Every row of the curated tables, now or in a release: the release it first appeared in, and the one that removed it.';
COMMENT ON COLUMN row_releases.table_name IS 'The curated table (seed.<table_name>).';
COMMENT ON COLUMN row_releases.row_key IS 'The row''s primary key; the columns of a composite key joined by |.';
COMMENT ON COLUMN row_releases.held_now IS 'true when the row is in this database.';
COMMENT ON COLUMN row_releases.first_release IS 'The release it first appeared in; NULL while it is in no release yet.';
COMMENT ON COLUMN row_releases.removed_in IS 'The release that removed it; NULL if held now, or if its removal is not released yet.';
