"""The benchmark's core: build the curated database (timed), get the synthetic ones, measure every page
of the registry through AppTest, time the export, optionally Chromium, and the load client's sessions on
a server of the curated database. Returns plain data; bench/report.py turns it into the markdown."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from dataclasses import dataclass, field, replace
from importlib.metadata import version
from pathlib import Path

from bench import browser, load, server, synth
from bench.report import LARGE, LOAD, REAL
from defections.build import BuildError, build
from defections.paths import ROOT, SEEDS_DIR
from defections.registry import PAGES

REPS = ("runs", "warm", "loads", "rounds", "sessions", "seconds")
QUICK = {"runs": 2, "warm": 10, "loads": 3, "rounds": 1, "sessions": 5, "seconds": 6}  # CI
TINY = {"runs": 1, "warm": 2, "loads": 1, "rounds": 1, "sessions": 0}  # the tests: every measure once, no load


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
    info = {key.strip(): value.strip() for path in ("/proc/cpuinfo", "/proc/meminfo")
            for key, _, value in (line.partition(":") for line in Path(path).read_text().splitlines())}
    chromium = subprocess.run([browser.CHROMIUM, "--version"], capture_output=True, text=True,
                              timeout=30).stdout.strip() if browser_too and Path(browser.CHROMIUM).exists() else None
    return {"cpu": info.get("model name", platform.processor()), "cores": os.cpu_count(),
            "ram_gb": round(int(info["MemTotal"].split()[0]) / 1024**2, 1),
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
                think = load.THINK if config.seconds >= 3 * load.THINK else config.seconds / 4  # quick: 4 each
                results[LOAD] = load.measure(url, [process.pid], config.sessions, config.seconds, think)
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
