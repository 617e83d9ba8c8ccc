"""Data contracts on the database built from the real seeds: the issue's acceptance facts, then generic rules."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from urllib.parse import urlparse

import pytest
from helpers import DOCUMENT, ROOT

from defections.db import frame
from defections.documents import normalize_text
from defections.paths import SEEDS_DIR
from defections.queries import data_dictionary
from defections.validate import schema

# sha256 of the client's seed document as delivered in ../shared/seeds/ (a fact about the client's file).
CLIENT_DOCUMENT_SHA256 = "e72d2897f22d1873a9851eaa7c1bdaae7da81ec93c4afff792185b8d286354c8"


def one(con, sql: str, params: dict | None = None) -> dict:
    rows = frame(con, sql, params)
    assert len(rows) == 1, f"expected one row, got {len(rows)}:\n{rows}"
    return rows.iloc[0].to_dict()


@pytest.fixture(scope="module")
def ri(con) -> dict:
    return one(con, "SELECT * FROM events WHERE list_contains(string_split(name_variants, '; '), 'Ri Il Kyu')")


def document_text() -> str:
    return normalize_text((SEEDS_DIR / "documents" / DOCUMENT).read_text(encoding="utf-8"))


# --- The acceptance facts of the issue ---------------------------------------------------------------

def test_ri_il_kyu_was_counselor_for_political_affairs_in_havana(ri):
    assert ri["elite_category"] == "diplomat"
    assert "counselor" in ri["position"].lower() and "political" in ri["position"].lower()
    assert (ri["post_country"], ri["post_city"]) == ("Cuba", "Havana")


def test_ri_il_kyu_defected_in_november_2023_disclosed_16_july_2024(ri):
    assert ri["defection_date"].date() == dt.date(2023, 11, 1)
    assert (ri["date_precision"], ri["defection_period"]) == ("month", "November 2023")
    assert ri["disclosed_date"].date() == dt.date(2024, 7, 16)


def test_ri_il_kyu_confirmed_by_nis_and_came_with_family(ri):
    assert "National Intelligence Service" in ri["confirmed_by"]
    assert "wife" in ri["accompanied_by"].lower() and "children" in ri["accompanied_by"].lower()


def test_ri_il_kyu_is_found_under_each_romanization(ri):
    assert {"Ri Il Kyu", "Ri Il-kyu", "Ri Il-gyu"} <= set(ri["name_variants"].split("; "))


def test_ri_il_kyu_gave_three_motives_himself_quoted_from_the_document(con, ri):
    motives = frame(con, """
        SELECT em.motive, em.evidence_quote FROM event_motives em JOIN sources s USING (source_id)
        WHERE em.event_id = $id AND em.attributed_to = 'self' AND s.document = $document""",
                    {"id": ri["event_id"], "document": DOCUMENT})
    assert motives["motive"].nunique() == 3, motives
    for keywords in (r"disillusion|political system", r"evaluation", r"medical|treatment|mexico"):
        matching = motives[motives["motive"].str.contains(keywords, case=False)]
        assert matching["motive"].nunique() == 1, f"{keywords}: {motives['motive'].tolist()}"
        assert all(q and normalize_text(q) in document_text() for q in matching["evidence_quote"])
    # Motives he gave elsewhere (his children's future, in his own interviews) rest on other held passages.
    others = frame(con, """
        SELECT em.motive, s.document FROM event_motives em JOIN sources s USING (source_id)
        WHERE em.event_id = $id AND em.attributed_to = 'self' AND s.document IS DISTINCT FROM $document""",
                   {"id": ri["event_id"], "document": DOCUMENT})
    assert others["document"].notna().all()


def test_2023_had_196_arrivals_and_about_10_elites(con):
    year = one(con, "SELECT * FROM yearly_counts WHERE year = 2023")
    assert (year["total_arrivals"], year["elite_count"]) == (196, 10)
    assert bool(year["elite_count_approx"])
    assert year["elite_count_label"] == "~10"


def test_south_korea_and_cuba_established_ties_on_14_february_2024(con):
    ties = frame(con, "SELECT actors FROM context_events "
                      "WHERE event_date = DATE '2024-02-14' AND event_type = 'diplomatic ties'")
    assert any({"South Korea", "Cuba"} <= set(a.split("; ")) for a in ties["actors"]), ties


# --- Generic contracts ----------------------------------------------------------------------------------

@pytest.mark.parametrize("fact_table, key, link_table", [
    ("defections", "event_id", "defection_sources"),
    ("yearly_counts", "year", "yearly_count_sources"),
    ("context_events", "context_id", "context_event_sources"),
])
def test_every_fact_cites_a_source(con, fact_table, key, link_table):
    facts = frame(con, f"SELECT {key} FROM seed.{fact_table}")
    uncited = frame(con, f"SELECT {key} FROM seed.{fact_table} f "
                         f"WHERE NOT EXISTS (SELECT 1 FROM seed.{link_table} l JOIN sources s USING (source_id) "
                         f"WHERE l.{key} = f.{key})")
    assert len(facts) > 0
    assert uncited[key].tolist() == []


def test_every_quote_from_a_document_occurs_in_it(con):
    quotes = frame(con, """
        SELECT c.fact_kind, c.fact_id, c.evidence_quote, d.text
        FROM citations c JOIN sources s USING (source_id) JOIN documents d ON d.document = s.document""")
    assert len(quotes) > 0
    missing = [(k, i, q) for k, i, q, text in quotes.itertuples(index=False)
               if not q or normalize_text(q) not in normalize_text(text)]
    assert missing == []


def source_urls(con) -> list[str]:
    urls = frame(con, "SELECT url FROM sources WHERE url IS NOT NULL")["url"].tolist()
    assert urls, "no source has a URL"
    return urls


def test_every_source_url_is_http(con):
    bad = [u for u in source_urls(con) if urlparse(u).scheme not in ("http", "https") or not urlparse(u).netloc]
    assert bad == []


def test_no_source_is_from_fakenews_agency(con):
    assert [u for u in source_urls(con) if urlparse(u).netloc.lower().endswith("fakenews.agency")] == []


def research_urls() -> set[str]:
    """The addresses on the client's research fact sheets that sources cite without a held passage."""
    lines = (ROOT / "tests" / "research_urls.txt").read_text(encoding="utf-8").splitlines()
    return {line for line in lines if line and not line.startswith("#")}


def test_every_source_url_comes_from_the_research_facts_or_a_passage_read_on_it(con):
    # No invented address: a URL is on the client's fact sheets (their addresses held in the repository,
    # tests/research_urls.txt), or we hold a passage read on that page.
    urls = set(source_urls(con))
    read = set(frame(con, "SELECT url FROM documents WHERE url IS NOT NULL")["url"])
    assert all(re.fullmatch(r"https?://[^\s/]+\S*", u) for u in urls)
    assert sorted(urls - research_urls() - read) == []


def test_the_curators_document_is_the_clients_file_unchanged():
    # The digest of the file the client delivered (../shared/seeds/), pinned here: the repository stands alone.
    assert hashlib.sha256((SEEDS_DIR / "documents" / DOCUMENT).read_bytes()).hexdigest() == CLIENT_DOCUMENT_SHA256


def test_every_person_is_found_under_their_display_name(con):
    people = frame(con, "SELECT name, name_variants FROM seed.people")
    assert len(people) > 0
    assert [n for n, v in people.itertuples(index=False) if n not in v.split(";")] == []


PUBLIC_VIEWS = {
    "events": ["event_id", "person", "name_variants", "position", "elite_category", "post_country", "post_city",
               "defection_date", "date_precision", "disclosed_date", "destination", "accompanied_by", "motives",
               "source_urls"],
    "event_motives": ["event_id", "motive", "attributed_to", "evidence_quote", "source_url"],
    "yearly_counts": ["year", "total_arrivals", "elite_count", "elite_count_approx"],
    "context_events": ["event_date", "date_precision", "actors", "event_type", "summary", "source_urls"],
    "sources": ["source_id", "title", "publisher", "published_date", "url", "document"],
    "evidence": ["fact_table", "fact_id", "quote", "quote_gloss", "source_id", "source_url", "document"],
    "corrections": ["table_name", "row_key", "column_name", "previous_value", "current_value", "corrected_on",
                    "reason", "source_url"],
}


@pytest.mark.parametrize("view, columns", PUBLIC_VIEWS.items(), ids=PUBLIC_VIEWS.keys())
def test_public_view_has_the_documented_columns(con, view, columns):
    found = frame(con, "SELECT column_name, data_type FROM duckdb_columns() "
                       "WHERE schema_name = 'main' AND table_name = $view", {"view": view})
    types = dict(zip(found["column_name"], found["data_type"], strict=True))
    assert [c for c in columns if c not in types] == []
    for column in ("defection_date", "event_date", "disclosed_date", "published_date"):
        if column in columns:
            assert types[column] == "DATE"


def dictionary_meanings(con, layer: str) -> dict:
    dictionary = data_dictionary(con)
    dictionary = dictionary[dictionary["layer"] == layer]
    return {(t, c): m for t, c, m in dictionary[["table", "column", "meaning"]].itertuples(index=False)}


def test_every_seed_column_has_a_meaning_in_the_data_dictionary(con):
    meanings = dictionary_meanings(con, "curated table")
    expected = [(f"seed.{table.name}", column.name) for table in schema() for column in table.columns]
    assert len(expected) > 50
    assert [key for key in expected if not (meanings.get(key) or "").strip()] == []


def test_every_public_view_column_has_a_meaning_in_the_data_dictionary(con):
    meanings = dictionary_meanings(con, "public view")
    expected = frame(con, "SELECT table_name, column_name FROM duckdb_columns() c JOIN duckdb_views() v "
                          "ON v.view_name = c.table_name AND v.schema_name = c.schema_name "
                          "WHERE c.schema_name = 'main' AND NOT v.internal")
    assert set(PUBLIC_VIEWS) <= set(expected["table_name"])
    assert [key for key in expected.itertuples(index=False, name=None) if not (meanings.get(key) or "").strip()] == []
