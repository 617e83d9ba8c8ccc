"""The benchmark's core runs end to end on a tiny seed set and measures every page, its report reads
the targets, and its reference app has the app's sidebar filters around a short page."""

import csv
import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from bench import synth
from bench.report import render, targets
from bench.runner import REAL, run
from defections.paths import ROOT
from defections.registry import PAGES
from defections.validate import PRECISION_COLUMNS, schema

NAMES = [p.name for p in PAGES]
TINY = {"runs": 1, "warm": 2, "loads": 1, "rounds": 1, "sessions": 0, "seconds": 0}  # every measure once, no load


def write_csvs(seeds, directory: Path) -> Path:
    """The generated rows as seed CSVs (dates at their precision) and its held documents, as curated seeds."""
    for name, content in seeds.files.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_bytes(content)
    for table in schema():
        precisions = PRECISION_COLUMNS.get(table.name, {})
        with open(directory / f"{table.name}.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow([c.name for c in table.columns])
            writer.writerows([cell(row.values[c.name], row.values.get(precisions.get(c.name))) for c in table.columns]
                             for row in seeds.tables[table.name])
    return directory


def cell(value, precision: str | None) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return {"month": value.isoformat()[:7], "year": value.isoformat()[:4]}.get(precision, value.isoformat())
    return "" if value is None else str(value)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The benchmark on 40 synthetic events as the curated seeds, every measure once."""
    folder = tmp_path_factory.mktemp("bench")
    # Written as seed CSVs, the synthetic rows must pass validate() and build() like curated seeds.
    seeds = write_csvs(synth.generate(40, folder / "seeds"), folder / "seeds")
    return run(TINY, {}, (), quick=True, seeds_dir=seeds, out=folder / "out", log=lambda message: None), folder


def test_quick_benchmark_measures_every_page_on_a_tiny_synthetic_seed_set(tiny):
    results, _ = tiny
    pages = results["dbs"][REAL]["pages"]
    assert list(pages) == NAMES
    assert {page: r.get("error") for page, r in pages.items()} == {page: None for page in NAMES}
    assert {page: len(r["warm"]) for page, r in pages.items()} == {page: TINY["warm"] for page in NAMES}
    # The charts each page draws (the registry's count) and the points it sends are read from its run.
    assert {page: r["charts"] for page, r in pages.items()} == {p.name: p.charts for p in PAGES}
    assert all(r["points"] > 0 for r in pages.values())
    assert results["dbs"][REAL]["export"]["rows"] <= 40
    report = render(results)
    assert f"| {REAL} | 40 | overview |" in report
    assert f"{REAL}: 1 cold runs per page (builds, exports too), 2 warm runs" in report
    measured = {target: ok for target, _, ok in targets(results)}
    assert measured["curated: build from seeds ≤ 2 s"] is not None
    # Without a browser or a load run, their targets say so instead of passing.
    assert "| curated: page switch ≤ 2× the reference's, per page | not measured | — |" in report
    assert measured["100 analysts on their own links, one process: p95 ≤ 1 s"] is None


def test_browser_and_load_targets_read_every_page_and_the_sessions():
    # A report from made-up numbers: each page's interactions beside the reference's, its load beside blank.
    loads = {"app": [1.2], "app_ref": [0.3]}
    acts = {"switch": [0.4, 0.6, 0.7], "filter": [0.2], "switch_ref": [0.2], "filter_ref": [0.1]}
    db = {"events": 1, "tables": {}, "file_mb": 1, "pages": {},
          "browser": {"loads": {"events": loads}, "acts": {"events": acts}}}
    load = {"sessions": 100, "interactions": 500, "errors": 0, "p50": 0.2, "p95": 1.5, "max": 2.0,
            "cpu_per_interaction": 0.01, "server_cores_busy": 0.9, "peak_rss_mb": 300, "client_cpu_s": 2}
    results = {"machine": {k: "?" for k in ("date", "cpu", "cores", "ram_gb", "os", "python", "duckdb", "streamlit",
                                            "pandas", "plotly")}, "dbs": {REAL: db}, "load": load}
    measured = {target: (value, ok) for target, value, ok in targets(results)}
    assert measured["curated: page switch ≤ 2× the reference's, per page"] == ("3.00× (events)", False)
    assert measured["curated: slider step ≤ 3× the reference's, per page"] == ("2.00× (events)", True)
    assert measured["curated: fresh tab ≤ 3× a blank Streamlit page, per page"] == ("4.00× (events)", False)
    assert measured["100 analysts on their own links, one process: p95 ≤ 1 s"] == ("1.500 s (100 sessions)", False)
    assert measured["100 analysts: 0 errors"] == ("0 (100 sessions)", True)
    assert measured["100 analysts: server CPU ≤ 0.02 s per interaction"] == ("0.0100 s (100 sessions)", True)
    report = render(results)
    assert "| curated | events | 0.600 | 0.200 | 3.00× | 0.200 | 0.100 | 2.00× | **no**: 3.00× > 2× |" in report
    assert "| 100 | 500 | 0.20 | 1.50 | 2.00 | 0 | 0.010 | 0.90 | 300 | 2.0 | **no**: p95 1.500 s > 1 s |" in report


def test_the_reference_app_has_the_apps_sidebar_filters_around_a_short_page(tiny, monkeypatch):
    # Its home page (AppTest switches pages by script file; the browser benchmark opens every page by URL).
    _, folder = tiny
    monkeypatch.setenv("DEFECTIONS_DB", str(folder / "out" / "curated.duckdb"))
    monkeypatch.setenv("DEFECTIONS_SEEDS", str(folder / "seeds"))
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    reference = AppTest.from_file(str(ROOT / "bench" / "reference.py"), default_timeout=60).run()
    assert not app.exception and not reference.exception
    widgets = [(w.type, w.label) for w in reference.sidebar if hasattr(w, "label")]
    assert ("slider", "Year of defection") in widgets
    assert widgets == [(w.type, w.label) for w in app.sidebar if hasattr(w, "label")]
    assert reference.title[0].value == PAGES[0].title and not reference.get("plotly_chart")
