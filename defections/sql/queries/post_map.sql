-- Defections per post with coordinates, for the map; posts with unknown places are left out.
WITH selected AS (
    FROM selected_by($filters) WHERE counted
),
ranked AS (
    SELECT d.*, row_number() OVER (PARTITION BY d.post_id ORDER BY d.defection_date DESC) AS rn
    FROM seed.defections d JOIN selected USING (event_id)
),
final AS (
    SELECT po.post_country, po.post_city,
           po.post_country || coalesce(', ' || po.post_city, '') AS post,
           po.latitude, po.longitude, count(*) AS defections,
           string_agg(p.name, '; ' ORDER BY d.defection_date) FILTER (WHERE rn <= 5) AS people
    FROM ranked d JOIN seed.posts po USING (post_id) JOIN seed.people p USING (person_id)
    WHERE po.latitude IS NOT NULL
    GROUP BY ALL
)
SELECT post_country, post_city, post, latitude, longitude, defections, people
FROM final
ORDER BY defections DESC, post
