"""Diplomatic context: Cuba and the two Koreas, the Havana defection, what experts and officials said."""

import streamlit as st

from defections import cache, charts, frames, queries, ui, wording
from defections.labels import code_label, event_link

REMARKS_SHOWN = 10  # cards are read one by one; each costs the browser more than a table row
# The URL holds the option as shown (?view=Whole+history): Streamlit binds the label, not a code.
PERIODS = SEQUENCE, HISTORY = "Havana sequence, 2022–2025", "Whole history"

filters = ui.filters()
ui.page_header("Diplomatic context",
               "How do the Cuba–South Korea ties of 14 February 2024 and North Korea's embassy closures "
               "relate to the defections?", filters)

for fact in frames.rows(cache.cached(queries.havana_background, filters)):
    st.markdown(f"{ui.plain(fact.event_period)}: **{ui.plain(fact.summary)}** "
                f"{ui.source_link(fact.source_title, fact.source_url)} · "
                f"{event_link(str(fact.person) + ': event card', fact.event_id)}")

ui.dropped_choice("view", PERIODS)
view = st.segmented_control("Period shown", PERIODS, default=SEQUENCE, required=True, key="view",
                            bind="query-params")
if view == HISTORY:
    items = cache.cached(queries.cuba_timeline, filters)
    ui.chart(charts.cuba_timeline, items, name=f"cuba_timeline_{filters.describe()}", key="cuba")
    aggregated = (" A track with too many items to draw one by one has one mark per month or year; hover a mark "
                  "for what it stands for.") if items["items"].gt(1).any() else ""
    st.caption("Cuba's whole diplomatic history with the two Koreas, and North Korea's embassy closures. The "
               "Havana defection came three months before the ties of February 2024, which its defector had "
               "worked to block; the ties did not cause it. Stars are defections from the North Korean embassy in "
               f"Havana that the sidebar filters select, each running on to the diamond of its disclosure.{aggregated}")
else:
    items = cache.cached(queries.cuba_timeline, filters, 300, queries.HAVANA_SEQUENCE)
    wide, narrow = ui.wide_and_narrow("havana")
    if items.empty:  # an empty chart would never draw: say so instead
        st.info("No Cuba event and no selected Havana defection falls in these months; see the whole history.")
    else:
        with wide:
            ui.chart(charts.havana_sequence, items, name=f"havana_sequence_{filters.describe()}", key="cuba")
        with narrow:
            ui.bullets(f"**{ui.plain(when)}**: {ui.plain(what)}"
                       for when, what in cache.kept(wording.havana_sequence_lines, items))
    st.caption("North Korea's embassy closures, the defection of its counsellor in Havana, the ties of 14 February "
               "2024 and the embassies opened after, with the month a defection is dated to and the day it was made "
               "public on one row. Grey dots are the other Cuba events of these months; hover for each. Defections "
               "follow the sidebar filters; context events do not.")

left, right = st.columns(2)
with left:
    st.subheader("What experts and officials said")
    remarks = cache.cached(queries.commentary, filters, REMARKS_SHOWN + 1)  # one more tells that there are more
    if remarks.empty:
        st.info("No attributed commentary in the selected years.")
    if len(remarks) > REMARKS_SHOWN:
        st.caption(f"The {REMARKS_SHOWN} most recent remarks; the download holds every one in the selected years.")
        ui.download("Download every remark in the selected years (CSV)",
                    lambda: ui.csv_bytes(cache.uncached(queries.commentary, filters, None)),
                    f"commentary_{filters.describe()}.csv", "commentary")
    for remark in frames.rows(remarks.head(REMARKS_SHOWN)):
        with st.container(border=True):
            if isinstance(remark.quote, str):
                st.markdown(f"> “{ui.plain(remark.quote)}”")
            st.markdown(ui.plain(remark.summary))
            role = f", {ui.plain(remark.speaker_role)}" if isinstance(remark.speaker_role, str) else ""
            link = ui.source_link(remark.source_title, remark.source_url)
            if isinstance(remark.event_id, str):
                link += " · " + event_link("event card", remark.event_id)
            st.caption(f"{ui.plain(remark.speaker)}{role} ({ui.plain(code_label(remark.attributed_to))}), "
                       f"{ui.plain(remark.stated_on) or 'date unknown'} · {link}")
with right:
    st.subheader("Elite arrivals per year (national figures)")
    years = cache.cached(queries.yearly_figures, filters)
    ui.chart(charts.yearly_arrivals, years, name=f"yearly_arrivals_{filters.describe()}", key="context-yearly")
    st.caption("Official figures filled, press figures hollow, approximate ones hatched; no filter applies.")

st.subheader("All diplomatic context events")
context = cache.cached(queries.context_timeline, filters)
ui.table(context, f"context_events_{filters.describe()}", hide=("event_date", "source_urls"))
