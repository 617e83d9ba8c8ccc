"""Sources and method: every source and the facts citing it, the seed document, the data dictionary,
the methodology, the changelog, what's new since a release, and the whole dataset in one download."""

import streamlit as st

from defections import bundle, cache, frames, queries, release, ui
from defections.paths import ROOT

filters = ui.filters()
ui.page_header("Sources and method", "Where does every number come from, and how was it coded?", filters)
# The zip is made only on a click; the same database gives the same bytes as the CLI's export bundle.
ui.download("Download the whole dataset (zip: every table as CSV and Parquet, the data dictionary, the methodology, "
            "the licence, the citation and the release notes)", lambda: cache.uncached(bundle.bundle_bytes),
            cache.cached(bundle.file_name), "bundle", mime="application/zip")

# Bound to the URL (?tab=Changelog), so a link opens a tab; only the open tab runs and is sent.
TABS = ["Sources", "Seed document", "Data dictionary", "Methodology", "Changelog", "What's new"]
ui.dropped_choice("tab", TABS)
sources_tab, document_tab, dictionary_tab, method_tab, changelog_tab, news_tab = st.tabs(TABS, key="tab",
                                                                                         bind="query-params")

if sources_tab.open:
    with sources_tab:
        sources = cache.cached(queries.sources_list)
        ui.table(sources, "sources")
        source_id = ui.pick("Facts citing a source", sources, "source_id", "{source_id}: {title}", key="source")
        # One row more than a table shows tells that there are more; the download fetches them all.
        ui.table(cache.cached(queries.citations, source_id, ui.TABLE_ROWS + 1), f"facts_citing_{source_id}",
                 every_row=lambda: cache.uncached(queries.citations, source_id, None))
        passage = cache.cached(queries.held_passage, source_id)
        if passage.empty:
            st.caption("No passage of this source is held, so none of its words are quoted as evidence.")
        for held in frames.rows(passage):
            if not isinstance(held.url, str):
                st.caption("This is the client's seed document: the Seed document tab shows it in full.")
                continue
            st.markdown(f"**The passage we hold** ({ui.plain(held.document)}), read on {ui.plain(held.read_on)} at "
                        f"{ui.source_link(held.url, held.url)}")
            with st.container(border=True):
                st.markdown(ui.plain(held.text).replace("\n", "\n\n"))

if document_tab.open:
    with document_tab:
        for document in frames.rows(cache.cached(queries.documents)):
            st.markdown(f"**{ui.plain(document.title)}** ({ui.plain(document.document)}, "
                        f"source {ui.plain(document.source_id)})")
            st.text(document.text)

if dictionary_tab.open:
    with dictionary_tab:
        st.caption("Generated from the database schema: every column of the public views (query these, in the "
                   "DuckDB CLI too), then of the curated tables in schema seed that the views are built from.")
        ui.table(cache.cached(queries.data_dictionary), "data_dictionary")

if method_tab.open:
    with method_tab:
        st.markdown((ROOT / "docs" / "methodology.md").read_text(encoding="utf-8"))

if changelog_tab.open:
    with changelog_tab:
        st.subheader("Corrections of curated facts")
        st.caption("Every value we changed after it was first published here, why, and the source that shows "
                   "the new value: check an earlier export against this list. On 1 December 2026 the confirmation "
                   "status `reported` was split into `multiple-reports` and `single-report`, and attributions by "
                   "`officials` into North Korean, South Korean, other and unnamed officials; rows whose only "
                   "change was that recoding are not listed.")
        ui.table(cache.cached(queries.corrections), "corrections")
        st.subheader("Revised official figures")
        st.caption("Official totals are corrected after release; we keep the current figure and record the "
                   "earlier one.")
        ui.table(cache.cached(queries.revisions), "changelog")

if news_tab.open:
    with news_tab:
        status = cache.cached(release.release_status).iloc[0]
        if not status["is_release"]:
            st.info(ui.plain(release.unreleased_message(status["label"])))
        releases = cache.cached(release.release_list)
        since = ui.pick("Changes since release", releases, "release", "{release} (released {released_on:%-d %B %Y})",
                        key="since")
        if since is None:
            ui.stop()
        changes = cache.cached(release.changes_since, since)
        st.caption("Defections added, facts corrected (the changelog) and rows removed after that release, each "
                   "with the release that brought it (unreleased: not in a release yet) and its event card.")
        if changes.empty:
            st.info(f"Nothing has changed since release {ui.plain(since)}.")
        else:
            ui.table(changes, f"changes_since_{since}_in_{release.file_label(status['label'])}")
