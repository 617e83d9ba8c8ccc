"""The benchmark's quick core runs end to end on a tiny seed set and measures every page, and its
reference pages draw what the app's pages draw."""

import json

from streamlit.testing.v1 import AppTest

from bench import elements, synth
from bench.pages import PAGE_FILES, PAGES, URL_PATHS
from bench.report import render
from bench.runner import REAL, Config, run
from bench.server import PAIRED_RUNS, REFERENCE_SCRIPT
from defections.paths import ROOT


def test_quick_benchmark_measures_every_page_on_a_tiny_synthetic_seed_set(tmp_path):
    # Written as seed CSVs, the synthetic rows must pass validate() and build() like curated seeds.
    seeds = synth.write_csvs(synth.generate(40, tmp_path / "seeds"), tmp_path / "seeds")
    results = run(Config(seeds_dir=seeds, sizes={}, runs=1, browser_dbs=(), out_dir=tmp_path / "out", quick=True),
                  log=lambda message: None)
    pages = results["dbs"][REAL]["pages"]
    assert set(pages) == set(PAGES)
    failed = {page: r.get("apptest", {}).get("error") or r.get("functions", {}).get("error")
              for page, r in pages.items()}
    assert {page: error for page, error in failed.items() if error} == {}
    # Each page's warm runs alternate with its reference's, and the table's ratio comes from those pairs.
    assert {page: len(r["paired"]["app"]) for page, r in pages.items()} == {page: PAIRED_RUNS for page in PAGES}
    assert all(0 < t < a for r in pages.values() for t, a in zip(r["paired"]["app"], r["paired"]["app_apptest"]))
    assert {page: r["paired"]["error"] for page, r in pages.items()} == {page: None for page in PAGES}
    assert f"| {REAL} | 40 | overview | AppTest |" in render(results)


def test_same_elements_reference_replays_every_element_of_each_page(db_path, tmp_path, monkeypatch):
    # The browser table's "app ÷ same" ratio means "the app's own cost" only if the replay draws
    # what the page draws: the same kinds of element, in the same order, in the sidebar and the main area.
    specs = {}
    for page in PAGES:
        at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60)
        if URL_PATHS[page]:
            at.switch_page(PAGE_FILES[page])
        specs[page] = elements.spec_from_apptest(at.run())
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(specs), encoding="utf-8")
    monkeypatch.setenv("BENCH_REFERENCE_SPEC", str(spec_file))
    drawn = {}
    for page in PAGES:
        reference = AppTest.from_file(REFERENCE_SCRIPT, default_timeout=60)
        reference.query_params.update({"page": page, "elements": "all"})
        reference.run()
        assert not reference.exception, page
        drawn[page] = elements.kinds(elements.layout_from_apptest(reference))
    expected = {page: elements.kinds(spec["layout"]) for page, spec in specs.items()}
    assert drawn == expected
    # Inputs and text are part of it: the events page has its search, filters and downloads.
    assert {("sidebar", "slider"), ("sidebar", "multiselect"), ("main", "text_input"),
            ("main", "download_button"), ("main", "table")} <= set(drawn["events"])
