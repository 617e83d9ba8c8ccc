-- How many selected defections have a lag at their precision, how many have none, and the median lag.
WITH selected AS (
    FROM selected_by($filters) WHERE counted
),
lags AS (
    SELECT e.disclosure_lag_min_days AS lo, e.disclosure_lag_max_days AS hi
    FROM events e JOIN selected USING (event_id)
),
final AS (
    SELECT count(lo) AS with_lag, count(*) - count(lo) AS without_lag,
           -- The usual median (of an even count, the mean of the middle two), widened to whole days.
           floor(median(lo))::BIGINT AS median_low, ceil(median(hi))::BIGINT AS median_high
    FROM lags
)
SELECT with_lag, without_lag, median_low, median_high, lag_text(median_low, median_high) AS median
FROM final
