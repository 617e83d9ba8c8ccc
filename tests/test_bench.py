"""The benchmark's core runs end to end on a tiny seed set and measures every page, and its
reference pages draw what the app's pages draw."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from bench import elements, synth
from bench.report import render, targets
from bench.runner import REAL, TINY, Config, run
from bench.server import REFERENCE_SCRIPT
from defections.registry import PAGES

NAMES = [p.name for p in PAGES]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The benchmark on 40 synthetic events as the curated seeds, every measure once, in this process."""
    folder = tmp_path_factory.mktemp("bench")
    # Written as seed CSVs, the synthetic rows must pass validate() and build() like curated seeds.
    seeds = synth.write_csvs(synth.generate(40, folder / "seeds"), folder / "seeds")
    config = Config(seeds_dir=seeds, sizes={}, browser_dbs=(), out_dir=folder / "out", quick=True, in_process=True,
                    **TINY)
    return run(config, log=lambda message: None), folder


def test_quick_benchmark_measures_every_page_on_a_tiny_synthetic_seed_set(tiny):
    results, _ = tiny
    pages = results["dbs"][REAL]["pages"]
    assert list(pages) == NAMES
    assert {page: r.get("error") for page, r in pages.items()} == {page: None for page in NAMES}
    # Each page's warm runs alternate with its reference's, and the table's ratio comes from those pairs.
    assert {page: len(r["paired"]["app"]) for page, r in pages.items()} == {page: TINY["pairs"] for page in NAMES}
    assert {page: r["paired"]["error"] for page, r in pages.items()} == {page: None for page in NAMES}
    # Every chart and table is among the elements the page sends, beside its headings and inputs.
    assert all(r["spec"]["elements"] > len(r["spec"]["charts"]) + len(r["spec"]["tables"]) for r in pages.values())
    assert set(results["dbs"][REAL]["export"]) == {"filtered", "all"}
    report = render(results)
    assert f"| {REAL} | 40 | overview |" in report
    assert f"{REAL}: 1 cold runs per page (builds, exports too), 2 warm pairs" in report
    measured = {target: ok for target, _, ok in targets(results)}
    assert measured["curated: warm server run ≤ 1.5× reference"] is not None
    assert measured["curated: build from seeds ≤ 2 s"] is not None
    # Without a browser the browser targets say so instead of passing.
    assert measured["curated: browser load ≤ 1.1× the same elements (the app's own cost)"] is None
    assert "| curated: median page switch ≤ 0.5 s | not measured | — |" in report


def test_browser_targets_read_the_interactions_of_every_page():
    # A report from made-up browser numbers: the new curated targets compare the app with the replay.
    loads = {"app": {"times": [1.2]}, "reference": {"times": [1.0]}, "same_elements": {"times": [1.0]},
             "blank": {"times": [0.5]}}
    acts = {"app": {"switch": [0.4, 0.6, 0.7], "filter": [0.2]}, "same_elements": {"switch": [0.3], "filter": [0.2]}}
    db = {"events": 1, "tables": {}, "file_mb": 1, "pages": {},
          "browser": {"pages": {"events": loads}, "interactions": {"events": acts}}}
    results = {"machine": {k: "?" for k in ("date", "cpu", "cores", "ram_gb", "os", "python", "duckdb", "streamlit",
                                            "pandas", "plotly")}, "runs": 1, "dbs": {REAL: db}}
    measured = {target: (value, ok) for target, value, ok in targets(results)}
    assert measured["curated: browser load ≤ 1.1× the same elements (the app's own cost)"] == ("1.20× (events)", False)
    assert measured["curated: median page switch ≤ 0.5 s"] == ("0.600 s (events)", False)
    assert measured["curated: median filter change (one slider step) ≤ 0.3 s"] == ("0.200 s (events)", True)
    assert "| curated | events | 0.600 | 0.300 | 2.00× | 0.200 | 0.200 | 1.00× | **no**: switch 0.600 s > 0.5 s |" \
        in render(results)


def test_same_elements_reference_replays_every_element_of_each_page(tiny, monkeypatch):
    # The browser table's "app ÷ same" ratio means "the app's own cost" only if the replay draws
    # what the page draws: the same kinds of element, in the same order, in the sidebar and the main area.
    # The specs are the ones the benchmark read from its AppTest runs of every page.
    results, folder = tiny
    specs = {page: r["spec"] for page, r in results["dbs"][REAL]["pages"].items()}
    spec_file = folder / "spec.json"
    spec_file.write_text(json.dumps(specs), encoding="utf-8")
    monkeypatch.setenv("BENCH_REFERENCE_SPEC", str(spec_file))
    drawn = {}
    for page in NAMES:
        reference = AppTest.from_file(REFERENCE_SCRIPT, default_timeout=60)
        reference.query_params.update({"page": page, "elements": "all"})
        reference.run()
        assert not reference.exception, page
        drawn[page] = elements.kinds(elements.spec_from_apptest(reference)["layout"])
    expected = {page: elements.kinds(spec["layout"]) for page, spec in specs.items()}
    assert drawn == expected
    # Inputs and text are part of it: the events page has its search, filters and downloads.
    assert {("sidebar", "slider"), ("sidebar", "multiselect"), ("main", "text_input"),
            ("main", "download_button"), ("main", "table")} <= set(drawn["events"])
    # And the charts: the registry's count for each page, drawn at the page's sizes.
    assert {page: len(spec["charts"]) for page, spec in specs.items()} == {p.name: p.charts for p in PAGES}
