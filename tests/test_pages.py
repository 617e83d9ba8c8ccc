"""Every page, run by Streamlit's AppTest against the database built from the real seeds."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import re
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from helpers import append, cite_text, find, open_page, read_table, script, selected_count, shown, write_table
from streamlit.testing.v1 import AppTest

from defections import citation, queries, registry, release
from defections.build import build
from defections.db import connect, frame
from defections.export import workbook_bytes
from defections.filters import Filters
from defections.labels import code_label, plain
from defections.wording import MISSING

ROOT = Path(__file__).resolve().parent.parent
PAGES = [page.script for page in registry.PAGES]
GUARDED = [script("overview"), script("timeline"), script("motives"), script("events")]
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
    assert selected_count(at) == queries.events_in_view(con, Filters(2023, 2023, posts=("Cuba",))) == 1


@pytest.mark.parametrize("page", GUARDED)
def test_empty_selection_shows_a_helpful_message_not_a_chart(db_path, con, page):
    post, category = empty_combination(con)
    at = open_page(page, post=post, category=category)
    assert selected_count(at) == 0
    assert any("No defections match these filters" in i.value for i in at.info)
    assert not at.get("plotly_chart")
    # An empty view is still a view to cite: the box is drawn before the page stops.
    assert f"category={category.replace(' ', '+')}" in cite_text(at)


@pytest.mark.parametrize("page", GUARDED)
def test_a_selection_of_only_uncounted_rows_is_listed_on_events_and_pointed_to_elsewhere(db_path, con, page):
    # The outcome filter's "unknown" selects denied reports and attempts of unknown outcome: none is counted,
    # every one is listed (the header says so), so the Events page lists them and the others say where.
    at = open_page(page, outcome="unknown")
    counts = queries.selection_counts(con, Filters(outcomes=("unknown",))).iloc[0]
    assert selected_count(at) == int(counts.defections) == 0 < int(counts.listed)
    if page == script("events"):
        assert len(at.dataframe[0].value) == int(counts.listed)
        # None of them was confirmed: a column empty in every row still shows the missing mark, not "None".
        assert set(at.dataframe[0].value["confirmed_by"]) == {MISSING}
        assert not any("No defections match" in i.value for i in at.info)
    else:
        assert any("No completed defection matches these filters" in i.value and "Events page" in i.value
                   for i in at.info)
        assert any("Events" in link.label for link in at.get("page_link"))
        assert not at.get("plotly_chart")


@pytest.mark.parametrize("page", PAGES)
def test_garbage_query_parameters_are_dropped(db_path, con, page):
    at = open_page(page, years=["abc", "99999"], post=["Atlantis", "' OR 1=1 --"], category="<script>", foo="bar")
    assert selected_count(at) == queries.events_in_view(con, Filters())


def test_reversed_year_range_is_not_an_error(db_path, con):
    # Put in order (2016 to 2024), neither dropped (every year) nor read as an empty range.
    at = open_page(script("events"), years=["2024", "2016"])
    ordered = queries.events_in_view(con, Filters(2016, 2024))
    assert 0 < ordered < queries.events_in_view(con, Filters())
    assert selected_count(at) == ordered
    assert len(at.dataframe[0].value) == queries.events_listed(con, Filters(2016, 2024))


def test_overview_figures_match_the_database(db_path, con):
    at = open_page(script("overview"))
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
    at = open_page(script("overview"), years=["2016", "2023"])
    metrics = {shown(m.label): shown(m.value) for m in at.metric}
    assert metrics["Elite arrivals in 2023"] == "~10"
    assert any("196 arrivals" in c.value for c in at.caption)


def test_overview_map_plots_every_located_post(db_path, con):
    geo = [trace for spec in charts(open_page(script("overview"))) for trace in spec["data"]
           if trace["type"] == "scattergeo"]
    mapped = con.execute("SELECT count(*) FROM events WHERE latitude IS NOT NULL AND counted").fetchone()[0]
    assert sum(values(geo[0]["marker"]["size"])) == mapped


def test_timeline_draws_each_event_and_toggles_context(db_path, con):
    at = open_page(script("timeline"), **HAVANA)
    names = {t["name"] for t in charts(at)[0]["data"] if "name" in t}
    assert "Diplomatic context event" in names
    at.toggle(key="context").set_value(False).run()
    names = {t["name"] for t in charts(at)[0]["data"] if "name" in t}
    assert "Diplomatic context event" not in names and "Made public" in names


def test_motives_bars_count_each_defection_once_per_motive(db_path, con):
    at = open_page(script("motives"), **HAVANA)
    bars = [t for t in charts(at)[0]["data"] if t["type"] == "bar"]
    expected = frame(con, "SELECT count(DISTINCT event_id || motive) AS n FROM event_motives "
                          "WHERE event_id IN (SELECT event_id FROM events WHERE post_country = 'Cuba' "
                          "AND defection_year = 2023)")
    assert sum(sum(values(t["x"])) for t in bars) == expected["n"].item() >= 3


def test_a_motive_given_by_two_sides_counts_the_defection_once(db_path, con):
    # Jang Sung-gil (E06, Egypt 1997): fear of punishment is attributed by an unnamed US official and by media.
    kinds = frame(con, "SELECT attributed_to FROM event_motives WHERE event_id = 'E06' "
                       "AND motive = 'Fear of punishment on return home' ORDER BY 1")["attributed_to"].tolist()
    assert kinds == ["media", "unnamed-officials"]
    at = open_page(script("motives"), post="Egypt")
    assert selected_count(at) == 1
    bars = {t["name"]: t for t in charts(at)[0]["data"] if t["type"] == "bar"}
    several = bars["attributed by several sides"]
    fear = list(several["y"]).index("Fear of punishment on return home")
    assert values(several["x"])[fear] == 1
    assert "media + unnamed-officials (1)" in several["customdata"][fear]
    per_motive = at.dataframe[0].value
    row = per_motive[per_motive["motive"] == "Fear of punishment on return home"]
    assert row["defections"].tolist() == [1] and row["attributors"].tolist() == ["media + unnamed-officials (1)"]
    assert "Defections" in charts(at)[0]["layout"]["xaxis"]["title"]["text"]


def test_lags_are_ranged_or_empty_at_the_precision_of_the_dates(db_path):
    at = open_page(script("events"), years=["2016", "2016"])
    table = at.dataframe[0].value.set_index("person")
    # Thae Yong-ho left in July 2016 (month) and was made public on 16 August 2016: a range, not 46 days.
    assert table.loc["Thae Yong-ho", "disclosure_lag"] == "16–46 days"
    # A defection dated only "2016" has no lag at all (the old count from 1 January said 231 days).
    assert table.loc["Unnamed diplomat (Bulgaria)", "disclosure_lag"] == MISSING  # as every empty cell reads
    assert "disclosure_lag_days" not in table.columns


def test_timeline_hover_gives_the_lag_at_its_precision(db_path):
    at = open_page(script("timeline"), years=["2016", "2016"])
    hover = " ".join(h for h in charts(at)[0]["data"][0]["hovertext"] if h)
    assert "16 August 2016 (16–46 days later)" in hover
    assert "231 days" not in hover


def test_overview_card_gives_the_latest_lag_as_a_range(db_path, con):
    at = open_page(script("overview"))
    lag = con.execute("SELECT disclosure_lag FROM events "
                      "ORDER BY defection_date DESC, event_id DESC LIMIT 1").fetchone()[0]
    assert "–" in lag or "about" in lag
    assert any(f"{lag} later" in shown(c.value) for c in at.caption)


def test_elite_arrivals_card_says_it_is_national_and_unfiltered(db_path):
    at = open_page(script("overview"), post="Cuba")
    card = next(c.value for c in at.caption if "arrivals in South Korea" in c.value)
    assert "national figure" in shown(card) and "filters do not apply" in shown(card)


def test_search_narrows_the_events_download(db_path, con):
    at = open_page(script("events"), q="Ri Il-gyu")
    label = next(b.proto.label for b in at.get("download_button") if "selected event" in b.proto.label)
    assert label.startswith("Download the 1 selected event matching") and "with its sources" in label
    assert len(queries.export_events(con, Filters(), "Ri Il-gyu")) == 1
    assert len(queries.export_events(con, Filters())) == queries.events_listed(con, Filters())


def test_cite_this_view_names_the_filtered_url_and_the_as_of_date(db_path, con):
    at = open_page(script("timeline"), years=["2016", "2024"], post="China")
    cite = cite_text(at)
    assert "/timeline?years=2016&years=2024&post=China" in cite
    assert f"Data as of {queries.as_of(con).isoformat()}" in cite
    assert "CC BY 4.0" in cite and "Timeline" in cite


def test_the_overview_cites_the_dashboard_once_at_the_address_the_browser_shows(db_path):
    first = cite_text(open_page(script("overview"), region="Europe")).splitlines()[0]
    assert first.startswith(f"{citation.TITLE}. Analyst dashboard") and first.count(citation.TITLE) == 1
    # The browser reports the home page without its slash; the address bar shows http://host/?…
    assert citation.view_url("http://127.0.0.1:8611", {"region": ["Europe"]}) == "http://127.0.0.1:8611/?region=Europe"
    assert citation.view_url("http://127.0.0.1:8611/events", {}) == "http://127.0.0.1:8611/events"


def test_events_page_finds_ri_il_kyu_in_havana_2023(db_path):
    at = open_page(script("events"), **HAVANA)
    assert "Ri Il Kyu" in at.dataframe[0].value["person"].tolist()
    assert at.selectbox(key="event").value == "E27"


@pytest.mark.parametrize("spelling", ["Ri Il-gyu", "ri il kyu", "RI IL-KYU"])
def test_search_finds_a_person_by_any_romanization(db_path, spelling):
    at = open_page(script("events"))
    at.text_input(key="q").set_value(spelling).run()
    assert at.dataframe[0].value["person"].tolist() == ["Ri Il Kyu"]


def test_a_link_opens_the_event_and_the_source_it_names(db_path, con):
    events = open_page(script("events"), event="E05")
    assert events.selectbox(key="event").value == "E05"
    assert "**Id:** E05" in card_facts(events)
    source_id = queries.sources_list(con)["source_id"].iloc[-1]
    sources = open_page(script("sources"), source=source_id)
    assert sources.selectbox(key="source").value == source_id
    assert len(sources.dataframe[1].value) == len(queries.citations(con, source_id))


def test_choosing_an_event_puts_its_id_in_the_url(db_path):
    at = open_page(script("events"))
    first = at.selectbox(key="event").value
    assert "event" not in at.query_params  # the default choice keeps the URL clean
    at.selectbox(key="event").set_value("E27").run()
    assert at.query_params["event"] == "E27"
    at.selectbox(key="event").set_value(first).run()
    assert "event" not in at.query_params


def card_facts(at: AppTest) -> str:
    """The short facts of the event card, as its markdown reads ("**Defected:** November 2023")."""
    return "\n".join(m.value for m in at.markdown if m.value.startswith("**") and ":** " in m.value)


def test_event_detail_shows_dates_at_their_precision(db_path):
    at = open_page(script("events"), **HAVANA)
    facts = card_facts(at)
    assert "**Defected:** November 2023" in facts and "**Made public:** 16 July 2024" in facts
    assert "**Confirmed by:** National Intelligence Service" in facts
    assert "**Confirmed on:** 16 July 2024" in facts  # written as the other dates are, not 2024-07-16


def test_event_card_gives_each_motive_its_attribution_quote_and_source(db_path, con):
    at = open_page(script("events"), **HAVANA)
    motives = queries.event_motive_evidence(con, "E27")
    lines = [m.value for m in at.markdown if m.value.startswith("- **")]
    for m in motives.itertuples():
        assert any(plain(m.attributed_by) in line and plain(m.evidence_quote) in line for line in lines), m
    assert any(f"({len(motives)} attributions)" in m.value for m in at.markdown)
    assert not at.dataframe[1:]  # no scroll box: the detail is a card


def test_an_event_without_a_value_shows_the_missing_mark(db_path, con):
    event_id = con.execute("SELECT min(event_id) FROM events WHERE post_city IS NULL").fetchone()[0]
    at = open_page(script("events"), event=event_id)
    assert "**Post city:** —" in card_facts(at)
    assert "None" not in card_facts(at) and "nan" not in card_facts(at)


def test_context_opens_on_the_havana_sequence_and_the_url_opens_the_whole_history(db_path, con):
    at = open_page(script("context"))
    assert at.segmented_control(key="view").value.startswith("Havana sequence")
    sequence = charts(at)[0]
    assert sequence["layout"]["title"]["text"].startswith("The Havana sequence")
    labels = " ".join(t for trace in sequence["data"] for t in trace.get("text") or [] if isinstance(t, str))
    for words in ("Ri Il Kyu defects", "made public", "South Korea and Cuba establish ties",
                  "South Korea's embassy in Havana opens", "embassy closures"):
        assert words in labels.replace("&#x27;", "'"), words
    # Each key fact above the chart gives its date: the first is from 2013, outside the sequence's years.
    facts = [shown(m.value) for m in at.markdown if "event card" in m.value]
    assert facts and facts[0].startswith("15 July 2013: ")
    history = open_page(script("context"), view="Whole history")
    assert charts(history)[0]["layout"]["title"]["text"].startswith("Cuba and the two Koreas since 1949")
    first = min(queries.cuba_timeline(con, Filters())["date"])
    assert first.year == 1949


def test_sources_page_shows_the_seed_document_in_full(db_path):
    at = open_page(script("sources"), tab="Seed document")
    text = (ROOT / "seeds" / "documents" / "000_5a3a87e34e1c9523.txt").read_text(encoding="utf-8")
    assert any(t.value.strip() == text.strip() for t in at.text)


@pytest.mark.parametrize(("tab", "rows_of"), [
    (None, lambda con: [len(queries.sources_list(con)), len(queries.citations(con, "S000"))]),
    ("Data dictionary", lambda con: [len(queries.data_dictionary(con))]),
    ("Changelog", lambda con: [len(queries.corrections(con)), len(queries.revisions(con))]),
    ("Methodology", lambda con: []),
    # Changes since the last release: none while the data is that release (then no table, a line saying so).
    ("What's new", lambda con: [n] if (n := len(release.changes_since(con, release.release_list(con)["release"][0])))
     else []),
])
def test_a_sources_tab_opens_from_the_url_and_runs_alone(db_path, con, tab, rows_of):
    at = open_page(script("sources"), **({"tab": tab} if tab else {}))
    assert [len(frame.value) for frame in at.dataframe] == rows_of(con)
    methodology = (ROOT / "docs" / "methodology.md").read_text(encoding="utf-8")
    assert any(m.value.strip() == methodology.strip() for m in at.markdown) == (tab == "Methodology")
    assert not at.text  # the seed document is only in its own tab


def test_every_chart_and_table_offers_a_csv_download(db_path):
    for page in PAGES:
        at = open_page(page)
        labels = [b.proto.label for b in at.get("download_button")]
        assert len(labels) >= len(at.get("plotly_chart")) + len(at.dataframe), page
        assert all("CSV" in label or ".xlsx" in label for label in labels), page


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
    at = open_page(script("context"))
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
    at = open_page(script("context"))
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
    at = open_page(script("context"), view="Whole history")
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


def test_trend_choices_come_from_the_url_and_say_what_the_bars_count(db_path, con):
    at = open_page(script("timeline"), view="Per year", post="China", by="disclosure", stack="confirmation")
    assert at.radio(key="by").value == "disclosure" and at.radio(key="stack").value == "confirmation"
    trend = next(c for c in charts(at) if "beside the national elite figures" in c["layout"]["title"]["text"])
    assert "year of disclosure" in trend["layout"]["title"]["text"]
    bars = [t for t in trend["data"] if t["type"] == "bar"]
    assert {t["name"] for t in bars} <= {code_label(c) for c in queries.filter_options(con)["confirmations"]}
    assert sum(sum(values(t["y"])) for t in bars) == queries.yearly_trend(
        con, Filters(posts=("China",)), "disclosure", "confirmation")["defections"].sum()
    assert any("why" in c.value.lower() or "The two differ" in c.value for c in at.caption)
    median = queries.lag_summary(con, Filters(posts=("China",)))["median"].item()
    at = open_page(script("timeline"), view="Disclosure lag", post="China")
    assert any(f"made public within {median} of defecting" in shown(c.value) for c in at.caption)


def test_the_timeline_draws_only_the_view_the_url_names(db_path):
    # One chart per run: a slider step redraws what the analyst looks at (issue #28).
    titles = {}
    for view in ("Each defection", "Per year", "Disclosure lag", "Official arrivals", "Atlantis"):
        titles[view] = [c["layout"]["title"]["text"] for c in charts(open_page(script("timeline"), view=view))]
    assert all(len(shown) == 1 for shown in titles.values()), titles
    assert len({shown[0] for shown in titles.values()}) == 4
    assert titles["Atlantis"] == titles["Each defection"]  # an unknown view falls back to the first


def test_trend_and_lags_without_any_disclosure_show_a_message_not_an_empty_chart(db_path, con):
    # The two defections of 1955 from North Korea itself (Lee Un-yong, Lee In-seon) have no disclosure date.
    params = {"years": ["1955", "1955"], "post": "North Korea", "by": "disclosure"}
    assert queries.lag_summary(con, Filters(1955, 1955, posts=("North Korea",)))["without_lag"].item() == 2
    per_year, lag = (open_page(script("timeline"), view=view, **params) for view in ("Per year", "Disclosure lag"))
    assert selected_count(per_year) > 0
    infos = " ".join(i.value for at in (per_year, lag) for i in at.info)
    assert "None of the selected defections has a disclosure date" in infos
    assert "None of the selected defections has a disclosure lag" in infos
    titles = [c["layout"]["title"]["text"] for at in (per_year, lag) for c in charts(at)]
    assert not any("beside the national" in t or "until each defection" in t for t in titles)


# Each spelling an analyst types, by the system it follows, and the person it must find.
SPELLINGS = {
    "Revised Romanization": ("Hwang Jang-yeop", "Hwang Jang-yop"),
    "McCune-Reischauer": ("Hwang Chang-yop", "Hwang Jang-yop"),
    "McCune-Reischauer with breve": ("Hwang Chang-yŏp", "Hwang Jang-yop"),
    "press spelling": ("Tae Young-ho", "Thae Yong-ho"),
    "Western name order": ("Yong-ho Thae", "Thae Yong-ho"),
    "South Korean surname form": ("Lee Il-gyu", "Ri Il Kyu"),
    "Rhee surname form": ("Rhee Il Kyu", "Ri Il Kyu"),
    "hangul": ("황장엽", "Hwang Jang-yop"),
    "post city": ("Havana", "Ri Il Kyu"),
}


@pytest.mark.parametrize("typed, person", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_a_spelling_by_any_romanization_system_finds_its_person(db_path, typed, person):
    at = open_page(script("events"), q=typed)
    assert person in set(at.dataframe[0].value["person"])


def test_a_near_miss_is_answered_with_did_you_mean(db_path):
    at = open_page(script("events"), q="Hwang Jang-yap")
    assert any("Did you mean “Hwang Jang-yop”" in i.value.replace("\\", "") for i in at.info)
    # A misspelt surname alone is answered with the people who bear it, not only with a name of that one word.
    at = open_page(script("events"), q="Hwnag")
    assert any("Did you mean “Hwang Jang-yop”" in shown(i.value) for i in at.info)


def test_the_events_workbook_keeps_periods_as_text_and_types_only_day_precise_dates(con):
    frame = queries.export_events(con, Filters())
    sheet = openpyxl.load_workbook(io.BytesIO(workbook_bytes(frame))).active
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, row)) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(rows) == len(frame)
    by_precision = {r["date_precision"]: r for r in rows}
    assert isinstance(by_precision["month"]["defection_period"], str)
    month = by_precision["month"]["defection_date"]
    assert isinstance(month, str) and len(month) == 7  # "1956-10", never a first day
    assert isinstance(by_precision["year"]["defection_date"], str)
    assert isinstance(by_precision["day"]["defection_date"], dt.datetime)
    formula_like = [r["summary"] for r in rows if str(r["summary"]).startswith("=")]
    assert not [c for row in sheet.iter_rows(min_row=2) for c in row if c.data_type == "f"], formula_like


def test_the_as_of_date_is_not_older_than_the_last_correction(con):
    last_correction = con.execute("SELECT max(corrected_on) FROM corrections").fetchone()[0]
    assert queries.as_of(con) >= last_correction


def test_motives_say_how_many_selected_defections_report_no_motive(db_path, con):
    at = open_page(script("motives"))
    coverage = queries.motive_coverage(con, Filters()).iloc[0]
    line = next(m.value for m in at.markdown if "report none" in m.value)
    assert f"**{int(coverage.without_motive):,}** report none" in line and int(coverage.without_motive) > 0


def test_the_header_names_what_is_listed_but_not_counted(db_path, con):
    at = open_page(script("events"))
    counts = queries.selection_counts(con, Filters()).iloc[0]
    header = next(m.value for m in at.markdown if "defection(s) selected" in m.value)
    assert f"{int(counts.denied)} denied reports" in header and "listed but not counted" in header
    assert len(at.dataframe[0].value) == int(counts.listed) > int(counts.defections)


def test_the_events_csv_pairs_every_source_title_with_its_url(con):
    frame = queries.export_events(con, Filters())
    pairs = {(s["source_id"], s["title"], s["url"]) for cell in frame["sources_json"] for s in json.loads(cell)}
    expected = set(con.execute("SELECT source_id, title, url FROM sources WHERE source_id IN "
                               "(SELECT source_id FROM seed.defection_sources)").fetchall())
    assert pairs == expected


def test_filters_in_force_are_named_and_cleared_in_one_click(db_path, con):
    at = open_page(script("motives"), years=["2016", "2024"], region="Europe", confirmation="confirmed")
    assert any(c.value == "Filters in force: years 2016–2024 · region Europe · confirmation confirmed"
               for c in at.caption)
    at.button(key="clear-filters").click().run()
    assert not {"years", "region", "confirmation"} & set(at.query_params)
    assert selected_count(at) == queries.events_in_view(con, Filters())
    assert not any(c.value.startswith("Filters in force") for c in at.caption)


def test_an_unknown_event_in_a_link_is_named_when_dropped(db_path):
    at = open_page(script("events"), event="E99999")
    assert any("event E99999" in i.value and "dropped" in i.value for i in at.info)


@pytest.mark.parametrize(("page", "params", "named"), [
    ("timeline", {"view": "Nonsense"}, ["view “Nonsense”"]),
    ("timeline", {"view": "Per year", "by": "bogus", "stack": "colour"}, ["by “bogus”", "stack “colour”"]),
    ("context", {"view": "Bogus"}, ["view “Bogus”"]),
    ("sources", {"tab": "Nope"}, ["tab “Nope”"]),
])
def test_a_view_a_link_names_but_the_page_lacks_is_named_when_dropped(db_path, page, params, named):
    # Streamlit drops an unknown value of a widget bound to the URL without a word; the page says which.
    at = open_page(script(page), **params)
    dropped = [shown(i.value) for i in at.info if "does not offer" in i.value]
    assert len(dropped) == len(named) and all(any(n in d for d in dropped) for n in named), dropped


def test_a_view_the_page_offers_is_not_called_dropped(db_path):
    at = open_page(script("timeline"), view="Per year", by="disclosure", stack="category")
    assert not [i for i in at.info if "does not offer" in i.value]


def test_the_events_download_label_gives_the_rows_the_csv_holds(db_path, con):
    at = open_page(script("events"))
    label = next(b.proto.label for b in at.get("download_button") if b.proto.label.startswith("Download all"))
    listed, counted = queries.events_listed(con, Filters()), queries.events_in_view(con, Filters())
    assert label.startswith(f"Download all {listed:,} selected rows ({counted:,} counted defections)")
    assert len(queries.export_events(con, Filters())) == listed
