"""Every download holds every row of its view, on a database larger than a table shows; the table
itself stops at ui.TABLE_ROWS rows and says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import open_page, script

from bench import synth
from defections import bundle, queries, ui
from defections.build import write
from defections.db import connect
from defections.export import csv_bytes, events_file_name, workbook_bytes, workbook_file_name
from defections.filters import Filters
from defections.validate import Row

ALL = Filters()
PADDED = 1_100  # rows given to tables the synthetic data keeps small: more than a table shows


def pad(rows: list[Row], key: str, unique: tuple[str, ...] = ()) -> None:
    """Copies of the first row under new ids (and new values in `unique` columns) up to PADDED rows."""
    first = rows[0].values
    for n in range(len(rows), PADDED):
        copy = {**first, key: f"{first[key]}-{n}", **{c: f"{first[c]}-{n}" for c in unique}}
        rows.append(Row(n + 2, copy))


@pytest.fixture(scope="module")
def big_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("big")
    seeds = synth.generate(2_500, folder / "seeds")  # more rows than any table shows
    pad(seeds.tables["context_events"], "context_id")
    pad(seeds.tables["commentary"], "commentary_id")
    pad(seeds.tables["sources"], "source_id", unique=("url",))
    pad(seeds.tables["revisions"], "revision_id")
    path = folder / "big.duckdb"
    write(seeds, path)
    return path


def event(con, at):
    return at.selectbox(key="event").value


def source(con, at):
    return at.selectbox(key="source").value


def whole(con) -> dict:
    """The Sources page's zip of the whole dataset (on every tab), as the CLI exports it: made when compared."""
    return {bundle.file_name(con): bundle.bundle_bytes}


# (page, its URL parameters, a table is cut at TABLE_ROWS, {download file name: the view's every row})
VIEWS = {
    "overview": (script("overview"), None, False, lambda con, at: {
        "posts_all.csv": queries.post_map(con, ALL)}),
    "timeline": (script("timeline"), None, False, lambda con, at: {
        "timeline_monthly_all.csv": queries.timeline_density(con, ALL)}),
    "timeline per year": (script("timeline"), {"view": "Per year"}, False, lambda con, at: {
        "trend_defection_confirmation_all.csv": queries.yearly_trend(con, ALL),
        "decade_totals_all.csv": queries.decade_totals(con, ALL)}),
    "timeline arrivals": (script("timeline"), {"view": "Official arrivals"}, False, lambda con, at: {
        "yearly_arrivals_all.csv": queries.yearly_figures(con, ALL)}),
    "motives": (script("motives"), None, True, lambda con, at: {
        "motives_all.csv": queries.motive_counts(con, ALL),
        "motive_counts_all.csv": queries.motive_counts(con, ALL),
        "motive_evidence_all.csv": queries.motive_evidence(con, ALL, None)}),
    "context": (script("context"), None, True, lambda con, at: {
        "havana_sequence_all.csv": queries.cuba_timeline(con, ALL, 300, queries.HAVANA_SEQUENCE),
        "commentary_all.csv": queries.commentary(con, ALL, None),
        "yearly_arrivals_all.csv": queries.yearly_figures(con, ALL),
        "context_events_all.csv": queries.context_timeline(con, ALL)}),
    "events": (script("events"), None, False, lambda con, at: {
        events_file_name(ALL): queries.export_events(con, ALL),
        workbook_file_name(ALL): queries.export_events(con, ALL),
        f"event_{event(con, at)}.csv": queries.event_detail(con, event(con, at))}),
    "sources": (script("sources"), None, True, lambda con, at: {
        **whole(con), "sources.csv": queries.sources_list(con),
        f"facts_citing_{source(con, at)}.csv": queries.citations(con, source(con, at))}),
    "dictionary": (script("sources"), {"tab": "Data dictionary"}, False, lambda con, at: {
        **whole(con), "data_dictionary.csv": queries.data_dictionary(con)}),
    "changelog": (script("sources"), {"tab": "Changelog"}, True, lambda con, at: {
        **whole(con), "corrections.csv": queries.corrections(con), "changelog.csv": queries.revisions(con)}),
}


@pytest.mark.parametrize("view", VIEWS)
def test_every_download_holds_every_row_of_its_view(big_db, monkeypatch, view):
    page, params, cut, expected = VIEWS[view]
    offered, real = {}, ui.download

    def download(label, make, file_name, key, **options):  # what each button would hand over when clicked
        offered[file_name] = make
        real(label, make, file_name, key, **options)

    monkeypatch.setattr(ui, "download", download)
    monkeypatch.setenv("DEFECTIONS_DB", str(big_db))
    monkeypatch.setenv("DEFECTIONS_SEEDS", str(big_db.parent / "seeds"))
    at = open_page(page, timeout=120, **(params or {}))

    assert all(len(frame.value) <= ui.TABLE_ROWS for frame in at.dataframe)
    assert any(f"Showing the first {ui.TABLE_ROWS:,}" in c.value for c in at.caption) == cut
    with connect(big_db) as con:
        views = expected(con, at)
        assert sorted(offered) == sorted(views)  # a download nobody checks fails here
        for file_name, every_row in views.items():
            if file_name.endswith(".zip") and view != "sources":
                # The zip's button is made above the tabs, by the same line on every tab: its bytes (seconds
                # to make on this database) are compared on the Sources tab; here it is offered, by name.
                continue
            write = workbook_bytes if file_name.endswith(".xlsx") else csv_bytes
            want = every_row(con) if callable(every_row) else write(every_row)
            assert offered[file_name]() == want, file_name
