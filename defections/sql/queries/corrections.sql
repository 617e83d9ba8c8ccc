-- The data changelog: every correction of a curated fact, with its reason and source.
SELECT correction_id, table_name, row_key, column_name, previous_value, current_value, corrected_on, reason,
       source_title, source_url, coalesce(made_in_release, 'unreleased') AS made_in_release
FROM corrections
ORDER BY corrected_on, correction_id
