"""Open the built database read-only, and rebuild it when the seeds are newer."""

from __future__ import annotations

import fcntl
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd

from defections.build import SCHEMA_VERSION, BuildError, build
from defections.paths import SEEDS_DIR
from defections.validate import Problem, load_seeds, seed_stamps, seeds_digest

FIX_COMMAND = "python -m defections build"
NO_NETWORK = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


class DatabaseError(Exception):
    """The database cannot be used; the message says what is wrong and which command fixes it."""


@dataclass
class Freshness:
    """What ensure_database did: built a new file, or kept the old one because the seeds are invalid."""

    built: bool = False
    problems: list[Problem] = field(default_factory=list)


def connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a database of the current schema version."""
    if not db_path.is_file():
        raise DatabaseError(f"The database {db_path} does not exist. Build it with: {FIX_COMMAND}")
    # Bounded memory: the app shares its process with every session; large sorts spill to disk.
    # Offline: DuckDB would otherwise download an extension to open a file that is not DuckDB's.
    con = duckdb.connect(config={"memory_limit": "300MB", "temp_directory": tempfile.gettempdir(),
                                 **NO_NETWORK})
    try:
        # ATTACH into a private in-memory instance rather than duckdb.connect(path): DuckDB caches
        # one instance per path in a process, so after a rebuild replaced the file, a new
        # connection would still see the old file for as long as any old connection lived.
        con.execute("ATTACH ? AS defections (READ_ONLY)", [str(db_path)])
        con.execute("USE defections")
        # Once the file is attached, nothing else on disk or on the network is reachable from SQL.
        con.execute("SET enable_external_access = false")
    except duckdb.Error as err:
        con.close()
        raise DatabaseError(f"The database {db_path} cannot be opened ({_first_line(err)}). "
                            f"It may be corrupt; rebuild it with: {FIX_COMMAND}") from None
    try:
        version = con.execute("SELECT max(schema_version) FROM build_info").fetchone()[0]
        blocks = con.execute("SELECT total_blocks * block_size FROM pragma_database_size() "
                             "WHERE database_name = 'defections'").fetchone()[0]
    except duckdb.Error:
        version, blocks = None, 0
    if blocks and db_path.stat().st_size < blocks:
        con.close()
        raise DatabaseError(f"The database {db_path} is shorter than its own header says (truncated?). "
                            f"Rebuild it with: {FIX_COMMAND}")
    if version != SCHEMA_VERSION:
        con.close()
        raise DatabaseError(f"The database {db_path} was built by another schema version ({version}, this code "
                            f"expects {SCHEMA_VERSION}). Rebuild it with: {FIX_COMMAND}")
    return con


def unreadable(db_path: Path, err: Exception) -> DatabaseError:
    """A query failed on a file that opened (blocks damaged in the middle): the advice connect gives."""
    return DatabaseError(f"The database {db_path} cannot be read ({_first_line(err)}). "
                         f"It may be corrupt; rebuild it with: {FIX_COMMAND}")


def query(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None) -> pd.DataFrame:
    """Run one statement on its own cursor (a connection is shared across threads) and return a frame."""
    if isinstance(params, dict):
        # DuckDB rejects unused named parameters; the filters offer more than a query may use.
        used = set(re.findall(r"\$(\w+)", sql))
        params = {name: value for name, value in params.items() if name in used}
    cursor = con.cursor()
    try:
        cursor.execute("USE defections")  # a cursor starts in the in-memory catalog (see connect)
        return cursor.execute(sql, params or []).df()
    finally:
        cursor.close()


def is_stale(db_path: Path, seeds_dir: Path = SEEDS_DIR) -> bool:
    """True when the database is missing, was built by another schema version (older code: rebuilt from the
    same seeds, not refused), or a seed file is newer and its content changed."""
    if not db_path.is_file():
        return True
    built = db_path.stat().st_mtime_ns
    if _other_schema_version(db_path, built):
        return True
    stamp = seed_stamps(seeds_dir)
    if max(stamp, default=(0,))[0] <= built:
        return False
    # A newer mtime may be a touch or a clock in the future: only a change of content counts.
    return _content_changed(db_path, built, seeds_dir, stamp)


def ensure_database(db_path: Path, seeds_dir: Path = SEEDS_DIR) -> Freshness:
    """Build the database if it is missing or stale. With invalid seeds, keep the old file and say why."""
    if not is_stale(db_path, seeds_dir):
        return Freshness()
    with _build_lock(db_path):
        if not is_stale(db_path, seeds_dir):  # another session built it while we waited
            return Freshness()
        problems = _problems(seeds_dir, seed_stamps(seeds_dir))
        if problems and db_path.is_file():
            return Freshness(problems=problems)
        try:
            build(seeds_dir, db_path)
        except BuildError as err:
            if db_path.is_file():
                return Freshness(problems=err.problems)
            raise  # no database to fall back on
        return Freshness(built=True)


# Memoized on the file's identity: a page rerun does not open the file again.
@lru_cache(maxsize=8)
def _other_schema_version(db_path: Path, built: int) -> bool:
    con = duckdb.connect(config=NO_NETWORK)
    try:
        con.execute("ATTACH ? AS built (READ_ONLY)", [str(db_path)])
        return con.execute("SELECT max(schema_version) FROM built.build_info").fetchone()[0] != SCHEMA_VERSION
    except duckdb.Error:
        return False  # not a database this code can read: connect() says what is wrong and how to fix it
    finally:
        con.close()


# Memoized on the files' identities, so a page rerun does not re-read unchanged seeds.
@lru_cache(maxsize=8)
def _content_changed(db_path: Path, built: int, seeds_dir: Path, stamp: tuple) -> bool:
    try:
        con = connect(db_path)
    except DatabaseError:
        return True
    try:
        return con.execute("SELECT max(seeds_digest) FROM build_info").fetchone()[0] != seeds_digest(seeds_dir)
    except OSError:
        return True  # a seed that cannot be read: validation names it, and the last good database serves
    finally:
        con.close()


@lru_cache(maxsize=8)
def _problems(seeds_dir: Path, stamp: tuple) -> list[Problem]:
    return load_seeds(seeds_dir).problems


@contextmanager
def _build_lock(db_path: Path):
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with open(db_path.with_name(f".{db_path.name}.lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
