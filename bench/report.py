"""The markdown report: machine, targets, then the tables (server side, browser loads and interactions,
build and export). One list of targets gives both the Targets table and each row's verdict."""

from __future__ import annotations

from statistics import median as _median

from bench.elements import points

REAL, LARGE = "curated", "1M"
# (target, database, table, column, limit); a limit of None is reported, not a target.
TARGETS = [
    ("curated: warm server run ≤ 1.5× reference", REAL, "pages", "ratio", 1.5),
    ("curated: browser load ≤ 1.1× the same elements (the app's own cost)", REAL, "loads", "same_ratio", 1.1),
    ("curated: browser load ÷ reference (reported, no target)", REAL, "loads", "ratio", None),
    ("curated: browser load ÷ blank page (reported, no target)", REAL, "loads", "blank_ratio", None),
    ("curated: median filter change (one slider step) ≤ 0.3 s", REAL, "acts", "filter", 0.3),
    ("curated: median page switch ≤ 0.5 s", REAL, "acts", "switch", 0.5),
    ("1M: warm server run ≤ 0.5 s", LARGE, "pages", "warm", 0.5),
    ("1M: cold server run ≤ 3 s", LARGE, "pages", "cold", 3.0),
    ("1M: app peak RSS ≤ 600 MB", LARGE, "pages", "rss", 600),
    ("1M: browser ≤ 3 s per page", LARGE, "loads", "app", 3.0),
    ("1M: ≤ 10,000 points sent per page", LARGE, "pages", "points", 10_000),
    ("1M: events CSV of a filtered view ≤ 5 s", LARGE, "export", "filtered", 5.0),
    ("curated: build from seeds ≤ 2 s", REAL, "build", "build", 2.0),
]
KINDS = ("app", "reference", "same_elements", "blank")
SHOWN = ("defections", "people", "posts", "sources", "defection_sources", "event_motives", "context_events",
         "commentary", "yearly_counts")


def median(values):
    return _median(values) if values else None


def _s(v):
    return "—" if v is None else f"{v:.4f}" if v < 0.1 else f"{v:.3f}" if v < 10 else f"{v:.1f}"


def _x(v):
    return "—" if v is None else f"{v:.2f}×"


def _n(v):
    return "—" if v is None else f"{round(v):,}"


def _div(a, b):
    return a / b if a is not None and b else None


def _show(column: str, v, limit: bool = False) -> str:
    """A value as the targets state it: 1.57×, 0.841 s, 557 MB, 2,105 points."""
    if "ratio" in column:
        return f"{v:g}×" if limit else _x(v)
    if column in ("rss", "points"):
        return f"{v:,.0f}" + (" MB" if column == "rss" else "")
    return f"{v:g} s" if limit else f"{_s(v)} s"


def _met(ok, why="", error=None):
    text = "—" if ok is None else "yes" if ok else "**no**" + (f": {why}" if why else "")
    return text + (f" {error}" if error else "")


def _judge(label: str, table: str, row: dict) -> dict:
    """The row's verdict against the targets of its database and table (None when none applies)."""
    applied = [(column, limit, row.get(column)) for _, db, t, column, limit in TARGETS
               if (db, t) == (label, table) and limit is not None and row.get(column) is not None]
    why = [f"{'' if 'ratio' in column else column + ' '}{_show(column, v)} > {_show(column, limit, True)}"
           for column, limit, v in applied if v > limit]
    return {**row, "ok": (not why) if applied else None, "why": "; ".join(why)}


def tables(results: dict) -> dict[str, dict[str, dict]]:
    """{database: {table: {page or measure: row}}}, each row its medians, ratios and verdict."""
    out = {}
    for label, db in results["dbs"].items():
        browsed, rows = db.get("browser", {}), {"pages": {}, "loads": {}, "acts": {}, "export": {}}
        for page, r in db.get("pages", {}).items():
            paired, spec = r.get("paired", {}), r.get("spec", {})
            warm, ref = median(paired.get("app")), median(paired.get("reference"))
            rows["pages"][page] = {"cold": median(r.get("cold")), "warm": warm, "reference": ref,
                                   "ratio": _div(warm, ref), "rss": r.get("peak_rss_mb"),
                                   "points": points(spec) if spec else None, "elements": spec.get("elements"),
                                   "payload_kb": (spec.get("payload_bytes") or 0) / 1024 or None,
                                   "error": r.get("error") or paired.get("error")}
        for page, r in browsed.get("pages", {}).items():
            app, ref, same, blank = (median(r.get(k, {}).get("times")) for k in KINDS)
            rows["loads"][page] = {"app": app, "reference": ref, "same_elements": same, "blank": blank,
                                   "same_ratio": _div(app, same), "ratio": _div(app, ref),
                                   "same_ref_ratio": _div(same, ref), "blank_ratio": _div(app, blank),
                                   "error": "; ".join(f"{k}: {v['error']}" for k, v in r.items() if v.get("error"))}
        for page, r in browsed.get("interactions", {}).items():
            sides = {kind: r.get(kind, {}) for kind in ("app", "same_elements")} if page != "error" else {}
            if sides:
                rows["acts"][page] = {f"{w}{end}": median(sides[kind].get(w)) for w in ("switch", "filter")
                                      for kind, end in (("app", ""), ("same_elements", "_same"))}
                rows["acts"][page]["error"] = "; ".join(dict.fromkeys(
                    f"{kind}: {e}" for kind, side in sides.items() for e in side.get("errors", [])))
        for name, e in db.get("export", {}).items():
            if name != "error":
                rows["export"][name] = {**e, name: median(e["times"])}
        if label == REAL:
            rows["build"] = {"build": {"build": median(results.get("build", {}).get("times"))}}
        out[label] = {table: {key: _judge(label, table, row) for key, row in found.items()}
                      for table, found in rows.items()}
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
            out.append((target, f"{_show(column, worst)} ({name})", None if limit is None else worst <= limit))
        else:
            out.append((target, "not measured", None))
    return out


def _table(header: str, rows: list[list[str]]) -> list[str]:
    align = ["---" if h in ("database", "page", "target", "measure", "met?", "measured (worst)") else "---:"
             for h in header.split(" | ")]
    return [f"| {header} |", "|" + "|".join(align) + "|", *("| " + " | ".join(row) + " |" for row in rows), ""]


def repetitions(results: dict) -> str:
    """What each median is of: 'curated, 10k, 100k: 5 cold runs …; 1M: 3 cold runs …'."""
    groups: dict[str, list[str]] = {}
    for label, r in results.get("reps", {}).items():
        text = f"{r['runs']} cold runs per page (builds, exports too), {r['pairs']} warm pairs"
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
             *_table(" | ".join(["database", *SHOWN, "file MB"]), [[label, *(_n(db["tables"].get(t)) for t in SHOWN),
                                                                    _n(db["file_mb"])] for label, db in dbs.items()]),
             "## Targets", "", *_table("target | measured (worst) | met?", [
                 [t, v, "—" if "no target" in t else _met(ok)] for t, v, ok in targets(results)])]
    pages = [(label, page, r) for label in dbs for page, r in found[label]["pages"].items()]
    errors = [f"- {label} / {page}: {r['error'].strip().splitlines()[-1]}" for label, page, r in pages if r["error"]]
    lines += ["## Server side, per page", "", *_table(
        "database | events | page | cold s | warm s | reference s | warm ÷ ref | peak RSS MB | points | elements | "
        "payload KB | met?", [[label, f"{dbs[label]['events']:,}", page, *(_s(r[k]) for k in ("cold", "warm",
                                                                                             "reference")),
                               _x(r["ratio"]), *(_n(r[k]) for k in ("rss", "points", "elements", "payload_kb")),
                               _met(r["ok"], r["why"])] for label, page, r in pages]),
              *(["Errors:", "", *errors, ""] if errors else [])]

    if browsed := {label: db["browser"] for label, db in dbs.items() if "browser" in db}:
        loads = [[label, page, *(_s(r[k]) for k in KINDS), *(_x(r[k]) for k in ("same_ratio", "ratio",
                                                                               "same_ref_ratio", "blank_ratio")),
                  _met(r["ok"], r["why"], r["error"] or None)] for label in browsed
                 for page, r in found[label]["loads"].items()]
        acts = [[label, page, *(cell for w in ("switch", "filter") for cell in (
                    _s(r[w]), _s(r[f"{w}_same"]), _x(_div(r[w], r[f"{w}_same"])))),
                 _met(r["ok"], r["why"], r["error"] or None)]
                for label in browsed for page, r in found[label]["acts"].items()]
        notes = [f"- {label}: {data['error']}" if "error" in data else
                 f"- App server ({label}) peak RSS after loading every page: {_n(data.get('app_peak_rss_mb'))} MB."
                 for label, data in browsed.items()]
        notes += [f"- {label} interactions: {data['interactions']['error']}" for label, data in browsed.items()
                  if "error" in data.get("interactions", {})]
        lines += ["## Browser (headless Chromium): loads", "", *_table(
            "database | page | app s | reference s | same elements s | blank s | app ÷ same | app ÷ ref | same ÷ ref "
            "| app ÷ blank | met?", loads), "## Browser: interactions in one tab", "", *_table(
            "database | page | switch: app s | switch: same s | app ÷ same | filter: app s | filter: same s | "
            "app ÷ same | met?", acts), *notes, ""]

    build = found.get(REAL, {}).get("build", {}).get("build", {})
    rows = [[f"build the curated seeds (validate, load, views, atomic rename)"
             f"{results.get('build', {}).get('error', '')}", REAL, _n(dbs.get(REAL, {}).get("events")),
             _s(build.get("build")), "—", "≤ 2 s", _met(build.get("ok"))]]
    for label, db in dbs.items():
        if "error" in db.get("export", {}):
            rows.append([f"events CSV: {db['export']['error'][-200:]}", label, "—", "—", "—", "—", "—"])
        for name, e in found[label]["export"].items():
            rows.append([f"events CSV, {name} view (`{e['filters']}`, {e['bytes'] / 1e6:.1f} MB)", label,
                         f"{e['rows']:,}", _s(e[name]), _n(e.get("peak_rss_mb")),
                         "≤ 5 s" if e["ok"] is not None else "—", _met(e["ok"])])
    lines += ["## Build and export", "", "The filtered export is timed as often as a build, the all-events one once.",
              "", *_table("measure | database | rows | median s | peak RSS MB | target | met?", rows)]
    return "\n".join(lines) + "\n"
