"""Timeline: each defection at its date precision, its disclosure lag, and the yearly arrivals."""

import streamlit as st

from defections import cache, charts, queries, ui, wording

MAX_MARKS = 500  # above this many events, draw monthly counts instead of one bar per event

filters = ui.filters()
count = ui.page_header("Timeline", "When did each defection happen, and how long until it became known?", filters)
ui.guard_empty(count)

show_context = st.toggle("Show diplomatic context events on the same axis", value=True, key="context",
                         bind="query-params")
if count <= MAX_MARKS:
    events = cache.query(queries.timeline_events, filters, MAX_MARKS)
    context = cache.query(queries.timeline_context, filters) if show_context else None
    wide, narrow = ui.wide_and_narrow("timeline")
    with wide:
        ui.chart(charts.defection_timeline, events, context, name=f"timeline_{filters.describe()}", key="timeline")
    with narrow:  # a phone leaves the chart about 100 px for 70+ bars: list them instead
        for decade, lines in wording.timeline_lines(events):
            st.markdown(f"**{decade}**\n" + "\n".join(f"- {ui.plain(line)}" for line in lines))
    st.caption("A bar spans the period a source dates the defection to: a day, a month (“November 2023”) or a "
               "whole year. The dotted line runs to the day it was made public. Rows are grouped by decade; narrow the "
               "years in the sidebar to zoom in.")
else:
    density = cache.query(queries.timeline_density, filters)
    st.info(f"{count:,} defections are too many to draw one by one; showing counts per month.")
    ui.chart(charts.timeline_density, density, name=f"timeline_monthly_{filters.describe()}", key="density")

years = cache.query(queries.yearly_figures, filters)
if len(years):
    ui.chart(charts.yearly_arrivals, years, name=f"yearly_arrivals_{filters.describe()}", key="yearly")
    st.caption("Elite figures exist only for a few years and are often approximate (~) or partial; "
               "the Sources page lists each year's sources.")
