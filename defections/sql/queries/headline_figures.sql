-- Overview headline figures, each with the source behind it.
WITH selected AS (
    FROM selected_by($filters) WHERE counted
),
in_view AS (
    SELECT count(DISTINCT event_id) AS n, count(DISTINCT ds.source_id) AS sources
    FROM selected LEFT JOIN seed.defection_sources ds USING (event_id)
),
latest_elite AS (
    SELECT * FROM yearly_counts
    WHERE elite_count_label IS NOT NULL AND in_years(year, $year_from, $year_to)
    ORDER BY year DESC LIMIT 1
),
latest_event AS (
    SELECT e.* FROM events e JOIN selected USING (event_id)
    ORDER BY e.defection_date DESC, e.event_id DESC LIMIT 1
),
final AS (
    SELECT 1 AS position, 'Defections in view' AS figure, n::VARCHAR AS value,
           'citing ' || sources || ' sources' AS detail, NULL AS source_title, NULL AS source_url
    FROM in_view
    UNION ALL
    SELECT 2, 'Elite arrivals in ' || year, elite_count_label,
           coalesce('"' || elite_count_wording || '" of ', '') || coalesce(total_arrivals::VARCHAR, '?')
               || ' arrivals in South Korea. A national figure: the post, category and confirmation filters '
               || 'do not apply to it',
           main_source_title, main_source_url
    FROM latest_elite
    UNION ALL
    SELECT 3, 'Most recent defection', defection_period,
           person || ' · ' || post_country || coalesce(' (' || post_city || ')', '') || ' · made public '
               || coalesce(disclosed_period || coalesce(', ' || disclosure_lag || ' later',
                                                        ' (the dates are too coarse for a lag)'), 'date unknown'),
           main_source_title, main_source_url
    FROM latest_event
)
SELECT figure, value, detail, source_title, source_url
FROM final
ORDER BY position
