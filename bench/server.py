"""Server-side runs through AppTest: each page of the real app (dashboard.py with the page switched), cold,
then its warm runs alternated with its reference's, and the events CSV export. In the full run every task
runs in a fresh worker (`python -m bench.server TASK RESULT`), so the peak RSS it reports is its own; the
tests run the same tasks in their own process.

Cold = the first run after opening a new connection with every cache cleared (imports are already done:
a priming run comes first). Warm = the same session run again, what an analyst gets when switching back."""

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


def peak_rss_mb(pid: int | str = "self", reset: bool = False) -> float | None:
    """A process's peak resident set (VmHWM); with reset, start a new peak from now (Linux's clear_refs)."""
    try:
        if reset:
            Path("/proc/self/clear_refs").write_text("5")
        return int(re.search(r"VmHWM:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1)) / 1024
    except (OSError, AttributeError):  # without a reset the peak covers the whole process: a new worker
        return None


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

    at = AppTest.from_file(script, default_timeout=600)  # the default 3 s is short for a cold page at 1M rows
    if page_file:
        at.switch_page(page_file)
    at.query_params.update(query or {})
    return at


def _errors(*tests) -> str | None:
    return "; ".join(dict.fromkeys(e.message for at in tests for e in at.exception)) or None


def measure_page(page: str, runs: int, pairs: int) -> dict:
    """One page of the registry: AppTest cold, then warm runs alternated in one process with its
    reference's, so that whatever else the machine is doing slows both alike."""
    from bench.elements import spec_from_apptest
    from defections.registry import page as registry_page

    entry = registry_page(page)
    page_file = entry.script if entry.url_path else None  # the home page opens without a switch
    try:
        _clear_caches()
        peak_rss_mb(reset=True)
        _apptest(ROOT / "dashboard.py", page_file).run()  # priming: imports, page registry
        cold = []
        for _ in range(runs):
            _clear_caches()
            at = _apptest(ROOT / "dashboard.py", page_file)
            cold.append(timed(at.run))
        result = {"page": page, "cold": cold, "peak_rss_mb": peak_rss_mb(), "error": _errors(at)}
        if result["error"]:
            return result
        spec = result["spec"] = spec_from_apptest(at)
        with tempfile.TemporaryDirectory(prefix="bench-ref-") as folder:
            (Path(folder) / "spec.json").write_text(json.dumps({page: spec}), encoding="utf-8")
            with mock.patch.dict(os.environ, BENCH_REFERENCE_SPEC=str(Path(folder) / "spec.json")):
                reference = _apptest(REFERENCE_SCRIPT, query={"page": page}).run()  # priming: its frames
                times = {"app": [], "reference": []}
                for _ in range(pairs):
                    times["app"].append(timed(at.run))
                    times["reference"].append(timed(reference.run))
        return {**result, "paired": {**times, "error": _errors(at, reference)}}
    except Exception:  # noqa: BLE001 - reported in the table, the other pages still run
        return {"page": page, "error": traceback.format_exc(limit=3)}


def measure_export(db: str, runs: int) -> dict:
    """The events CSV as the download builds it, for a typical filtered view (timed `runs` times) and
    for everything (once: 15 s at 1M, no target)."""
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
        peak_rss_mb(reset=True)
        times = []
        for _ in range(runs if name == "filtered" else 1):
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
