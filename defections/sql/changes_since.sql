-- What's new since release $since: the defections added, the facts corrected (the corrections log) and the
-- rows removed after it, in later releases or not released yet; each with the event card it concerns.
WITH since AS (
    SELECT release_number FROM releases WHERE release = $since
),
later AS (
    SELECT release, release_number FROM releases WHERE release_number > (SELECT release_number FROM since)
),
-- A row whose first release is later than $since, or that no release holds yet, was added after it.
added AS (
    SELECT 'defection added' AS change, rr.first_release AS release, 'defections' AS table_name,
           rr.row_key, e.person || ', ' || e.position || ' (' || e.defection_period || ')' AS what,
           NULL AS reason
    FROM row_releases rr JOIN events e ON e.event_id = rr.row_key
    WHERE rr.table_name = 'defections' AND rr.held_now
      AND (rr.first_release IS NULL OR rr.first_release IN (SELECT release FROM later))
),
corrected AS (
    SELECT 'fact corrected', c.made_in_release, c.table_name, c.row_key,
           c.column_name || ': ' || coalesce(c.previous_value, '(empty)') || ' → '
               || coalesce(c.current_value, '(empty)'),
           c.reason
    FROM corrections c
    WHERE c.made_in_release IS NULL OR c.made_in_release IN (SELECT release FROM later)
),
removed AS (
    SELECT 'row removed', removed_in, table_name, row_key, 'no longer in ' || table_name, NULL
    FROM row_releases
    WHERE NOT held_now AND (removed_in IS NULL OR removed_in IN (SELECT release FROM later))
),
changes AS (
    SELECT * FROM added UNION ALL SELECT * FROM corrected UNION ALL SELECT * FROM removed
),
-- The defection a row is about: by its key (a composite key starts with the event id), through the person,
-- or through the context event; a link only to an event the data still holds.
about AS (
    SELECT c.*,
           CASE WHEN c.table_name IN ('defections', 'defection_sources', 'event_motives')
                    THEN split_part(c.row_key, '|', 1)
                WHEN c.table_name = 'people'
                    THEN (SELECT min(d.event_id) FROM seed.defections d WHERE d.person_id = c.row_key)
                WHEN c.table_name = 'context_events'
                    THEN (SELECT ce.event_id FROM seed.context_events ce WHERE ce.context_id = c.row_key)
           END AS about_event
    FROM changes c
)
SELECT a.change, coalesce(a.release, 'unreleased') AS release, '/events?event=' || d.event_id AS event_card,
       a.table_name, a.row_key, a.what, a.reason, d.event_id
FROM about a
LEFT JOIN seed.defections d ON d.event_id = a.about_event
LEFT JOIN releases r ON r.release = a.release
ORDER BY list_position(['defection added', 'fact corrected', 'row removed'], a.change),
         r.release_number NULLS LAST, a.table_name, a.row_key;
