"""Events: the filtered defections, a search by any romanization, and one event in full."""

import streamlit as st

from defections import queries, ui
from defections.export import events_file_name

ROWS_SHOWN = 1000

filters = ui.filters()
count = ui.page_header("Events", "Every selected defection; search a person by any romanization of the name.", filters)
ui.guard_empty(count)

search = st.text_input("Search a person by any recorded romanization or script (Ri Il Kyu, Ri Il-gyu, 고영환…)",
                       key="q", bind="query-params", max_chars=100)
table = ui.run(queries.events_table, filters, search, ROWS_SHOWN)
term = queries.search_term(search)
if not term:
    label = f"Download all {count:,} selected events with their sources (CSV)"
elif len(table) < ROWS_SHOWN:
    label = f"Download the {len(table):,} selected events matching “{ui.plain(term)}” with their sources (CSV)"
else:
    label = f"Download every selected event matching “{ui.plain(term)}” with its sources (CSV)"
ui.download(label, lambda: ui.csv_bytes(ui.fetch(queries.export_events, filters, term)),
            events_file_name(filters, term), "events")
ui.citation_download(events_file_name(filters, term), "events")
if table.empty:
    st.info(f"No selected defection has a name matching “{ui.plain(search)}”. Try another spelling or clear the "
            "search.")
    st.stop()
if len(table) == ROWS_SHOWN:
    st.caption(f"Showing the {ROWS_SHOWN:,} most recent; the download holds every selected event.")
ui.table(table)

st.subheader("Event detail")
event_id = ui.pick("Event", table, "event_id", "{person} ({event_id})", key="event")
detail = ui.run(queries.event_detail, None, event_id)
if detail.empty:
    st.stop()
ui.table(detail, f"event_{event_id}")
st.markdown("**Motives, as reported**")
motives = ui.run(queries.event_motive_evidence, None, event_id)
if motives.empty:
    st.caption("No motive is reported for this defection.")
else:
    ui.table(motives, f"motives_{event_id}")
st.markdown("**Sources**")
ui.table(ui.run(queries.event_sources, None, event_id), f"sources_{event_id}")
