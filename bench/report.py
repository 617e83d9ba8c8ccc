"""The markdown report: machine, targets, then the tables (server-side, browser, build and export)."""

from __future__ import annotations

from bench.browser import BROWSER_RUNS
from bench.elements import points
from bench.runner import REAL, median
from bench.server import PAIRED_RUNS

LARGE = "1M"
LIMITS = {"ratio_server": 1.5, "ratio_browser": 1.3, "warm": 0.5, "cold": 3.0, "rss": 600, "browser": 3.0,
          "points": 10_000, "export": 5.0, "build": 2.0}


def _s(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 0.1:
        return f"{value:.4f}"  # warm runs take milliseconds
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _x(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def _n(value: float | None) -> str:
    return "—" if value is None else f"{round(value):,}"


def _met(ok: bool | None, why: str = "") -> str:
    if ok is None:
        return "—"
    return "yes" if ok else f"**no**{': ' + why if why else ''}"


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def page_row(label: str, page: str, result: dict, references: dict) -> dict:
    """One page on one database, reduced to the numbers the tables show."""
    app, functions = result.get("apptest", {}), result.get("functions", {})
    via = "AppTest" if app.get("warm") and not app.get("error") else "functions"
    source = app if via == "AppTest" else functions
    reference = median(references.get(page, {}).get("warm", []))
    warm = median(source.get("warm", []))
    paired = result.get("paired", {})
    apptest_ratio = None
    if via == "AppTest" and paired.get("app") and not paired.get("error"):
        warm, reference = median(paired["app"]), median(paired["reference"])
        apptest_ratio = _ratio(median(paired["app_apptest"]), median(paired["reference_apptest"]))
    row = {
        "via": via, "cold": median(source.get("cold", [])), "warm": warm,
        "uncached": median(functions.get("warm", [])), "figures": median(functions.get("figures", [])),
        "reference": reference,
        "rss": app.get("peak_rss_mb"), "points": points(result["spec"]) if "spec" in result else None,
        "elements": app.get("elements"), "payload_kb": (app.get("payload_bytes") or 0) / 1024 or None,
        "error": app.get("error") or functions.get("error") or result.get("error"),
    }
    row["ratio"] = _ratio(row["warm"], reference)
    row["apptest_ratio"] = apptest_ratio
    return row


def page_verdict(label: str, row: dict) -> tuple[bool | None, str]:
    if label == REAL:
        if row["ratio"] is None:
            return None, ""
        return row["ratio"] <= LIMITS["ratio_server"], f"{row['ratio']:.2f}× > {LIMITS['ratio_server']}×"
    if label != LARGE:
        return None, ""
    problems = []
    if row["warm"] is None or row["warm"] > LIMITS["warm"]:
        problems.append(f"warm {_s(row['warm'])} s > {LIMITS['warm']} s")
    if row["cold"] is None or row["cold"] > LIMITS["cold"]:
        problems.append(f"cold {_s(row['cold'])} s > {LIMITS['cold']:.0f} s")
    if row["points"] is None or row["points"] > LIMITS["points"]:
        problems.append(f"{row['points'] or '?'} points > {LIMITS['points']:,}")
    if row["rss"] is not None and row["rss"] > LIMITS["rss"]:
        problems.append(f"RSS {row['rss']:.0f} MB > {LIMITS['rss']} MB")
    return not problems, "; ".join(problems)


def browser_row(label: str, result: dict) -> dict:
    kinds = ("app", "reference", "same_elements", "blank")
    app, ref, same, blank = (median(result.get(k, {}).get("times", [])) for k in kinds)
    error = "; ".join(f"{k}: {result[k]['error']}" for k in kinds if result.get(k, {}).get("error"))
    row = {"app": app, "reference": ref, "same_elements": same, "blank": blank, "ratio": _ratio(app, ref),
           "same_ratio": _ratio(app, same), "same_ref_ratio": _ratio(same, ref), "blank_ratio": _ratio(app, blank),
           "error": error or None}
    if label == REAL:
        row["ok"] = None if row["ratio"] is None else row["ratio"] <= LIMITS["ratio_browser"]
        row["why"] = f"{_x(row['ratio'])} > {LIMITS['ratio_browser']}×"
    elif label == LARGE:
        row["ok"] = app is not None and app <= LIMITS["browser"]
        row["why"] = f"{_s(app)} s > {LIMITS['browser']:.0f} s"
    else:
        row["ok"], row["why"] = None, ""
    return row


def render(results: dict) -> str:
    m, dbs = results["machine"], results["dbs"]
    lines = ["# Benchmarks", ""]
    if results.get("quick"):
        lines += ["*Quick run (`python -m bench --quick`): small sizes, few repetitions, targets shown but not "
                  "asserted. The full numbers come from `python -m bench`.*", ""]
    lines += [
        f"Measured {m['date']} on {m['cpu']} ({m['cores']} cores, {m['ram_gb']} GB RAM, {m['os']}); Python "
        f"{m['python']}, DuckDB {m['duckdb']}, Streamlit {m['streamlit']}, pandas {m['pandas']}, plotly {m['plotly']}"
        + (f", {m['chromium']}" if m.get("chromium") else "")
        + f". Every time is the median of {results['runs']} runs.",
        "", "Run it yourself:", "", "```bash",
        ".venv/bin/python -m bench           # full: curated + 10k, 100k, 1M, browser; this file; exit 1 on a miss",
        ".venv/bin/python -m bench --quick   # CI: curated + 10k, 2 runs, no browser; bench/out/benchmarks-quick.md",
        "```", "",
        "Options: `--sizes 10k,100k`, `--runs N`, `--browser` / `--no-browser`, `--seeds DIR`, `--output FILE`. "
        "Synthetic databases are generated once and cached in `bench/out/` (ignored by git), keyed by size and a "
        "hash of `schema.sql`, `views.sql` and the generator; the 1M database takes a few minutes to generate.", ""]

    rows = page_rows(results)
    shown = ["defections", "people", "posts", "sources", "defection_sources", "event_motives", "context_events",
             "commentary", "yearly_counts"]
    lines += ["## Databases", "", "Rows per curated table, and the file's size.", "",
              "| database | " + " | ".join(shown) + " | file MB |", "|---|" + "---:|" * (len(shown) + 1)]
    lines += [f"| {label} | " + " | ".join(_n(db.get("tables", {}).get(t)) for t in shown)
              + f" | {_n(db.get('file_mb'))} |" for label, db in dbs.items()]
    lines.append("")
    lines += ["## Targets", "", "| target | measured (worst) | met? |", "|---|---|---|"]
    lines += [f"| {target} | {measured} | {'—' if 'no target' in target else _met(ok)} |"
              for target, measured, ok in targets(results)]
    lines.append("")
    lines += ["## Server side, per page", "",
              "`cold`: first run after opening a new connection with the caches cleared (AppTest's wall time); "
              "`warm`: the same session run again (the app's cache of results, figures and tables answers): the "
              "script run itself as Streamlit's ScriptRunner times it, start to finish, which is what a server spends "
              "on a rerun; both through AppTest on `dashboard.py` with the page switched. `reference`: a script "
              "rendering the same number of charts and tables of the same sizes from in-memory frames "
              "(`bench/reference.py`), measured the same way; its warm runs alternate with the page's in one process "
              f"({PAIRED_RUNS} pairs), so the ratio compares runs made under the same load. `AppTest ÷ ref`: the "
              "same ratio over AppTest's wall time, which adds AppTest's own bookkeeping (polling for the end of "
              "the run, parsing every element into test objects), larger for a page with more elements. "
              "`uncached`: the page's own queries.* and charts.* calls "
              "on an open connection, no cache (`bench/pages.py`), i.e. a first visit with new filters; `figures`: the "
              "part of that spent in the charts.* builders (the app builds a figure once per distinct data). `points`: "
              "chart points plus table rows the page sends. `peak RSS`: the measuring process, "
              "Streamlit and the page included.", "",
              "| database | events | page | via | cold s | warm s | reference s | warm ÷ ref | AppTest ÷ ref "
              "| uncached s | figures s | peak RSS MB | points | elements | payload KB | met? |",
              "|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    errors = []
    for label, db in dbs.items():
        for page, row in rows[label].items():
            ok, why = page_verdict(label, row)
            cells = [label, f"{db.get('events') or 0:,}", page, row["via"], _s(row["cold"]), _s(row["warm"]),
                     _s(row["reference"]), _x(row["ratio"]), _x(row["apptest_ratio"]), _s(row["uncached"]),
                     _s(row["figures"]), _n(row["rss"]),
                     _n(row["points"]), _n(row["elements"]), _n(row["payload_kb"]), _met(ok, why)]
            lines.append("| " + " | ".join(cells) + " |")
            if row["error"]:
                errors.append(f"- {label} / {page}: {row['error'].strip().splitlines()[-1]}")
    lines.append("")
    if errors:
        lines += ["Errors (the page fell back to its functions, or failed):", "", *errors, ""]

    browsed = {label: db["browser"] for label, db in dbs.items() if "browser" in db}
    if browsed:
        lines += ["## Browser (headless Chromium)", "",
                  "Seconds from navigation until the script has finished and every chart has drawn its SVG, median "
                  f"of {BROWSER_RUNS} loads after one warm-up round, each in a new tab (a new session), loaded in "
                  "turn: app, reference, same elements, blank, app, … `reference`: the page's charts and tables "
                  "(the target's reference); `same elements`: the page's whole layout replayed from in-memory "
                  "data (its charts and tables in place, and its headings, text, inputs, download buttons, "
                  "columns and tabs, beside a navigation menu and the sidebar filters), so `app ÷ same` is the "
                  "cost of the app's own code, and `same ÷ ref` what Streamlit's inputs and text cost in the "
                  "browser. They and the blank page are served by a second Streamlit server, each at the app "
                  "page's own URL (`/`, `/events`, …; a blank page at `/blank`): Streamlit loads any URL below "
                  "the root more slowly, since it first probes the path as the server's base URL, and the "
                  "references pay that the same way.", "",
                  "| database | page | app s | reference s | same elements s | blank s | app ÷ ref | app ÷ same "
                  "| same ÷ ref | app ÷ blank | met? |",
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        for label, data in browsed.items():
            if "error" in data:
                lines.append(f"| {label} | — | — | — | — | — | — | — | — | — | {data['error']} |")
                continue
            for page, result in data["pages"].items():
                row = browser_row(label, result)
                lines.append(f"| {label} | {page} | {_s(row['app'])} | {_s(row['reference'])} | "
                             f"{_s(row['same_elements'])} | {_s(row['blank'])} | {_x(row['ratio'])} | "
                             f"{_x(row['same_ratio'])} | {_x(row['same_ref_ratio'])} | "
                             f"{_x(row['blank_ratio'])} | {_met(row['ok'], row['why'])} |"
                             + (f" {row['error']}" if row["error"] else ""))
        lines.append("")
        for label, data in browsed.items():
            if "error" not in data:
                lines.append(f"App server ({label}) peak RSS after loading every page: "
                             f"{_n(data.get('app_peak_rss_mb'))} MB.")
        lines.append("")

    lines += ["## Build and export", "",
              "| measure | database | rows | median s | peak RSS MB | target | met? |",
              "|---|---|---:|---:|---:|---|---|"]
    build = results.get("build", {})
    if "error" in build:
        lines.append(f"| build the curated seeds | {REAL} | — | — | — | ≤ {LIMITS['build']:.0f} s | {build['error']} |")
    else:
        t = median(build["times"])
        lines.append(f"| build the curated seeds (validate, load, views, atomic rename) | {REAL} | "
                     f"{dbs.get(REAL, {}).get('events') or 0:,} | {_s(t)} | — | ≤ {LIMITS['build']:.0f} s | "
                     f"{_met(t <= LIMITS['build'])} |")
    for label, db in dbs.items():
        export = db.get("export", {})
        if "error" in export:
            lines.append(f"| events CSV | {label} | — | — | — | — | {export['error'][-200:]} |")
            continue
        for name, e in export.items():
            t = median(e["times"])
            target = LIMITS["export"] if label == LARGE and name == "filtered" else None
            goal, ok = (f"≤ {target:.0f} s", t <= target) if target else ("—", None)
            lines.append(f"| events CSV, {name} view (`{e['filters']}`, {e['bytes'] / 1e6:.1f} MB) | {label} | "
                         f"{e['rows']:,} | {_s(t)} | {_n(e.get('peak_rss_mb'))} | {goal} | {_met(ok)} |")
    lines += ["", *NOTES]
    return "\n".join(lines) + "\n"


def page_rows(results: dict) -> dict[str, dict[str, dict]]:
    return {label: {page: page_row(label, page, r, db.get("references", {})) for page, r in db.get("pages", {}).items()}
            for label, db in results["dbs"].items()}


def targets(results: dict) -> list[tuple[str, str, bool | None]]:
    """(target, worst measured value, met?) for every target of issue 4; None when not measured."""
    rows, out = page_rows(results), []

    def add(target: str, values: list[tuple[str, float | None]], limit: float, unit: str, fmt=_s):
        known = [(name, v) for name, v in values if v is not None]
        if not known:
            out.append((target, "not measured", None))
            return
        name, worst = max(known, key=lambda item: item[1])
        out.append((target, f"{fmt(worst)}{unit} ({name})", worst <= limit))

    real, large = rows.get(REAL, {}), rows.get(LARGE, {})
    browse = {label: db.get("browser", {}).get("pages", {}) for label, db in results["dbs"].items()}
    add(f"curated: warm server run ≤ {LIMITS['ratio_server']}× reference", [(p, r["ratio"]) for p, r in real.items()],
        LIMITS["ratio_server"], "", _x)
    add(f"curated: browser ≤ {LIMITS['ratio_browser']}× reference",
        [(p, browser_row(REAL, r)["ratio"]) for p, r in browse.get(REAL, {}).items()], LIMITS["ratio_browser"], "", _x)
    add("curated: browser ÷ the same elements from memory (reported, no target)",
        [(p, browser_row(REAL, r)["same_ratio"]) for p, r in browse.get(REAL, {}).items()], float("inf"), "", _x)
    add("curated: browser ÷ blank page (reported, no target)",
        [(p, browser_row(REAL, r)["blank_ratio"]) for p, r in browse.get(REAL, {}).items()], float("inf"), "", _x)
    add(f"1M: warm server run ≤ {LIMITS['warm']} s", [(p, r["warm"]) for p, r in large.items()], LIMITS["warm"], " s")
    add(f"1M: cold server run ≤ {LIMITS['cold']:.0f} s", [(p, r["cold"]) for p, r in large.items()],
        LIMITS["cold"], " s")
    rss = [(f"{p}, AppTest process", r["rss"]) for p, r in large.items()]
    app_rss = results["dbs"].get(LARGE, {}).get("browser", {}).get("app_peak_rss_mb")
    if app_rss is not None:
        rss.append(("streamlit server after every page", app_rss))
    add(f"1M: app peak RSS ≤ {LIMITS['rss']} MB", rss, LIMITS["rss"], " MB", lambda v: f"{v:.0f}")
    add(f"1M: browser ≤ {LIMITS['browser']:.0f} s per page",
        [(p, browser_row(LARGE, r)["app"]) for p, r in browse.get(LARGE, {}).items()], LIMITS["browser"], " s")
    add(f"1M: ≤ {LIMITS['points']:,} points sent per page", [(p, r["points"]) for p, r in large.items()],
        LIMITS["points"], "", lambda v: f"{v:,}")
    export = results["dbs"].get(LARGE, {}).get("export", {}).get("filtered")
    add(f"1M: events CSV of a filtered view ≤ {LIMITS['export']:.0f} s",
        [(f"{export['rows']:,} rows", median(export["times"]))] if export else [], LIMITS["export"], " s")
    build = results.get("build", {})
    add(f"curated: build from seeds ≤ {LIMITS['build']:.0f} s",
        [("median", median(build["times"]))] if "times" in build else [], LIMITS["build"], " s")
    return out


NOTES = [
    "## How it is measured", "",
    "- **Synthetic data** (`bench/synth.py`) goes through the same schema, constraints and views as the curated "
    "seeds: typed rows in a `Seeds` object loaded by `defections.build.populate`, with the build's row-count check "
    "and atomic rename; a test writes a small set as seed CSVs and builds it with `defections.build.build`, so the "
    "generator obeys the seed contract. Each defection has its own person, 1–4 sources (one source per 200 "
    "defections, a few cited very often) and 1–4 of 12 motives; there is one context event per 100 defections and "
    "one commentary per 1,000; posts are in 40 real countries with a long tail (Cuba is the third busiest); yearly "
    "counts cover 1960–2024 (see the Databases table). Every person is named `SYNTHETIC-000123` and every source is "
    "titled `SYNTHETIC benchmark data (…)` at `https://synthetic.invalid/`.",
    "- **Filters**: every page runs as it opens, with the sidebar's defaults (every year, all posts and categories), "
    "the heaviest view. The filtered export keeps the last 20 years of diplomats and trade officials.",
    "- **Cold** runs clear the app's caches (`cache.clear()`: query results, figures, tables and the DuckDB "
    "connection) and Streamlit's before each run; the operating system's file cache stays warm. Imports are "
    "excluded by a priming run.",
    "- **Compiled scripts**: AppTest compiles the app's scripts afresh on every run, a server once. The benchmark "
    "gives AppTest one shared script cache, for the app and the reference pages alike, so a warm run measures "
    "the page, not the compiler. AppTest also resets, before every run, Streamlit's process-wide flag for apps "
    "with an old-style `pages/` folder, which a server sets once; the benchmark keeps it set, so the app's runs "
    "do not take the old multipage path and rerun each time (the reference has no `pages/` folder).",
    "- **Peak RSS** is the worker process's VmHWM, reset before each page (`/proc/self/clear_refs`); the app "
    "server's figure is its VmHWM after the browser loaded every page.",
    "- **Browser references**: `reference` draws only the page's charts and tables, as the target says; `same "
    "elements` replays the page's whole layout, read from an AppTest run of the page (`bench/elements.py`), "
    "its charts and tables at their sizes from in-memory frames and every other element by kind (a test checks, "
    "page by page, that the replay draws the same kinds of element in the same order). So `app ÷ same` is what "
    "the app's own code costs in the browser, and `same ÷ ref` what Streamlit's client spends on the inputs and "
    "text the page needs beside its charts and tables (the sidebar's year slider and two multiselects, a search "
    "box, download buttons, a chooser, headings), which on the pages made mostly of tables (events, sources) is "
    "more than the tables themselves.",
    "- **Payload** is the serialized size of the elements an AppTest run produced, close to what the websocket "
    "carries.",
]
