"""Overview: the headline figures, each with its source, and where defectors were posted."""

import streamlit as st

from defections import cache, charts, frames, queries, ui
from defections.registry import PAGES

filters = ui.filters()
ui.page_header("North Korean elite defections",
               "Who defected, from which post, when it became known, and how many elites arrive each year.", filters)
ui.guard_empty(filters)

figures = cache.cached(queries.headline_figures, filters)
for column, figure in zip(st.columns(len(figures)), frames.rows(figures)):
    with column:
        st.metric(ui.plain(figure.figure), ui.plain(figure.value), border=True)  # both are markdown
        if isinstance(figure.source_url, str):
            cited = f"Source: {ui.source_link(figure.source_title, figure.source_url)}"
        else:
            cited = "Sources: see the Events and Sources pages." if figure.figure == "Defections in view" else ""
        st.caption(f"{ui.plain(figure.detail)}  \n{cited}")

posts = cache.cached(queries.post_map, filters)
ui.chart(charts.post_map, posts, name=f"posts_{filters.describe()}", key="map")
st.caption("Marker size is the number of defections. Posts whose country no source names (e.g. “an African "
           "country”) are counted above but not mapped.")

st.subheader("What each page answers")
for page in PAGES[1:]:
    ui.page_link(page.url_path, page.answers)
