"""The markdown report: machine, targets, then the tables. One list of targets gives both the Targets
table and each row's verdict; one list of columns per table, its header, cells and alignment."""

from __future__ import annotations

from statistics import median

REAL, LARGE, LOAD = "curated", "1M", "load"
# (target, database, table, column, limit)
TARGETS = [
    ("curated: slider step ≤ 3× the reference's, per page", REAL, "acts", "filter_ratio", 3),
    ("curated: page switch ≤ 2× the reference's, per page", REAL, "acts", "switch_ratio", 2),
    ("curated: fresh tab ≤ 3× a blank Streamlit page, per page", REAL, "loads", "app_ratio", 3),
    ("100 analysts on their own links, one process: p95 ≤ 1 s", LOAD, LOAD, "p95", 1.0),
    ("100 analysts: 0 errors", LOAD, LOAD, "errors", 0),
    ("100 analysts: server CPU ≤ 0.02 s per interaction", LOAD, LOAD, "cpu_per_interaction", 0.02),
    ("1M: warm server run ≤ 0.5 s", LARGE, "pages", "warm", 0.5),
    ("1M: cold server run ≤ 3 s", LARGE, "pages", "cold", 3.0),
    ("1M: app peak RSS ≤ 600 MB", LARGE, "pages", "peak_rss_mb", 600),
    ("1M: browser ≤ 3 s per page", LARGE, "loads", "app", 3.0),
    ("1M: ≤ 10,000 points sent per page", LARGE, "pages", "points", 10_000),
    ("1M: events CSV of a filtered view ≤ 5 s", LARGE, "export", "times", 5.0),
    ("curated: build from seeds ≤ 2 s", REAL, "build", "times", 2.0),
]
SHOWN = ("defections", "people", "posts", "sources", "defection_sources", "event_motives", "context_events",
         "commentary", "yearly_counts")
# A table's columns, (header, key, format): format None is text (left-aligned), "s" seconds, "x" a ratio,
# anything else a format spec for a number.
DATABASE, PAGE, MET, RSS = ("database", "database", None), ("page", "name", None), ("met?", "met", None), \
    ("peak RSS MB", "peak_rss_mb", ",.0f")
COLUMNS = {
    "pages": [DATABASE, ("events", "events", ",d"), PAGE, ("cold s", "cold", "s"), ("warm s", "warm", "s"), RSS,
              ("points", "points", ",d"), MET],
    "loads": [DATABASE, PAGE, ("app s", "app", "s"), ("blank s", "app_ref", "s"), ("app ÷ blank", "app_ratio", "x"),
              MET],
    "acts": [DATABASE, PAGE, ("switch: app s", "switch", "s"), ("switch: reference s", "switch_ref", "s"),
             ("app ÷ ref", "switch_ratio", "x"), ("step: app s", "filter", "s"),
             ("step: reference s", "filter_ref", "s"), ("app ÷ ref", "filter_ratio", "x"), MET],
    LOAD: [("sessions", "sessions", "d"), ("interactions", "interactions", "d"), ("p50 s", "p50", ".2f"),
           ("p95 s", "p95", ".2f"), ("max s", "max", ".2f"), ("errors", "errors", "d"),
           ("server CPU s / interaction", "cpu_per_interaction", ".3f"), ("cores busy", "server_cores_busy", ".2f"),
           RSS, ("client CPU s", "client_cpu_s", ".1f"), MET],
    "build": [("measure", "measure", None), DATABASE, ("rows", "rows", ",d"), ("median s", "times", "s"), RSS, MET],
}
COLUMNS["export"] = COLUMNS["build"]  # one table in the report
PAGES_NOTE = ("The pages in turn on one app server per database, over its websocket: a cold run is a new session's "
              "first run after the app dropped every cached result, figure and connection, a warm run that session's "
              "rerun; peak RSS is the server's over the page's runs (see How it is measured).")


def seconds(v: float) -> str:
    return f"{v:.4f}" if v < 0.1 else f"{v:.3f}" if v < 10 else f"{v:.1f}"


def cell(v, form: str | None) -> str:
    if v is None:
        return "—"
    return str(v) if form is None else seconds(v) if form == "s" else f"{v:.2f}×" if form == "x" else f"{v:{form}}"


def table(columns: list[tuple], rows: list[dict]) -> list[str]:
    """A markdown table of `rows` (dicts) under `columns`: text left-aligned, numbers right-aligned."""
    return [f"| {' | '.join(header for header, _, _ in columns)} |",
            "|" + "|".join("---" if form is None else "---:" for _, _, form in columns) + "|",
            *(f"| {' | '.join(cell(row.get(key), form) for _, key, form in columns)} |" for row in rows), ""]


def _show(column: str, v, limit: bool = False) -> str:
    """A value as the targets state it: 1.57×, 0.841 s, 557 MB, 2,105 points."""
    if "ratio" in column:
        return f"{v:g}×" if limit else f"{v:.2f}×"
    if column in ("peak_rss_mb", "points", "errors"):
        return f"{v:,.0f}" + (" MB" if column == "peak_rss_mb" else "")
    return f"{v:g} s" if limit else f"{seconds(v)} s"


def _met(ok, why="", error=None) -> str:
    text = "—" if ok is None else "yes" if ok else "**no**" + (f": {why}" if why else "")
    return text + (f" {' '.join(error.split())[:300]}" if error else "")  # one line: a cell of a table


def tables(results: dict) -> dict[str, list[dict]]:
    """{table: rows}: what was measured, every list of seconds as its median, X ÷ X_ref as X_ratio, with its
    database, its name (a page, …) and its verdict against the targets of its table."""
    found: dict[str, list[dict]] = {name: [] for name in COLUMNS}

    def add(name: str, label: str, row: dict) -> None:
        medians = {k: median(v) if v else None for k, v in row.items()
                   if isinstance(v, list) and all(isinstance(x, float) for x in v)}
        row = {**row, **medians}
        row |= {f"{k}_ratio": row[k] / row[f"{k}_ref"] for k in list(row) if row.get(k) and row.get(f"{k}_ref")}
        applied = [(column, limit, row[column]) for _, db, t, column, limit in TARGETS
                   if (db, t) == (label, name) and isinstance(row.get(column), float | int)]
        words = {"cpu_per_interaction": "CPU per interaction ", "peak_rss_mb": "peak RSS ", "times": ""}
        why = "; ".join(f"{'' if 'ratio' in c else words.get(c, c + ' ')}{_show(c, v)} > {_show(c, limit, True)}"
                        for c, limit, v in applied if v > limit)
        ok = (not why) if applied else None
        found[name].append({"database": label, **row, "met": _met(ok, why, row.get("error"))})

    build, curated = results.get("build", {}), results["dbs"].get(REAL, {})
    add("build", REAL, {**build, "name": "median", "rows": curated.get("events"),
                        "measure": "build the curated seeds (validate, load, views, atomic rename)"})
    for label, db in results["dbs"].items():
        for page, r in db.get("pages", {}).items():
            add("pages", label, {**r, "name": page, "events": db["events"]})
        for name in ("loads", "acts"):
            for page, r in db.get("browser", {}).get(name, {}).items():
                if page != "error":  # the interactions as a whole failed: a note under the table
                    add(name, label, {**r, "name": page})
        export = db.get("export", {})
        shown = f", filtered view (`{export['filters']}`, {export['bytes'] / 1e6:.1f} MB)" if "bytes" in export else ""
        add("export", label, {**export, "name": f"{export.get('rows', 0):,} rows", "measure": "events CSV" + shown})
    if "sessions" in results.get(LOAD, {}):
        add(LOAD, LOAD, {**results[LOAD], "name": f"{results[LOAD]['sessions']} sessions"})
    return found


def targets(results: dict) -> list[tuple[str, str, bool | None]]:
    """(target, worst measured value, met?) for every target; None when not measured."""
    found, out = tables(results), []
    for target, label, name, column, limit in TARGETS:
        values = [(row["name"], row.get(column)) for row in found[name] if row["database"] == label]
        if column == "peak_rss_mb":  # the pages' server after each page, and the browser's after every page
            browsed = results["dbs"].get(LARGE, {}).get("browser", {})
            values = [(f"server after {page}", v) for page, v in values]
            values.append(("streamlit server after every page", browsed.get("app_peak_rss_mb")))
        if known := [(where, v) for where, v in values if isinstance(v, float | int)]:
            where, worst = max(known, key=lambda item: item[1])
            out.append((target, f"{_show(column, worst)} ({where})", worst <= limit))
        else:
            out.append((target, "not measured", None))
    return out


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
             *table([DATABASE, *((t, t, ",d") for t in SHOWN), ("file MB", "file_mb", ",.0f")],
                    [{"database": label, **db["tables"], "file_mb": db["file_mb"]} for label, db in dbs.items()]),
             "## Targets", "", *table([("target", "target", None), ("measured (worst)", "measured", None), MET],
                                      [{"target": t, "measured": v, "met": _met(ok)} for t, v, ok in targets(results)]),
             "## Server side, per page", "", PAGES_NOTE, "", *table(COLUMNS["pages"], found["pages"])]
    if browsed := {label: db["browser"] for label, db in dbs.items() if "browser" in db}:
        rss = {label: cell(data.get("app_peak_rss_mb"), RSS[2]) for label, data in browsed.items()}
        notes = [f"- {label}: {data['error']}" if "error" in data else
                 f"- App server ({label}) peak RSS after loading every page: {rss[label]} MB."
                 for label, data in browsed.items()]
        notes += [f"- {label} interactions: {data['acts']['error']}" for label, data in browsed.items()
                  if "error" in data.get("acts", {})]
        lines += ["## Browser (headless Chromium): a fresh tab per load", "", *table(COLUMNS["loads"], found["loads"]),
                  "## Browser: interactions in one tab", "", *table(COLUMNS["acts"], found["acts"]), *notes, ""]
    if load := results.get(LOAD):
        lines += ["## Load", "", f"{REAL} database, one server process; each session interacts every "
                  f"{load.get('think', '?')} s for {load.get('seconds', '?')} s.", "",
                  *(table(COLUMNS[LOAD], found[LOAD]) if found[LOAD] else [f"Not measured: {load.get('error')}", ""])]
    lines += ["## Build and export", "", *table(COLUMNS["build"], found["build"] + found["export"])]
    return "\n".join(lines) + "\n"
