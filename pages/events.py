"""Events: the filtered defections, a search by any romanization, and one event in full."""

import streamlit as st

from defections import cache, queries, ui
from defections.export import events_file_name

ROWS_SHOWN = 1000

filters = ui.filters()
count = ui.page_header("Events", "Every selected defection; search a person by any romanization of the name.", filters)
ui.guard_empty(count)

search = st.text_input("Search a person by any recorded romanization or script (Ri Il Kyu, Ri Il-gyu, 고영환…)",
                       key="q", bind="query-params", max_chars=100)
table = cache.query(queries.events_table, filters, search, ROWS_SHOWN)
ui.download(f"Download all {count:,} selected events with their sources (CSV)",
            lambda: ui.csv_bytes(cache.query_uncached(queries.export_events, filters)), events_file_name(filters),
            "events")
if table.empty:
    st.info(f"No selected defection has a name matching “{ui.plain(search)}”. Try another spelling or clear the "
            "search.")
    st.stop()
if len(table) == ROWS_SHOWN:
    st.caption(f"Showing the {ROWS_SHOWN:,} most recent; the download holds every selected event.")
ui.table(table)

st.subheader("Event detail")
event_id = ui.pick("Event", table, "event_id", "{person} ({event_id})", key="event")
detail = cache.query(queries.event_detail, event_id)
if detail.empty:
    st.stop()
ui.table(detail, f"event_{event_id}")
st.markdown("**Motives, as reported**")
motives = cache.query(queries.event_motive_evidence, event_id)
if motives.empty:
    st.caption("No motive is reported for this defection.")
else:
    ui.table(motives, f"motives_{event_id}")
st.markdown("**Sources**")
ui.table(cache.query(queries.event_sources, event_id), f"sources_{event_id}")
