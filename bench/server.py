"""The events CSV export as the download builds it, timed in a worker process of its own (runner.py), so
that the peak RSS it reports is the export's; and the peak RSS of a process, such as an app server."""

from __future__ import annotations

import re
import time
from pathlib import Path


def peak_rss_mb(pid: int | str = "self", reset: bool = False) -> float | None:
    """A process's peak resident set (VmHWM); with reset, start a new peak from now (Linux's clear_refs)."""
    try:
        if reset:
            Path(f"/proc/{pid}/clear_refs").write_text("5")
        return int(re.search(r"VmHWM:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1)) / 1024
    except (OSError, AttributeError):  # gone, or not ours to reset
        return None


def measure_export(db: Path, runs: int) -> dict:
    """The events CSV for a typical filtered view (the last 20 years of diplomats and trade officials)."""
    from defections import queries
    from defections.db import connect
    from defections.export import csv_bytes
    from defections.filters import Filters

    con = connect(db)
    lo, hi = queries.filter_options(con)["years"]
    filters = Filters(year_from=max(lo, hi - 19), year_to=hi, categories=("diplomat", "trade official"))
    peak_rss_mb(reset=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        size = len(csv_bytes(frame := queries.export_events(con, filters)))
        times.append(time.perf_counter() - start)
    con.close()
    return {"times": times, "rows": len(frame), "bytes": size, "filters": filters.describe(),
            "peak_rss_mb": peak_rss_mb()}
