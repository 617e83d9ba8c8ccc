"""Sources and method: every source and the facts citing it, the seed document, the data dictionary,
the methodology and the changelog."""

import streamlit as st

from defections import queries, ui
from defections.paths import ROOT

filters = ui.filters()
ui.page_header("Sources and method", "Where does every number come from, and how was it coded?", filters)

sources_tab, document_tab, dictionary_tab, method_tab, changelog_tab = st.tabs(
    ["Sources", "Seed document", "Data dictionary", "Methodology", "Changelog"])

with sources_tab:
    sources = ui.run(queries.sources_list)
    ui.table(sources[["source_id", "url", "title", "publisher", "published_date", "reliability", "fact_count",
                      "document"]], "sources")
    titles = dict(zip(sources["source_id"], sources["title"]))
    source_id = st.selectbox("Facts citing a source", list(titles), key="source", bind="query-params",
                             format_func=lambda s: f"{s}: {titles[s]}")
    ui.table(ui.run(queries.citations, None, source_id), f"facts_citing_{source_id}")

with document_tab:
    for document in ui.run(queries.documents).itertuples():
        st.markdown(f"**{ui.plain(document.title)}** (`{ui.plain(document.document)}`, source {document.source_id})")
        st.text(document.text)

with dictionary_tab:
    st.caption("Generated from the database schema: every column of the curated tables. The public views "
               "(events, event_motives, yearly_counts, context_events, sources) are built from these.")
    ui.table(ui.run(queries.data_dictionary), "data_dictionary")

with method_tab:
    st.markdown((ROOT / "docs" / "methodology.md").read_text(encoding="utf-8"))

with changelog_tab:
    st.caption("Official totals are corrected after release; we keep the current figure and record the earlier one.")
    changes = ui.run(queries.revisions)
    ui.table(changes, "changelog")
