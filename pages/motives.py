"""Motives: why they left, as reported, and who says so."""

import streamlit as st

from defections import cache, charts, queries, ui, wording

filters = ui.filters()
ui.page_header("Motives", "Why did they leave, as reported, and who attributes each motive?", filters)
ui.guard_empty(filters)

counts = cache.cached(queries.motive_counts, filters)
coverage = cache.cached(queries.motive_coverage, filters).iloc[0]
st.markdown(f"**{int(coverage.defections - coverage.without_motive):,}** of the "
            f"{wording.plural(int(coverage.defections), 'selected defection')} have a reported motive; "
            f"**{int(coverage.without_motive):,}** report none and appear in no bar.")
if counts.empty:
    st.info("None of the selected defections has a reported motive.")
    ui.stop()
wide, narrow = ui.wide_and_narrow("motives")
with wide:
    ui.chart(charts.motive_bars, counts, name=f"motives_{filters.describe()}", key="motives")
with narrow:  # a phone cuts the motives' names off the bars: list them instead
    ui.bullets(ui.plain(line) for line in cache.kept(wording.motive_lines, counts))
st.caption("A defection counts once under each motive reported for it, however many sources give it; colours "
           "show who attributes it (the defector himself; North Korean, South Korean, other or unnamed officials; "
           "media; analysts), black when several sides do. The table lists the attributors behind each bar.")
ui.table(counts, f"motive_counts_{filters.describe()}")

st.subheader("The evidence behind each bar")
evidence = cache.cached(queries.motive_evidence, filters, ui.TABLE_ROWS + 1)  # one more tells that there are more
ui.table(evidence, f"motive_evidence_{filters.describe()}",
         every_row=lambda: cache.uncached(queries.motive_evidence, filters, None))
