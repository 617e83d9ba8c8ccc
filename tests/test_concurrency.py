"""Many analysts at once: sessions share ONE read-only connection and still get exactly their own answers.

Streamlit serves every session from threads of one process, and defections/cache.py keeps a single
connection for all of them; db.frame gives each query its own cursor. These tests run the pages'
queries from several threads at once and compare with a single-threaded run of the same filters.

AppTest itself cannot run in threads: each run swaps process-wide globals (Runtime._instance, the
pages manager, config options), so concurrent instances fail with "Runtime hasn't been created!" or a
missing session-state key -- in the test harness, not in the app. The AppTest test below therefore
interleaves 20 sessions in one thread; the real multi-browser test is tests/test_browser.py.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
from helpers import open_page, script, selected_count

from defections import queries
from defections.export import csv_bytes
from defections.filters import Filters

ROOT = Path(__file__).resolve().parent.parent
SESSIONS = 5  # threads querying one connection at once: enough to interleave every query
EXPORTS = 2  # each session downloads the events CSV this many times, beside its visit's own
SEARCHES = ["", "ri il", "Kim", "리", "' OR 1=1 --"]


def filter_sets(con, n: int = SESSIONS) -> list[Filters]:
    """n different filter sets over the real years, posts and categories."""
    options = queries.filter_options(con)
    lo, hi = options["years"]
    posts, categories = options["posts"], options["categories"]
    span = hi - lo + 1
    sets = []
    for i in range(n):
        a, b = sorted((lo + i % span, hi - (3 * i) % span))
        sets.append(Filters(a, b, posts=(posts[i % len(posts)],) if i % 3 == 1 else (),
                            categories=(categories[i % len(categories)],) if i % 4 == 2 else ()))
    return sets


def session(con, filters: Filters, search: str) -> dict:
    """What one analyst's visit to every page asks the database, as comparable values."""
    table = queries.events_table(con, filters, search, 1000)
    event_id = table["event_id"].iloc[0] if len(table) else "E27"
    source_id = queries.sources_list(con)["source_id"].iloc[-1]
    results = {
        "filter_options": queries.filter_options(con),
        "as_of": queries.as_of(con),
        "events_in_view": queries.events_in_view(con, filters),
        "selection_counts": queries.selection_counts(con, filters),
        "headline_figures": queries.headline_figures(con, filters),
        "post_map": queries.post_map(con, filters),
        "timeline_events": queries.timeline_events(con, filters, 500),
        "timeline_density": queries.timeline_density(con, filters),
        "yearly_figures": queries.yearly_figures(con, filters),
        "yearly_trend": [queries.yearly_trend(con, filters, by, stack).to_csv(index=False)
                         for by in queries.TREND_BY for stack in queries.TREND_STACK],
        "lag_distribution": queries.lag_distribution(con, filters, 500),
        "lag_summary": queries.lag_summary(con, filters),
        "context_timeline": queries.context_timeline(con, filters),
        "timeline_context": queries.timeline_context(con, filters),
        "motive_counts": queries.motive_counts(con, filters),
        "motive_evidence": queries.motive_evidence(con, filters),
        "cuba_timeline": [queries.cuba_timeline(con, filters).to_csv(index=False),
                          queries.cuba_timeline(con, filters, 300, queries.HAVANA_SEQUENCE).to_csv(index=False)],
        "commentary": queries.commentary(con, filters),
        "havana_background": queries.havana_background(con, filters),
        "decade_totals": queries.decade_totals(con, filters),
        "motive_coverage": queries.motive_coverage(con, filters),
        "spelling_suggestions": queries.spelling_suggestions(con, search or "Hwang Jang-yap"),
        "events_listed": queries.events_listed(con, filters),
        "events_table": table,
        "search_term": queries.search_term(search),
        "export_events": csv_bytes(queries.export_events(con, filters)),  # the Events page download
        "export_events_searched": csv_bytes(queries.export_events(con, filters, search)),
        "event_detail": queries.event_detail(con, event_id),
        "event_motive_evidence": queries.event_motive_evidence(con, event_id),
        "event_sources": queries.event_sources(con, event_id),
        "sources_list": queries.sources_list(con),
        "citations": queries.citations(con, source_id),
        "held_passage": queries.held_passage(con, source_id),
        "documents": queries.documents(con),
        "data_dictionary": queries.data_dictionary(con),
        "dictionary_markdown": queries.dictionary_markdown(queries.data_dictionary(con)),
        "revisions": queries.revisions(con),
        "corrections": queries.corrections(con),
    }
    return {name: value.to_csv(index=False) if isinstance(value, pd.DataFrame) else value
            for name, value in results.items()}


def test_sessions_run_every_query_a_page_calls(con):
    # The pages and the package's Streamlit helpers, in whichever modules they live.
    sources = [*(ROOT / "pages").glob("*.py"), *(ROOT / "defections").glob("*.py")]
    called = {name for path in sources for name in re.findall(r"queries\.(\w+)", path.read_text(encoding="utf-8"))
              if callable(getattr(queries, name, None))}
    assert called <= set(session(con, Filters(), ""))


def test_concurrent_sessions_on_one_connection_get_single_threaded_results(con):
    work = [(filters, SEARCHES[i % len(SEARCHES)]) for i, filters in enumerate(filter_sets(con))]
    expected = [session(con, filters, search) for filters, search in work]
    start = threading.Barrier(len(work))

    def visit(job):
        start.wait()  # every thread starts querying at the same moment
        downloads = [csv_bytes(queries.export_events(con, job[0])) for _ in range(EXPORTS - 1)]
        return session(con, *job), downloads

    with ThreadPoolExecutor(max_workers=len(work)) as pool:
        futures = [pool.submit(visit, job) for job in work]
    errors = [repr(f.exception()) for f in futures if f.exception() is not None]
    assert errors == []
    for want, future in zip(expected, futures, strict=True):
        got, downloads = future.result()
        assert got == want
        assert downloads == [want["export_events"]] * (EXPORTS - 1)
    assert len({r["events_in_view"] for r in expected}) > 3  # the sessions really asked different questions


def test_interleaved_app_sessions_each_see_their_own_filters(db_path, con):
    sets = filter_sets(con, 20)
    apps = [open_page(years=[str(filters.year_from), str(filters.year_to)], post=list(filters.posts),
                      category=list(filters.categories)) for filters in sets]
    for at in apps:  # every session takes its next step only after all the others took theirs
        at.switch_page(script("events")).run()
    for at, filters in zip(apps, sets, strict=True):
        assert not at.exception, [e.value for e in at.exception]
        assert selected_count(at) == queries.events_in_view(con, filters)
