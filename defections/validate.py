"""Check the seed CSVs against the schema and the evidence rules; report every problem at once.

What a schema can say is declared once, in sql/schema.sql (read by defections/schema.py): column names,
types, enums, keys, references, and the rules on one row, its CHECK constraints, which run here over a
staging copy of the rows and are reported with the message written beside each. What it cannot say is
here: cells typed (dates at their precision, none before 1945 or in the future), and the named checks at
the end of this file (quotes found in their held documents, every fact cited).
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import math
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import duckdb

from defections.documents import DAY, normalize_text, read_document
from defections.fingerprint import snapshot
from defections.paths import relative
from defections.schema import Column, Problem, Row, Seeds, Table, schema

# Date columns written at their precision in the seeds ("2023-11" with "month").
PRECISION_COLUMNS = {
    "defections": {"defection_date": "defection_precision", "disclosed_date": "disclosed_precision"},
    "context_events": {"event_date": "date_precision"},
}
# Columns holding verbatim text that must occur in the source's document, when it has one.
QUOTE_COLUMNS = {
    "defection_sources": "evidence_quote",
    "event_motives": "evidence_quote",
    "yearly_count_sources": "evidence_quote",
    "context_event_sources": "evidence_quote",
    "commentary": "quote",
}
# Fact tables whose rows are cited through a link table: (fact table, key, link table).
CITED_THROUGH = [
    ("defections", "event_id", "defection_sources"),
    ("yearly_counts", "year", "yearly_count_sources"),
    ("context_events", "context_id", "context_event_sources"),
]
FIRST_YEAR = 1945  # the division of Korea: no date or year before it, none after today
# ASCII digits only: \d alone also matches Arabic-Indic and full-width digits, which int() accepts.
DATE_PATTERNS = {
    "day": (DAY, "YYYY-MM-DD"),
    "month": (re.compile(r"^[0-9]{4}-[0-9]{2}$"), "YYYY-MM"),
    "year": (re.compile(r"^[0-9]{4}$"), "YYYY"),
}
# A quote is a few sentences at most; one of a word or two "occurs" in any document.
QUOTE_WORDS = (3, 60)
QUOTE_MIN_CHARS = 12
# A gap left in a held passage, in any bracketed form; only "[…]" is the house's ("[...]", "(…)" are refused).
GAP_MARKS = re.compile(r"[\[(]\s*(?:\.\.\.|…)\s*[\])]")
NOT_ENGLISH = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af\u0400-\u04ff]")
UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def load_seeds(seeds_dir: Path) -> Seeds:
    """Read, type and check every seed file; never raises on bad data, collects problems instead."""
    seeds_dir = Path(seeds_dir)
    if not seeds_dir.is_dir():  # one problem, not one "file is missing" per table
        what = "is a file, not a folder" if seeds_dir.exists() else "does not exist"
        return Seeds(seeds_dir, problems=[Problem(relative(seeds_dir), 0, "-", f"the seeds folder {what} (give "
                                                  "--seeds the folder that holds the seed CSVs, such as seeds/)")])
    seeds = Seeds(seeds_dir, files=snapshot(seeds_dir))
    tables = schema()
    known = {t.name for t in tables}
    for path in sorted(Path(seeds_dir) / name for name in seeds.files if "/" not in name):
        if path.stem not in known:
            hint = difflib.get_close_matches(path.stem, known, n=1)
            expected = f"did you mean {hint[0]}.csv?" if hint else "one of " + ", ".join(sorted(known))
            seeds.problems.append(Problem(relative(path), 1, "-", f"unknown table {path.name} ({expected})"))
    for table in tables:
        seeds.tables[table.name] = _read_table(seeds, table)
    _check_keys(seeds, tables)
    _check_constraints(seeds, tables)
    _check_rules(seeds)
    return seeds


def validate(seeds_dir: Path) -> list[Problem]:
    """Every problem in the seeds; an empty list means they can be built."""
    return load_seeds(seeds_dir).problems


def _read_table(seeds: Seeds, table: Table) -> list[Row]:
    path = seeds.directory / f"{table.name}.csv"
    problem = lambda line, col, msg: seeds.report(table.name, line, col, msg)  # noqa: E731
    if path.is_symlink():
        problem(0, "-", "is a link (expected a regular file in the seeds folder: copy the file here instead)")
        return []
    raw = seeds.files.get(path.name) if seeds.files is not None else None
    if raw is None:
        problem(0, "-", f"file is missing (expected a CSV with columns {', '.join(c.name for c in table.columns)})")
        return []
    if isinstance(raw, OSError):  # e.g. chmod 000 while the app runs: report it like any other problem
        problem(0, "-", f"cannot be read ({raw.strerror or raw}); make the file readable")
        return []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        problem(line, "-", f"not UTF-8 (byte 0x{raw[err.start]:02x}); save the file as UTF-8")
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        problem(1, "-", "file is empty (expected a header row)")
        return []
    except csv.Error as err:
        problem(1, "-", f"{err} (check the header's quoting)")
        return []
    expected = [c.name for c in table.columns]
    for name in header:
        if name not in expected:
            hint = difflib.get_close_matches(name, [e for e in expected if e not in header], n=1)
            problem(1, name or "-", f"unknown column ({'did you mean ' + hint[0] + '?' if hint else 'remove it'})")
    for name in expected:
        if name not in header:
            problem(1, name, "column is missing from the header (add it, even if every cell is empty)")
    if len(set(header)) != len(header):
        problem(1, "-", "a column name appears twice in the header")
    rows = []
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader, None)
        except csv.Error as err:  # a cell over the csv module's limit, often a quote left open
            problem(start, "-", f"{err}: a quote opened in this row may be left open (close it), or a cell "
                    "is too long (shorten it)")
            return rows
        if cells is None:
            return rows
        line = start
        start = reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problem(line, "-", f"{len(cells)} cells but the header has {len(header)} (check quoting and commas)")
            continue
        raw_row = dict(zip(header, cells))
        rows.append(Row(line, _typed_row(table, raw_row, line, problem)))


def _typed_row(table: Table, raw_row: dict, line: int, problem) -> dict:
    values = {}
    precisions = PRECISION_COLUMNS.get(table.name, {})
    for column in table.columns:
        text = raw_row.get(column.name)
        if text is None:
            continue
        if text.strip() == "":
            values[column.name] = None
            if not column.nullable:
                problem(line, column.name, "required field is empty")
            continue
        values[column.name] = _INVALID
        precision = raw_row.get(precisions[column.name], "") if column.name in precisions else "day"
        if column.name in precisions and not precision.strip():
            problem(line, precisions[column.name], f"is empty but {column.name} is {text!r} (expected day, month "
                    "or year)")
        elif precision in DATE_PATTERNS:  # else the precision cell is reported as not allowed
            try:
                values[column.name] = _parse(column, text, precision)
            except ValueError as err:
                problem(line, column.name, f"{text!r} {err}")
    return values


class _Invalid:
    """Marks a cell that failed to parse, so later checks skip it instead of reporting it twice."""

    def __repr__(self) -> str:
        return "<invalid>"


_INVALID = _Invalid()


def _parse(column: Column, text: str, precision: str = "day"):
    if text != text.strip():
        raise ValueError("has spaces at its start or end (remove them)")
    if "\x00" in text:
        raise ValueError("holds a NUL byte (remove it; it would reach every CSV export)")
    if column.enum_values:
        if text not in column.enum_values:
            raise ValueError(f"is not allowed (expected one of: {', '.join(column.enum_values)})")
        return text
    if column.type == "INTEGER":
        if not re.fullmatch(r"[+-]?[0-9]+", text):
            raise ValueError("is not a whole number (expected digits only, e.g. 196)")
        number = int(text)
        if abs(number) > 2**31 - 1:  # DuckDB's INTEGER
            raise ValueError("is too large (expected at most 2147483647)")
        if column.name == "year" and not FIRST_YEAR <= number <= dt.date.today().year:
            raise ValueError(f"is out of range (expected {FIRST_YEAR} to this year)")
        return number
    if column.type == "DOUBLE":
        try:
            number = float(text)
        except ValueError:
            raise ValueError("is not a number (expected decimal degrees, e.g. 23.13)") from None
        if not math.isfinite(number):
            raise ValueError("is not a finite number")
        return number
    if column.type == "BOOLEAN":
        if text not in ("true", "false"):
            raise ValueError("is not a boolean (expected true or false)")
        return text == "true"
    if column.type == "DATE":
        return _parse_date(text, precision)
    return text


def _parse_date(text: str, precision: str) -> dt.date:
    pattern, shape = DATE_PATTERNS[precision]
    if not pattern.match(text):
        raise ValueError(f"does not match precision {precision} (expected {shape})")
    parts = [int(p) for p in text.split("-")] + [1, 1]
    try:
        date = dt.date(parts[0], parts[1], parts[2])
    except ValueError:
        raise ValueError(f"is not a real date (expected {shape})") from None
    if date > dt.date.today():
        raise ValueError("is in the future (expected a date that has happened)")
    if date.year < FIRST_YEAR:
        raise ValueError(f"is before {FIRST_YEAR} (expected a date since the division of Korea)")
    return date


def _check_keys(seeds: Seeds, tables: tuple[Table, ...]) -> None:
    for table in tables:
        # The primary key, then schema.sql's UNIQUEs (one page given as two sources): a value given twice.
        for columns in (table.primary_key, *table.unique):
            first: dict = {}
            named = "/".join(columns)
            for row in seeds.tables[table.name]:
                key = tuple(row.values.get(c) for c in columns)
                if not columns or None in key or _INVALID in key or first.setdefault(key, row.line) == row.line:
                    continue
                shown = f"{', '.join(map(str, key))!r}"
                seeds.report(table.name, row.line, named,
                             f"duplicate id {shown}, first on line {first[key]} (ids must be unique)"
                             if columns == table.primary_key else
                             f"{shown} is given again, first on line {first[key]} (each {named} once: cite that "
                             "row instead)")
        for column, ref_table, ref_column in table.foreign_keys:
            known = {r.values.get(ref_column) for r in seeds.tables[ref_table]}
            for row in seeds.tables[table.name]:
                value = row.values.get(column)
                if value is not None and value is not _INVALID and value not in known:
                    seeds.report(table.name, row.line, column,
                                 f"{value!r} is not a known {ref_column} (expected an id from {ref_table}.csv)")


def _check_constraints(seeds: Seeds, tables: tuple[Table, ...]) -> None:
    """Run schema.sql's CHECKs over each table's rows, staged (with their line numbers, without constraints) as
    lists unnested in an in-memory DuckDB. A check reading a cell that did not parse is skipped: that cell is
    reported already."""
    con = _staging().cursor()  # a cursor a call: validation may run in several threads
    try:
        for table in tables:
            rows = seeds.tables[table.name]
            read = [c for c in table.columns if any(c.name in check.columns for check in table.checks)]
            if not read or not rows:
                continue
            staged = ", ".join(["unnest(?::INTEGER[]) AS _line"]
                               + [f'unnest(?::{c.type}[]) AS "{c.name}"' for c in read])
            refused = " UNION ALL ".join(f"SELECT _line, {i} FROM staged WHERE NOT ({check.expression})"
                                         for i, check in enumerate(table.checks))
            cells = [[row.line for row in rows]] + [[None if row.values.get(c.name) is _INVALID
                                                      else row.values.get(c.name) for row in rows] for c in read]
            failed = con.execute(f"WITH staged AS (SELECT {staged}) {refused} ORDER BY 1, 2", cells).fetchall()
            by_line = {row.line: row.values for row in rows}
            for line, i in failed:
                check, values = table.checks[i], by_line[line]
                if not any(values.get(c) is _INVALID for c in check.columns):
                    shown = {c.name: str(values.get(c.name)).lower() if isinstance(values.get(c.name), bool)
                             else values.get(c.name) for c in table.columns}
                    seeds.report(table.name, line, check.column, check.message.format(**shown))
    finally:
        con.close()


@cache
def _staging() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()  # opened once: a connection costs far more than a cursor on it


# --- the rules a schema cannot express, each a named check yielding (table, line, column, message) -------------

def _check_rules(seeds: Seeds) -> None:
    held: dict[str, str] = {}  # source_id -> the normalized text of its held document, as held_documents reads it
    for rule in RULES:
        for problem in rule(seeds, held):
            seeds.report(*problem)


def held_documents(seeds: Seeds, held: dict) -> Iterator[tuple]:
    """Each source's held document reads, marks its gaps the house's way, and was read on the page cited."""
    for row in seeds.tables["sources"]:
        v = row.values
        document = v.get("document")
        if not isinstance(document, str):
            continue
        try:
            passage = read_document(seeds.directory / "documents", document,
                                    with_header=v.get("reliability") != "client", files=seeds.files)
        except ValueError as err:
            yield "sources", row.line, "document", str(err)
            continue
        held[v.get("source_id")] = normalize_text(passage.text)
        odd_gap = next((m.group() for m in GAP_MARKS.finditer(passage.text) if m.group() != "[…]"), None)
        if odd_gap:
            yield ("sources", row.line, "document", f"{document} marks a gap as {odd_gap!r} (write every gap in a "
                   "held passage as '[…]', so a reader tells our cuts from the page's own punctuation)")
        header, url, published = passage.header, v.get("url"), v.get("published_date")
        if not header:
            continue
        if url is None:
            yield "sources", row.line, "url", f"empty, but the held document was read at {header['url']!r} " \
                "(copy that address here)"
        elif isinstance(url, str) and header["url"] != url:
            yield "sources", row.line, "url", f"{_clip(url)!r} differs from the document's header url " \
                f"{_clip(header['url'])!r} (the passage must come from the page cited)"
        if isinstance(published, dt.date) and header["published"] and header["published"] != published.isoformat():
            yield "sources", row.line, "published_date", f"{published.isoformat()} differs from the document's " \
                f"header published {header['published']!r}"


def quotes_are_found_in_their_documents(seeds: Seeds, held: dict) -> Iterator[tuple]:
    """A quote is a sentence or so, copied from its source's held document; a quote not in English is glossed."""
    sources = {r.values.get("source_id") for r in seeds.tables["sources"]}
    for table, column in QUOTE_COLUMNS.items():
        for row in seeds.tables[table]:
            quote, source_id = row.values.get(column), row.values.get("source_id")
            text = held.get(source_id)
            if not isinstance(quote, str):
                if quote is None and text is not None:
                    yield (table, row.line, column,
                           f"required: source {source_id} is a held document (copy the supporting words from it)")
                continue
            words = len(quote.split())
            unspaced = UNSPACED.search(quote) is not None  # Chinese and Japanese: there the characters count
            if (words < QUOTE_WORDS[0] and not unspaced) or len(quote) < QUOTE_MIN_CHARS:
                yield table, row.line, column, f"{_clip(quote)!r} is too short to be evidence " \
                    f"(expected at least {QUOTE_WORDS[0]} words and {QUOTE_MIN_CHARS} characters)"
            elif words > QUOTE_WORDS[1]:
                yield table, row.line, column, f"is {words} words long (at most {QUOTE_WORDS[1]}: quote the " \
                    "sentence that carries the fact)"
            if text is None:
                if isinstance(source_id, str) and source_id in sources:
                    yield table, row.line, column, f"source {source_id} has no held document, so the quote " \
                        "cannot be checked (hold the passage in seeds/documents/ and name it in sources.csv, " \
                        "or empty the quote)"
            elif normalize_text(quote) not in text:
                yield table, row.line, column, f"{_clip(quote)!r} does not occur in the document of source " \
                    f"{source_id} (copy it exactly)"
            if "quote_gloss" in row.values and NOT_ENGLISH.search(quote) and not row.values.get("quote_gloss"):
                yield table, row.line, "quote_gloss", "required: the quote is not in English (give an English " \
                    "gloss in our words)"


def facts_rest_on_verified_quotes(seeds: Seeds, held: dict) -> Iterator[tuple]:
    """Every defection and elite figure rests on a quote from a held document (a motive's quote is a CHECK)."""
    t = seeds.tables

    def evidenced(link_table: str, key: str) -> set:
        return {r.values.get(key) for r in t[link_table]
                if isinstance(r.values.get("evidence_quote"), str) and r.values.get("source_id") in held}

    events = evidenced("defection_sources", "event_id")
    for row in t["defections"]:
        event_id = row.values.get("event_id")
        if isinstance(event_id, str) and event_id not in events:
            yield "defections", row.line, "event_id", f"{event_id!r} has no verified quote (add a row to " \
                "defection_sources.csv whose source is a held document, with the words that support the defection)"
    years = evidenced("yearly_count_sources", "year")
    for row in t["yearly_counts"]:
        v = row.values
        has_figure = any(v.get(c) is not None for c in ("elite_count", "elite_count_low", "elite_count_high"))
        if has_figure and v.get("year") not in years:
            yield "yearly_counts", row.line, "elite_count", f"the elite figure of {v.get('year')} has no verified " \
                "quote (add a row to yearly_count_sources.csv whose source is a held document)"


def facts_cite_a_source(seeds: Seeds, held: dict) -> Iterator[tuple]:
    """Every defection, year and context event has a row in its link table of sources."""
    for fact_table, key, link_table in CITED_THROUGH:
        cited = {r.values.get(key) for r in seeds.tables[link_table]}
        for row in seeds.tables[fact_table]:
            value = row.values.get(key)
            if value is not None and value is not _INVALID and value not in cited:
                yield fact_table, row.line, key, f"{value!r} cites no source (add a row to {link_table}.csv)"


def outcome_rests_on_a_cited_source(seeds: Seeds, held: dict) -> Iterator[tuple]:
    """The source establishing a defection's outcome is one of that defection's own sources."""
    cited = {(r.values.get("event_id"), r.values.get("source_id")) for r in seeds.tables["defection_sources"]}
    for row in seeds.tables["defections"]:
        source = row.values.get("outcome_source_id")
        if isinstance(source, str) and (row.values.get("event_id"), source) not in cited:
            yield "defections", row.line, "outcome_source_id", f"{source!r} is not among this defection's " \
                "sources (add it to defection_sources.csv, or name the source there that establishes the outcome)"


def corrections_name_seed_columns(seeds: Seeds, held: dict) -> Iterator[tuple]:
    """A correction names a seed table and one of its columns (or '(row)')."""
    columns = {table.name: {c.name for c in table.columns} for table in schema()}
    for row in seeds.tables["corrections"]:
        table, column = row.values.get("table_name"), row.values.get("column_name")
        if isinstance(table, str) and table not in columns:
            yield "corrections", row.line, "table_name", \
                f"{table!r} is not a seed table (expected one of {', '.join(sorted(columns))})"
        elif isinstance(table, str) and isinstance(column, str) and column not in columns[table] | {"(row)"}:
            yield "corrections", row.line, "column_name", \
                f"{column!r} is not a column of {table} (or '(row)' for a row removed or added)"


def release_rows_name_curated_tables(seeds: Seeds, held: dict) -> Iterator[tuple]:
    """A release's row names a curated table: a key of a table that does not exist would never match a row."""
    curated = {table.name for table in schema()} - {"releases", "release_rows"}
    for row in seeds.tables["release_rows"]:
        table = row.values.get("table_name")
        if isinstance(table, str) and table not in curated:
            yield "release_rows", row.line, "table_name", \
                f"{table!r} is not a curated table (expected one of {', '.join(sorted(curated))})"


RULES = [held_documents, quotes_are_found_in_their_documents, facts_rest_on_verified_quotes, facts_cite_a_source,
         outcome_rests_on_a_cited_source, corrections_name_seed_columns, release_rows_name_curated_tables]


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
