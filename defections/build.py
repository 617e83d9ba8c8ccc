"""Build the DuckDB database from validated seeds, atomically: a failed build changes nothing."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

import duckdb
import pandas as pd

from defections import release
from defections.paths import SEEDS_DIR, SQL_DIR
from defections.paths import db_path as default_db_path
from defections.validate import Problem, Seeds, load_seeds, read_document, schema, seeds_digest

# Bump when schema.sql or views.sql change shape: the app refuses a database of another version.
SCHEMA_VERSION = 6


class BuildError(Exception):
    """The seeds did not validate; carries every problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the seeds:\n" + "\n".join(map(str, problems)))


class WriteError(Exception):
    """The database file cannot be written where asked; the message says why and what to do."""


def populate(con: duckdb.DuckDBPyConnection, seeds: Seeds) -> None:
    """Create the schema and views in `con` and load the typed seed rows (works on :memory: too)."""
    con.execute((SQL_DIR / "schema.sql").read_text(encoding="utf-8"))
    for table in schema():
        columns = [c.name for c in table.columns]
        frame = pd.DataFrame([row.values for row in seeds.tables[table.name]], columns=columns, dtype=object)
        _insert(con, table.name, columns, frame)
    documents = {}  # one row per held file, as the first source naming it reads it
    for row in seeds.tables["sources"]:
        name = row.values.get("document")
        if name and name not in documents:
            held = read_document(seeds.directory / "documents", name,
                                 with_header=row.values.get("reliability") != "client")
            h = held.header
            documents[name] = [name, h.get("url"), h.get("title"), h.get("publisher"), h.get("published") or None,
                               h.get("read"), held.text]
    if documents:  # in one statement: 600 single-row inserts took half the build's time
        con.executemany("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?)", list(documents.values()))
    release.populate(con, seeds)  # before views.sql: its corrections view says each one's release
    con.execute((SQL_DIR / "views.sql").read_text(encoding="utf-8"))
    as_of = con.execute("SELECT max(published_date) FROM seed.sources").fetchone()[0]
    con.execute("INSERT INTO build_info VALUES (?, ?, ?, ?)",
                [SCHEMA_VERSION, dt.datetime.now(dt.UTC).replace(tzinfo=None),
                 seeds_digest(seeds.directory), as_of])


def _insert(con, table: str, columns: list[str], frame: pd.DataFrame) -> None:
    # Identifiers come from schema.sql, never from input; values travel as a registered frame.
    con.register("seed_frame", frame)
    try:
        column_list = ", ".join(columns)
        con.execute(f"INSERT INTO seed.{table} ({column_list}) SELECT {column_list} FROM seed_frame")
    finally:
        con.unregister("seed_frame")


def build(seeds_dir: Path = SEEDS_DIR, db_path: Path | None = None) -> Path:
    """Validate the seeds and write the database; on any failure the previous file stays as it was.

    A symlink is followed: its target is replaced, and the link stays (os.replace would put a regular
    file in the link's place). Raises BuildError for invalid seeds, WriteError for a place it cannot write."""
    db_path = Path(os.path.realpath(db_path or default_db_path()))
    try:
        if db_path.is_dir():  # also catches an empty --db (the working folder)
            raise WriteError(f"cannot write the database {db_path}: it is a folder; give a file path "
                             f"such as {db_path / 'defections.duckdb'}")
    except OSError as err:  # a file name too long for the file system
        raise _write_error(db_path, err) from None
    seeds = load_seeds(Path(seeds_dir))
    if seeds.problems:
        raise BuildError(seeds.problems)
    try:
        write(seeds, db_path)
    except (OSError, duckdb.IOException) as err:
        raise _write_error(db_path, err) from None
    return db_path


def _write_error(db_path: Path, err: Exception) -> WriteError:
    # DuckDB says 'IO Error: Cannot open file "…tmp": Permission denied': its last part is the reason.
    reason = getattr(err, "strerror", None) or str(err).strip().splitlines()[0].rsplit(": ", 1)[-1]
    under_file = next((p for p in db_path.parents if p.is_file()), None)
    if under_file:
        reason = f"{under_file} is a file, not a folder"
    return WriteError(f"cannot write the database {db_path}: {reason}; choose a --db file path (or DEFECTIONS_DB) "
                      "with a short file name in a folder you can write")


def write(seeds: Seeds, db_path: Path) -> None:
    """Write validated `seeds` to `db_path` atomically (also the benchmark's synthetic databases)."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    _remove_dead_builds_leftovers(db_path)
    tmp = db_path.with_name(f".{db_path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    try:
        con = duckdb.connect(str(tmp), config={"autoinstall_known_extensions": False,
                                                "autoload_known_extensions": False})
        try:
            # One transaction: committed statement by statement, the ~1,000 statements of a build
            # each write the log to disk, which makes a build about four times slower.
            con.begin()
            populate(con, seeds)
            _check(con, seeds)
            con.commit()
            con.execute("CHECKPOINT")
        except duckdb.Error as err:
            # The schema's constraints are the second line of defence: say so, not a traceback.
            first = str(err).strip().splitlines()[0]
            raise BuildError([Problem(str(seeds.directory), 0, "-", f"the database refused the seeds: {first} "
                                      "(the validator missed this; fix the value it names)")]) from None
        finally:
            con.close()
        os.replace(tmp, db_path)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)


def _remove_dead_builds_leftovers(db_path: Path) -> None:
    # A build killed mid-write (SIGKILL, power loss) leaves its temp file; the pid in its name says
    # whether that build may still be running. Another live build's file is left alone.
    for leftover in db_path.parent.glob(f".{db_path.name}.*.tmp*"):
        pid = leftover.name[len(db_path.name) + 2:].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            leftover.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _check(con, seeds: Seeds) -> None:
    """Refuse to publish a database that lost rows on the way in."""
    for table in schema():
        loaded = con.execute(f"SELECT count(*) FROM seed.{table.name}").fetchone()[0]
        if loaded != len(seeds.tables[table.name]):
            raise RuntimeError(f"{table.name}: loaded {loaded} rows of {len(seeds.tables[table.name])}")
