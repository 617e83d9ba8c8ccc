"""The region filter (posts.region) in the page, the URL, the CSV and the CLI; links whose filter values
no longer exist say what was dropped."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from helpers import script
from streamlit.testing.v1 import AppTest

from defections import queries, release, ui
from defections.__main__ import main
from defections.db import frame
from defections.export import csv_bytes
from defections.filters import FILTERS, Filters, dropped
from defections.wording import MISSING

ROOT = Path(__file__).resolve().parent.parent
BOM = "\ufeff"


def open_events(monkeypatch, **params) -> tuple[AppTest, dict]:
    """The Events page opened from a link; also what each download button would hand over."""
    offered, real = {}, ui.download

    def download(label, make, file_name, key, **options):
        offered[file_name] = make
        real(label, make, file_name, key, **options)

    monkeypatch.setattr(ui, "download", download)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params.update(params)
    at.switch_page(script("events")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at, offered


def selected_count(at: AppTest) -> int:
    for markdown in at.markdown:
        match = re.match(r"\*\*([\d,]+)\*\* defection\(s\) selected", markdown.value)
        if match:
            return int(match.group(1).replace(",", ""))
    raise AssertionError("the page does not state how many events the filters select")


def rows(data: bytes) -> list[dict]:
    text = data.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def posts_of(con, region: str) -> set[tuple]:
    """The posts (country, city) of the region's defections, read straight from the curated tables."""
    found = frame(con, "SELECT DISTINCT po.post_country, coalesce(po.post_city, '') AS city FROM seed.defections d "
                       "JOIN seed.posts po USING (post_id) WHERE po.region = $region", {"region": region})
    return set(found.itertuples(index=False, name=None))


def test_region_filter_selects_exactly_the_posts_of_its_region(db_path, con, monkeypatch):
    at, offered = open_events(monkeypatch, region="Europe")
    expected = posts_of(con, "Europe")
    assert ("Russia", "Moscow") in expected and ("Russia", "Vladivostok") not in expected
    count = con.execute("SELECT count(*) FROM seed.defections JOIN seed.posts USING (post_id) "
                        "WHERE region = 'Europe'").fetchone()[0]
    assert selected_count(at) == count > 3
    assert at.multiselect(key="region").value == ["Europe"]
    assert at.query_params["region"] == "Europe"  # the link stays as it was: the filter is valid
    table = at.dataframe[0].value
    shown_city = table["post_city"].replace(MISSING, "")  # an unnamed city reads as the missing mark
    assert set(zip(table["post_country"], shown_city)) == expected
    name = "defections_Europe.csv"
    assert name in offered
    exported = rows(offered[name]())
    assert len(exported) == count
    assert {(r["post_country"], r["post_city"]) for r in exported} == expected
    assert {r["region"] for r in exported} == {"Europe"}


def test_vladivostok_counts_as_east_asia_and_the_sidebar_says_so(db_path, con, monkeypatch):
    at, _ = open_events(monkeypatch, region="East Asia")
    assert ("Russia", "Vladivostok") in posts_of(con, "East Asia")
    assert set(at.dataframe[0].value["post_country"]) >= {"China", "Russia"}
    help_text = at.multiselect(key="region").help
    assert "Russia:" in help_text and "Vladivostok" in help_text and "Moscow" in help_text


def test_regions_combine_with_the_other_filters(con):
    both = queries.events_in_view(con, Filters(regions=("Europe", "Americas")))
    assert both == queries.events_in_view(con, Filters(regions=("Europe",))) + \
        queries.events_in_view(con, Filters(regions=("Americas",)))
    assert queries.events_in_view(con, Filters(posts=("Cuba",), regions=("Europe",))) == 0


def test_a_link_with_an_unknown_post_says_it_was_dropped(db_path, con, monkeypatch):
    at, _ = open_events(monkeypatch, post=["Atlantis", "Cuba"], region="Narnia", years=["abc", "2024"])
    notes = [i.value for i in at.info if "dropped" in i.value]
    assert len(notes) == 1
    assert "post Atlantis" in notes[0] and "region Narnia" in notes[0] and "years abc–2024" in notes[0]
    assert "Cuba" not in notes[0]
    assert selected_count(at) == queries.events_in_view(con, Filters(posts=("Cuba",)))


def test_a_link_with_only_valid_values_says_nothing_was_dropped(db_path, monkeypatch):
    at, _ = open_events(monkeypatch, post="Cuba", years=["2016", "2024"])
    assert not [i.value for i in at.info if "dropped" in i.value]


def test_a_dropped_value_is_shown_as_text_not_markup(db_path, monkeypatch):
    at, _ = open_events(monkeypatch, post="**bold** [x](http://evil.example)")
    note = next(i.value for i in at.info if "dropped" in i.value)
    assert "\\*\\*bold\\*\\*" in note and "](http" not in note


@pytest.mark.parametrize("years, lost", [
    (["1800", "2100"], ["years 1800–2100"]),
    (["2016"], ["years 2016"]),
    (["2024", "2016"], []),  # a reversed range is put in order, not dropped
])
def test_years_outside_the_data_or_garbled_are_reported(years, lost):
    options = {"years": (1950, 2025), **{f.name: [] for f in FILTERS}}
    assert dropped({"years": years}, options) == lost


def in_process(capsysbinary, *argv) -> tuple[int, bytes, str]:
    code = main([*map(str, argv)])
    out, err = capsysbinary.readouterr()
    return code, out, err.decode("utf-8")


def test_cli_export_by_region_is_the_dashboards_download(capsysbinary, con, db_path):
    code, out, err = in_process(capsysbinary, "export", "events", "--region", "Europe", "--db", db_path)
    counted = queries.events_in_view(con, Filters(regions=("Europe",)))
    assert code == 0 and err.startswith(f"data: {release.release_label(con)}\n")  # which data it is, no error
    assert f"{counted} defection(s) selected and counted, " in err
    assert out == csv_bytes(queries.export_events(con, Filters(regions=("Europe",))))
    assert {(r["post_country"], r["post_city"]) for r in rows(out)} == posts_of(con, "Europe")


def test_cli_unknown_region_exits_2_listing_the_regions(capsysbinary, db_path):
    code, out, err = in_process(capsysbinary, "export", "events", "--region", "Atlantis", "--db", db_path)
    assert (code, out) == (2, b"")
    assert "--region 'Atlantis'" in err
    assert "regions: Europe, East Asia, Southeast Asia" in err
