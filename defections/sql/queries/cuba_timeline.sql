-- The Cuba panel: every North Korea–Cuba and South Korea–Cuba event, North Korea's embassy closures (context
-- is not filtered) and the Havana defections the filters select, each with its dated period and, for a
-- defection, its disclosure; only what touches the window ($first_day, $last_day) when one is given.
-- A track with more than $max_marks items gets one mark per month, or per year if months are still too
-- many; `items` says how many a mark stands for and its summary counts them by kind.
WITH selected AS (
    FROM selected_by($filters) WHERE counted
),
havana_defections AS (
    SELECT e.* FROM events e JOIN selected USING (event_id) WHERE e.post_country = 'Cuba'
),
cuba_context AS (
    SELECT c.* FROM context_events c
    WHERE (c.actors LIKE '%Cuba%' OR (c.event_type = 'embassy closure' AND c.actors LIKE '%North Korea%'))
      -- A shown defection is drawn once, as its own bar ending at its disclosure: an event of the same
      -- defection on either date is not drawn again (the page's key facts above the chart give its text).
      AND NOT EXISTS (SELECT 1 FROM havana_defections h
                      WHERE h.event_id = c.event_id AND c.event_date IN (h.defection_date, h.disclosed_date))
),
context_item AS (
    SELECT event_date AS date, period_end(event_date, date_precision) AS period_end, event_period AS period,
           CASE WHEN event_type = 'embassy closure' AND actors NOT LIKE '%Cuba%' THEN $closures_track
                WHEN actors LIKE '%North Korea%' AND actors LIKE '%South Korea%' THEN 'Both Koreas and Cuba'
                WHEN actors LIKE '%South Korea%' THEN 'South Korea–Cuba'
                ELSE 'North Korea–Cuba' END AS track,
           event_type AS kind, summary, headline, NULL::DATE AS disclosed_date, NULL AS disclosed_period,
           main_source_title AS source_title, main_source_url AS source_url
    FROM cuba_context
),
defection_item AS (
    SELECT defection_date AS date, period_end(defection_date, date_precision) AS period_end,
           defection_period AS period, $havana_track AS track, 'defection' AS kind,
           person || ', ' || position || ' (made public ' || coalesce(disclosed_period, 'date unknown') || ')'
               AS summary,
           person || ' defects' AS headline, disclosed_date, disclosed_period,
           main_source_title AS source_title, main_source_url AS source_url
    FROM havana_defections
),
item AS (
    SELECT * FROM context_item
    UNION ALL BY NAME
    SELECT * FROM defection_item
),
in_window AS (
    -- A defection before the window whose disclosure falls in it still belongs to the story.
    SELECT * FROM item
    WHERE (CAST($first_day AS DATE) IS NULL OR greatest(period_end, disclosed_date) >= $first_day)
      AND (CAST($last_day AS DATE) IS NULL OR date <= $last_day)
),
grain AS (
    SELECT track, CASE WHEN count(*) <= $max_marks THEN 'item'
                       WHEN count(DISTINCT date_trunc('month', date)) <= $max_marks THEN 'month'
                       ELSE 'year' END AS grain
    FROM in_window GROUP BY track
),
one_by_one AS (
    SELECT date, period_end, period, track, kind, summary, headline, disclosed_date, disclosed_period,
           source_title, source_url, 1::BIGINT AS items
    FROM in_window JOIN grain USING (track)
    WHERE grain = 'item'
),
per_kind AS (
    SELECT CASE grain WHEN 'month' THEN date_trunc('month', date) ELSE date_trunc('year', date) END AS bucket,
           grain, track, kind, count(*) AS n
    FROM in_window JOIN grain USING (track)
    WHERE grain <> 'item'
    GROUP BY ALL
),
bucketed AS (
    -- Too many to draw one by one: one mark per month or year and track, saying how many of each kind.
    -- A bucket is a period of the grain's precision ('month' or 'year'), so it ends and reads as one.
    SELECT bucket AS date, period_end(bucket, grain) AS period_end, period_label(bucket, grain) AS period,
           track,
           CASE WHEN track = $havana_track THEN 'defections' ELSE 'events' END AS kind,
           sum(n) || CASE WHEN track = $havana_track
                          THEN if(sum(n) = 1, ' defection', ' defections') || ' from the Havana post'
                          ELSE if(sum(n) = 1, ' event: ', ' events: ')
                               || string_agg(n || ' ' || kind, ', ' ORDER BY n DESC, kind) END AS summary,
           NULL AS headline, NULL::DATE AS disclosed_date, NULL AS disclosed_period,
           NULL AS source_title, NULL AS source_url, sum(n)::BIGINT AS items
    FROM per_kind
    GROUP BY bucket, grain, track
),
final AS (
    SELECT * FROM one_by_one
    UNION ALL BY NAME
    SELECT * FROM bucketed
)
SELECT date, period_end, period, track, kind, summary, headline, disclosed_date, disclosed_period,
       source_title, source_url, items
FROM final
ORDER BY date, track, summary, source_url, kind, period_end  -- a total order: the same CSV every time
