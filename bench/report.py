"""The markdown report: machine, targets, then the tables (server side, browser loads and interactions,
build and export)."""

from __future__ import annotations

from bench.elements import points
from bench.runner import LARGE, REAL, median

LIMITS = {"ratio_server": 1.5, "ratio_same": 1.1, "filter": 0.3, "switch": 0.5, "warm": 0.5, "cold": 3.0,
          "rss": 600, "browser": 3.0, "points": 10_000, "export": 5.0, "build": 2.0}
COMMAND = ".venv/bin/python -m bench"
KINDS = ("app", "reference", "same_elements", "blank")


def _s(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.4f}" if value < 0.1 else f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _x(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def _n(value: float | None) -> str:
    return "—" if value is None else f"{round(value):,}"


def _met(ok: bool | None, why: str = "", error: str | None = None) -> str:
    text = "—" if ok is None else "yes" if ok else "**no**" + (f": {why}" if why else "")
    return text + (f" {error}" if error else "")


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def page_row(label: str, result: dict) -> dict:
    """One page on one database, reduced to the numbers the tables show, and its verdict."""
    paired, spec = result.get("paired", {}), result.get("spec", {})
    warm, reference = median(paired.get("app")), median(paired.get("reference"))
    row = {"cold": median(result.get("cold")), "warm": warm, "reference": reference, "ratio": _ratio(warm, reference),
           "rss": result.get("peak_rss_mb"), "points": points(spec) if spec else None,
           "elements": spec.get("elements"), "payload_kb": (spec.get("payload_bytes") or 0) / 1024 or None,
           "error": result.get("error") or paired.get("error"), "ok": None, "why": ""}
    if label == REAL and row["ratio"] is not None:
        limit = LIMITS["ratio_server"]
        row["ok"], row["why"] = row["ratio"] <= limit, f"{_x(row['ratio'])} > {limit}×"
    elif label == LARGE:
        problems = [f"{what} {_s(row[what])} s > {LIMITS[what]} s" for what in ("warm", "cold")
                    if row[what] is None or row[what] > LIMITS[what]]
        if row["points"] is None or row["points"] > LIMITS["points"]:
            problems.append(f"{row['points'] or '?'} points > {LIMITS['points']:,}")
        if row["rss"] is not None and row["rss"] > LIMITS["rss"]:
            problems.append(f"RSS {row['rss']:.0f} MB > {LIMITS['rss']} MB")
        row["ok"], row["why"] = not problems, "; ".join(problems)
    return row


def browser_row(label: str, result: dict) -> dict:
    """A page's loads: medians per kind, the ratios, and the verdict of its database's target."""
    app, ref, same, blank = (median(result.get(k, {}).get("times")) for k in KINDS)
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


def _rows(results: dict) -> tuple[dict, dict, dict]:
    """Per database and page: the server rows, the browser loads, the interactions."""
    pages, loads, acts = {}, {}, {}
    for label, db in results["dbs"].items():
        browsed = db.get("browser", {})
        pages[label] = {page: page_row(label, r) for page, r in db.get("pages", {}).items()}
        loads[label] = {page: browser_row(label, r) for page, r in browsed.get("pages", {}).items()}
        acts[label] = {page: interaction_row(label, r) for page, r in browsed.get("interactions", {}).items()
                       if page != "error"}
    return pages, loads, acts


def targets(results: dict) -> list[tuple[str, str, bool | None]]:
    """(target, worst measured value, met?) for every target; None when not measured."""
    (pages, loads, acts), dbs, out = _rows(results), results["dbs"], []
    real, large = pages.get(REAL, {}), pages.get(LARGE, {})
    real_loads, real_acts = loads.get(REAL, {}), acts.get(REAL, {})

    def add(target: str, values, limit: float = float("inf"), unit: str = "", fmt=_s):
        known = [(name, v) for name, v in values if v is not None]
        if not known:
            return out.append((target, "not measured", None))
        name, worst = max(known, key=lambda item: item[1])
        out.append((target, f"{fmt(worst)}{unit} ({name})", worst <= limit))

    def each(rows: dict, key: str) -> list:
        return [(page, row[key]) for page, row in rows.items()]

    add(f"curated: warm server run ≤ {LIMITS['ratio_server']}× reference", each(real, "ratio"),
        LIMITS["ratio_server"], fmt=_x)
    add(f"curated: browser load ≤ {LIMITS['ratio_same']}× the same elements (the app's own cost)",
        each(real_loads, "same_ratio"), LIMITS["ratio_same"], fmt=_x)
    add("curated: browser load ÷ reference (reported, no target)", each(real_loads, "ratio"), fmt=_x)
    add("curated: browser load ÷ blank page (reported, no target)", each(real_loads, "blank_ratio"), fmt=_x)
    add(f"curated: median filter change (one slider step) ≤ {LIMITS['filter']} s", each(real_acts, "filter_app"),
        LIMITS["filter"], " s")
    add(f"curated: median page switch ≤ {LIMITS['switch']} s", each(real_acts, "switch_app"), LIMITS["switch"], " s")
    add(f"1M: warm server run ≤ {LIMITS['warm']} s", each(large, "warm"), LIMITS["warm"], " s")
    add(f"1M: cold server run ≤ {LIMITS['cold']:.0f} s", each(large, "cold"), LIMITS["cold"], " s")
    rss = [(f"{p}, AppTest process", r["rss"]) for p, r in large.items()]
    rss.append(("streamlit server after every page", dbs.get(LARGE, {}).get("browser", {}).get("app_peak_rss_mb")))
    add(f"1M: app peak RSS ≤ {LIMITS['rss']} MB", rss, LIMITS["rss"], " MB", lambda v: f"{v:.0f}")
    add(f"1M: browser ≤ {LIMITS['browser']:.0f} s per page", each(loads.get(LARGE, {}), "app"), LIMITS["browser"], " s")
    add(f"1M: ≤ {LIMITS['points']:,} points sent per page", each(large, "points"), LIMITS["points"], "",
        lambda v: f"{v:,}")
    export = dbs.get(LARGE, {}).get("export", {}).get("filtered")
    add(f"1M: events CSV of a filtered view ≤ {LIMITS['export']:.0f} s",
        [(f"{export['rows']:,} rows", median(export["times"]))] if export else [], LIMITS["export"], " s")
    add(f"curated: build from seeds ≤ {LIMITS['build']:.0f} s",
        [("median", median(results.get("build", {}).get("times")))], LIMITS["build"], " s")
    return out


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    align = ["---" if h in ("database", "page", "target", "measure", "met?", "measured (worst)") else "---:"
             for h in header]
    return ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|",
            *("| " + " | ".join(row) + " |" for row in rows), ""]


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
    m, dbs = results["machine"], results["dbs"]
    (pages, loads, acts), lines = _rows(results), ["# Benchmarks", ""]
    if results.get("quick"):
        lines += ["*Quick run (`python -m bench --quick`): small sizes, few repetitions, targets shown but not "
                  "asserted. The full numbers come from `python -m bench`.*", ""]
    took = f" The whole run took {results['seconds'] / 60:.0f} min." if results.get("seconds") else ""
    lines += [
        f"Measured {m['date']} on {m['cpu']} ({m['cores']} cores, {m['ram_gb']} GB RAM, {m['os']}); Python "
        f"{m['python']}, DuckDB {m['duckdb']}, Streamlit {m['streamlit']}, pandas {m['pandas']}, plotly {m['plotly']}"
        + (f", {m['chromium']}" if m.get("chromium") else "")
        + f". Every time is the median of its repetitions ({repetitions(results) or '—'}).{took}",
        "", "Run it yourself:", "", "```bash",
        f"{COMMAND}           # full: curated + 10k, 100k, 1M, browser; this file; exit 1 on a miss",
        f"{COMMAND} --quick   # CI: curated + 10k, 2 runs, 10 pairs, no browser; bench/out/benchmarks-quick.md",
        "```", "",
        "Options: `--sizes 10k,100k`, `--runs N`, `--pairs N`, `--loads N`, `--rounds N` (at 1M at most 3 runs, 3 "
        "loads and 1 round), `--browser` / `--no-browser`, `--seeds DIR`, `--output FILE`; stage times go to stderr. "
        "Synthetic databases are generated once and cached in `bench/out/` (ignored by git), keyed by size and a "
        "hash of `schema.sql`, `views.sql` and the generator; the 1M database takes about 4 minutes to generate.", ""]

    shown = ["defections", "people", "posts", "sources", "defection_sources", "event_motives", "context_events",
             "commentary", "yearly_counts"]
    lines += ["## Databases", "", "Rows per curated table, and the file's size.", ""]
    lines += _table(["database", *shown, "file MB"], [[label, *(_n(db["tables"].get(t)) for t in shown),
                                                       _n(db["file_mb"])] for label, db in dbs.items()])
    lines += ["## Targets", ""]
    lines += _table(["target", "measured (worst)", "met?"], [[t, v, "—" if "no target" in t else _met(ok)]
                                                             for t, v, ok in targets(results)])
    server, errors = [], []
    for label, db in dbs.items():
        for page, r in pages[label].items():
            server.append([label, f"{db['events']:,}", page, _s(r["cold"]), _s(r["warm"]), _s(r["reference"]),
                           _x(r["ratio"]), _n(r["rss"]), _n(r["points"]), _n(r["elements"]), _n(r["payload_kb"]),
                           _met(r["ok"], r["why"])])
            if r["error"]:
                errors.append(f"- {label} / {page}: {r['error'].strip().splitlines()[-1]}")
    lines += ["## Server side, per page", ""]
    lines += _table(["database", "events", "page", "cold s", "warm s", "reference s", "warm ÷ ref", "peak RSS MB",
                     "points", "elements", "payload KB", "met?"], server)
    lines += ["Errors:", "", *errors, ""] if errors else []

    browsed = {label: db["browser"] for label, db in dbs.items() if "browser" in db}
    if browsed:
        load_rows, act_rows, notes = [], [], []
        for label, data in browsed.items():
            if "error" in data:
                notes.append(f"- {label}: {data['error']}")
                continue
            for page, r in loads[label].items():
                load_rows.append([label, page, *(_s(r[k]) for k in KINDS),
                                  *(_x(r[k]) for k in ("same_ratio", "ratio", "same_ref_ratio", "blank_ratio")),
                                  _met(r["ok"], r["why"], r["error"])])
            if "error" in data.get("interactions", {}):
                notes.append(f"- {label} interactions: {data['interactions']['error']}")
            for page, r in acts[label].items():
                act_rows.append([label, page, *(_s(r[f"{what}_{kind}"]) if kind else
                                                _x(_ratio(r[f"{what}_app"], r[f"{what}_same_elements"]))
                                                for what in ("switch", "filter")
                                                for kind in ("app", "same_elements", None)),
                                 _met(r["ok"], r["why"], r["error"])])
            notes.append(f"- App server ({label}) peak RSS after loading every page: "
                         f"{_n(data.get('app_peak_rss_mb'))} MB.")
        lines += ["## Browser (headless Chromium): loads", ""]
        lines += _table(["database", "page", "app s", "reference s", "same elements s", "blank s", "app ÷ same",
                         "app ÷ ref", "same ÷ ref", "app ÷ blank", "met?"], load_rows)
        lines += ["## Browser: interactions in one tab", ""]
        lines += _table(["database", "page", "switch: app s", "switch: same s", "app ÷ same", "filter: app s",
                         "filter: same s", "app ÷ same", "met?"], act_rows)
        lines += [*notes, ""]

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
              ""]
    lines += _table(["measure", "database", "rows", "median s", "peak RSS MB", "target", "met?"], export_rows)
    return "\n".join(lines) + "\n"
