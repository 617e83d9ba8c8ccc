-- Arrivals and elite figures per year within the year filter, with their sources.
SELECT year, total_arrivals, elite_count, elite_count_low, elite_count_high, elite_count_approx,
       elite_count_label, elite_count_wording, elite_count_basis, source_titles, source_urls
FROM yearly_counts
WHERE in_years(year, $year_from, $year_to)
ORDER BY year
