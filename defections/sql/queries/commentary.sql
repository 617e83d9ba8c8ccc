-- Attributed assessments (experts, officials) within the year filter, the most recent first.
SELECT speaker, speaker_role, attributed_to, stated_date, strftime(stated_date, '%-d %B %Y') AS stated_on,
       summary, quote, event_id, year, source_title, source_url
FROM commentary
WHERE stated_date IS NULL OR (in_years(coalesce(year, year(stated_date)), $year_from, $year_to))
ORDER BY stated_date DESC NULLS LAST, commentary_id
LIMIT $limit
