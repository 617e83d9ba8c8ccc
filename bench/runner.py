"""python -m bench: measure the dashboard on the curated database and on synthetic ones of 10k, 100k
and 1M events, print a markdown table and write it to docs/benchmarks.md.

    python -m bench            full run; exits 1 when a target is missed
    python -m bench --quick    curated + 10k, 2 runs, 5 load sessions, no browser unless --browser; never fails
    python -m bench --url URL  only the load client's sessions, on a running app or proxy (loopback)

The core builds the curated database (timed), gets the synthetic ones, measures every page of the registry
through AppTest, times the export, optionally Chromium, and the load client's sessions on a server of the
curated database. It returns plain data; bench/report.py turns it into the markdown."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from importlib.metadata import version
from pathlib import Path

import psutil
import websockets

from bench import browser, load, server, synth
from bench.report import LARGE, LOAD, REAL, load_table, render, targets
from defections.build import BuildError, build
from defections.paths import ROOT, SEEDS_DIR
from defections.registry import PAGES

REPS = ("runs", "warm", "loads", "rounds", "sessions", "seconds")
QUICK = {"runs": 2, "warm": 10, "loads": 3, "rounds": 1, "sessions": 5, "seconds": 6}  # CI
TINY = {"runs": 1, "warm": 2, "loads": 1, "rounds": 1, "sessions": 0}  # the tests: every measure once, no load
# Written by hand, not by this run: kept as it is.
KEPT = "\n## How it is measured\n"


@dataclass(frozen=True)
class Config:
    seeds_dir: Path = SEEDS_DIR
    sizes: dict[str, int] = field(default_factory=lambda: dict(synth.SIZES))
    runs: int = 5  # cold AppTest runs per page, builds, exports
    warm: int = 20  # warm runs of a page (milliseconds each)
    loads: int = 5  # browser loads per page and kind, after one warm-up round
    rounds: int = 3  # browser interaction rounds over every page
    sessions: int = 100  # load client sessions on one server of the curated database (0: none)
    seconds: float = 30  # how long they interact
    browser_dbs: tuple[str, ...] = (REAL, LARGE)  # which databases get the Chromium part
    out_dir: Path = synth.OUT_DIR
    quick: bool = False
    in_process: bool = False  # tasks in this process instead of a worker each (tests: faster, RSS not its own)

    def at(self, label: str) -> Config:
        """Fewer repetitions at 1M, where a cold run or a browser load takes seconds."""
        return replace(self, runs=min(self.runs, 3), loads=min(self.loads, 3), rounds=1) if label == LARGE else self


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


def run(config: Config, log=print) -> dict:
    """Everything the report needs, as JSON-able data."""
    out = config.out_dir
    out.mkdir(parents=True, exist_ok=True)
    results: dict = {"machine": machine(bool(config.browser_dbs)), "quick": config.quick, "dbs": {}, "reps": {}}
    databases: dict[str, tuple[Path, dict]] = {}
    log(f"building the curated seeds from {config.seeds_dir} ({config.runs}×)…")
    try:  # validate + load + views + atomic rename
        results["build"] = {"times": [server.timed(lambda: build(config.seeds_dir, out / "curated.duckdb"))
                                      for _ in range(config.runs)]}
        databases[REAL] = (out / "curated.duckdb", {"DEFECTIONS_SEEDS": str(Path(config.seeds_dir).resolve())})
    except BuildError as err:
        results["build"] = {"error": f"{len(err.problems)} problem(s) in the seeds, first: {err.problems[0]}"}
        log(f"  the curated seeds do not build: {results['build']['error']}")
    # Synthetic files have no seeds: an empty seeds folder keeps the app from "refreshing" them from seeds/.
    (out / "no-seeds").mkdir(exist_ok=True)
    for label, size in config.sizes.items():
        databases[label] = (synth.database(label, size, out, log=log), {"DEFECTIONS_SEEDS": str(out / "no-seeds")})
    for label, (path, env) in databases.items():
        results["reps"][label] = {k: getattr(config.at(label), k) for k in REPS}
        results["dbs"][label] = measure_database(label, path, env, config.at(label), log)
    if config.sessions and REAL in databases:
        log(f"{REAL}: {config.sessions} load client sessions for {config.seconds:g} s on one server")
        path, env = databases[REAL]
        try:
            with browser.streamlit_server(ROOT / "dashboard.py", {**env, "DEFECTIONS_DB": str(path)},
                                          out / "load-server.log") as (url, process):
                load.warm_up(url)
                results[LOAD] = load.measure(url, [process.pid], config.sessions, config.seconds)
        except Exception as err:  # noqa: BLE001 - the other numbers stand without it
            results[LOAD] = {"error": f"{type(err).__name__}: {err}"}
    return results


def measure_database(label: str, path: Path, env: dict[str, str], config: Config, log) -> dict:
    from defections.db import connect
    from defections.validate import schema

    env = {**env, "DEFECTIONS_DB": str(path)}
    con = connect(path)
    try:  # rows per curated table, so the report says what each database holds
        tables = {t.name: con.execute(f"SELECT count(*) FROM seed.{t.name}").fetchone()[0] for t in schema()}
    finally:
        con.close()
    result: dict = {"events": tables["defections"], "tables": tables, "file_mb": path.stat().st_size / 1e6,
                    "pages": {}}
    for page in PAGES:
        log(f"{label}: {page.name} (AppTest: {config.runs} cold runs, {config.warm} warm runs)")
        task = {"kind": "page", "page": page.name, "runs": config.runs, "warm": config.warm}
        result["pages"][page.name] = server.measure(task, env, config.in_process)
    log(f"{label}: events CSV export")
    result["export"] = server.measure({"kind": "export", "db": str(path), "runs": config.runs}, env, config.in_process)
    if label in config.browser_dbs:
        log(f"{label}: headless Chromium ({config.loads} loads per page and kind, {config.rounds} interaction rounds)")
        try:
            charts = {page: r.get("charts", 0) for page, r in result["pages"].items()}
            result["browser"] = browser.measure(path, env, charts, config.loads, config.rounds, config.out_dir, log=log)
        except Exception as err:  # noqa: BLE001 - the server-side numbers stand without it
            result["browser"] = {"error": f"{type(err).__name__}: {err}"}
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
    print("\n".join(load_table([result])))
    for example in result["error_examples"]:
        print(f"bench: error: {example}", file=sys.stderr)
    return 1 if result["errors"] else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="curated + 10k, few repetitions, no browser; no targets")
    parser.add_argument("--browser", action=argparse.BooleanOptionalAction, default=None,
                        help="run the headless Chromium part (default: on in the full run, off with --quick)")
    parser.add_argument("--sizes", type=lambda text: {s: synth.SIZES[s] for s in text.split(",") if s},
                        help=f"synthetic sizes among {','.join(synth.SIZES)}")
    for name in REPS:
        parser.add_argument(f"--{name}", type=int, help=f"default {getattr(Config, name)}, {QUICK[name]} quick")
    parser.add_argument("--url", help="only the load client (--sessions, --seconds) on this running app or proxy")
    parser.add_argument("--pid", type=int, action="append", default=[],
                        help="with --url: a server process to watch (repeat for replicas; default: the port's)")
    args = parser.parse_args(argv)
    if args.url:
        return load_only(args.url, args.pid, Config.sessions if args.sessions is None else args.sessions,
                         Config.seconds if args.seconds is None else args.seconds)

    sizes = args.sizes if args.sizes is not None else {"10k": synth.SIZES["10k"]} if args.quick else dict(synth.SIZES)
    reps = {**(QUICK if args.quick else {}), **{k: getattr(args, k) for k in REPS if getattr(args, k) is not None}}
    browser_on = args.browser if args.browser is not None else not args.quick
    largest = [max(sizes, key=sizes.get)] if sizes else []
    config = Config(sizes=sizes, quick=args.quick, **reps, browser_dbs=(REAL, *largest) if browser_on else ())
    output = synth.OUT_DIR / "benchmarks-quick.md" if args.quick else ROOT / "docs" / "benchmarks.md"

    started = time.perf_counter()
    results = run(config, log=lambda message: print(f"[{time.perf_counter() - started:5.0f} s] {message}",
                                                    file=sys.stderr, flush=True))
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
    if args.quick and config.sessions and results.get(LOAD, {}).get("errors", 1):
        print(f"load: {results.get(LOAD)}", file=sys.stderr)
        return 1
    missed = [target for target, _, ok in targets(results) if ok is False]
    if missed and not args.quick:
        print(f"{len(missed)} target(s) missed: " + "; ".join(missed), file=sys.stderr)
        return 1
    return 0
