"""The record's evidence: every defection, motive attribution and elite figure rests on a quote found in
a passage we hold; the build refuses what breaks that; corrections and confirmation reach the analyst."""

from __future__ import annotations

import os

import pytest
from helpers import assert_reported, edit, find, line_of, open_page, rows, run_cli, script, selected_count, sha256

from defections import queries
from defections.db import frame
from defections.documents import MAX_DOCUMENT_BYTES, normalize_text, parse_document
from defections.export import events_file_name
from defections.filters import Filters
from defections.labels import plain, source_link


def held_evidence(con, fact_table: str) -> set:
    """The facts of one table with at least one quote that occurs in its source's held passage."""
    quotes = frame(con, "SELECT e.fact_id, e.quote, d.text FROM evidence e JOIN documents d USING (document) "
                        "WHERE e.fact_table = $t", {"t": fact_table})
    return {f for f, q, text in quotes.itertuples(index=False) if normalize_text(q) in normalize_text(text)}


def test_every_defection_has_a_quote_found_in_its_held_document(con):
    events = set(frame(con, "SELECT event_id FROM events")["event_id"])
    assert len(events) >= 65
    assert events - held_evidence(con, "defections") == set()


def test_every_motive_attribution_has_a_quote_found_in_its_held_document(con):
    attributions = frame(con, "SELECT event_id || '/' || motive_code || '/' || attributed_to AS fact_id "
                              "FROM event_motives")["fact_id"]
    assert len(attributions) > 30
    assert set(attributions) - held_evidence(con, "event_motives") == set()


def test_every_elite_figure_has_a_quote_found_in_its_held_document(con):
    years = frame(con, "SELECT year::VARCHAR AS year FROM yearly_counts WHERE elite_count_label IS NOT NULL")["year"]
    assert len(years) >= 4
    assert set(years) - held_evidence(con, "yearly_counts") == set()


def test_record_spans_1950_to_the_2020s(con):
    first, last = con.execute("SELECT min(defection_year), max(defection_year) FROM events").fetchone()
    assert first == 1950 and last >= 2024


def test_non_english_quotes_carry_an_english_gloss(con):
    unglossed = frame(con, "SELECT fact_table, fact_id, quote FROM evidence WHERE fact_table <> 'commentary' "
                           "AND regexp_matches(quote, '[가-힣]') AND quote_gloss IS NULL")
    assert len(frame(con, "SELECT 1 FROM evidence WHERE regexp_matches(quote, '[가-힣]')")) > 0
    assert unglossed.values.tolist() == []


def test_every_held_passage_was_read_on_the_page_its_source_cites(con):
    pages = frame(con, "SELECT s.source_id, s.url, d.url AS read_at FROM sources s JOIN documents d USING (document) "
                       "WHERE s.reliability <> 'client'")
    assert len(pages) > 50
    assert pages[pages["url"] != pages["read_at"]].values.tolist() == []


# --- The build refuses broken evidence, naming file:line: column ----------------------------------------

def web_passage(seeds) -> dict:
    """A source held as a passage read on a public page (not the client's document), cited by a defection."""
    cited = {r["source_id"] for r in rows(seeds, "defection_sources") if r["evidence_quote"]}
    return next(r for r in rows(seeds, "sources") if r["document"] and r["reliability"] != "client"
                and r["source_id"] in cited)


def build_cli(seeds, db):
    return run_cli("build", "--seeds", seeds, "--db", db)


def test_a_changed_quote_fails_the_build_and_keeps_the_database(seeds_copy, built_copy, tmp_path):
    db = built_copy(tmp_path / "defections.duckdb")
    before = sha256(db)
    source = web_passage(seeds_copy)["source_id"]
    line = edit(seeds_copy, "defection_sources", {"source_id": source},
                {"evidence_quote": "he left to open a restaurant in Seoul"})
    result = build_cli(seeds_copy, db)
    assert_reported(result, seeds_copy / "defection_sources.csv", line, "evidence_quote",
                    f"does not occur in the document of source {source}")
    assert sha256(db) == before


def test_a_removed_document_fails_the_build(seeds_copy, tmp_path):
    source = web_passage(seeds_copy)
    (seeds_copy / "documents" / source["document"]).unlink()
    line = line_of(seeds_copy, "sources", {"source_id": source["source_id"]})
    assert_reported(build_cli(seeds_copy, tmp_path / "x.duckdb"), seeds_copy / "sources.csv", line, "document",
                    "is not a regular file")


def test_a_passage_read_on_another_page_is_refused(seeds_copy):
    source = web_passage(seeds_copy)
    line = edit(seeds_copy, "sources", {"source_id": source["source_id"]}, {"url": "https://example.org/other"})
    assert_reported(run_cli("validate", "--seeds", seeds_copy), seeds_copy / "sources.csv", line, "url",
                    "differs from the document's header url")


def assert_document_refused(seeds, damage, fragment: str) -> None:
    """Damage the held document of a web source; validate names that source's row, column document."""
    source = web_passage(seeds)
    damage(seeds / "documents" / source["document"])
    line = line_of(seeds, "sources", {"source_id": source["source_id"]})
    assert_reported(run_cli("validate", "--seeds", seeds), seeds / "sources.csv", line, "document", fragment)


def test_a_document_without_its_header_is_refused(seeds_copy):
    def strip_header(path):
        path.write_text(parse_document(path.read_text(encoding="utf-8")).text, encoding="utf-8")
    assert_document_refused(seeds_copy, strip_header, "has no header")


def test_a_linked_document_is_refused_and_never_read(seeds_copy):
    def link(path):
        path.unlink()
        os.symlink("/etc/hostname", path)
    assert_document_refused(seeds_copy, link, "is not a regular file")


def test_an_oversized_document_is_refused(seeds_copy):
    def inflate(path):
        path.write_text(path.read_text(encoding="utf-8") + "x" * MAX_DOCUMENT_BYTES, encoding="utf-8")
    assert_document_refused(seeds_copy, inflate, "hold the passage read, not the whole page")


def test_a_quote_from_a_page_we_do_not_hold_is_refused(seeds_copy):
    unheld = find(seeds_copy, "sources", document="")["source_id"]
    line = edit(seeds_copy, "defection_sources", 0, {"source_id": unheld, "evidence_quote": "words nobody can check"})
    assert_reported(run_cli("validate", "--seeds", seeds_copy), seeds_copy / "defection_sources.csv", line,
                    "evidence_quote", "has no held document, so the quote cannot be checked")


@pytest.mark.parametrize("quote", ["a", "North Korea"])
def test_a_quote_too_short_to_be_evidence_is_refused(seeds_copy, quote):
    line = edit(seeds_copy, "event_motives", 0, {"evidence_quote": quote})
    assert_reported(run_cli("validate", "--seeds", seeds_copy), seeds_copy / "event_motives.csv", line,
                    "evidence_quote", "too short to be evidence")


def test_a_korean_quote_needs_an_english_gloss(seeds_copy):
    korean = next(r for r in rows(seeds_copy, "defection_sources") if r["quote_gloss"])
    line = edit(seeds_copy, "defection_sources", {"event_id": korean["event_id"], "source_id": korean["source_id"]},
                {"quote_gloss": ""})
    assert_reported(run_cli("validate", "--seeds", seeds_copy), seeds_copy / "defection_sources.csv", line,
                    "quote_gloss", "the quote is not in English")


def test_a_defection_without_a_verified_quote_is_refused(seeds_copy):
    event = rows(seeds_copy, "defections")[0]["event_id"]
    for row in rows(seeds_copy, "defection_sources"):
        if row["event_id"] == event and row["evidence_quote"]:
            edit(seeds_copy, "defection_sources", {"event_id": event, "source_id": row["source_id"]},
                 {"evidence_quote": "", "quote_gloss": ""})
            # a held source must keep a quote: cite it no more
    result = run_cli("validate", "--seeds", seeds_copy)
    assert_reported(result, seeds_copy / "defections.csv", line_of(seeds_copy, "defections", 0), "event_id",
                    f"{event!r} has no verified quote")


def test_an_elite_figure_without_a_verified_quote_is_refused(seeds_copy):
    year = next(r["year"] for r in rows(seeds_copy, "yearly_counts") if r["elite_count"] or r["elite_count_low"])
    for row in rows(seeds_copy, "yearly_count_sources"):
        if row["year"] == year:
            edit(seeds_copy, "yearly_count_sources", {"year": year, "source_id": row["source_id"]},
                 {"evidence_quote": "", "quote_gloss": ""})
    result = run_cli("validate", "--seeds", seeds_copy)
    assert_reported(result, seeds_copy / "yearly_counts.csv", line_of(seeds_copy, "yearly_counts", {"year": year}),
                    "elite_count", f"the elite figure of {year} has no verified quote")


@pytest.mark.parametrize("changes, column, fragment", [
    ({"table_name": "defection"}, "table_name", "is not a seed table"),
    ({"column_name": "defection_day"}, "column_name", "is not a column of defections"),
    ({"previous_value": "x", "current_value": "x"}, "current_value", "equals previous_value"),
])
def test_a_malformed_correction_is_named(seeds_copy, changes, column, fragment):
    line = edit(seeds_copy, "corrections", {"table_name": "defections"}, changes)
    assert_reported(run_cli("validate", "--seeds", seeds_copy), seeds_copy / "corrections.csv", line, column,
                    fragment)


# --- What the analyst sees -------------------------------------------------------------------------------

def test_changelog_tab_lists_every_correction_with_its_reason(db_path, con):
    corrections = queries.corrections(con)
    assert len(corrections) > 5
    at = open_page(script("sources"), tab="Changelog")
    shown = at.dataframe[0].value
    assert shown["correction_id"].tolist() == corrections["correction_id"].tolist()
    assert shown["reason"].notna().all()
    assert any("Corrections of curated facts" in s.value for s in at.subheader)


def test_event_detail_shows_each_quote_with_its_source(db_path, con):
    at = open_page(script("events"), event="E01")
    expected = frame(con, "SELECT quote, source_title, source_url FROM evidence "
                          "WHERE fact_table = 'defections' AND fact_id = 'E01'")
    lines = [line for m in at.markdown if m.value.startswith("- ") for line in m.value.splitlines()]  # its lists
    assert len(expected) > 0
    for row in expected.itertuples():  # each quote on the line that links its source
        assert any(f"“{plain(row.quote)}”" in line and source_link(row.source_title, row.source_url) in line
                   for line in lines), row.quote


def test_confirmation_filter_narrows_the_count_and_states_how_many_are_confirmed(db_path, con):
    everything = open_page(script("events"))
    confirmed = queries.events_in_view(con, Filters(confirmations=("confirmed",)))
    assert 0 < confirmed < selected_count(everything)
    assert any(f"**{confirmed:,}** confirmed by a government" in m.value for m in everything.markdown)
    only = open_page(script("events"), confirmation="confirmed")
    assert selected_count(only) == confirmed
    assert set(only.dataframe[0].value["confirmation_status"]) == {"confirmed"}


def test_confirmation_filter_narrows_the_csv_and_names_it(db_path, con):
    result = run_cli("export", "events", "--confirmation", "self-disclosed", "--db", db_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode("utf-8-sig").strip().splitlines()
    expected = queries.events_in_view(con, Filters(confirmations=("self-disclosed",)))
    assert len(lines) - 1 == expected > 0
    assert "self-disclosed" in events_file_name(Filters(confirmations=("self-disclosed",)))


def test_unknown_confirmation_in_the_cli_exits_2_and_lists_the_values(db_path):
    result = run_cli("export", "events", "--confirmation", "rumour", "--db", db_path)
    assert result.returncode == 2
    assert "confirmations: confirmed, self-disclosed, multiple-reports, single-report, denied" in result.stderr


def test_a_fact_links_to_a_source_that_holds_its_words_when_one_does(con):
    # The overview credited 2023's "about 10" to an AFP story holding no words for it, and 2024's "in the
    # single digits" to a report that gives another figure: the link must go to a quoted source.
    unquoted_links = con.execute("""
        WITH links AS (
            SELECT 'defections' AS fact_table, event_id AS fact_id, source_id, evidence_quote
            FROM seed.defection_sources
            UNION ALL SELECT 'yearly_counts', year::VARCHAR, source_id, evidence_quote FROM seed.yearly_count_sources
            UNION ALL SELECT 'context_events', context_id, source_id, evidence_quote FROM seed.context_event_sources
        ),
        quoted AS (
            SELECT fact_table, fact_id, list(s.url) AS urls FROM links JOIN seed.sources s USING (source_id)
            WHERE evidence_quote IS NOT NULL GROUP BY ALL
        )
        SELECT fact_table, fact_id FROM derived.source_lists JOIN quoted USING (fact_table, fact_id)
        WHERE NOT list_contains(urls, main_source_url)""").fetchall()
    assert unquoted_links == []
