"""Releases of the curated data: a content digest of the seeds, the releases recorded in seeds/releases.csv,
the rows each release added or removed (seeds/release_rows.csv), and the named queries about them."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from defections import frames
from defections.fingerprint import seed_files
from defections.paths import sql_file
from defections.schema import Seeds, schema
from defections.validate import load_seeds

RELEASES_FILE = "releases.csv"
ROWS_FILE = "release_rows.csv"
# Bookkeeping about the data, not data: recording a release must not change the digest it records.
BOOKKEEPING = {"releases", "release_rows"}
RECORD_COMMAND = "python -m defections release VERSION --note TEXT"


class ReleaseError(Exception):
    """A release cannot be recorded; the message says why."""


@dataclass(frozen=True)
class Recorded:
    """What `record` wrote: the release, its digest and how many row keys it listed as added and removed."""

    release: str
    digest: str
    added: int
    removed: int


def data_digest(seeds_dir: Path) -> str:
    """sha256 of the curated data: every curated CSV read as its rows (each a set of column=value pairs,
    the rows in sorted order) and every held document's bytes. File times, row order, column order and CSV
    quoting do not count; a changed cell, a row added or removed, or an edited document does."""
    digest = hashlib.sha256()
    for path in sorted(seed_files(seeds_dir), key=lambda p: p.relative_to(seeds_dir).as_posix()):
        name = path.relative_to(seeds_dir).as_posix()
        if path.parent == seeds_dir and path.stem in BOOKKEEPING:
            continue
        digest.update(name.encode() + b"\n")
        if path.parent == seeds_dir:
            for row in _canonical_rows(path.read_bytes()):
                digest.update(row.encode() + b"\n")
        else:
            digest.update(hashlib.sha256(path.read_bytes()).hexdigest().encode() + b"\n")
    return digest.hexdigest()


def _canonical_rows(raw: bytes) -> list[str]:
    # As the validator reads a CSV (BOM dropped, blank rows skipped), each row as sorted (column, value)
    # pairs; a row with the wrong number of cells keeps its cells as they are, so it still counts.
    reader = csv.reader(io.StringIO(raw.decode("utf-8-sig", errors="replace"), newline=""))
    header = next(reader, [])
    rows = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        shape = sorted(zip(header, cells)) if len(cells) == len(header) else cells
        rows.append(json.dumps(shape, ensure_ascii=False))
    return sorted(rows)


def row_keys(seeds: Seeds) -> list[tuple[str, str]]:
    """(table, key) of every row of the curated tables; a composite key's values joined by '|'."""
    return [(table.name, "|".join(str(row.values.get(c)) for c in table.primary_key))
            for table in schema() if table.name not in BOOKKEEPING for row in seeds.tables.get(table.name, [])]


def populate(con: duckdb.DuckDBPyConnection, seeds: Seeds) -> None:
    """Store the seeds' digest and row keys and create the release views (build.populate calls it)."""
    con.execute("INSERT INTO curated_digest VALUES (?)", [data_digest(seeds.directory)])
    # As one registered frame: executemany inserts row by row (14 s for a 12,000-event synthetic build).
    keys = pd.DataFrame(row_keys(seeds), columns=["table_name", "row_key"], dtype=object)
    con.register("row_key_frame", keys)
    try:
        con.execute("INSERT INTO row_keys SELECT table_name, row_key FROM row_key_frame")
    finally:
        con.unregister("row_key_frame")
    con.execute(sql_file("releases"))


def record(seeds_dir: Path, version: str, note: str, on: dt.date | None = None) -> Recorded:
    """Record the seeds as they are as release `version`: append the rows it adds and removes to
    seeds/release_rows.csv and its row (with the digest) to seeds/releases.csv. Raises ReleaseError."""
    seeds = load_seeds(seeds_dir)
    if seeds.problems:
        raise ReleaseError(f"the seeds do not validate ({len(seeds.problems)} problem(s), the first: "
                           f"{seeds.problems[0]}); a release must build. Run python -m defections validate")
    if not note.strip():
        raise ReleaseError("say what the release brings with --note")
    releases = seeds.tables["releases"]
    known = [row.values["release"] for row in releases]
    if version in known:
        raise ReleaseError(f"release {version} is already recorded in {seeds_dir / RELEASES_FILE}; choose the next "
                           "version (2026.12.1 is followed by 2026.12.2, or 2027.1.1 in a new month)")
    digest = data_digest(seeds_dir)
    if releases and releases[-1].values["digest"] == digest:
        raise ReleaseError(f"nothing changed since release {known[-1]}: the seeds' digest is the one recorded "
                           f"for it in {seeds_dir / RELEASES_FILE}")
    held = set()  # the keys the last release held, replayed from its predecessors' lists
    for row in seeds.tables["release_rows"]:
        key = (row.values["table_name"], row.values["row_key"])
        (held.add if row.values["change"] == "added" else held.discard)(key)
    now = set(row_keys(seeds))
    changes = [(table, key, "added") for table, key in sorted(now - held)]
    changes += [(table, key, "removed") for table, key in sorted(held - now)]
    _append(seeds_dir / ROWS_FILE, ["release", "table_name", "row_key", "change"],
            [[version, *change] for change in changes])
    _append(seeds_dir / RELEASES_FILE, ["release", "released_on", "note", "digest"],
            [[version, (on or dt.date.today()).isoformat(), note.strip(), digest]])
    return Recorded(version, digest, len(now - held), len(held - now))


def _append(path: Path, header: list[str], rows: list[list[str]]) -> None:
    # Append, never rewrite: the earlier releases' lines stay byte for byte as they were.
    text = path.read_text(encoding="utf-8-sig") if path.is_file() else ""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if not text.strip():
        writer.writerow(header)
    elif not text.endswith("\n"):
        out.write("\n")
    writer.writerows(rows)
    with open(path, "a", encoding="utf-8", newline="") as handle:
        handle.write(out.getvalue())


def unreleased_message(label: str, seeds_name: str = "seeds") -> str:
    """What to do about unreleased changes: the file that records a release, and the command that writes it."""
    return (f"{label[:1].upper()}{label[1:]}: this data is not a release. To record one, add a row to "
            f"{seeds_name}/{RELEASES_FILE} (release, released_on, note, digest) and the rows it adds or removes to "
            f"{seeds_name}/{ROWS_FILE}: the command {RECORD_COMMAND} writes both, with the right digest.")


def file_label(label: str) -> str:
    """The release as file names carry it: "2026.12.1", "unreleased-since-2026.12.1", or "unreleased" before
    the first release."""
    if label.startswith("unreleased ("):
        return "unreleased"
    short = label.removeprefix("release ").replace("unreleased changes since ", "unreleased-since-")
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in short)


# Named queries: (connection, ...) -> DataFrame of what a page or an export shows.

def frame(con, sql: str, params: dict | None = None) -> pd.DataFrame:
    """db.frame, imported when first used: db imports build, which imports this module."""
    from defections.db import frame as run

    return run(con, sql, params)


def release_status(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row: the last release, the data's digest, whether the data is that release, and its label."""
    return frame(con, sql_file("queries/release_status"))


def release_label(con: duckdb.DuckDBPyConnection) -> str:
    """"release 2026.12.1" or "unreleased changes since 2026.12.1": what every export says."""
    return str(release_status(con)["label"].iloc[0])


def release_list(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every release, newest first: what "What's new" offers to compare with."""
    return frame(con, sql_file("queries/release_list"))


def changes_since(con: duckdb.DuckDBPyConnection, since: str) -> pd.DataFrame:
    """The defections added, facts corrected and rows removed after release `since`, with their event cards."""
    return frame(con, sql_file("changes_since"), {"since": since})


def release_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Rows added and removed per release and curated table, newest first (the release notes)."""
    return frame(con, sql_file("release_notes"))


def release_notes(con: duckdb.DuckDBPyConnection) -> str:
    """The release notes as markdown: each release with its note and the rows it added and removed."""
    counts = release_counts(con)
    status = release_status(con).iloc[0]
    lines = ["# Release notes", "", f"This data: {status['label']} (curated data digest {status['data_digest']}).",
             "Row counts are of the curated tables (seeds/*.csv); the corrections log says what changed in "
             "rows already released.", ""]
    sections = [("unreleased", f"Unreleased changes since {status['last_release'] or 'no release'}", None)]
    sections = sections if not status["is_release"] else []
    sections += [(r.release, f"{r.release} ({r.released_on:%Y-%m-%d})", r.note)
                 for r in frames.rows(release_list(con))]
    for release, heading, note in sections:
        lines += [f"## {heading}", ""] + ([note, ""] if note else [])
        rows = counts[counts["release"] == release]
        if rows.empty:
            lines += ["No rows added or removed.", ""]
            continue
        lines += ["| table | rows added | rows removed |", "|---|---:|---:|"]
        lines += [f"| {r.table_name} | {r.added} | {r.removed} |" for r in frames.rows(rows)]
        lines.append("")
    return "\n".join(lines)
