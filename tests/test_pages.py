"""Every page, run by Streamlit's AppTest against the database built from the real seeds."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import numpy as np
import pytest
from helpers import append, find, open_page, read_table, selected_count, shown, write_table
from streamlit.testing.v1 import AppTest

from defections import queries, registry
from defections.build import build
from defections.db import connect, query
from defections.filters import Filters

ROOT = Path(__file__).resolve().parent.parent
PAGES = [page.script for page in registry.PAGES]
GUARDED = ["pages/overview.py", "pages/timeline.py", "pages/motives.py", "pages/events.py"]
HAVANA = {"years": ["2023", "2023"], "post": "Cuba"}


def charts(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def values(array) -> list:
    """A plotly array as a list: plotly serialises numeric arrays as base64 typed arrays."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_with_default_filters_and_states_the_count(db_path, con, page):
    at = open_page(page)
    assert selected_count(at) == queries.events_in_view(con, Filters()) > 20
    assert any("data as of" in m.value for m in at.markdown)


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_the_havana_filter(db_path, con, page):
    at = open_page(page, **HAVANA)
    assert selected_count(at) == queries.events_in_view(con, Filters(2023, 2023, ("Cuba",))) == 1


@pytest.mark.parametrize("page", GUARDED)
def test_empty_selection_shows_a_helpful_message_not_a_chart(db_path, con, page):
    post, category = empty_combination(con)
    at = open_page(page, post=post, category=category)
    assert selected_count(at) == 0
    assert any("No defections match these filters" in i.value for i in at.info)
    assert not at.get("plotly_chart")


@pytest.mark.parametrize("page", PAGES)
def test_garbage_query_parameters_are_dropped(db_path, con, page):
    at = open_page(page, years=["abc", "99999"], post=["Atlantis", "' OR 1=1 --"], category="<script>", foo="bar")
    assert selected_count(at) == queries.events_in_view(con, Filters())


def test_reversed_year_range_is_not_an_error(db_path, con):
    # Put in order (2016 to 2024), neither dropped (every year) nor read as an empty range.
    at = open_page("pages/events.py", years=["2024", "2016"])
    ordered = queries.events_in_view(con, Filters(2016, 2024))
    assert 0 < ordered < queries.events_in_view(con, Filters())
    assert selected_count(at) == ordered
    assert len(at.dataframe[0].value) == ordered


def test_overview_figures_match_the_database(db_path, con):
    at = open_page("pages/overview.py")
    metrics = {shown(m.label): shown(m.value) for m in at.metric}
    assert metrics["Defections in view"] == str(queries.events_in_view(con, Filters()))
    latest = con.execute("SELECT year, elite_count_label FROM yearly_counts WHERE elite_count_label IS NOT NULL "
                         "ORDER BY year DESC LIMIT 1").fetchone()
    assert metrics[f"Elite arrivals in {latest[0]}"] == latest[1]
    person, period = con.execute("SELECT person, defection_period FROM events "
                                 "ORDER BY defection_date DESC, event_id DESC LIMIT 1").fetchone()
    assert metrics["Most recent defection"] == period
    assert any(c.value.replace("\\", "").startswith(person) for c in at.caption)


def test_overview_shows_2023_elite_count_as_approximate(db_path):
    at = open_page("pages/overview.py", years=["2016", "2023"])
    metrics = {shown(m.label): shown(m.value) for m in at.metric}
    assert metrics["Elite arrivals in 2023"] == "~10"
    assert any("196 arrivals" in c.value for c in at.caption)


def test_overview_map_plots_every_located_post(db_path, con):
    geo = [trace for spec in charts(open_page("pages/overview.py")) for trace in spec["data"]
           if trace["type"] == "scattergeo"]
    mapped = con.execute("SELECT count(*) FROM events WHERE latitude IS NOT NULL").fetchone()[0]
    assert sum(values(geo[0]["marker"]["size"])) == mapped


def test_timeline_draws_each_event_and_toggles_context(db_path, con):
    at = open_page("pages/timeline.py", **HAVANA)
    names = {t["name"] for t in charts(at)[0]["data"] if "name" in t}
    assert "Diplomatic context event" in names
    at.toggle(key="context").set_value(False).run()
    names = {t["name"] for t in charts(at)[0]["data"] if "name" in t}
    assert "Diplomatic context event" not in names and "Made public" in names


def test_motives_bars_add_up_to_the_attributions_in_view(db_path, con):
    at = open_page("pages/motives.py", **HAVANA)
    bars = [t for t in charts(at)[0]["data"] if t["type"] == "bar"]
    expected = query(con, "SELECT attributed_to, count(DISTINCT event_id || motive) AS n FROM event_motives "
                          "WHERE event_id IN (SELECT event_id FROM events WHERE post_country = 'Cuba' "
                          "AND defection_year = 2023) GROUP BY ALL")
    assert sum(sum(values(t["x"])) for t in bars) == expected["n"].sum() >= 3
    assert {t["name"] for t in bars} == {f"attributed by {who}" for who in expected["attributed_to"]}


def test_events_page_finds_ri_il_kyu_in_havana_2023(db_path):
    at = open_page("pages/events.py", **HAVANA)
    assert "Ri Il Kyu" in at.dataframe[0].value["person"].tolist()
    assert at.selectbox(key="event").value == "E27"


@pytest.mark.parametrize("spelling", ["Ri Il-gyu", "ri il kyu", "RI IL-KYU"])
def test_search_finds_a_person_by_any_romanization(db_path, spelling):
    at = open_page("pages/events.py")
    at.text_input(key="q").set_value(spelling).run()
    assert at.dataframe[0].value["person"].tolist() == ["Ri Il Kyu"]


def test_a_link_opens_the_event_and_the_source_it_names(db_path, con):
    events = open_page("pages/events.py", event="E05")
    assert events.selectbox(key="event").value == "E05"
    detail = dict(zip(events.dataframe[1].value["field"], events.dataframe[1].value["value"]))
    assert detail["Id"] == "E05"
    source_id = queries.sources_list(con)["source_id"].iloc[-1]
    sources = open_page("pages/sources.py", source=source_id)
    assert sources.selectbox(key="source").value == source_id
    assert len(sources.dataframe[1].value) == len(queries.citations(con, source_id))


def test_choosing_an_event_puts_its_id_in_the_url(db_path):
    at = open_page("pages/events.py")
    first = at.selectbox(key="event").value
    assert "event" not in at.query_params  # the default choice keeps the URL clean
    at.selectbox(key="event").set_value("E27").run()
    assert at.query_params["event"] == "E27"
    at.selectbox(key="event").set_value(first).run()
    assert "event" not in at.query_params


def test_event_detail_shows_dates_at_their_precision(db_path):
    at = open_page("pages/events.py", **HAVANA)
    detail = dict(zip(at.dataframe[1].value["field"], at.dataframe[1].value["value"]))
    assert detail["Defected"] == "November 2023"
    assert detail["Made public"] == "16 July 2024"
    assert "National Intelligence Service" in detail["Confirmed by"]


def test_sources_page_shows_the_seed_document_in_full(db_path):
    at = open_page("pages/sources.py", tab="Seed document")
    text = (ROOT / "seeds" / "documents" / "000_5a3a87e34e1c9523.txt").read_text(encoding="utf-8")
    assert any(t.value.strip() == text.strip() for t in at.text)


@pytest.mark.parametrize(("tab", "rows_of"), [
    (None, lambda con: [len(queries.sources_list(con)), len(queries.citations(con, "S000"))]),
    ("Data dictionary", lambda con: [len(queries.data_dictionary(con))]),
    ("Changelog", lambda con: [len(queries.corrections(con)), len(queries.revisions(con))]),
    ("Methodology", lambda con: []),
])
def test_a_sources_tab_opens_from_the_url_and_runs_alone(db_path, con, tab, rows_of):
    at = open_page("pages/sources.py", **({"tab": tab} if tab else {}))
    assert [len(frame.value) for frame in at.dataframe] == rows_of(con)
    methodology = (ROOT / "docs" / "methodology.md").read_text(encoding="utf-8")
    assert any(m.value.strip() == methodology.strip() for m in at.markdown) == (tab == "Methodology")
    assert not at.text  # the seed document is only in its own tab


def test_every_chart_and_table_offers_a_csv_download(db_path):
    for page in PAGES:
        at = open_page(page)
        labels = [b.proto.label for b in at.get("download_button")]
        assert len(labels) >= len(at.get("plotly_chart")) + len(at.dataframe), page
        assert all("CSV" in label for label in labels), page


def empty_combination(con) -> tuple[str, str]:
    """A post country and an elite category that select no defection in the real data."""
    row = con.execute("""
        SELECT p.post_country, c.category
        FROM (SELECT DISTINCT post_country FROM events) p,
             (SELECT unnest(enum_range(NULL::elite_category))::VARCHAR AS category) c
        WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.post_country = p.post_country
                                                   AND e.elite_category = c.category)
        ORDER BY ALL LIMIT 1""").fetchone()
    assert row is not None
    return row[0], row[1]


def test_context_shows_the_ten_latest_remarks_and_offers_them_all(seeds_copy, tmp_path, monkeypatch):
    for n in range(12):  # 4 curated + 12: more than the page shows as cards
        append(seeds_copy, "commentary", 0, {"commentary_id": f"CMX{n:02d}", "stated_date": f"2024-08-{n + 1:02d}",
                                             "speaker": f"Test speaker {n:02d}"})
    db = tmp_path / "defections.duckdb"
    build(seeds_copy, db)
    monkeypatch.setenv("DEFECTIONS_DB", str(db))
    monkeypatch.setenv("DEFECTIONS_SEEDS", str(seeds_copy))
    at = open_page("pages/context.py")
    cards = remark_cards(at)
    assert len(cards) == 10
    assert cards[0].startswith("Test speaker 11") and cards[-1].startswith("Test speaker 02")  # most recent first
    assert any("10 most recent remarks" in c.value for c in at.caption)
    download = [b for b in at.get("download_button") if "every remark" in b.proto.label]
    assert len(download) == 1
    with connect(db) as con:
        every = queries.commentary(con, Filters(), None)
    assert len(every) == 16 and "Test speaker 00" in set(every["speaker"])


def test_context_shows_every_remark_as_a_card_when_few(db_path, con):
    at = open_page("pages/context.py")
    speakers = queries.commentary(con, Filters(), None)["speaker"].tolist()
    cards = remark_cards(at)
    assert len(cards) == len(speakers) == 4
    assert all(shown(card).startswith(speaker) for card, speaker in zip(cards, speakers, strict=True))
    assert not [b for b in at.get("download_button") if "every remark" in b.proto.label]


def test_context_counts_a_crowded_cuba_track_per_year_and_says_so(con, seeds_copy, tmp_path, monkeypatch):
    header, rows = read_table(seeds_copy, "context_events")
    visit = dict(zip(header, rows[0], strict=True))
    # 301 visits in 301 different months, 1990 onwards: too many to draw one by one, or by month
    extra = [{**visit, "context_id": f"CX{n:03d}", "event_date": f"{1990 + n // 12}-{n % 12 + 1:02d}-01",
              "date_precision": "day", "actors": "North Korea;Cuba", "event_type": "visit"} for n in range(301)]
    write_table(seeds_copy, "context_events", header, [*rows, *([e[h] for h in header] for e in extra)])
    header, rows = read_table(seeds_copy, "context_event_sources")
    unheld = find(seeds_copy, "sources", document="")["source_id"]
    write_table(seeds_copy, "context_event_sources", header,
                [*rows, *([e["context_id"], unheld, "", ""] for e in extra)])
    db = tmp_path / "defections.duckdb"
    build(seeds_copy, db)
    monkeypatch.setenv("DEFECTIONS_DB", str(db))
    monkeypatch.setenv("DEFECTIONS_SEEDS", str(seeds_copy))
    at = open_page("pages/context.py")
    assert any("one mark per month or year" in c.value for c in at.caption)
    curated = queries.cuba_timeline(con, Filters())
    with connect(db) as crowded:
        items = queries.cuba_timeline(crowded, Filters())
    north = items[items["track"] == "North Korea–Cuba"]
    assert north["items"].sum() == 301 + (curated["track"] == "North Korea–Cuba").sum()
    assert north["period"].str.fullmatch(r"\d{4}").all() and len(north) < 60
    assert north.loc[north["period"] == "1991", "summary"].item() == "12 events: 12 visit"


def remark_cards(at: AppTest) -> list[str]:
    """The attribution line of each remark card: "speaker, role (kind), date · source"."""
    return [c.value for c in at.caption if re.search(r"\([^)]*\), .* · ", c.value)]
