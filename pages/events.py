"""Events: the filtered defections, a search by any romanization, and one event in full."""

import streamlit as st

from defections import cache, frames, queries, ui, wording
from defections.export import events_file_name, workbook_bytes, workbook_file_name
from defections.labels import code_label

ROWS_SHOWN = 1000
CARDS_SHOWN = 50  # cards on a phone: each is read one by one
CARD_HEAD, CARD_TEXT = ("Person", "Position"), ("Motives", "Summary", "Notes")  # the card's heading and prose

filters = ui.filters()
count = ui.page_header("Events", "Every selected defection; search a person by any romanization of the name.", filters)
ui.guard_empty(filters, rows="listed")

search = st.text_input("Search a person by any romanization or script, or a post's country or city (Hwang Jang-yeop, "
                       "Hwang Chang-yop, Yong-ho Thae, 고영환, Havana…)", key="q", bind="query-params", max_chars=100)
table = cache.cached(queries.events_table, filters, search, ROWS_SHOWN)
term = queries.search_term(search)
if not term:
    listed = int(cache.cached(queries.selection_counts, filters).iloc[0]["listed"])  # every outcome, as the CSV
    label = f"Download all {listed:,} selected rows ({count:,} counted defections) with their sources (CSV)"
elif len(table) < ROWS_SHOWN:
    label = (f"Download the {wording.plural(len(table), 'selected event')} matching “{ui.plain(term)}” with "
             f"{'its' if len(table) == 1 else 'their'} sources (CSV)")
else:
    label = f"Download every selected event matching “{ui.plain(term)}” with its sources (CSV)"
ui.download(label, lambda: ui.csv_bytes(cache.uncached(queries.export_events, filters, term)),
            events_file_name(filters, term), "events")
ui.download("The same rows as an Excel workbook (.xlsx: dates typed where known to the day, periods as text)",
            lambda: workbook_bytes(cache.uncached(queries.export_events, filters, term)),
            workbook_file_name(filters, term), "events-xlsx", mime=ui.XLSX)
ui.citation_download(events_file_name(filters, term), "events")
if table.empty:
    near = cache.cached(queries.spelling_suggestions, term)["person"].tolist()
    hint = (" Did you mean " + " or ".join(f"“{ui.plain(name)}”" for name in near) + "?") if near else ""
    st.info(f"No selected defection has a name, post or city matching “{ui.plain(search)}”.{hint} Try another "
            "spelling or clear the search (the sidebar filters apply too).")
    ui.stop()
if len(table) == ROWS_SHOWN:
    st.caption(f"Showing the {ROWS_SHOWN:,} most recent; the download holds every selected event.")
wide, narrow = ui.wide_and_narrow("events")
with wide:
    ui.table(table)
with narrow:  # a phone shows two columns of a wide table: one card per defection instead
    cards = [f"**{ui.plain(row.person)}** ({row.event_id}) · {ui.plain(row.defection_period)} · "
             f"{ui.plain(wording.or_missing(row.post_country))}  \n"
             f"{ui.plain(code_label(row.confirmation_status))}"
             f"{' by ' + ui.plain(row.confirmed_by) if isinstance(row.confirmed_by, str) else ''} · "
             f"{ui.plain(code_label(row.outcome))} · motives: {ui.plain(wording.or_missing(row.motives))}"
             for row in frames.rows(table.head(CARDS_SHOWN))]
    # One element, not one per card: a page of fewer elements redraws faster (docs/benchmarks.md).
    st.markdown("\n\n".join(cards))
    if len(table) > CARDS_SHOWN:
        st.caption(f"The {CARDS_SHOWN} most recent; search or filter to narrow, or download them all.")

st.subheader("Event detail")
event_id = ui.pick("Event", table, "event_id", "{person} ({event_id})", key="event")
detail = cache.cached(queries.event_detail, event_id)
if detail.empty:
    ui.stop()
fields = dict(zip(detail["field"], detail["value"]))
motives = cache.cached(queries.event_motive_evidence, event_id)
sources = cache.cached(queries.event_sources, event_id)
# A card read top to bottom: text wraps, nothing scrolls sideways; "—" marks what no source records.
with st.container(border=True, key="event-card"):
    st.markdown(f"#### {ui.plain(fields['Person'])}  \n:gray[{ui.plain(fields['Position'])}]")
    facts = [name for name in fields if name not in CARD_HEAD + CARD_TEXT]
    half = (len(facts) + 1) // 2
    for column, names in zip(st.columns(2), (facts[:half], facts[half:])):
        column.markdown("  \n".join(f"**{name}:** {ui.plain(wording.or_missing(fields[name]))}" for name in names))
    st.markdown(ui.plain(fields["Summary"]))
    if fields["Notes"] != wording.MISSING:
        st.caption(ui.plain(fields["Notes"]))
    st.markdown(f"**Motives, as reported** ({wording.plural(len(motives), 'attribution')})")
    if motives.empty:
        st.caption("No motive is reported for this defection.")
    lines = []
    for m in frames.rows(motives):
        gloss = f" ({ui.plain(m.quote_gloss)})" if isinstance(m.quote_gloss, str) else ""
        lines.append(f"**{ui.plain(m.motive)}**, attributed by {ui.plain(m.attributed_by)} "
                     f"({ui.plain(code_label(m.attributed_to))}): “{ui.plain(m.evidence_quote)}”{gloss} · "
                     f"{ui.source_link(m.source_title, m.source_url)}")
    ui.bullets(lines)
    st.markdown(f"**Evidence for these facts** ({wording.plural(len(sources), 'source')})")
    lines = []
    for src in frames.rows(sources):
        quote = f": “{ui.plain(src.evidence_quote)}”" if isinstance(src.evidence_quote, str) else ""
        gloss = f" ({ui.plain(src.quote_gloss)})" if isinstance(src.quote_gloss, str) else ""
        published = wording.or_missing(src.published_date.date() if hasattr(src.published_date, "date")
                                       else src.published_date)
        lines.append(f"{ui.source_link(src.title, src.url)}, {ui.plain(wording.or_missing(src.publisher))}, "
                     f"{ui.plain(published)}{quote}{gloss}")
    ui.bullets(lines)
    st.caption("The quoted sources are checked against the passage held from each (Sources page); the others are "
               "cited without a quote.")
ui.download("Download this event's facts (CSV)",
            lambda: ui.csv_bytes(detail), f"event_{event_id}.csv", f"event_{event_id}")
