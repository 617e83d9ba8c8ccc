"""Synthetic seeds of any size, typed as the seed loader types a CSV and written by the build's own write
(schema, constraints, views), so a synthetic database is like the real one; a test validates them as seed
CSVs. Everything is marked (people "SYNTHETIC-000123", sources "SYNTHETIC …" at https://synthetic.invalid/)
and written only to bench/out/, which git ignores."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from pathlib import Path

from defections.build import write
from defections.paths import SQL_DIR
from defections.validate import Row, Seeds, schema

OUT_DIR = Path(__file__).resolve().parent / "out"
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}
# A fixed "today": the data must not depend on the day it is generated (the cache key would lie).
FIRST_DAY, LAST_DAY = dt.date(1960, 1, 1), dt.date(2025, 6, 30)
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
# Weighted choices: {value: weight}.
CATEGORIES = {"diplomat": 5, "trade official": 3, "military": 2, "intelligence": 1, "party-state official": 1,
              "other": 1}
STATUSES = {"confirmed": 4, "multiple-reports": 2, "single-report": 2, "self-disclosed": 2, "denied": 1}
ATTRIBUTIONS = {"self": 3, "south-korean-officials": 1, "unnamed-officials": 1, "media": 2, "analysts": 1}
RELIABILITY = {"primary": 6, "secondary": 3, "dataset": 1}
PRECISIONS = {"day": 5, "month": 3, "year": 2}
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
HELD = [f"H{j:06d}" for j in range(10)]  # sources whose held passage holds every quote: each fact rests on one


def cache_key(size: int) -> str:
    """Size plus a hash of the schema, the views and this generator: any change regenerates."""
    digest = hashlib.sha256(str(size).encode())
    for path in (SQL_DIR / "schema.sql", SQL_DIR / "views.sql", Path(__file__)):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def database(label: str, size: int, out_dir: Path = OUT_DIR, log=print) -> Path:
    """The synthetic database of `size` events, generated once and reused while its key holds (build.write
    renames a complete file into place, so one that is there is whole)."""
    path = out_dir / f"synthetic-{label}-{cache_key(size)}.duckdb"
    if not path.is_file():
        for old in out_dir.glob(f"synthetic-{label}-*.duckdb"):  # earlier schema or generator versions
            old.unlink()
        log(f"generating {path.name} ({size:,} events)…")
        write(generate(size, out_dir), path)
    return path


def generate(size: int, directory: Path, seed: int = 20240716) -> Seeds:
    """`size` defections, each its person, post, 1–4 sources and motives; yearly counts; a context event per 100,
    a commentary per 1,000, a source per 200; held passages in Seeds.files. A column not set is NULL."""
    rng, n_sources = random.Random(seed), max(20, size // 200)
    tables: dict[str, list[dict]] = {t.name: [] for t in schema()}

    def pick(weights: dict):
        return rng.choices(list(weights), list(weights.values()))[0]

    def day(lo: dt.date = FIRST_DAY, skew: float = 1.0, precision: str = "day") -> dt.date:
        return at(dt.date.fromordinal(lo.toordinal() + int((LAST_DAY - lo).days * rng.random() ** skew)), precision)

    def at(date: dt.date, precision: str) -> dt.date:
        return {"day": date, "month": date.replace(day=1)}.get(precision, date.replace(month=1, day=1))

    def sources(k: int) -> list[str]:  # a long tail: a few sources are cited by many events, as wire reports
        chosen: set[str] = set()
        while len(chosen) < k:
            chosen.add(f"S{int(n_sources * rng.random() ** 2):06d}")
        return sorted(chosen)

    tables["sources"] = [{"source_id": f"S{j:06d}", "title": f"SYNTHETIC benchmark data ({j:06d})",
                          "publisher": "SYNTHETIC", "published_date": day(dt.date(1990, 1, 1)),
                          "url": f"https://synthetic.invalid/benchmark/{j}", "reliability": pick(RELIABILITY)}
                         for j in range(n_sources)]
    tables["sources"] += [{"source_id": h, "title": f"SYNTHETIC held passage ({h})", "publisher": "SYNTHETIC",
                           "url": f"https://synthetic.invalid/held/{h}", "document": f"{h}.txt",
                           "reliability": "primary"} for h in HELD]
    files = {f"documents/{h}.txt": f"url: https://synthetic.invalid/held/{h}\ntitle: SYNTHETIC held passage\n"
             f"publisher: SYNTHETIC\npublished: \nread: 2026-12-01\n---\n{chr(10).join(QUOTES)}\n".encode()
             for h in HELD}

    posts = {"P-XX": 0.05}
    tables["posts"] = [{"post_id": "P-XX", "post_country": "an undisclosed country (SYNTHETIC)",
                        "location_note": "SYNTHETIC: no source names it"}]
    for i, (country, capital, lat, lon, region) in enumerate(COUNTRIES):
        cities = [(capital, lat, lon)] + [(f"SYNTHETIC city {k}", round(lat + rng.uniform(-3, 3), 2),
                                           round(lon + rng.uniform(-3, 3), 2)) for k in range(rng.randint(0, 3))]
        for k, (city, y, x) in enumerate([*cities, (None, lat, lon)]):  # the city unknown: mapped at the capital
            posts[f"P-{i:02d}-{k}"] = (1.0 if k == 0 else 0.2) / (i + 1) ** 0.8
            tables["posts"].append({"post_id": f"P-{i:02d}-{k}", "post_country": country, "post_city": city,
                                    "region": region, "latitude": y, "longitude": x})
    motives = {f"synthetic_{k:02d}": theme for k, theme in enumerate(MOTIVE_THEMES)}
    tables["motives"] = [{"motive_code": code, "label": f"SYNTHETIC motive: {theme}",
                          "description": f"SYNTHETIC benchmark motive ({theme})."} for code, theme in motives.items()]

    for i, post_id in enumerate(rng.choices(list(posts), list(posts.values()), k=size)):
        event_id, name, precision = f"E{i:07d}", f"SYNTHETIC-{i:06d}", pick(PRECISIONS)
        tables["people"].append({"person_id": f"K{i:07d}", "name": name, "name_variants": f"{name};SYNTHETIC {i:06d}"})
        defected, disclosed, shown = day(skew=0.6, precision=precision), None, None
        if rng.random() < 0.85:
            shown = rng.choices(("day", "month"), (7, 3))[0]
            disclosed = at(defected + dt.timedelta(days=int(rng.expovariate(1 / 200))), shown)
            disclosed, shown = (disclosed, shown) if disclosed <= LAST_DAY else (None, None)
        status = pick(STATUSES)
        if status == "confirmed" and shown != "day":  # a confirmation needs its day
            status = "multiple-reports"
        evidence, confirmed = rng.choice(HELD), status == "confirmed"
        tables["defections"].append({
            "event_id": event_id, "person_id": f"K{i:07d}", "position": rng.choice(POSITIONS),
            "elite_category": pick(CATEGORIES), "post_id": post_id, "defection_date": defected,
            "defection_precision": precision, "disclosed_date": disclosed, "disclosed_precision": shown,
            "confirmation_status": status, "confirmed_by": "SYNTHETIC ministry" if confirmed else None,
            "confirmed_date": disclosed if confirmed else None,
            "destination": "South Korea" if rng.random() < 0.9 else None,
            "accompanied_by": "SYNTHETIC family" if rng.random() < 0.4 else None, "summary": rng.choice(SUMMARIES),
            "notes": rng.choice(NOTES) if rng.random() < 0.2 else None,
            "outcome": "unknown" if status == "denied" else pick({"completed": 94, "failed": 3, "unknown": 3}),
            "outcome_source_id": evidence})
        tables["defection_sources"] += [{"event_id": event_id, "source_id": evidence, "evidence_quote": rng.choice(
            QUOTES)}, *({"event_id": event_id, "source_id": s} for s in sources(pick({0: 30, 1: 35, 2: 20, 3: 15})))]
        for code in rng.sample(list(motives), pick({1: 25, 2: 35, 3: 25, 4: 15})):
            who = pick(ATTRIBUTIONS)
            tables["event_motives"].append({"event_id": event_id, "motive_code": code, "attributed_to": who,
                                            "attributed_by": f"SYNTHETIC {who} attribution", "source_id": evidence,
                                            "evidence_quote": rng.choice(QUOTES)})

    years = list(range(FIRST_DAY.year, LAST_DAY.year))
    for year in years:
        kind, row = rng.random(), {"year": year, "total_arrivals": rng.randint(0, 3000)}
        if kind < 0.45:  # an elite figure (exact, about N, or a range) rests on a held passage
            count = rng.randint(1, 30)
            row |= {"elite_count": count} if kind < 0.35 else {"elite_count_low": count // 3, "elite_count_high": count}
            row |= {"elite_count_approx": kind >= 0.2, "elite_count_basis": "official" if kind < 0.3 else "media",
                    "elite_count_wording": f"about {count} (SYNTHETIC)" if kind >= 0.2 else None}
            tables["yearly_count_sources"].append({"year": year, "source_id": rng.choice(HELD),
                                                   "evidence_quote": rng.choice(QUOTES)})
        tables["yearly_counts"].append(row)
        tables["yearly_count_sources"] += [{"year": year, "source_id": s} for s in sources(rng.randint(1, 2))]

    for j in range(max(40, size // 100)):
        precision = pick(PRECISIONS)
        tables["context_events"].append({
            "context_id": f"C{j:06d}", "event_date": day(precision=precision), "date_precision": precision,
            "actors": ";".join(rng.sample(["North Korea", "South Korea", "Cuba"] + [c[0] for c in COUNTRIES[:12]], 2)),
            "event_type": rng.choice(CONTEXT_TYPES), "summary": f"SYNTHETIC context event {j}.",
            "event_id": f"E{rng.randrange(size):07d}" if rng.random() < 0.2 else None})
        tables["context_event_sources"] += [{"context_id": f"C{j:06d}", "source_id": s}
                                            for s in sources(rng.randint(1, 2))]
    tables["commentary"] = [{"commentary_id": f"M{j:06d}", "speaker": f"SYNTHETIC analyst {j % 50}",
                             "speaker_role": "SYNTHETIC role", "attributed_to": pick(ATTRIBUTIONS),
                             "stated_date": day(dt.date(1990, 1, 1)),
                             "event_id": f"E{rng.randrange(size):07d}" if rng.random() < 0.5 else None,
                             "year": rng.choice(years) if rng.random() < 0.3 else None,
                             "summary": f"SYNTHETIC assessment {j}.", "source_id": sources(1)[0]}
                            for j in range(max(5, size // 1000))]
    tables["revisions"] = [{"revision_id": f"R{j:05d}", "table_name": "yearly_counts", "column_name": "total_arrivals",
                            "row_key": str(rng.choice(years)), "previous_value": str(rng.randint(0, 3000)),
                            "current_value": str(rng.randint(0, 3000)), "reason": "SYNTHETIC revision",
                            "source_id": sources(1)[0]} for j in range(max(3, size // 10_000))]
    empty = {t.name: dict.fromkeys(c.name for c in t.columns) for t in schema()}
    return Seeds(Path(directory), {name: [Row(n + 2, empty[name] | values) for n, values in enumerate(rows)]
                                   for name, rows in tables.items()}, files=files)
