"""The seed tables as sql/schema.sql declares them (columns, types, enums, keys, references, and each CHECK
with its message), read through an in-memory DuckDB; and the shapes validation fills: rows, seeds, problems."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb

from defections.paths import SQL_DIR, relative

# The message schema.sql writes after each CHECK: "-- column: message".
CHECK_MESSAGE = re.compile(r"--[ \t]*(\w+):[ \t]*(.+)")


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
    type: str  # as DuckDB names it: INTEGER, DATE, ENUM('day', 'month', 'year')...
    nullable: bool
    enum_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Check:
    """A CHECK constraint of schema.sql: its expression, the columns it reads, and what to say when it fails."""

    expression: str
    columns: frozenset[str]
    column: str
    message: str


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[tuple[str, str, str], ...]  # (column, referenced table, referenced column)
    checks: tuple[Check, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()  # UNIQUE column sets beside the primary key


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

    def report(self, table: str, line: int, column: str, message: str) -> None:
        self.problems.append(Problem(relative(self.directory / f"{table}.csv"), line, column, message))


@cache
def schema() -> tuple[Table, ...]:
    """The seed tables in load order, as declared in sql/schema.sql."""
    sql = (SQL_DIR / "schema.sql").read_text(encoding="utf-8")
    con = duckdb.connect()
    try:
        con.execute(sql)
        tables = []
        for name, body in re.findall(r"CREATE TABLE seed\.(\w+) \((.*?)\n\);", sql, re.DOTALL):
            columns = tuple(
                Column(col, dtype, nullable, tuple(re.findall(r"'((?:[^']|'')*)'", dtype)) if dtype[:4] == "ENUM"
                       else ())
                for col, dtype, nullable in con.execute(
                    "SELECT column_name, data_type, is_nullable FROM duckdb_columns() "
                    "WHERE schema_name = 'seed' AND table_name = ? ORDER BY column_index", [name]).fetchall())
            cons = con.execute(
                "SELECT constraint_type, constraint_column_names, referenced_table, referenced_column_names, "
                "expression FROM duckdb_constraints() WHERE schema_name = 'seed' AND table_name = ? "
                "ORDER BY constraint_index", [name]).fetchall()
            pk = next((tuple(c[1]) for c in cons if c[0] == "PRIMARY KEY"), ())
            fks = tuple((c[1][0], c[2], c[3][0]) for c in cons if c[0] == "FOREIGN KEY")
            unique = tuple(tuple(c[1]) for c in cons if c[0] == "UNIQUE")
            # Each CHECK's message is the first "-- column: message" between it and the next CHECK.
            messages = [CHECK_MESSAGE.search(part) for part in re.split(r"\bCHECK\b", body)[1:]]
            checks = tuple(Check(c[4], frozenset(c[1]), *m.groups()) for c, m in
                           zip([c for c in cons if c[0] == "CHECK"], messages, strict=True))
            if not all(m and m[1] in c.columns for m, c in zip(messages, checks)):
                raise ValueError(f"schema.sql: a CHECK of seed.{name} lacks its '-- column: message'")
            tables.append(Table(name, columns, pk, fks, checks, unique))
        return tuple(tables)
    finally:
        con.close()
