"""Server-side runs through AppTest: each page of the real app (dashboard.py with the page switched), cold
then warm, what it sends the browser, and the events CSV export. In the full run every task
runs in a fresh worker (`python -m bench.server TASK RESULT`), so the peak RSS it reports is its own; the
tests run the same tasks in their own process.

Cold = the first run after opening a new connection with every cache cleared (imports are already done:
a priming run comes first). Warm = the same session run again, what an analyst gets when switching back."""

from __future__ import annotations

import base64
import gc
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from unittest import mock

import numpy as np

from defections.paths import ROOT

ARRAY_KEYS = ("x", "y", "z", "lat", "lon", "values", "labels", "r", "theta", "locations")


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


def _apptest(page_file: str | None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=600)  # 3 s is short for a cold page at 1M
    if page_file:
        at.switch_page(page_file)
    return at


def _errors(*tests) -> str | None:
    return "; ".join(dict.fromkeys(e.message for at in tests for e in at.exception)) or None


def _length(array) -> int:
    """Values in a plotly data array: a list, or plotly's base64 typed array ({"bdata", "dtype", "shape"})."""
    if isinstance(array, dict) and "bdata" in array:
        if "shape" in array:
            return math.prod(int(n) for n in str(array["shape"]).split(","))
        return len(base64.b64decode(array["bdata"])) // np.dtype(array["dtype"]).itemsize
    return len(array) if isinstance(array, list | tuple) else 0


def sent(at) -> dict:
    """What an AppTest run sends the browser: its plotly charts, and its points (the longest data array of
    every trace, plus every table's rows), every tab's content included."""
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    points = sum(max((_length(trace.get(key)) for key in ARRAY_KEYS), default=0)
                 for chart in charts for trace in chart.get("data", []))
    return {"charts": len(charts), "points": points + sum(len(t.value) for t in [*at.dataframe, *at.table])}


def measure_page(page: str, runs: int, warm: int) -> dict:
    """One page of the registry through AppTest: `runs` cold runs, then `warm` runs of the last session."""
    from defections.registry import page as registry_page

    entry = registry_page(page)
    page_file = entry.script if entry.url_path else None  # the home page opens without a switch
    try:
        _clear_caches()
        peak_rss_mb(reset=True)
        _apptest(page_file).run()  # priming: imports, page registry
        cold = []
        for _ in range(runs):
            _clear_caches()
            at = _apptest(page_file)
            cold.append(timed(at.run))
        result = {"page": page, "cold": cold, "error": _errors(at), **sent(at)}
        result["warm"] = [timed(at.run) for _ in range(warm)]
        return {**result, "peak_rss_mb": peak_rss_mb(), "error": result["error"] or _errors(at)}
    except Exception:  # noqa: BLE001 - reported in the table, the other pages still run
        return {"page": page, "error": traceback.format_exc(limit=3)}


def measure_export(db: str, runs: int) -> dict:
    """The events CSV as the download builds it, for a typical filtered view, timed `runs` times."""
    from defections import queries
    from defections.db import connect
    from defections.export import csv_bytes
    from defections.filters import Filters

    con = connect(Path(db))
    lo, hi = queries.filter_options(con)["years"]
    filters = Filters(year_from=max(lo, hi - 19), year_to=hi, categories=("diplomat", "trade official"))
    peak_rss_mb(reset=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        frame = queries.export_events(con, filters)
        size = len(csv_bytes(frame))
        times.append(time.perf_counter() - start)
    con.close()
    return {"times": times, "rows": len(frame), "bytes": size, "filters": filters.describe(),
            "peak_rss_mb": peak_rss_mb()}


def run_task(task: dict) -> dict:
    if task["kind"] == "page":
        return measure_page(task["page"], task["runs"], task["warm"])
    return measure_export(task["db"], task["runs"])


if __name__ == "__main__":
    Path(sys.argv[2]).write_text(json.dumps(run_task(json.loads(sys.argv[1])), default=str), encoding="utf-8")
