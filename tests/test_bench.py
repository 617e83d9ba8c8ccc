"""The benchmark's quick core runs end to end on a tiny seed set and measures every page."""

from bench import synth
from bench.pages import PAGES
from bench.report import render
from bench.runner import REAL, Config, run
from bench.server import PAIRED_RUNS


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
