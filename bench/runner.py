"""The benchmark's core: build the curated database (timed), get the synthetic ones, measure every page
of the registry through AppTest beside its reference, time the export, and optionally Chromium.
Returns plain data; bench/report.py turns it into the markdown."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import browser, synth
from bench.server import PAIRED_RUNS, QUICK_PAIRS, worker
from defections.build import BuildError, build
from defections.paths import SEEDS_DIR
from defections.registry import PAGES

REAL = "curated"


@dataclass
class Config:
    seeds_dir: Path = SEEDS_DIR
    sizes: dict[str, int] = field(default_factory=lambda: dict(synth.SIZES))
    runs: int = 5
    browser_dbs: tuple[str, ...] = (REAL, "1M")  # which databases get the Chromium part
    out_dir: Path = synth.OUT_DIR
    quick: bool = False


def median(values: list[float] | None) -> float | None:
    return statistics.median(values) if values else None


def machine() -> dict:
    """What the numbers were measured on."""
    import duckdb
    import pandas
    import plotly
    import streamlit

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(mem_kb / 1024**2, 1),
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
            "duckdb": duckdb.__version__, "streamlit": streamlit.__version__, "pandas": pandas.__version__,
            "plotly": plotly.__version__, "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}


def chromium_version() -> str | None:
    try:
        return subprocess.run([browser.CHROMIUM, "--version"], capture_output=True, text=True,
                              timeout=30).stdout.strip() or None
    except OSError:
        return None


def run(config: Config, log=print) -> dict:
    """Everything the report needs, as JSON-able data."""
    out = config.out_dir
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results: dict = {"machine": machine(), "runs": config.runs, "quick": config.quick, "dbs": {},
                     "pairs": max(QUICK_PAIRS if config.quick else PAIRED_RUNS, config.runs)}
    if config.browser_dbs:
        results["machine"]["chromium"] = chromium_version()

    databases: dict[str, tuple[Path, dict]] = {}
    log(f"building the curated seeds from {config.seeds_dir} ({config.runs}×)…")
    target, times = out / "curated.duckdb", []
    try:
        for _ in range(config.runs):  # validate + load + views + atomic rename; the last build is measured below
            start = time.perf_counter()
            build(config.seeds_dir, target)
            times.append(time.perf_counter() - start)
        results["build"] = {"times": times}
        databases[REAL] = (target, {"DEFECTIONS_SEEDS": str(Path(config.seeds_dir).resolve())})
    except BuildError as err:
        results["build"] = {"error": f"{len(err.problems)} problem(s) in the seeds, first: {err.problems[0]}"}
        log(f"  the curated seeds do not build: {results['build']['error']}")
    # Synthetic files have no seeds: an empty seeds folder keeps the app from "refreshing" them from seeds/.
    no_seeds = out / "no-seeds"
    no_seeds.mkdir(exist_ok=True)
    for label, size in config.sizes.items():
        databases[label] = (synth.database(label, size, out, log=log), {"DEFECTIONS_SEEDS": str(no_seeds)})

    for label, (path, env) in databases.items():
        results["dbs"][label] = measure_database(label, path, env, config, results["pairs"], log)
    results["seconds"] = time.perf_counter() - started
    return results


def measure_database(label: str, path: Path, env: dict[str, str], config: Config, pairs: int, log) -> dict:
    out, runs = config.out_dir, config.runs
    env = {**env, "DEFECTIONS_DB": str(path)}
    scratch = out / "results"
    scratch.mkdir(exist_ok=True)
    tables = _table_sizes(path)
    result: dict = {"events": tables["defections"], "tables": tables, "file_mb": path.stat().st_size / 1e6,
                    "pages": {}}
    for page in PAGES:
        log(f"{label}: {page.name} (AppTest, {runs}× cold and warm, paired with its reference)")
        task = {"kind": "page", "page": page.name, "runs": runs, "pairs": pairs,
                "result": str(scratch / f"{label}-{page.name}.json")}
        result["pages"][page.name] = worker(task, env)
    log(f"{label}: events CSV export")
    result["export"] = worker({"kind": "export", "db": str(path), "runs": runs,
                               "result": str(scratch / f"{label}-export.json")}, env)
    if label in config.browser_dbs:
        log(f"{label}: headless Chromium")
        specs = {page: r["spec"] for page, r in result["pages"].items() if "spec" in r}
        spec_file = out / f"reference-{label}.json"
        spec_file.write_text(json.dumps(specs), encoding="utf-8")
        try:
            result["browser"] = browser.measure(path, env, spec_file, specs, runs, out, log=log)
        except Exception as err:  # noqa: BLE001 - the server-side numbers stand without it
            result["browser"] = {"error": f"{type(err).__name__}: {err}"}
    return result


def _table_sizes(path: Path) -> dict[str, int]:
    """Rows per curated table, so the report says what each database holds."""
    from defections.db import connect
    from defections.validate import schema

    con = connect(path)
    try:
        return {t.name: con.execute(f"SELECT count(*) FROM seed.{t.name}").fetchone()[0] for t in schema()}
    finally:
        con.close()
