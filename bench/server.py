"""Server-side runs through AppTest: each page of the real app (dashboard.py with the page switched), cold,
then its warm runs alternated with its reference's, and the events CSV export. In the full run every task
runs in a fresh worker process (`python -m bench.server TASK RESULT`), so the peak RSS it reports is its own;
the tests run the same tasks in their own process.

Cold = the first run after opening a new connection with every cache cleared (imports are already done:
a priming run comes first). Warm = the same session run again, what an analyst gets when switching back.
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
from pathlib import Path
from unittest import mock

from defections.paths import ROOT

REFERENCE_SCRIPT = Path(__file__).resolve().parent / "reference.py"
APPTEST_TIMEOUT = 600  # AppTest's default is 3 s; a cold page at 1M rows takes longer


def measure(task: dict, env: dict[str, str], in_process: bool = False) -> dict:
    """Run one task in a fresh interpreter (or in this one) and return its result or the error it died with."""
    if in_process:
        gc.freeze()  # the caller's objects stay out of the collections between runs, which then take ms
        with mock.patch.dict(os.environ, env):
            try:
                return run_task(task)
            finally:
                _clear_caches()  # nothing of this database stays behind for the caller
                gc.unfreeze()
    with tempfile.TemporaryDirectory(prefix="bench-task-") as folder:
        result = Path(folder) / "result.json"
        done = subprocess.run([sys.executable, "-m", "bench.server", json.dumps(task), str(result)], cwd=ROOT,
                              env={**os.environ, **env}, capture_output=True, text=True, timeout=3600)
        if done.returncode != 0 or not result.is_file():
            return {"error": f"worker exited {done.returncode}: {done.stderr.strip()[-2000:]}"}
        return json.loads(result.read_text(encoding="utf-8"))


def peak_rss_mb(pid: int | str = "self") -> float | None:
    """A process's peak resident set since the last reset (VmHWM)."""
    try:
        return int(re.search(r"VmHWM:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1)) / 1024
    except (OSError, AttributeError):
        return None


def reset_peak_rss() -> None:
    """Start a new peak from the current RSS (Linux: writing 5 to clear_refs resets VmHWM)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass  # the peak then covers the whole process, which is what a new worker is anyway


def _clear_caches() -> None:
    import streamlit as st

    from defections import cache

    st.cache_data.clear()
    st.cache_resource.clear()
    cache.clear()  # the app's own cache of results, figures and its DuckDB connection
    gc.collect()


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def _apptest(script: Path, page_file: str | None = None, query: dict | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(script, default_timeout=APPTEST_TIMEOUT)
    if page_file:
        at.switch_page(page_file)
    at.query_params.update(query or {})
    return at


def _errors(*tests) -> str | None:
    return "; ".join(dict.fromkeys(e.message for at in tests for e in at.exception)) or None


def measure_page(page: str, runs: int, pairs: int) -> dict:
    """One page of the registry: AppTest cold, then warm runs paired with its reference."""
    from bench import elements
    from defections.registry import page as registry_page

    entry = registry_page(page)
    page_file = entry.script if entry.url_path else None  # the home page opens without a switch
    try:
        _clear_caches()
        reset_peak_rss()
        at = _apptest(ROOT / "dashboard.py", page_file).run()  # priming: imports, page registry
        cold = []
        for _ in range(runs):
            _clear_caches()
            at = _apptest(ROOT / "dashboard.py", page_file)
            cold.append(timed(at.run))
        result = {"page": page, "cold": cold, "peak_rss_mb": peak_rss_mb(), "error": _errors(at)}
        if not result["error"]:
            result["spec"] = elements.spec_from_apptest(at)
            result["paired"] = paired_warm_runs(at, page, result["spec"], pairs)
        return result
    except Exception:  # noqa: BLE001 - reported in the table, the other pages still run
        return {"page": page, "error": traceback.format_exc(limit=3)}


def paired_warm_runs(at, page: str, spec: dict, pairs: int) -> dict:
    """The page's warm run and its reference's, alternated in one process, so that whatever else the
    machine is doing slows both alike; the ratio the target applies to comes from these pairs."""
    with tempfile.TemporaryDirectory(prefix="bench-ref-") as folder:
        spec_file = Path(folder) / "spec.json"
        spec_file.write_text(json.dumps({page: spec}), encoding="utf-8")
        with mock.patch.dict(os.environ, BENCH_REFERENCE_SPEC=str(spec_file)):  # read by every run of the reference
            reference = _apptest(REFERENCE_SCRIPT, query={"page": page}).run()  # priming: the in-memory frames
            times: dict[str, list[float]] = {"app": [], "reference": []}
            for _ in range(pairs):
                times["app"].append(timed(at.run))
                times["reference"].append(timed(reference.run))
    return {**times, "error": _errors(at, reference)}


def measure_export(db: str, runs: int) -> dict:
    """The events CSV as the download builds it, for a typical filtered view and for everything."""
    from defections import queries
    from defections.db import connect
    from defections.export import csv_bytes
    from defections.filters import Filters

    con = connect(Path(db))
    lo, hi = queries.filter_options(con)["years"]
    views = {"filtered": Filters(year_from=max(lo, hi - 19), year_to=hi, categories=("diplomat", "trade official")),
             "all": Filters(year_from=lo, year_to=hi)}
    results = {}
    for name, filters in views.items():
        reset_peak_rss()
        times, size, rows = [], 0, 0
        for _ in range(runs if name == "filtered" else 1):  # everything at 1M: 10 s a run, no target
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


def run_task(task: dict) -> dict:
    if task["kind"] == "page":
        return measure_page(task["page"], task["runs"], task["pairs"])
    return measure_export(task["db"], task["runs"])


if __name__ == "__main__":
    Path(sys.argv[2]).write_text(json.dumps(run_task(json.loads(sys.argv[1])), default=str), encoding="utf-8")
