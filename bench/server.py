"""Server-side runs: each page through AppTest (dashboard.py with the page switched) and through its
bare query and chart functions (bench/pages.py), then the reference pages. Every page runs in a
fresh worker process (`python -m bench.server TASK.json`), so the peak RSS it reports is its own.

Cold = the first run after opening a new connection with Streamlit's caches cleared (imports are
already done: a priming run comes first). Warm = repeated runs in the same session, which is what
an analyst gets when switching back to a page (ui's cache answers). The functions' warm runs
are uncached: they run every query on an open connection, as a first visit with new filters does.
"""

from __future__ import annotations

import gc
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
from contextlib import contextmanager
from pathlib import Path

from defections.paths import ROOT

REFERENCE_SCRIPT = Path(__file__).resolve().parent / "reference.py"
APPTEST_TIMEOUT = 600  # AppTest's default is 3 s; a cold page at 1M rows takes longer


def worker(task: dict, env: dict[str, str], timeout: float = 3600) -> dict:
    """Run one task in a fresh interpreter and return its result (or the error it died with)."""
    result_path = Path(task["result"])
    result_path.unlink(missing_ok=True)
    done = subprocess.run([sys.executable, "-m", "bench.server", json.dumps(task)], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0 or not result_path.is_file():
        return {"error": f"worker exited {done.returncode}: {done.stderr.strip()[-2000:]}"}
    return json.loads(result_path.read_text(encoding="utf-8"))


def peak_rss_mb() -> float:
    """The process's peak resident set since the last reset (VmHWM)."""
    text = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+)", text).group(1)) / 1024


def reset_peak_rss() -> None:
    """Start a new peak from the current RSS (Linux: writing 5 to clear_refs resets VmHWM)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass  # the peak then covers the whole process, which is what a new worker is anyway


def _clear_streamlit_caches() -> None:
    import streamlit as st

    from defections import cache

    st.cache_data.clear()
    st.cache_resource.clear()  # drops the cached DuckDB connection: the next run opens a new one
    cache.clear()  # query results and figures
    gc.collect()


def _share_script_cache() -> None:
    # AppTest compiles the scripts afresh on every run; a server compiles each once and keeps the
    # bytecode. Share one cache across runs (app and reference alike) so warm runs measure the page.
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared


def _keep_the_pages_folder_flag() -> None:
    # Before every run AppTest resets Streamlit's process-wide "old pages/ folder app" flag, which a
    # server sets once: every AppTest run of an app with a pages/ folder would first take the old
    # multipage path and rerun. A subclass takes AppTest's reset, so the flag behaves as on a server.
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import app_test

    app_test.PagesManager = type("PagesManager", (PagesManager,), {})


def _timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def _apptest(script: Path, page_file: str | None = None, query: dict | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(script, default_timeout=APPTEST_TIMEOUT)
    if page_file:
        # Before the first run AppTest names a page by its file stem, which is also its url_path here.
        at.switch_page(page_file)
    at.query_params.update(query or {})
    return at


def _errors(at) -> list[str]:
    return [e.message for e in at.exception]


def measure_page(db: str, page: str, runs: int) -> dict:
    """One page on one database: bare functions (cold, uncached warm), then AppTest (cold, warm)."""
    from bench import elements
    from bench.pages import PAGE_FILES, URL_PATHS, run_page
    from defections.db import connect

    result: dict = {"page": page}
    try:
        cold = []
        for _ in range(runs):
            gc.collect()
            start = time.perf_counter()
            con = connect(Path(db))
            outputs = run_page(con, page)
            cold.append(time.perf_counter() - start)
            con.close()
        con = connect(Path(db))
        warm, figures = [], []
        for _ in range(runs):
            start = time.perf_counter()
            outputs = run_page(con, page)
            warm.append(time.perf_counter() - start)
            figures.append(sum(out.seconds for out in outputs))
        con.close()
        result["functions"] = {"cold": cold, "warm": warm, "figures": figures}
        result["spec"] = elements.spec_from_outputs(outputs)
        result["spec_from"] = "functions"
    except Exception:  # noqa: BLE001 - reported in the table, the other pages still run
        result["functions"] = {"error": traceback.format_exc(limit=3)}

    page_file = PAGE_FILES[page] if URL_PATHS[page] else None
    if not (ROOT / PAGE_FILES[page]).is_file():
        result["apptest"] = {"error": f"{PAGE_FILES[page]} does not exist"}
        return result
    try:
        dashboard = ROOT / "dashboard.py"
        _clear_streamlit_caches()
        reset_peak_rss()
        at = _apptest(dashboard, page_file).run()  # priming: imports, page registry
        errors = _errors(at)
        cold = []
        for _ in range(runs):
            _clear_streamlit_caches()
            at = _apptest(dashboard, page_file)
            cold.append(_timed(at.run))
            errors += _errors(at)
        warm = [_timed(at.run) for _ in range(runs)]
        errors += _errors(at)
        count, size = elements.payload(at)
        result["apptest"] = {"cold": cold, "warm": warm, "peak_rss_mb": peak_rss_mb(), "elements": count,
                             "payload_bytes": size, "title": at.title[0].value if len(at.title) else None,
                             "error": "; ".join(dict.fromkeys(errors)) or None}
        if not errors:
            result["spec"] = elements.spec_from_apptest(at)
            result["spec_from"] = "apptest"
            result["paired"] = paired_warm_runs(at, page, result["spec"], max(PAIRED_RUNS, runs))
    except Exception:  # noqa: BLE001
        result["apptest"] = {"error": traceback.format_exc(limit=3)}
    return result


PAIRED_RUNS = 50  # warm runs take milliseconds: many, so that the median is steady


def paired_warm_runs(at, page: str, spec: dict, runs: int) -> dict:
    """The page's warm run and its reference's, alternated in one process, so that whatever else the
    machine is doing slows both alike; the ratio the target applies to comes from these pairs."""
    spec_file = Path(tempfile.mkdtemp(prefix="bench-ref-")) / "spec.json"
    spec_file.write_text(json.dumps({page: spec}), encoding="utf-8")
    os.environ["BENCH_REFERENCE_SPEC"] = str(spec_file)
    reference = _apptest(REFERENCE_SCRIPT, query={"page": page})
    reference.run()  # priming: the in-memory frames
    times: dict[str, list[float]] = {"app": [], "reference": [], "app_apptest": [], "reference_apptest": []}
    for _ in range(runs):
        for name, test in (("app", at), ("reference", reference)):
            with _script_time() as script:
                times[f"{name}_apptest"].append(_timed(test.run))
            times[name].append(script())
    errors = _errors(at) + _errors(reference)
    return {**times, "error": "; ".join(dict.fromkeys(errors)) or None}


@contextmanager
def _script_time():
    """The script run's own duration, from Streamlit's ScriptRunner (what a server spends on a rerun),
    without AppTest's bookkeeping around it (polling for the end, parsing the element tree)."""
    from streamlit.runtime.scriptrunner import script_runner

    runs: list[float] = []
    original = script_runner.ScriptRunner._run_script

    def timed(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            runs.append(time.perf_counter() - start)

    script_runner.ScriptRunner._run_script = timed
    try:
        yield lambda: sum(runs)
    finally:
        script_runner.ScriptRunner._run_script = original


def measure_references(spec_file: str, pages: list[str], runs: int) -> dict:
    """Each page's reference (same charts and tables from in-memory frames) and the blank page."""
    os.environ["BENCH_REFERENCE_SPEC"] = spec_file
    results = {}
    for page in [*pages, "blank"]:
        try:
            _clear_streamlit_caches()
            reset_peak_rss()
            at = _apptest(REFERENCE_SCRIPT, query={"page": page})
            at.run()  # priming: imports and the in-memory frames
            warm = [_timed(at.run) for _ in range(runs)]
            results[page] = {"warm": warm, "peak_rss_mb": peak_rss_mb(), "error": "; ".join(_errors(at)) or None}
        except Exception:  # noqa: BLE001
            results[page] = {"error": traceback.format_exc(limit=3)}
    return results


def export_views(con) -> dict:
    """The filters an export is timed with: a typical filtered view, and everything."""
    from bench.pages import default_filters
    from defections.filters import Filters

    every = default_filters(con)
    recent = Filters(year_from=max(every.year_from, every.year_to - 19), year_to=every.year_to,
                     categories=("diplomat", "trade official"))
    return {"filtered": recent, "all": every}


def measure_export(db: str, runs: int) -> dict:
    """The events CSV as the download builds it: csv_bytes(queries.export_events(...)), on an open connection."""
    from defections import queries
    from defections.db import connect
    from defections.export import csv_bytes

    con = connect(Path(db))
    results = {}
    for name, filters in export_views(con).items():
        reset_peak_rss()
        times, size, rows = [], 0, 0
        for _ in range(runs if name == "filtered" else min(runs, 3)):
            start = time.perf_counter()
            frame = queries.export_events(con, filters)
            size = len(csv_bytes(frame))
            times.append(time.perf_counter() - start)
            rows = len(frame)
            del frame
            gc.collect()
        results[name] = {"times": times, "rows": rows, "bytes": size, "filters": filters.describe(),
                         "peak_rss_mb": peak_rss_mb()}
    con.close()
    return results


def main(argv: list[str]) -> int:
    task = json.loads(argv[0])
    _share_script_cache()
    _keep_the_pages_folder_flag()
    if task["kind"] == "page":
        result = measure_page(task["db"], task["page"], task["runs"])
    elif task["kind"] == "export":
        result = measure_export(task["db"], task["runs"])
    else:
        result = measure_references(task["spec_file"], task["pages"], task["runs"])
    Path(task["result"]).write_text(json.dumps(result, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
