"""python -m bench: the dashboard measured on the curated database and on synthetic ones of 10k to 1M events.

The report goes to docs/benchmarks.md (exit 1 on a missed target), which says how; --quick is CI's short
run, into bench/out/; --url URL runs the load client alone, on a running app or proxy."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path

import psutil
import websockets

from bench import browser, load, server, synth
from bench.report import COLUMNS, LARGE, LOAD, REAL, render, table, targets
from defections.build import build
from defections.db import connect
from defections.paths import ROOT, SEEDS_DIR
from defections.registry import PAGES
from defections.validate import schema

# Repetitions: cold runs per page (builds, exports too), warm runs of a page, browser loads per page and
# kind after a warm-up round, browser interaction rounds, load client sessions (0: none) and their seconds.
FULL = {"runs": 5, "warm": 20, "loads": 5, "rounds": 3, "sessions": 100, "seconds": 30}
QUICK = {"runs": 2, "warm": 10, "loads": 3, "rounds": 1, "sessions": 5, "seconds": 6}
# Written by hand, not by this run: kept as it is.
KEPT = "\n## How it is measured\n"


def machine(browser_too: bool) -> dict:
    """What the numbers were measured on."""
    cpus = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")]
    chromium = subprocess.run([browser.CHROMIUM, "--version"], capture_output=True, text=True,
                              timeout=30).stdout.strip() if browser_too and Path(browser.CHROMIUM).exists() else None
    return {"cpu": cpus[0] if cpus else platform.processor(), "cores": os.cpu_count(),
            "ram_gb": round(psutil.virtual_memory().total / 1024**3, 1),
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
            **{name: version(name) for name in ("duckdb", "streamlit", "pandas", "plotly")}, "chromium": chromium,
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}


def step(log, message: str, function, *args) -> dict:
    """`message` logged, then function(*args), or the error it raised: the report shows it, the run goes on."""
    log(message)
    try:
        return function(*args)
    except Exception as err:  # noqa: BLE001
        log(f"  {type(err).__name__}: {err}")
        return {"error": f"{type(err).__name__}: {err}"}


def timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def run(reps: dict[str, int], sizes: dict[str, int], browser_dbs: tuple[str, ...], quick: bool = False,
        seeds_dir: Path = SEEDS_DIR, out: Path = synth.OUT_DIR, log=print) -> dict:
    """Everything the report needs, as JSON-able data; the Chromium part on `browser_dbs`."""
    curated, runs = out / "curated.duckdb", reps["runs"]
    # Synthetic files have no seeds: an empty seeds folder keeps the app from "refreshing" them from seeds/.
    (out / "no-seeds").mkdir(parents=True, exist_ok=True)
    results: dict = {"machine": machine(bool(browser_dbs)), "quick": quick, "dbs": {}, "reps": {}}
    # A build: validate, load, views, atomic rename.
    results["build"] = step(log, f"building the curated seeds from {seeds_dir} ({runs}×)…",
                            lambda: {"times": [timed(build, seeds_dir, curated) for _ in range(runs)]})
    databases = {REAL: (curated, Path(seeds_dir))} if "times" in results["build"] else {}
    for label, size in sizes.items():
        databases[label] = (synth.database(label, size, out, log=log), out / "no-seeds")
    for label, (path, seeds) in databases.items():
        env = {"DEFECTIONS_DB": str(path.resolve()), "DEFECTIONS_SEEDS": str(seeds.resolve())}
        # Fewer repetitions at 1M, where a cold run or a browser load takes seconds.
        at = results["reps"][label] = reps | ({"runs": min(runs, 3), "loads": min(reps["loads"], 3), "rounds": 1}
                                              if label == LARGE else {})
        results["dbs"][label] = measure_database(label, path, env, at, label in browser_dbs, out, log)
        if label == REAL and reps["sessions"]:
            results[LOAD] = step(log, f"{REAL}: {reps['sessions']} load client sessions for {reps['seconds']} s",
                                 load.on_server, env, reps["sessions"], reps["seconds"], out / "load-server.log")
    return results


def measure_database(label: str, path: Path, env: dict[str, str], reps: dict, browse: bool, out: Path, log) -> dict:
    """Rows per table; every page on one app server; the export in a worker; Chromium if asked."""
    con = connect(path)
    try:
        tables = {t.name: con.execute(f"SELECT count(*) FROM seed.{t.name}").fetchone()[0] for t in schema()}
    finally:
        con.close()
    result: dict = {"events": tables["defections"], "tables": tables, "file_mb": path.stat().st_size / 1e6,
                    "pages": {}}
    # One app server for every page, as analysts have it: a page's peak RSS includes what the pages before it left.
    with browser.streamlit_server(ROOT / "dashboard.py", env, out / f"app-{label}-pages.log") as (url, app):
        for page in PAGES:
            result["pages"][page.name] = step(
                log, f"{label}: {page.name} ({reps['runs']} cold, {reps['warm']} warm runs)", load.measure_page,
                url, app.pid, page.url_path, reps["runs"], reps["warm"])
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as worker:  # its own peak RSS
        result["export"] = step(log, f"{label}: events CSV export",
                                lambda: worker.submit(server.measure_export, path, reps["runs"]).result())
    if browse:
        charts = {page: r.get("charts", 0) for page, r in result["pages"].items()}
        result["browser"] = step(log, f"{label}: headless Chromium ({reps['loads']} loads per page and kind, "
                                 f"{reps['rounds']} interaction rounds)", browser.measure, path, env, charts,
                                 reps["loads"], reps["rounds"], out, log)
    return result


def load_only(url: str, pids: list[int], sessions: int, seconds: float) -> int:
    """--url: the load client on a running app or proxy, its row on stdout; 1 on an error, 2 on bad input."""
    try:
        load.check_bounds(sessions, seconds)
        url = load.loopback_url(url)
        pids = pids or [load.listening_pid(url)]
        load.warm_up(url)
        result = load.measure(url, pids, sessions, seconds)
    except (load.LoadError, psutil.Error, OSError, websockets.WebSocketException) as err:
        print(f"bench: {err}", file=sys.stderr)
        return 2
    print("\n".join(table(COLUMNS[LOAD][:-1], [result])))
    for example in result["error_examples"]:
        print(f"bench: error: {example}", file=sys.stderr)
    return 1 if result["errors"] else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="curated + 10k, few repetitions, Chromium on the curated database only; no targets")
    parser.add_argument("--browser", action=argparse.BooleanOptionalAction, default=True,
                        help="run the headless Chromium part (default: on)")
    parser.add_argument("--sizes", type=lambda text: {s: synth.SIZES[s] for s in text.split(",") if s},
                        help=f"synthetic sizes among {','.join(synth.SIZES)}")
    for name in FULL:
        parser.add_argument(f"--{name}", type=int, help=f"default {FULL[name]}, {QUICK[name]} quick")
    parser.add_argument("--url", help="only the load client (--sessions, --seconds) on this running app or proxy")
    parser.add_argument("--pid", type=int, action="append", default=[],
                        help="with --url: a server process to watch (repeat for replicas; default: the port's)")
    args = parser.parse_args(argv)
    reps = FULL | (QUICK if args.quick else {}) | {k: getattr(args, k) for k in FULL if getattr(args, k) is not None}
    if args.url:
        return load_only(args.url, args.pid, reps["sessions"], reps["seconds"])

    sizes = args.sizes if args.sizes is not None else {"10k": synth.SIZES["10k"]} if args.quick else dict(synth.SIZES)
    # In-tab ratios in CI too (issue 28); the quick run's synthetic database is too small to need a browser.
    largest = [max(sizes, key=sizes.get)] if sizes and not args.quick else []
    output = synth.OUT_DIR / "benchmarks-quick.md" if args.quick else ROOT / "docs" / "benchmarks.md"
    started = time.perf_counter()
    results = run(reps, sizes, (REAL, *largest) if args.browser else (), args.quick,
                  log=lambda message: print(f"[{time.perf_counter() - started:5.0f} s] {message}", file=sys.stderr,
                                            flush=True))
    results["seconds"] = time.perf_counter() - started
    markdown = render(results)
    previous = output.read_text(encoding="utf-8") if output.exists() else ""
    if KEPT in previous:
        markdown = markdown.rstrip("\n") + "\n\n" + previous[previous.index(KEPT):].lstrip("\n")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(markdown, encoding="utf-8")
    (synth.OUT_DIR / "last-run.json").write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    print(markdown)
    print(f"written to {output} after {results['seconds'] / 60:.1f} min", file=sys.stderr)
    # The load client, so that it never rots: in the quick run, an error in its sessions fails the run.
    if args.quick and reps["sessions"] and results.get(LOAD, {}).get("errors", 1):
        print(f"load: {results.get(LOAD)}", file=sys.stderr)
        return 1
    missed = [target for target, _, ok in targets(results) if ok is False]
    if missed and not args.quick:
        print(f"{len(missed)} target(s) missed: " + "; ".join(missed), file=sys.stderr)
        return 1
    return 0
