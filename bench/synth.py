"""Synthetic seeds of any size, loaded through the real schema, constraints and views.

The rows are typed exactly as `defections.validate.load_seeds` types a seed CSV and go into the
database through `defections.build.write` (populate, row-count check, atomic rename), so a synthetic
database has the same tables, checks and views as the real one. `write_csvs` writes the same rows as
seed CSVs, which lets a test prove that the generator obeys the seed contract (`validate` finds no problem).

Everything generated is marked: people are named "SYNTHETIC-000123", every source is titled
"SYNTHETIC benchmark data (…)" and points at https://synthetic.invalid/, and files go only to
bench/out/ (ignored by git) or a temp dir, never data/.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import random
import tempfile
from pathlib import Path

from defections.build import write
from defections.db import DatabaseError, connect
from defections.paths import SQL_DIR
from defections.validate import PRECISION_COLUMNS, Row, Seeds, schema

OUT_DIR = Path(__file__).resolve().parent / "out"
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}
# A fixed "today": the data must not depend on the day it is generated (the cache key would lie).
LAST_DAY = dt.date(2025, 6, 30)
FIRST_DAY = dt.date(1960, 1, 1)

# Real countries in every region (docs/methodology.md, "Regions"), their capitals' coordinates rounded, so
# the post and region filters, the map and the Cuba panel behave as with curated data; Russia's posts sit in
# Moscow. Earlier entries get more defections (a long tail).
COUNTRIES = [
    ("China", "Beijing", 39.9, 116.4, "East Asia"), ("Russia", "Moscow", 55.8, 37.6, "Europe"),
    ("Cuba", "Havana", 23.1, -82.4, "Americas"), ("Kuwait", "Kuwait City", 29.4, 48.0, "Middle East"),
    ("United Kingdom", "London", 51.5, -0.1, "Europe"), ("Italy", "Rome", 41.9, 12.5, "Europe"),
    ("Thailand", "Bangkok", 13.8, 100.5, "Southeast Asia"), ("Vietnam", "Hanoi", 21.0, 105.8, "Southeast Asia"),
    ("Mongolia", "Ulaanbaatar", 47.9, 106.9, "East Asia"), ("Egypt", "Cairo", 30.0, 31.2, "Middle East"),
    ("Zambia", "Lusaka", -15.4, 28.3, "Africa"), ("Ethiopia", "Addis Ababa", 9.0, 38.7, "Africa"),
    ("Germany", "Berlin", 52.5, 13.4, "Europe"), ("Sweden", "Stockholm", 59.3, 18.1, "Europe"),
    ("India", "New Delhi", 28.6, 77.2, "South Asia"), ("Pakistan", "Islamabad", 33.7, 73.0, "South Asia"),
    ("Malaysia", "Kuala Lumpur", 3.1, 101.7, "Southeast Asia"), ("Japan", "Tokyo", 35.7, 139.7, "East Asia"),
    ("Nigeria", "Abuja", 9.1, 7.5, "Africa"), ("Brazil", "Brasília", -15.8, -47.9, "Americas"),
]
CATEGORIES = (["diplomat"] * 5 + ["trade official"] * 3 + ["military"] * 2 + ["intelligence", "party-state official",
                                                                               "other"])
STATUSES = ["confirmed"] * 4 + ["multiple-reports"] * 2 + ["single-report"] * 2 + ["self-disclosed"] * 2 + ["denied"]
OUTCOMES = ("completed", "failed", "unknown")
ATTRIBUTIONS = ["self"] * 3 + ["south-korean-officials", "unnamed-officials"] + ["media"] * 2 + ["analysts"]
RELIABILITY = ["primary"] * 6 + ["secondary"] * 3 + ["dataset"]
CONTEXT_TYPES = ["diplomatic ties", "embassy opening", "embassy closure", "visit", "statement", "defection-related"]
MOTIVE_THEMES = ["political disillusionment", "unfair evaluation", "fear of punishment", "children's future",
                 "economic hardship", "recall order", "health care", "family abroad", "ideological doubt",
                 "purge of a patron", "quota pressure", "surveillance"]
POSITIONS = [f"SYNTHETIC {rank} {role}" for rank in ("first", "second", "third", "deputy", "chief")
             for role in ("secretary", "counsellor", "attaché", "trade representative", "officer")]
SUMMARIES = [f"SYNTHETIC benchmark event, pattern {i}: a generated summary of typical length for the events table "
             "and the timeline hover labels." for i in range(40)]
NOTES = [f"SYNTHETIC note {i}: sources disagree on the month." for i in range(10)]
QUOTES = [f"SYNTHETIC quote {i}: words a source might use about the defection." for i in range(25)]
HELD = 10  # sources with a held passage holding every quote: each fact rests on one, as the seed contract asks


def cache_key(size: int) -> str:
    """Size plus a hash of the schema, the views and this generator: any change regenerates."""
    digest = hashlib.sha256(str(size).encode())
    for path in (SQL_DIR / "schema.sql", SQL_DIR / "views.sql", Path(__file__)):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def database(label: str, size: int, out_dir: Path = OUT_DIR, log=print) -> Path:
    """The synthetic database of `size` events, generated once and reused while its key holds."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"synthetic-{label}-{cache_key(size)}.duckdb"
    if path.is_file():
        try:
            connect(path).close()
            return path
        except DatabaseError:
            path.unlink()
    for old in out_dir.glob(f"synthetic-{label}-*.duckdb"):  # earlier schema or generator versions
        old.unlink()
    log(f"generating {path.name} ({size:,} events)…")
    with tempfile.TemporaryDirectory(prefix="synthetic-seeds-", dir=out_dir) as seeds_dir:
        write(generate(size, Path(seeds_dir)), path)
    return path


def generate(size: int, directory: Path, seed: int = 20240716) -> Seeds:
    """`size` defections with people, posts, 1–4 sources and 1–4 motives each, yearly counts, one
    context event per 100 defections, one commentary per 1,000, one source per 200. A column not set is NULL."""
    rng, n_sources = random.Random(seed), max(20, size // 200)
    tables: dict[str, list[dict]] = {t.name: [] for t in schema()}
    add = {name: rows.append for name, rows in tables.items()}

    def day(lo: dt.date = FIRST_DAY, skew: float = 1.0, precision: str = "day") -> dt.date:
        date = dt.date.fromordinal(lo.toordinal() + int((LAST_DAY - lo).days * rng.random() ** skew))
        return at_precision(date, precision)

    def at_precision(date: dt.date, precision: str) -> dt.date:
        return {"day": date, "month": date.replace(day=1)}.get(precision, date.replace(month=1, day=1))

    def pick_sources(k: int) -> list[str]:  # a long tail: a few sources are cited by many events, as wire reports
        chosen = set()
        while len(chosen) < k:
            chosen.add(f"S{int(n_sources * rng.random() ** 2):06d}")
        return sorted(chosen)

    for j in range(n_sources):
        add["sources"]({"source_id": f"S{j:06d}", "title": f"SYNTHETIC benchmark data ({j:06d})",
                        "publisher": "SYNTHETIC", "published_date": day(dt.date(1990, 1, 1)),
                        "url": f"https://synthetic.invalid/benchmark/{j}", "reliability": rng.choice(RELIABILITY)})
    held = [f"H{j:06d}" for j in range(HELD)]
    (Path(directory) / "documents").mkdir(parents=True, exist_ok=True)
    for source_id in held:
        url = f"https://synthetic.invalid/held/{source_id}"
        (Path(directory) / "documents" / f"{source_id}.txt").write_text(
            f"url: {url}\ntitle: SYNTHETIC held passage\npublisher: SYNTHETIC\npublished: \nread: 2026-12-01\n---\n"
            + "\n".join(QUOTES) + "\n", encoding="utf-8")
        add["sources"]({"source_id": source_id, "title": f"SYNTHETIC held passage ({source_id})",
                        "publisher": "SYNTHETIC", "url": url, "document": f"{source_id}.txt", "reliability": "primary"})

    posts, weights = ["P-XX"], [0.05]
    add["posts"]({"post_id": "P-XX", "post_country": "an undisclosed country (SYNTHETIC)",
                  "location_note": "SYNTHETIC: no source names it"})
    for i, (country, capital, lat, lon, region) in enumerate(COUNTRIES):
        cities = [(capital, lat, lon)] + [(f"SYNTHETIC city {k}", round(lat + rng.uniform(-3, 3), 2),
                                           round(lon + rng.uniform(-3, 3), 2)) for k in range(rng.randint(0, 3))]
        for k, (city, y, x) in enumerate([*cities, (None, lat, lon)]):  # the city unknown: mapped at the capital
            posts.append(f"P-{i:02d}-{k}")
            weights.append((1.0 if k == 0 else 0.2) / (i + 1) ** 0.8)
            add["posts"]({"post_id": posts[-1], "post_country": country, "post_city": city,
                          "region": region, "latitude": y, "longitude": x})
    motives = [f"synthetic_{k:02d}" for k in range(len(MOTIVE_THEMES))]
    for code, theme in zip(motives, MOTIVE_THEMES):
        add["motives"]({"motive_code": code, "label": f"SYNTHETIC motive: {theme}",
                        "description": f"SYNTHETIC benchmark motive ({theme})."})

    for i, post_id in enumerate(rng.choices(posts, weights, k=size)):
        event_id, person_id, name = f"E{i:07d}", f"K{i:07d}", f"SYNTHETIC-{i:06d}"
        add["people"]({"person_id": person_id, "name": name, "name_variants": f"{name};SYNTHETIC {i:06d}"})
        precision = rng.choices(("day", "month", "year"), (5, 3, 2))[0]
        defected = day(skew=0.6, precision=precision)
        disclosed = shown = None
        if rng.random() < 0.85:
            shown = rng.choices(("day", "month"), (7, 3))[0]
            disclosed = at_precision(defected + dt.timedelta(days=int(rng.expovariate(1 / 200))), shown)
            if disclosed > LAST_DAY:
                disclosed = shown = None
        status = rng.choice(STATUSES)
        if status == "confirmed" and shown != "day":  # a confirmation needs its day
            status = "multiple-reports"
        evidence, confirmed = rng.choice(held), status == "confirmed"
        add["defections"]({
            "event_id": event_id, "person_id": person_id, "position": rng.choice(POSITIONS),
            "elite_category": rng.choice(CATEGORIES), "post_id": post_id, "defection_date": defected,
            "defection_precision": precision, "disclosed_date": disclosed, "disclosed_precision": shown,
            "confirmation_status": status, "confirmed_by": "SYNTHETIC ministry" if confirmed else None,
            "confirmed_date": disclosed if confirmed else None,
            "destination": "South Korea" if rng.random() < 0.9 else None,
            "accompanied_by": "SYNTHETIC family" if rng.random() < 0.4 else None,
            "summary": rng.choice(SUMMARIES), "notes": rng.choice(NOTES) if rng.random() < 0.2 else None,
            "outcome": "unknown" if status == "denied" else rng.choices(OUTCOMES, (94, 3, 3))[0],
            "outcome_source_id": evidence})
        add["defection_sources"]({"event_id": event_id, "source_id": evidence, "evidence_quote": rng.choice(QUOTES)})
        for source_id in pick_sources(rng.choices((0, 1, 2, 3), (30, 35, 20, 15))[0]):
            add["defection_sources"]({"event_id": event_id, "source_id": source_id})
        for code in rng.sample(motives, rng.choices((1, 2, 3, 4), (25, 35, 25, 15))[0]):
            who = rng.choice(ATTRIBUTIONS)
            add["event_motives"]({"event_id": event_id, "motive_code": code, "attributed_to": who,
                                  "attributed_by": f"SYNTHETIC {who} attribution", "source_id": evidence,
                                  "evidence_quote": rng.choice(QUOTES)})

    years = list(range(FIRST_DAY.year, LAST_DAY.year))
    for year in years:
        row, kind = {"year": year, "total_arrivals": rng.randint(0, 3000)}, rng.random()
        if kind < 0.2:
            row.update(elite_count=rng.randint(0, 30), elite_count_approx=False)
        elif kind < 0.35:
            count = rng.randint(1, 30)
            row.update(elite_count=count, elite_count_approx=True, elite_count_wording=f"about {count} (SYNTHETIC)")
        elif kind < 0.45:
            low = rng.randint(1, 9)
            row.update(elite_count_low=low, elite_count_high=low + rng.randint(0, 9), elite_count_approx=True,
                       elite_count_wording="single digits (SYNTHETIC)")
        add["yearly_counts"](row)
        if kind < 0.45:  # a count rests on a held passage
            row["elite_count_basis"] = "official" if kind < 0.3 else "media"
            add["yearly_count_sources"]({"year": year, "source_id": rng.choice(held),
                                         "evidence_quote": rng.choice(QUOTES)})
        for source_id in pick_sources(rng.randint(1, 2)):
            add["yearly_count_sources"]({"year": year, "source_id": source_id})

    for j in range(max(40, size // 100)):
        precision = rng.choices(("day", "month", "year"), (6, 2, 2))[0]
        actors = rng.sample(["North Korea", "South Korea", "Cuba"] + [c[0] for c in COUNTRIES[:12]], 2)
        add["context_events"]({"context_id": f"C{j:06d}", "event_date": day(precision=precision),
                               "date_precision": precision, "actors": ";".join(dict.fromkeys(actors)),
                               "event_type": rng.choice(CONTEXT_TYPES), "summary": f"SYNTHETIC context event {j}.",
                               "event_id": f"E{rng.randrange(size):07d}" if rng.random() < 0.2 else None})
        for source_id in pick_sources(rng.randint(1, 2)):
            add["context_event_sources"]({"context_id": f"C{j:06d}", "source_id": source_id})
    for j in range(max(5, size // 1000)):
        add["commentary"]({"commentary_id": f"M{j:06d}", "speaker": f"SYNTHETIC analyst {j % 50}",
                           "speaker_role": "SYNTHETIC role", "attributed_to": rng.choice(ATTRIBUTIONS),
                           "stated_date": day(dt.date(1990, 1, 1)),
                           "event_id": f"E{rng.randrange(size):07d}" if rng.random() < 0.5 else None,
                           "year": rng.choice(years) if rng.random() < 0.3 else None,
                           "summary": f"SYNTHETIC assessment {j}.", "source_id": pick_sources(1)[0]})
    for j in range(max(3, size // 10_000)):
        add["revisions"]({"revision_id": f"R{j:05d}", "table_name": "yearly_counts", "row_key": str(rng.choice(years)),
                          "column_name": "total_arrivals", "previous_value": str(rng.randint(0, 3000)),
                          "current_value": str(rng.randint(0, 3000)), "reason": "SYNTHETIC revision",
                          "source_id": pick_sources(1)[0]})
    empty = {t.name: dict.fromkeys(c.name for c in t.columns) for t in schema()}
    return Seeds(Path(directory), {name: [Row(n + 2, empty[name] | values) for n, values in enumerate(rows)]
                                   for name, rows in tables.items()})


def write_csvs(seeds: Seeds, directory: Path) -> Path:
    """The rows as seed CSVs (dates at their precision), e.g. to run them through validate/build."""
    directory.mkdir(parents=True, exist_ok=True)
    for table in schema():
        precisions = PRECISION_COLUMNS.get(table.name, {})
        columns = [c.name for c in table.columns]
        with open(directory / f"{table.name}.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            for row in seeds.tables[table.name]:
                writer.writerow([_cell(row.values[c], row.values.get(precisions.get(c))) for c in columns])
    return directory


def _cell(value, precision: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return {"month": value.isoformat()[:7], "year": value.isoformat()[:4]}.get(precision, value.isoformat())
    return str(value)
