"""The markdown report: machine, targets, then the tables (server side, browser loads and interactions,
build and export). Every verdict compares a median with LIMITS."""

from __future__ import annotations

from statistics import median as _median

from bench.elements import points

REAL, LARGE = "curated", "1M"
LIMITS = {"ratio_server": 1.5, "ratio_same": 1.1, "filter": 0.3, "switch": 0.5, "warm": 0.5, "cold": 3.0,
          "rss": 600, "browser": 3.0, "points": 10_000, "export": 5.0, "build": 2.0}
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


def _met(ok, why="", error=None):
    return ("—" if ok is None else "yes" if ok else "**no**" + (f": {why}" if why else "")) + (f" {error}" if error
                                                                                               else "")


def _verdict(row, problems):
    row["ok"], row["why"] = not problems, "; ".join(problems)


def page_row(label: str, result: dict) -> dict:
    """One page on one database: its medians and its verdict (the curated ratio, the 1M limits)."""
    paired, spec = result.get("paired", {}), result.get("spec", {})
    row = {"cold": median(result.get("cold")), "warm": median(paired.get("app")),
           "reference": median(paired.get("reference")), "rss": result.get("peak_rss_mb"),
           "points": points(spec) if spec else None, "elements": spec.get("elements"),
           "payload_kb": (spec.get("payload_bytes") or 0) / 1024 or None,
           "error": result.get("error") or paired.get("error"), "ok": None, "why": ""}
    row["ratio"] = _div(row["warm"], row["reference"])
    if label == REAL and row["ratio"] is not None:
        _verdict(row, [f"{_x(row['ratio'])} > {LIMITS['ratio_server']}×"] * (row["ratio"] > LIMITS["ratio_server"]))
    elif label == LARGE:
        _verdict(row, [f"{k} {_s(row[k])} s > {LIMITS[k]} s" for k in ("warm", "cold")
                       if row[k] is None or row[k] > LIMITS[k]]
                 + [f"{row['points'] or '?'} points > {LIMITS['points']:,}"]
                 * (row["points"] is None or row["points"] > LIMITS["points"])
                 + [f"RSS {row['rss']:.0f} MB > {LIMITS['rss']} MB"] * (row["rss"] is not None
                                                                         and row["rss"] > LIMITS["rss"]))
    return row


def browser_row(label: str, result: dict) -> dict:
    """A page's loads: medians per kind, the ratios, and the verdict of its database's target."""
    app, ref, same, blank = (median(result.get(k, {}).get("times")) for k in KINDS)
    row = {"app": app, "reference": ref, "same_elements": same, "blank": blank, "same_ratio": _div(app, same),
           "ratio": _div(app, ref), "same_ref_ratio": _div(same, ref), "blank_ratio": _div(app, blank),
           "error": "; ".join(f"{k}: {v['error']}" for k, v in result.items() if v.get("error")) or None,
           "ok": None, "why": ""}
    if label == REAL and row["same_ratio"] is not None:
        _verdict(row, [f"{_x(row['same_ratio'])} > {LIMITS['ratio_same']}×"]
                 * (row["same_ratio"] > LIMITS["ratio_same"]))
    elif label == LARGE:
        _verdict(row, [f"{_s(app)} s > {LIMITS['browser']} s"] * (app is None or app > LIMITS["browser"]))
    return row


def interaction_row(label: str, result: dict) -> dict:
    """A page's interactions in one tab: median switch and filter step, app and replay."""
    row = {f"{what}_{kind}": median(result.get(kind, {}).get(what)) for what in ("switch", "filter")
           for kind in ("app", "same_elements")}
    errors = [f"{kind}: {e}" for kind in ("app", "same_elements") for e in result.get(kind, {}).get("errors", [])]
    row["error"] = "; ".join(dict.fromkeys(errors)) or None
    _verdict(row, [f"{w} {_s(row[f'{w}_app'])} s > {LIMITS[w]} s" for w in ("switch", "filter")
                   if row[f"{w}_app"] is not None and row[f"{w}_app"] > LIMITS[w]])
    if label != REAL or row["switch_app"] is None or row["filter_app"] is None:
        row["ok"] = None
    return row


def _rows(results: dict) -> dict[str, dict]:
    """Per database: {"pages", "loads", "acts"}: page -> row."""
    rows = {}
    for label, db in results["dbs"].items():
        browsed = db.get("browser", {})
        rows[label] = {"pages": {p: page_row(label, r) for p, r in db.get("pages", {}).items()},
                       "loads": {p: browser_row(label, r) for p, r in browsed.get("pages", {}).items()},
                       "acts": {p: interaction_row(label, r) for p, r in browsed.get("interactions", {}).items()
                                if p != "error"}}
    return rows


def targets(results: dict) -> list[tuple[str, str, bool | None]]:
    """(target, worst measured value, met?) for every target; None when not measured."""
    rows, dbs, out = _rows(results), results["dbs"], []
    empty = {"pages": {}, "loads": {}, "acts": {}}
    real, large = rows.get(REAL, empty), rows.get(LARGE, empty)

    def add(target, values, limit=float("inf"), unit="", fmt=_s):
        known = [(name, v) for name, v in values if v is not None]
        if not known:
            return out.append((target, "not measured", None))
        name, worst = max(known, key=lambda item: item[1])
        out.append((target, f"{fmt(worst)}{unit} ({name})", worst <= limit))

    def each(db, table, key):
        return [(page, row[key]) for page, row in db[table].items()]

    add(f"curated: warm server run ≤ {LIMITS['ratio_server']}× reference", each(real, "pages", "ratio"),
        LIMITS["ratio_server"], fmt=_x)
    add(f"curated: browser load ≤ {LIMITS['ratio_same']}× the same elements (the app's own cost)",
        each(real, "loads", "same_ratio"), LIMITS["ratio_same"], fmt=_x)
    add("curated: browser load ÷ reference (reported, no target)", each(real, "loads", "ratio"), fmt=_x)
    add("curated: browser load ÷ blank page (reported, no target)", each(real, "loads", "blank_ratio"), fmt=_x)
    add(f"curated: median filter change (one slider step) ≤ {LIMITS['filter']} s", each(real, "acts", "filter_app"),
        LIMITS["filter"], " s")
    add(f"curated: median page switch ≤ {LIMITS['switch']} s", each(real, "acts", "switch_app"), LIMITS["switch"],
        " s")
    add(f"1M: warm server run ≤ {LIMITS['warm']} s", each(large, "pages", "warm"), LIMITS["warm"], " s")
    add(f"1M: cold server run ≤ {LIMITS['cold']:.0f} s", each(large, "pages", "cold"), LIMITS["cold"], " s")
    add(f"1M: app peak RSS ≤ {LIMITS['rss']} MB", [(f"{p}, AppTest process", r["rss"]) for p, r in
                                                   large["pages"].items()]
        + [("streamlit server after every page", dbs.get(LARGE, {}).get("browser", {}).get("app_peak_rss_mb"))],
        LIMITS["rss"], " MB", lambda v: f"{v:.0f}")
    add(f"1M: browser ≤ {LIMITS['browser']:.0f} s per page", each(large, "loads", "app"), LIMITS["browser"], " s")
    add(f"1M: ≤ {LIMITS['points']:,} points sent per page", each(large, "pages", "points"), LIMITS["points"], "",
        lambda v: f"{v:,}")
    export = dbs.get(LARGE, {}).get("export", {}).get("filtered")
    add(f"1M: events CSV of a filtered view ≤ {LIMITS['export']:.0f} s",
        [(f"{export['rows']:,} rows", median(export["times"]))] if export else [], LIMITS["export"], " s")
    add(f"curated: build from seeds ≤ {LIMITS['build']:.0f} s",
        [("median", median(results.get("build", {}).get("times")))], LIMITS["build"], " s")
    return out


def _table(header: str, rows: list[list[str]]) -> list[str]:
    names = header.split(" | ")
    align = ["---" if h in ("database", "page", "target", "measure", "met?", "measured (worst)") else "---:"
             for h in names]
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
    m, dbs, rows, cmd = results["machine"], results["dbs"], _rows(results), ".venv/bin/python -m bench"
    lines = ["# Benchmarks", ""]
    if results.get("quick"):
        lines += ["*Quick run (`python -m bench --quick`): small sizes, few repetitions, targets shown but not "
                  "asserted. The full numbers come from `python -m bench`.*", ""]
    took = f" The whole run took {results['seconds'] / 60:.0f} min." if results.get("seconds") else ""
    lines += [
        f"Measured {m['date']} on {m['cpu']} ({m['cores']} cores, {m['ram_gb']} GB RAM, {m['os']}); Python "
        f"{m['python']}, DuckDB {m['duckdb']}, Streamlit {m['streamlit']}, pandas {m['pandas']}, plotly {m['plotly']}"
        + (f", {m['chromium']}" if m.get("chromium") else "")
        + f". Every time is the median of its repetitions ({repetitions(results) or '—'}).{took}", "",
        "Run it yourself:", "", "```bash",
        f"{cmd}           # full: curated + 10k, 100k, 1M, browser; this file; exit 1 on a miss",
        f"{cmd} --quick   # CI: curated + 10k, 2 runs, 10 pairs, no browser; bench/out/benchmarks-quick.md", "```", "",
        "Options: `--sizes 10k,100k`, `--runs N`, `--pairs N`, `--loads N`, `--rounds N` (at 1M at most 3 runs, 3 "
        "loads and 1 round), `--browser` / `--no-browser`, `--seeds DIR`, `--output FILE`; stage times go to stderr. "
        "Synthetic databases are generated once and cached in `bench/out/` (ignored by git), keyed by size and a "
        "hash of `schema.sql`, `views.sql` and the generator.", "",
        "## Databases", "", "Rows per curated table, and the file's size.", "",
        *_table(" | ".join(["database", *SHOWN, "file MB"]),
                [[label, *(_n(db["tables"].get(t)) for t in SHOWN), _n(db["file_mb"])] for label, db in dbs.items()]),
        "## Targets", "",
        *_table("target | measured (worst) | met?",
                [[t, v, "—" if "no target" in t else _met(ok)] for t, v, ok in targets(results)])]
    server = [[label, f"{db['events']:,}", page, _s(r["cold"]), _s(r["warm"]), _s(r["reference"]), _x(r["ratio"]),
               _n(r["rss"]), _n(r["points"]), _n(r["elements"]), _n(r["payload_kb"]), _met(r["ok"], r["why"])]
              for label, db in dbs.items() for page, r in rows[label]["pages"].items()]
    errors = [f"- {label} / {page}: {r['error'].strip().splitlines()[-1]}" for label in dbs
              for page, r in rows[label]["pages"].items() if r["error"]]
    lines += ["## Server side, per page", "", *_table(
        "database | events | page | cold s | warm s | reference s | warm ÷ ref | peak RSS MB | points | elements | "
        "payload KB | met?", server), *(["Errors:", "", *errors, ""] if errors else [])]

    if browsed := {label: db["browser"] for label, db in dbs.items() if "browser" in db}:
        load_rows, act_rows, notes = [], [], []
        for label, data in browsed.items():
            if "error" in data:
                notes.append(f"- {label}: {data['error']}")
                continue
            load_rows += [[label, page, *(_s(r[k]) for k in KINDS),
                           *(_x(r[k]) for k in ("same_ratio", "ratio", "same_ref_ratio", "blank_ratio")),
                           _met(r["ok"], r["why"], r["error"])] for page, r in rows[label]["loads"].items()]
            if "error" in data.get("interactions", {}):
                notes.append(f"- {label} interactions: {data['interactions']['error']}")
            act_rows += [[label, page, *(cell for w in ("switch", "filter") for cell in (
                _s(r[f"{w}_app"]), _s(r[f"{w}_same_elements"]), _x(_div(r[f"{w}_app"], r[f"{w}_same_elements"])))),
                _met(r["ok"], r["why"], r["error"])] for page, r in rows[label]["acts"].items()]
            notes.append(f"- App server ({label}) peak RSS after loading every page: "
                         f"{_n(data.get('app_peak_rss_mb'))} MB.")
        lines += ["## Browser (headless Chromium): loads", "", *_table(
            "database | page | app s | reference s | same elements s | blank s | app ÷ same | app ÷ ref | same ÷ ref "
            "| app ÷ blank | met?", load_rows), "## Browser: interactions in one tab", "", *_table(
            "database | page | switch: app s | switch: same s | app ÷ same | filter: app s | filter: same s | "
            "app ÷ same | met?", act_rows), *notes, ""]

    build = results.get("build", {})
    t = median(build.get("times"))
    export_rows = [[f"build the curated seeds (validate, load, views, atomic rename){build.get('error', '')}",
                    REAL, _n(dbs.get(REAL, {}).get("events")), _s(t), "—", f"≤ {LIMITS['build']:.0f} s",
                    _met(None if t is None else t <= LIMITS["build"])]]
    for label, db in dbs.items():
        for name, e in db.get("export", {}).items():
            if name == "error":
                export_rows.append([f"events CSV: {e[-200:]}", label, "—", "—", "—", "—", "—"])
                continue
            t, limit = median(e["times"]), LIMITS["export"] if label == LARGE and name == "filtered" else None
            export_rows.append([f"events CSV, {name} view (`{e['filters']}`, {e['bytes'] / 1e6:.1f} MB)", label,
                                f"{e['rows']:,}", _s(t), _n(e.get("peak_rss_mb")), f"≤ {limit:.0f} s" if limit else "—",
                                _met(t <= limit if limit else None)])
    lines += ["## Build and export", "", "The filtered export is timed as often as a build, the all-events one once.",
              "", *_table("measure | database | rows | median s | peak RSS MB | target | met?", export_rows)]
    return "\n".join(lines) + "\n"
