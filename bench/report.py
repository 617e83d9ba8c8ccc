"""The markdown report: machine, targets, then the tables (server side, browser loads and interactions,
load, build and export). One list of targets gives both the Targets table and each row's verdict."""

from __future__ import annotations

from statistics import median as _median

REAL, LARGE, LOAD = "curated", "1M", "load"
# (target, database, table, column, limit)
TARGETS = [
    ("curated: slider step ≤ 3× the reference's, per page", REAL, "acts", "filter_ratio", 3),
    ("curated: page switch ≤ 2× the reference's, per page", REAL, "acts", "switch_ratio", 2),
    ("curated: fresh tab ≤ 3× a blank Streamlit page, per page", REAL, "loads", "blank_ratio", 3),
    ("100 analysts on their own links, one process: p95 ≤ 1 s", LOAD, LOAD, "p95", 1.0),
    ("100 analysts: 0 errors", LOAD, LOAD, "errors", 0),
    ("100 analysts: server CPU ≤ 0.02 s per interaction", LOAD, LOAD, "cpu_per_interaction", 0.02),
    ("1M: warm server run ≤ 0.5 s", LARGE, "pages", "warm", 0.5),
    ("1M: cold server run ≤ 3 s", LARGE, "pages", "cold", 3.0),
    ("1M: app peak RSS ≤ 600 MB", LARGE, "pages", "rss", 600),
    ("1M: browser ≤ 3 s per page", LARGE, "loads", "app", 3.0),
    ("1M: ≤ 10,000 points sent per page", LARGE, "pages", "points", 10_000),
    ("1M: events CSV of a filtered view ≤ 5 s", LARGE, "export", "filtered", 5.0),
    ("curated: build from seeds ≤ 2 s", REAL, "build", "build", 2.0),
]
SHOWN = ("defections", "people", "posts", "sources", "defection_sources", "event_motives", "context_events",
         "commentary", "yearly_counts")


def median(values):
    return _median(values) if values else None


def f(v, digits: int) -> str:
    return "—" if v is None else f"{v:,.{digits}f}"


def _s(v):
    return "—" if v is None else f"{v:.4f}" if v < 0.1 else f"{v:.3f}" if v < 10 else f"{v:.1f}"


def _x(v):
    return "—" if v is None else f"{v:.2f}×"


def _div(a, b):
    return a / b if a is not None and b else None


def _show(column: str, v, limit: bool = False) -> str:
    """A value as the targets state it: 1.57×, 0.841 s, 557 MB, 2,105 points."""
    if "ratio" in column:
        return f"{v:g}×" if limit else _x(v)
    if column in ("rss", "points", "errors"):
        return f"{v:,.0f}" + (" MB" if column == "rss" else "")
    return f"{v:g} s" if limit else f"{_s(v)} s"


def _met(ok, why="", error=None):
    text = "—" if ok is None else "yes" if ok else "**no**" + (f": {why}" if why else "")
    return text + (f" {error}" if error else "")


def _judge(label: str, table: str, row: dict) -> dict:
    """The row's verdict against the targets of its database and table (None when none applies)."""
    applied = [(column, limit, row.get(column)) for _, db, t, column, limit in TARGETS
               if (db, t) == (label, table) and row.get(column) is not None]
    name = {"cpu_per_interaction": "CPU per interaction "}
    why = [f"{'' if 'ratio' in c else name.get(c, c + ' ')}{_show(c, v)} > {_show(c, limit, True)}"
           for c, limit, v in applied if v > limit]
    return {**row, "ok": (not why) if applied else None, "why": "; ".join(why)}


def tables(results: dict) -> dict[str, dict[str, dict]]:
    """{database: {table: {page or measure: row}}}, each row its medians, ratios and verdict."""
    out = {}
    for label, db in results["dbs"].items():
        browsed, rows = db.get("browser", {}), {"pages": {}, "loads": {}, "acts": {}, "export": {}}
        for page, r in db.get("pages", {}).items():
            rows["pages"][page] = {"cold": median(r.get("cold")), "warm": median(r.get("warm")),
                                   "rss": r.get("peak_rss_mb"), "points": r.get("points"), "error": r.get("error")}
        for page, r in browsed.get("pages", {}).items():
            app, blank = (median(r.get(k, {}).get("times")) for k in ("app", "blank"))
            rows["loads"][page] = {"app": app, "blank": blank, "blank_ratio": _div(app, blank),
                                   "error": "; ".join(f"{k}: {v['error']}" for k, v in r.items() if v.get("error"))}
        for page, r in browsed.get("interactions", {}).items():
            if page != "error":
                row = {f"{w}{end}": median(r[kind].get(w)) for w in ("switch", "filter")
                       for kind, end in (("app", ""), ("reference", "_ref"))}
                ratios = {f"{w}_ratio": _div(row[w], row[f"{w}_ref"]) for w in ("switch", "filter")}
                rows["acts"][page] = {**row, **ratios,
                                      "error": "; ".join(dict.fromkeys(f"{kind}: {e}" for kind, side in r.items()
                                                                       for e in side.get("errors", [])))}
        if "times" in db.get("export", {}):
            rows["export"]["filtered"] = {**db["export"], "filtered": median(db["export"]["times"])}
        if label == REAL:
            rows["build"] = {"build": {"build": median(results.get("build", {}).get("times"))}}
        out[label] = {table: {key: _judge(label, table, row) for key, row in found.items()}
                      for table, found in rows.items()}
    if "sessions" in results.get(LOAD, {}):
        out[LOAD] = {LOAD: {f"{results[LOAD]['sessions']} sessions": _judge(LOAD, LOAD, results[LOAD])}}
    return out


def targets(results: dict) -> list[tuple[str, str, bool | None]]:
    """(target, worst measured value, met?) for every target; None when not measured."""
    found, out = tables(results), []
    for target, label, table, column, limit in TARGETS:
        values = [("median" if table == "build" else f"{row['rows']:,} rows" if table == "export"
                   else f"{name}, AppTest process" if column == "rss" else name, row.get(column))
                  for name, row in found.get(label, {}).get(table, {}).items()]
        if column == "rss":
            values.append(("streamlit server after every page",
                           results["dbs"].get(LARGE, {}).get("browser", {}).get("app_peak_rss_mb")))
        if known := [(name, v) for name, v in values if v is not None]:
            name, worst = max(known, key=lambda item: item[1])
            out.append((target, f"{_show(column, worst)} ({name})", worst <= limit))
        else:
            out.append((target, "not measured", None))
    return out


def _table(header: str, rows: list[list[str]]) -> list[str]:
    """A markdown table: text columns left-aligned, numbers right-aligned."""
    align = ["---" if h in ("database", "page", "target", "measure", "met?", "measured (worst)") else "---:"
             for h in header.split(" | ")]
    return [f"| {header} |", "|" + "|".join(align) + "|", *("| " + " | ".join(row) + " |" for row in rows), ""]


def repetitions(results: dict) -> str:
    """What each median is of: 'curated, 10k, 100k: 5 cold runs …; 1M: 3 cold runs …'."""
    groups: dict[str, list[str]] = {}
    for label, r in results.get("reps", {}).items():
        text = f"{r['runs']} cold runs per page (builds, exports too), {r['warm']} warm runs"
        if "browser" in results["dbs"].get(label, {}):
            text += f", {r['loads']} browser loads, {r['rounds']} interaction round{'s' * (r['rounds'] > 1)}"
        groups.setdefault(text, []).append(label)
    return "; ".join(f"{', '.join(labels)}: {text}" for text, labels in groups.items())


def render(results: dict) -> str:
    m, dbs, found = results["machine"], results["dbs"], tables(results)
    took = f" The whole run took {results['seconds'] / 60:.0f} min." if results.get("seconds") else ""
    lines = ["# Benchmarks", "", *(["*Quick run (`python -m bench --quick`): small sizes, few repetitions, targets "
                                    "shown but not asserted. The full numbers come from `python -m bench`.*", ""]
                                   if results.get("quick") else []),
             f"Measured {m['date']} on {m['cpu']} ({m['cores']} cores, {m['ram_gb']} GB RAM, {m['os']}); Python "
             f"{m['python']}, DuckDB {m['duckdb']}, Streamlit {m['streamlit']}, pandas {m['pandas']}, plotly "
             f"{m['plotly']}" + (f", {m['chromium']}" if m.get("chromium") else "")
             + f". Every time is the median of its repetitions ({repetitions(results) or '—'}).{took}", "",
             "Run it yourself: `.venv/bin/python -m bench [--quick]`; see How it is measured.", "",
             "## Databases", "", "Rows per curated table, and the file's size.", "",
             *_table(" | ".join(["database", *SHOWN, "file MB"]), [[label, *(f(db["tables"].get(t), 0) for t in SHOWN),
                                                                    f(db["file_mb"], 0)] for label, db in dbs.items()]),
             "## Targets", "", *_table("target | measured (worst) | met?", [[t, v, _met(ok)]
                                                                          for t, v, ok in targets(results)])]
    pages = [(label, page, r) for label in dbs for page, r in found[label]["pages"].items()]
    errors = [f"- {label} / {page}: {r['error'].strip().splitlines()[-1]}" for label, page, r in pages if r["error"]]
    lines += ["## Server side, per page", "", *_table(
        "database | events | page | cold s | warm s | peak RSS MB | points | met?",
        [[label, f"{dbs[label]['events']:,}", page, _s(r["cold"]), _s(r["warm"]), f(r["rss"], 0), f(r["points"], 0),
          _met(r["ok"], r["why"])] for label, page, r in pages]), *(["Errors:", "", *errors, ""] if errors else [])]

    if browsed := {label: db["browser"] for label, db in dbs.items() if "browser" in db}:
        loads = [[label, page, _s(r["app"]), _s(r["blank"]), _x(r["blank_ratio"]),
                  _met(r["ok"], r["why"], r["error"] or None)] for label in browsed
                 for page, r in found[label]["loads"].items()]
        acts = [[label, page, *(cell for w in ("switch", "filter") for cell in (
                    _s(r[w]), _s(r[f"{w}_ref"]), _x(r[f"{w}_ratio"]))), _met(r["ok"], r["why"], r["error"] or None)]
                for label in browsed for page, r in found[label]["acts"].items()]
        notes = [f"- {label}: {data['error']}" if "error" in data else
                 f"- App server ({label}) peak RSS after loading every page: {f(data.get('app_peak_rss_mb'), 0)} MB."
                 for label, data in browsed.items()]
        notes += [f"- {label} interactions: {data['interactions']['error']}" for label, data in browsed.items()
                  if "error" in data.get("interactions", {})]
        lines += ["## Browser (headless Chromium): a fresh tab per load", "", *_table(
            "database | page | app s | blank s | app ÷ blank | met?", loads),
            "## Browser: interactions in one tab", "", *_table(
            "database | page | switch: app s | switch: reference s | app ÷ ref | step: app s | step: reference s | "
            "app ÷ ref | met?", acts), *notes, ""]

    if load := results.get(LOAD):
        row = found.get(LOAD, {}).get(LOAD, {})
        lines += ["## Load", "", f"{REAL} database, one server process; each session interacts every "
                  f"{load.get('think', '?')} s for {load.get('seconds', '?')} s.", "",
                  *(load_table([load], [_met(r["ok"], r["why"]) for r in row.values()]) if row else
                    [f"Not measured: {load.get('error')}", ""])]

    build = found.get(REAL, {}).get("build", {}).get("build", {})
    rows = [[f"build the curated seeds (validate, load, views, atomic rename)"
             f"{results.get('build', {}).get('error', '')}", REAL, f(dbs.get(REAL, {}).get("events"), 0),
             _s(build.get("build")), "—", _met(build.get("ok"))]]
    for label, db in dbs.items():
        if "error" in db.get("export", {}):
            rows.append([f"events CSV: {db['export']['error'][-200:]}", label, "—", "—", "—", "—"])
        for e in found[label]["export"].values():
            rows.append([f"events CSV, filtered view (`{e['filters']}`, {e['bytes'] / 1e6:.1f} MB)", label,
                         f"{e['rows']:,}", _s(e["filtered"]), f(e.get("peak_rss_mb"), 0), _met(e["ok"])])
    lines += ["## Build and export", "", *_table("measure | database | rows | median s | peak RSS MB | met?", rows)]
    return "\n".join(lines) + "\n"


def load_table(results: list[dict], met: list[str] | None = None) -> list[str]:
    """Load levels (bench/load.py's measure), one row each."""
    return _table("sessions | interactions | p50 s | p95 s | max s | errors | server CPU s / interaction | "
                  "cores busy | peak RSS MB | client CPU s" + (" | met?" if met else ""),
                  [[str(r["sessions"]), str(r["interactions"]), *(f(r[k], 2) for k in ("p50", "p95", "max")),
                    str(r["errors"]), f(r["cpu_per_interaction"], 3), f(r["server_cores_busy"], 2),
                    f(r["peak_rss_mb"], 0), f(r["client_cpu_s"], 1), *([met[i]] if met else [])]
                   for i, r in enumerate(results)])
