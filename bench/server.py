"""Server-side runs through AppTest: each page of the real app (dashboard.py with the page switched),
cold and warm, its warm runs alternated with its reference's, and the events CSV export. Every task
runs in a fresh worker process (`python -m bench.server TASK.json`), so the peak RSS it reports is its own.

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

from defections.paths import ROOT

REFERENCE_SCRIPT = Path(__file__).resolve().parent / "reference.py"
APPTEST_TIMEOUT = 600  # AppTest's default is 3 s; a cold page at 1M rows takes longer
PAIRED_RUNS = 50  # warm runs take milliseconds: many, so that the median is steady
QUICK_PAIRS = 10  # the quick run's: enough to show the ratio, few enough to keep CI short


def worker(task: dict, env: dict[str, str], timeout: float = 3600) -> dict:
    """Run one task in a fresh interpreter and return its result (or the error it died with)."""
    result_path = Path(task["result"])
    result_path.unlink(missing_ok=True)
    done = subprocess.run([sys.executable, "-m", "bench.server", json.dumps(task)], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0 or not result_path.is_file():
        return {"error": f"worker exited {done.returncode}: {done.stderr.strip()[-2000:]}"}
    return json.loads(result_path.read_text(encoding="utf-8"))


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
    st.cache_resource.clear()  # drops the cached DuckDB connection: the next run opens a new one
    cache.clear()  # the app's own cache of results and figures
    gc.collect()


def _timed(function) -> float:
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
    """One page of the registry: AppTest cold and warm, then warm runs paired with its reference."""
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
            cold.append(_timed(at.run))
        warm = [_timed(at.run) for _ in range(runs)]
        result = {"page": page, "cold": cold, "warm": warm, "peak_rss_mb": peak_rss_mb(), "error": _errors(at)}
        if not result["error"]:
            result["spec"] = elements.spec_from_apptest(at)
            result["paired"] = paired_warm_runs(at, page, result["spec"], pairs)
        return result
    except Exception:  # noqa: BLE001 - reported in the table, the other pages still run
        return {"page": page, "error": traceback.format_exc(limit=3)}


def paired_warm_runs(at, page: str, spec: dict, runs: int) -> dict:
    """The page's warm run and its reference's, alternated in one process, so that whatever else the
    machine is doing slows both alike; the ratio the target applies to comes from these pairs."""
    spec_file = Path(tempfile.mkdtemp(prefix="bench-ref-")) / "spec.json"
    spec_file.write_text(json.dumps({page: spec}), encoding="utf-8")
    os.environ["BENCH_REFERENCE_SPEC"] = str(spec_file)
    reference = _apptest(REFERENCE_SCRIPT, query={"page": page}).run()  # priming: the in-memory frames
    times: dict[str, list[float]] = {"app": [], "reference": []}
    for _ in range(runs):
        times["app"].append(_timed(at.run))
        times["reference"].append(_timed(reference.run))
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
    if task["kind"] == "page":
        result = measure_page(task["page"], task["runs"], task["pairs"])
    else:
        result = measure_export(task["db"], task["runs"])
    Path(task["result"]).write_text(json.dumps(result, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
