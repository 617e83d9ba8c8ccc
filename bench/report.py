"""The markdown report: machine, targets, then the tables (server side, browser loads and interactions,
build and export)."""

from __future__ import annotations

from bench.browser import BROWSER_RUNS
from bench.elements import points
from bench.runner import REAL, median

LARGE = "1M"
LIMITS = {"ratio_server": 1.5, "ratio_same": 1.1, "filter": 0.3, "switch": 0.5, "warm": 0.5, "cold": 3.0,
          "rss": 600, "browser": 3.0, "points": 10_000, "export": 5.0, "build": 2.0}
COMMAND = ".venv/bin/python -m bench"


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


def page_row(result: dict) -> dict:
    """One page on one database, reduced to the numbers the tables show."""
    paired, spec = result.get("paired", {}), result.get("spec", {})
    warm, reference = median(paired.get("app")), median(paired.get("reference"))
    return {"cold": median(result.get("cold")), "warm": warm if warm is not None else median(result.get("warm")),
            "reference": reference, "ratio": _ratio(warm, reference), "rss": result.get("peak_rss_mb"),
            "points": points(spec) if spec else None, "elements": spec.get("elements"),
            "payload_kb": (spec.get("payload_bytes") or 0) / 1024 or None,
            "error": result.get("error") or paired.get("error")}


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
    """A page's loads: medians per kind, the ratios, and the verdict of its database's target."""
    app, ref, same, blank = (median(result.get(k, {}).get("times")) for k in
                             ("app", "reference", "same_elements", "blank"))
    row = {"app": app, "reference": ref, "same_elements": same, "blank": blank, "ratio": _ratio(app, ref),
           "same_ratio": _ratio(app, same), "same_ref_ratio": _ratio(same, ref), "blank_ratio": _ratio(app, blank),
           "error": "; ".join(f"{k}: {v['error']}" for k, v in result.items() if v.get("error")) or None,
           "ok": None, "why": ""}
    if label == REAL and row["same_ratio"] is not None:
        row["ok"], row["why"] = row["same_ratio"] <= LIMITS["ratio_same"], f"{_x(row['same_ratio'])} > 1.1×"
    elif label == LARGE:
        row["ok"], row["why"] = app is not None and app <= LIMITS["browser"], f"{_s(app)} s > {LIMITS['browser']} s"
    return row


def interaction_row(label: str, result: dict) -> dict:
    """A page's interactions in one tab: median switch and filter step, app and replay."""
    row = {f"{what}_{kind}": median(result.get(kind, {}).get(what)) for what in ("switch", "filter")
           for kind in ("app", "same_elements")}
    problems = [f"{what} {_s(row[f'{what}_app'])} s > {LIMITS[what]} s" for what in ("switch", "filter")
                if row[f"{what}_app"] is not None and row[f"{what}_app"] > LIMITS[what]]
    measured = row["switch_app"] is not None and row["filter_app"] is not None
    row["ok"] = (not problems) if label == REAL and measured else None
    errors = [f"{kind}: {e}" for kind in ("app", "same_elements") for e in result.get(kind, {}).get("errors", [])]
    return {**row, "why": "; ".join(problems), "error": "; ".join(dict.fromkeys(errors)) or None}


def page_rows(results: dict) -> dict[str, dict[str, dict]]:
    return {label: {page: page_row(r) for page, r in db.get("pages", {}).items()}
            for label, db in results["dbs"].items()}


def targets(results: dict) -> list[tuple[str, str, bool | None]]:
    """(target, worst measured value, met?) for every target; None when not measured."""
    rows, dbs, out = page_rows(results), results["dbs"], []

    def add(target: str, values: list[tuple[str, float | None]], limit: float, unit: str = "", fmt=_s):
        known = [(name, v) for name, v in values if v is not None]
        if not known:
            out.append((target, "not measured", None))
            return
        name, worst = max(known, key=lambda item: item[1])
        out.append((target, f"{fmt(worst)}{unit} ({name})", worst <= limit))

    real, large = rows.get(REAL, {}), rows.get(LARGE, {})
    loads = {label: {p: browser_row(label, r) for p, r in db.get("browser", {}).get("pages", {}).items()}
             for label, db in dbs.items()}
    acts = {p: interaction_row(REAL, r) for p, r in dbs.get(REAL, {}).get("browser", {}).get("interactions", {}).items()
            if p != "error"}
    add(f"curated: warm server run ≤ {LIMITS['ratio_server']}× reference", [(p, r["ratio"]) for p, r in real.items()],
        LIMITS["ratio_server"], fmt=_x)
    add(f"curated: browser load ≤ {LIMITS['ratio_same']}× the same elements (the app's own cost)",
        [(p, r["same_ratio"]) for p, r in loads.get(REAL, {}).items()], LIMITS["ratio_same"], fmt=_x)
    add("curated: browser load ÷ reference (reported, no target)",
        [(p, r["ratio"]) for p, r in loads.get(REAL, {}).items()], float("inf"), fmt=_x)
    add("curated: browser load ÷ blank page (reported, no target)",
        [(p, r["blank_ratio"]) for p, r in loads.get(REAL, {}).items()], float("inf"), fmt=_x)
    add(f"curated: median filter change (one slider step) ≤ {LIMITS['filter']} s",
        [(p, r["filter_app"]) for p, r in acts.items()], LIMITS["filter"], " s")
    add(f"curated: median page switch ≤ {LIMITS['switch']} s", [(p, r["switch_app"]) for p, r in acts.items()],
        LIMITS["switch"], " s")
    add(f"1M: warm server run ≤ {LIMITS['warm']} s", [(p, r["warm"]) for p, r in large.items()], LIMITS["warm"], " s")
    add(f"1M: cold server run ≤ {LIMITS['cold']:.0f} s", [(p, r["cold"]) for p, r in large.items()],
        LIMITS["cold"], " s")
    rss = [(f"{p}, AppTest process", r["rss"]) for p, r in large.items()]
    rss.append(("streamlit server after every page", dbs.get(LARGE, {}).get("browser", {}).get("app_peak_rss_mb")))
    add(f"1M: app peak RSS ≤ {LIMITS['rss']} MB", rss, LIMITS["rss"], " MB", lambda v: f"{v:.0f}")
    add(f"1M: browser ≤ {LIMITS['browser']:.0f} s per page", [(p, r["app"]) for p, r in loads.get(LARGE, {}).items()],
        LIMITS["browser"], " s")
    add(f"1M: ≤ {LIMITS['points']:,} points sent per page", [(p, r["points"]) for p, r in large.items()],
        LIMITS["points"], "", lambda v: f"{v:,}")
    export = dbs.get(LARGE, {}).get("export", {}).get("filtered")
    add(f"1M: events CSV of a filtered view ≤ {LIMITS['export']:.0f} s",
        [(f"{export['rows']:,} rows", median(export["times"]))] if export else [], LIMITS["export"], " s")
    build = results.get("build", {})
    add(f"curated: build from seeds ≤ {LIMITS['build']:.0f} s", [("median", median(build.get("times")))],
        LIMITS["build"], " s")
    return out


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    align = ["---" if h in ("database", "page", "target", "measure", "met?", "measured (worst)") else "---:"
             for h in header]
    return ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|",
            *("| " + " | ".join(row) + " |" for row in rows), ""]


def render(results: dict) -> str:
    m, dbs = results["machine"], results["dbs"]
    lines = ["# Benchmarks", ""]
    if results.get("quick"):
        lines += ["*Quick run (`python -m bench --quick`): small sizes, few repetitions, targets shown but not "
                  "asserted. The full numbers come from `python -m bench`.*", ""]
    took = f" The whole run took {results['seconds'] / 60:.0f} min." if results.get("seconds") else ""
    lines += [
        f"Measured {m['date']} on {m['cpu']} ({m['cores']} cores, {m['ram_gb']} GB RAM, {m['os']}); Python "
        f"{m['python']}, DuckDB {m['duckdb']}, Streamlit {m['streamlit']}, pandas {m['pandas']}, plotly {m['plotly']}"
        + (f", {m['chromium']}" if m.get("chromium") else "")
        + f". Every time is the median of {results['runs']} runs unless a table says otherwise.{took}",
        "", "Run it yourself:", "", "```bash",
        f"{COMMAND}           # full: curated + 10k, 100k, 1M, browser; this file; exit 1 on a miss",
        f"{COMMAND} --quick   # CI: curated + 10k, 2 runs, no browser; bench/out/benchmarks-quick.md",
        "```", "",
        "Options: `--sizes 10k,100k`, `--runs N`, `--browser` / `--no-browser`, `--seeds DIR`, `--output FILE`. "
        "Synthetic databases are generated once and cached in `bench/out/` (ignored by git), keyed by size and a "
        "hash of `schema.sql`, `views.sql` and the generator; the 1M database takes a few minutes to generate.", ""]

    shown = ["defections", "people", "posts", "sources", "defection_sources", "event_motives", "context_events",
             "commentary", "yearly_counts"]
    lines += ["## Databases", "", "Rows per curated table, and the file's size.", ""]
    lines += _table(["database", *shown, "file MB"], [[label, *(_n(db["tables"].get(t)) for t in shown),
                                                       _n(db["file_mb"])] for label, db in dbs.items()])
    lines += ["## Targets", ""]
    lines += _table(["target", "measured (worst)", "met?"], [[t, v, "—" if "no target" in t else _met(ok)]
                                                             for t, v, ok in targets(results)])
    rows, server, errors = page_rows(results), [], []
    for label, db in dbs.items():
        for page, row in rows[label].items():
            server.append([label, f"{db['events']:,}", page, _s(row["cold"]), _s(row["warm"]), _s(row["reference"]),
                           _x(row["ratio"]), _n(row["rss"]), _n(row["points"]), _n(row["elements"]),
                           _n(row["payload_kb"]), _met(*page_verdict(label, row))])
            if row["error"]:
                errors.append(f"- {label} / {page}: {row['error'].strip().splitlines()[-1]}")
    lines += ["## Server side, per page", "", SERVER.format(pairs=results.get("pairs", "—")), ""]
    lines += _table(["database", "events", "page", "cold s", "warm s", "reference s", "warm ÷ ref", "peak RSS MB",
                     "points", "elements", "payload KB", "met?"], server)
    lines += ["Errors:", "", *errors, ""] if errors else []

    browsed = {label: db["browser"] for label, db in dbs.items() if "browser" in db}
    if browsed:
        loads, acts, notes = [], [], []
        for label, data in browsed.items():
            if "error" in data:
                notes.append(f"- {label}: {data['error']}")
                continue
            for page, result in data["pages"].items():
                r = browser_row(label, result)
                loads.append([label, page, *(_s(r[k]) for k in ("app", "reference", "same_elements", "blank")),
                              *(_x(r[k]) for k in ("same_ratio", "ratio", "same_ref_ratio", "blank_ratio")),
                              _met(r["ok"], r["why"]) + (f" {r['error']}" if r["error"] else "")])
            for page, result in data.get("interactions", {}).items():
                if page == "error":
                    notes.append(f"- {label} interactions: {result}")
                    continue
                r = interaction_row(label, result)
                acts.append([label, page, _s(r["switch_app"]), _s(r["switch_same_elements"]),
                             _x(_ratio(r["switch_app"], r["switch_same_elements"])), _s(r["filter_app"]),
                             _s(r["filter_same_elements"]), _x(_ratio(r["filter_app"], r["filter_same_elements"])),
                             _met(r["ok"], r["why"]) + (f" {r['error']}" if r["error"] else "")])
            notes.append(f"- App server ({label}) peak RSS after loading every page: "
                         f"{_n(data.get('app_peak_rss_mb'))} MB.")
        lines += ["## Browser (headless Chromium): loads", "", LOADS, ""]
        lines += _table(["database", "page", "app s", "reference s", "same elements s", "blank s", "app ÷ same",
                         "app ÷ ref", "same ÷ ref", "app ÷ blank", "met?"], loads)
        lines += ["## Browser: interactions in one tab", "", INTERACTIONS, ""]
        lines += _table(["database", "page", "switch: app s", "switch: same s", "app ÷ same", "filter: app s",
                         "filter: same s", "app ÷ same", "met?"], acts)
        lines += [*notes, ""]

    build, export_rows = results.get("build", {}), []
    t = median(build.get("times"))
    export_rows.append([f"build the curated seeds (validate, load, views, atomic rename){build.get('error', '')}",
                        REAL, _n(dbs.get(REAL, {}).get("events")), _s(t), "—", f"≤ {LIMITS['build']:.0f} s",
                        _met(None if t is None else t <= LIMITS["build"])])
    for label, db in dbs.items():
        for name, e in db.get("export", {}).items():
            if name == "error":
                export_rows.append([f"events CSV: {e[-200:]}", label, "—", "—", "—", "—", "—"])
                continue
            t, limit = median(e["times"]), LIMITS["export"] if label == LARGE and name == "filtered" else None
            export_rows.append([f"events CSV, {name} view (`{e['filters']}`, {e['bytes'] / 1e6:.1f} MB)", label,
                                f"{e['rows']:,}", _s(t), _n(e.get("peak_rss_mb")), f"≤ {limit:.0f} s" if limit else "—",
                                _met(t <= limit if limit else None)])
    lines += ["## Build and export", ""]
    lines += _table(["measure", "database", "rows", "median s", "peak RSS MB", "target", "met?"], export_rows)
    return "\n".join([*lines, *NOTES]) + "\n"


SERVER = (
    "Every page of `defections/registry.py` through Streamlit's AppTest on `dashboard.py` with the page switched, "
    "wall time of `AppTest.run()`. `cold`: the first run after opening a new connection with every cache cleared; "
    "`warm`: the same session run again (the app's cache of results and figures answers). `reference`: a script "
    "rendering the same charts and tables at the same sizes from in-memory frames (`bench/reference.py`); its warm "
    "runs alternate with the page's in one process ({pairs} pairs, the `warm` and `reference` columns), so "
    "the ratio compares runs made under the same load. AppTest's wall time includes its own bookkeeping (parsing "
    "every element into test objects), a little more for a page with more elements than its reference. `points`: "
    "chart points plus table rows the page sends; `peak RSS`: the measuring process, Streamlit and the page included.")
LOADS = (
    f"Seconds from navigation until the script has finished and every chart has drawn its SVG, median of "
    f"{BROWSER_RUNS} loads after one warm-up round, each in a new tab (a new session), in turn: app, reference, "
    "same elements, blank, app, … `same elements`: the page's whole layout, read from an AppTest run of the page, "
    "replayed from in-memory data (charts and tables in place, and its headings, text, inputs, download buttons, "
    "columns and tabs, beside a navigation menu and the sidebar filters), so `app ÷ same` is the cost of the app's "
    "own code (the target); `reference`: the page's charts and tables only. They and the blank page are served by a "
    "second Streamlit server at the app page's own URL (`/`, `/events`, …; blank at `/blank`).")
INTERACTIONS = (
    "One tab on the app and one on the same-elements replay, taking turns at every interaction: rounds over every "
    "page, each a page switch through the sidebar's navigation, then one step of the year slider (ArrowRight on its "
    "start thumb) and one back (ArrowLeft); seconds from just before the click or key until the run it started has "
    "finished, nothing is stale and every chart is drawn. Median of every round (the number of rounds is the run "
    "count, at least 3; the first round is included: a slider step's filters are new to the app's cache then and "
    "come from it afterwards). The slider sends its value only after a short pause of Streamlit's own, which both "
    "sides pay.")
NOTES = [
    "## How it is measured", "",
    "- **Pages** come from `defections/registry.py`, the list the app itself reads; every number about a page is "
    "read from an AppTest run of its real script (`bench/elements.py`), so the benchmark holds no copy of a page.",
    "- **Synthetic data** (`bench/synth.py`) is typed as the seed loader types a CSV and written by the build's own "
    "`defections.build.write` (schema, constraints, views, row-count check, atomic rename); a test writes a small "
    "set as seed CSVs and builds it, so the generator obeys the seed contract. Each defection has its own person, "
    "1–4 sources (one source per 200 defections, a few cited very often) and 1–4 of 12 motives; one context event "
    "per 100 defections and one commentary per 1,000; posts in 40 real countries with a long tail (Cuba third); "
    "yearly counts 1960–2024. Every person is named `SYNTHETIC-000123` and every source titled `SYNTHETIC "
    "benchmark data (…)` at `https://synthetic.invalid/`.",
    "- **Filters**: every page opens with the sidebar's defaults (every year, all posts and categories), the "
    "heaviest view. The filtered export keeps the last 20 years of diplomats and trade officials.",
    "- **Cold** runs clear Streamlit's caches and the app's (`cache.clear()`); the operating system's file "
    "cache stays warm. Imports are excluded by a priming run.",
    "- **Peak RSS** is the worker process's VmHWM, reset before each page (`/proc/self/clear_refs`); the app "
    "server's figure is its VmHWM after the browser loaded every page and ran every interaction.",
    "- **Same elements**: a test checks, page by page, that the replay draws the same kinds of element in the same "
    "order as the page, in the sidebar and the main area; `same ÷ ref` is what Streamlit's client spends on the "
    "inputs and text a page needs beside its charts and tables.",
    "- **Payload** is the serialized size of the elements an AppTest run produced, close to what the websocket "
    "carries.",
    "- **Shared machine**: the numbers are only as steady as the machine; every ratio compares runs taken in turn "
    "in the same minutes, so it is steadier than the seconds beside it.",
]
