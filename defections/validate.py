"""Check the seed CSVs against the schema and the evidence rules; report every problem at once.

Column names, types, enums, keys and references are read from sql/schema.sql itself (via an
in-memory DuckDB), so the schema is declared once. The rules a schema cannot express (dates at
their precision, quotes found in their documents, every fact cited) live here.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import math
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

import duckdb

from defections.documents import DAY, normalize_text, read_document
from defections.fingerprint import snapshot
from defections.paths import SQL_DIR, relative

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
FIRST_YEAR = 1945  # the division of Korea; schema.sql checks the same bound
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



@dataclass(frozen=True)
class Problem:
    """One thing wrong in a seed file, located as precisely as it can be."""

    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.message}"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool
    enum_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[tuple[str, str, str], ...]  # (column, referenced table, referenced column)


@dataclass
class Row:
    line: int
    values: dict


@dataclass
class Seeds:
    """Typed rows per table, and every problem found on the way."""

    directory: Path
    tables: dict[str, list[Row]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # The seed files as read once, by name relative to `directory` (see snapshot); None reads the disk
    # (bench.synth's generated rows). A build digests these bytes and builds from them, so a seed saved
    # during a build cannot be recorded as built.
    files: dict[str, bytes | int | OSError] | None = None


@cache
def schema() -> tuple[Table, ...]:
    """The seed tables in load order, as declared in sql/schema.sql."""
    sql = (SQL_DIR / "schema.sql").read_text(encoding="utf-8")
    con = duckdb.connect()
    try:
        con.execute(sql)
        order = re.findall(r"CREATE TABLE seed\.(\w+)", sql)
        tables = []
        for name in order:
            cols = con.execute(
                "SELECT column_name, data_type, is_nullable FROM duckdb_columns() "
                "WHERE schema_name = 'seed' AND table_name = ? ORDER BY column_index", [name]
            ).fetchall()
            columns = []
            for col, dtype, nullable in cols:
                values = tuple(re.findall(r"'((?:[^']|'')*)'", dtype)) if dtype.startswith("ENUM") else ()
                columns.append(Column(col, "ENUM" if values else dtype, nullable, values))
            cons = con.execute(
                "SELECT constraint_type, constraint_column_names, referenced_table, referenced_column_names "
                "FROM duckdb_constraints() WHERE schema_name = 'seed' AND table_name = ?", [name]
            ).fetchall()
            pk = next((tuple(c[1]) for c in cons if c[0] == "PRIMARY KEY"), ())
            fks = tuple((c[1][0], c[2], c[3][0]) for c in cons if c[0] == "FOREIGN KEY")
            tables.append(Table(name, tuple(columns), pk, fks))
        return tuple(tables)
    finally:
        con.close()


def load_seeds(seeds_dir: Path) -> Seeds:
    """Read, type and check every seed file; never raises on bad data, collects problems instead."""
    seeds = Seeds(Path(seeds_dir), files=snapshot(Path(seeds_dir)))
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
    _check_rules(seeds)
    return seeds


def validate(seeds_dir: Path) -> list[Problem]:
    """Every problem in the seeds; an empty list means they can be built."""
    return load_seeds(seeds_dir).problems


def _read_table(seeds: Seeds, table: Table) -> list[Row]:
    path = seeds.directory / f"{table.name}.csv"
    shown = relative(path)
    problem = lambda line, col, msg: seeds.problems.append(Problem(shown, line, col, msg))  # noqa: E731
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
        if column.name not in raw_row:
            continue
        text = raw_row[column.name]
        if text.strip() == "":
            values[column.name] = None
            if not column.nullable:
                problem(line, column.name, "required field is empty")
            continue
        if text != text.strip():
            problem(line, column.name, f"{text!r} has spaces at its start or end (remove them)")
            continue
        if "\x00" in text:
            problem(line, column.name, "holds a NUL byte (remove it; it would reach every CSV export)")
            continue
        if column.name in precisions:
            values[column.name] = _parse_precise_date(text, raw_row.get(precisions[column.name], ""), column.name,
                                                       precisions[column.name], line, problem)
            continue
        try:
            values[column.name] = _parse(column, text)
        except ValueError as err:
            problem(line, column.name, f"{text!r} {err}")
            values[column.name] = _INVALID
    return values


class _Invalid:
    """Marks a cell that failed to parse, so later checks skip it instead of reporting it twice."""

    def __repr__(self) -> str:
        return "<invalid>"


_INVALID = _Invalid()


def _parse(column: Column, text: str):
    if column.type == "ENUM":
        if text not in column.enum_values:
            raise ValueError(f"is not allowed (expected one of: {', '.join(column.enum_values)})")
        return text
    if column.type == "INTEGER":
        if not re.fullmatch(r"[+-]?[0-9]+", text):
            raise ValueError("is not a whole number (expected digits only, e.g. 196)")
        number = int(text)
        if number < 0:
            raise ValueError("is negative (expected a count of 0 or more)")
        if number > 2**31 - 1:  # DuckDB's INTEGER
            raise ValueError("is too large (expected at most 2147483647)")
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
        return _parse_date(text, "day")
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


def _parse_precise_date(text, precision, column, precision_column, line, problem):
    if precision not in DATE_PATTERNS:
        if precision.strip() == "":
            problem(line, precision_column, f"is empty but {column} is {text!r} (expected day, month or year)")
        return _INVALID
    try:
        return _parse_date(text, precision)
    except ValueError as err:
        problem(line, column, f"{text!r} {err}")
        return _INVALID


def _check_keys(seeds: Seeds, tables: tuple[Table, ...]) -> None:
    for table in tables:
        shown = relative(seeds.directory / f"{table.name}.csv")
        first_seen: dict = {}
        for row in seeds.tables[table.name]:
            key = tuple(row.values.get(c) for c in table.primary_key)
            if any(k is None or k is _INVALID for k in key):
                continue
            if key in first_seen:
                label = ", ".join(map(str, key))
                seeds.problems.append(Problem(shown, row.line, "/".join(table.primary_key),
                                              f"duplicate id {label!r}, first on line {first_seen[key]} "
                                              "(ids must be unique)"))
            else:
                first_seen[key] = row.line
        for column, ref_table, ref_column in table.foreign_keys:
            known = {r.values.get(ref_column) for r in seeds.tables.get(ref_table, [])}
            for row in seeds.tables[table.name]:
                value = row.values.get(column)
                if value is None or value is _INVALID or value in known:
                    continue
                seeds.problems.append(Problem(shown, row.line, column,
                                              f"{value!r} is not a known {ref_column} "
                                              f"(expected an id from {ref_table}.csv)"))


def _check_rules(seeds: Seeds) -> None:
    t = seeds.tables
    problem = lambda table, line, col, msg: seeds.problems.append(  # noqa: E731
        Problem(relative(seeds.directory / f"{table}.csv"), line, col, msg))

    documents = {}
    for row in t.get("sources", []):
        url, document = row.values.get("url"), row.values.get("document")
        if isinstance(url, str):
            parsed = urlparse(url)
            if not re.match(r"https?://", url) or not parsed.netloc or re.search(r"\s", url):
                problem("sources", row.line, "url",
                        f"{url!r} is not an http(s) address (expected a lower-case http:// or https:// address)")
        if isinstance(document, str):
            try:
                held = read_document(seeds.directory / "documents", document,
                                     with_header=row.values.get("reliability") != "client", files=seeds.files)
            except ValueError as err:
                problem("sources", row.line, "document", str(err))
            else:
                documents[row.values["source_id"]] = normalize_text(held.text)
                odd_gap = next((m.group() for m in GAP_MARKS.finditer(held.text) if m.group() != "[…]"), None)
                if odd_gap:
                    problem("sources", row.line, "document",
                            f"{document} marks a gap as {odd_gap!r} (write every gap in a held passage as '[…]', "
                            "so a reader tells our cuts from the page's own punctuation)")
                _check_header(held.header, row, lambda col, msg, line=row.line: problem("sources", line, col, msg))
        if url is None and document is None:
            problem("sources", row.line, "url", "empty, and no document either (every source needs one)")

    for table, column in QUOTE_COLUMNS.items():
        for row in t.get(table, []):
            quote = row.values.get(column)
            source_id = row.values.get("source_id")
            text = documents.get(source_id)
            if not isinstance(quote, str):
                if quote is None and text is not None:
                    problem(table, row.line, column,
                            f"required: source {source_id} is a held document (copy the supporting words from it)")
                continue
            words = len(quote.split())
            # Chinese and Japanese are written without spaces: there the characters count.
            unspaced = UNSPACED.search(quote) is not None
            if (words < QUOTE_WORDS[0] and not unspaced) or len(quote) < QUOTE_MIN_CHARS:
                problem(table, row.line, column, f"{_clip(quote)!r} is too short to be evidence "
                        f"(expected at least {QUOTE_WORDS[0]} words and {QUOTE_MIN_CHARS} characters)")
            elif words > QUOTE_WORDS[1]:
                problem(table, row.line, column, f"is {words} words long (at most {QUOTE_WORDS[1]}: quote the "
                        "sentence that carries the fact)")
            if text is None:
                if isinstance(source_id, str) and source_id in {r.values.get("source_id") for r in t["sources"]}:
                    problem(table, row.line, column,
                            f"source {source_id} has no held document, so the quote cannot be checked "
                            "(hold the passage in seeds/documents/ and name it in sources.csv, or empty the quote)")
            elif normalize_text(quote) not in text:
                problem(table, row.line, column,
                        f"{_clip(quote)!r} does not occur in the document of source {source_id} "
                        "(copy it exactly)")
            if "quote_gloss" in row.values and NOT_ENGLISH.search(quote) and not row.values.get("quote_gloss"):
                problem(table, row.line, "quote_gloss",
                        "required: the quote is not in English (give an English gloss in our words)")

    _check_evidence(seeds, problem)
    _check_corrections(seeds, problem)
    _check_release_rows(seeds, problem)

    for fact_table, key, link_table in CITED_THROUGH:
        cited = {r.values.get(key) for r in t.get(link_table, [])}
        for row in t.get(fact_table, []):
            value = row.values.get(key)
            if value is not None and value is not _INVALID and value not in cited:
                problem(fact_table, row.line, key,
                        f"{value!r} cites no source (add a row to {link_table}.csv)")

    for row in t.get("yearly_counts", []):
        year = row.values.get("year")
        if isinstance(year, int) and not FIRST_YEAR <= year <= dt.date.today().year:
            problem("yearly_counts", row.line, "year", f"{year} is out of range (expected {FIRST_YEAR} to this year)")
        _check_elite_figure(row, lambda col, msg, line=row.line: problem("yearly_counts", line, col, msg))

    cited_pairs = {(r.values.get("event_id"), r.values.get("source_id")) for r in t.get("defection_sources", [])}
    for row in t.get("defections", []):
        v = row.values
        start, end = v.get("defection_date"), v.get("disclosed_date")
        if isinstance(start, dt.date) and isinstance(end, dt.date):
            if _period_end(end, v.get("disclosed_precision")) < start:
                problem("defections", row.line, "disclosed_date",
                        "is before the defection (expected on or after defection_date)")
        confirmed_on = v.get("confirmed_date")
        if isinstance(start, dt.date) and isinstance(confirmed_on, dt.date) and confirmed_on < start:
            problem("defections", row.line, "confirmed_date",
                    "is before the defection (expected on or after defection_date)")
        if v.get("confirmation_status") == "confirmed" and not v.get("confirmed_by"):
            problem("defections", row.line, "confirmed_by",
                    "required when confirmation_status is confirmed (name the government body)")
        if v.get("confirmation_status") == "confirmed" and v.get("confirmed_date") is None:
            problem("defections", row.line, "confirmed_date",
                    "required when confirmation_status is confirmed (the day the government confirmed it; "
                    "without one, the status is what the reports support, not confirmed)")
        if v.get("confirmation_status") == "denied" and v.get("outcome") == "completed":
            problem("defections", row.line, "outcome",
                    "is completed but the report was denied (expected unknown, or another "
                    "confirmation_status if a source establishes the defection)")
        outcome_source = v.get("outcome_source_id")
        if isinstance(outcome_source, str) and (v.get("event_id"), outcome_source) not in cited_pairs:
            problem("defections", row.line, "outcome_source_id",
                    f"{outcome_source!r} is not among this defection's sources (add it to "
                    "defection_sources.csv, or name the source there that establishes the outcome)")
        if (v.get("disclosed_date") is None) != (v.get("disclosed_precision") is None):
            problem("defections", row.line, "disclosed_precision",
                    "must be given exactly when disclosed_date is (fill both or neither)")

    for row in t.get("posts", []):
        lat, lon = row.values.get("latitude"), row.values.get("longitude")
        if isinstance(lat, float) and not -90 <= lat <= 90:
            problem("posts", row.line, "latitude", f"{lat} is out of range (expected -90 to 90)")
        if isinstance(lon, float) and not -180 <= lon <= 180:
            problem("posts", row.line, "longitude", f"{lon} is out of range (expected -180 to 180)")
        if (lat is None) != (lon is None):
            problem("posts", row.line, "longitude", "give both latitude and longitude, or neither")


def _check_header(header: dict, row: Row, problem) -> None:
    # The header says which page was read; it must be the page the sources row cites.
    url, published = row.values.get("url"), row.values.get("published_date")
    if not header:
        return
    if url is None:
        problem("url", f"empty, but the held document was read at {header['url']!r} (copy that address here)")
    elif header["url"] != url:
        problem("url", f"{_clip(url)!r} differs from the document's header url {_clip(header['url'])!r} "
                "(the passage must come from the page cited)")
    if isinstance(published, dt.date) and header["published"] and header["published"] != published.isoformat():
        problem("published_date", f"{published.isoformat()} differs from the document's header "
                f"published {header['published']!r}")


def _check_evidence(seeds: Seeds, problem) -> None:
    """Every defection, motive attribution and elite figure rests on a quote from a held document."""
    t = seeds.tables
    held = {r.values.get("source_id") for r in t.get("sources", []) if r.values.get("document")}

    def quoted(row: Row, column: str = "evidence_quote") -> bool:
        return isinstance(row.values.get(column), str) and row.values.get("source_id") in held

    evidenced_events = {r.values.get("event_id") for r in t.get("defection_sources", []) if quoted(r)}
    for row in t.get("defections", []):
        event_id = row.values.get("event_id")
        if isinstance(event_id, str) and event_id not in evidenced_events:
            problem("defections", row.line, "event_id",
                    f"{event_id!r} has no verified quote (add a row to defection_sources.csv whose source is a "
                    "held document, with the words that support the defection)")
    for row in t.get("event_motives", []):
        if row.values.get("evidence_quote") is None:
            problem("event_motives", row.line, "evidence_quote",
                    "required: every motive attribution is quoted from a held document")
    evidenced_years = {r.values.get("year") for r in t.get("yearly_count_sources", []) if quoted(r)}
    for row in t.get("yearly_counts", []):
        v = row.values
        has_figure = any(v.get(c) is not None for c in ("elite_count", "elite_count_low", "elite_count_high"))
        if has_figure and v.get("year") not in evidenced_years:
            problem("yearly_counts", row.line, "elite_count",
                    f"the elite figure of {v.get('year')} has no verified quote (add a row to "
                    "yearly_count_sources.csv whose source is a held document)")


def _check_corrections(seeds: Seeds, problem) -> None:
    columns = {table.name: {c.name for c in table.columns} for table in schema()}
    for row in seeds.tables.get("corrections", []):
        v = row.values
        table = v.get("table_name")
        if isinstance(table, str) and table not in columns:
            problem("corrections", row.line, "table_name",
                    f"{table!r} is not a seed table (expected one of {', '.join(sorted(columns))})")
        elif isinstance(table, str) and isinstance(v.get("column_name"), str) \
                and v["column_name"] not in columns[table] | {"(row)"}:
            problem("corrections", row.line, "column_name",
                    f"{v['column_name']!r} is not a column of {table} (or '(row)' for a row removed or added)")
        if v.get("previous_value") == v.get("current_value"):
            problem("corrections", row.line, "current_value", "equals previous_value (a correction changes a value)")


def _check_release_rows(seeds: Seeds, problem) -> None:
    # A row key of a table that does not exist would never match a row, and its release would say nothing.
    curated = {table.name for table in schema()} - {"releases", "release_rows"}
    for row in seeds.tables.get("release_rows", []):
        table = row.values.get("table_name")
        if isinstance(table, str) and table not in curated:
            problem("release_rows", row.line, "table_name",
                    f"{table!r} is not a curated table (expected one of {', '.join(sorted(curated))})")


def _check_elite_figure(row: Row, problem) -> None:
    v = row.values
    count, low, high, approx = (v.get("elite_count"), v.get("elite_count_low"),
                                v.get("elite_count_high"), v.get("elite_count_approx"))
    if _INVALID in (count, low, high, approx):
        return
    has_figure = any(x is not None for x in (count, low, high))
    if approx is None and has_figure:
        problem("elite_count_approx", "is empty but an elite figure is given (expected true or false)")
    if approx is not None and not has_figure:
        problem("elite_count_approx", f"is {str(approx).lower()} but no elite figure is given (expected empty)")
    if approx is False and (low is not None or high is not None):
        problem("elite_count_approx", "is false but a low/high range is given (expected true for a range)")
    basis = v.get("elite_count_basis")
    if basis is None and has_figure and basis is not _INVALID:
        problem("elite_count_basis", "is empty but an elite figure is given (expected official or media)")
    if basis is not None and basis is not _INVALID and not has_figure:
        problem("elite_count_basis", f"is {basis} but no elite figure is given (expected empty)")
    if approx and not v.get("elite_count_wording"):
        problem("elite_count_wording", "required when elite_count_approx is true (the source's words, e.g. 'about 10')")
    if low is not None and high is not None and low > high:
        problem("elite_count_high", f"{high} is below elite_count_low {low}")
    if count is not None and ((low is not None and count < low) or (high is not None and count > high)):
        problem("elite_count", f"{count} is outside the range elite_count_low..elite_count_high")


def _period_end(start: dt.date, precision) -> dt.date:
    if precision == "year":
        return dt.date(start.year, 12, 31)
    if precision == "month":
        following = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return start


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
