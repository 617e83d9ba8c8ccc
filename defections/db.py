"""Open the built database read-only, and rebuild it when the seeds' content changed."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import shlex
import stat
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from defections.build import (
    KINDS,
    NO_NETWORK,
    SCHEMA_VERSION,
    WriteError,
    build_seeds,
    foreign,
    refuse_foreign,
    shown,
    writer_holding,
)
from defections.fingerprint import seed_stamps, seeds_digest
from defections.paths import DEFAULT_DB, SEEDS_DIR, sql_file
from defections.schema import Problem, Seeds
from defections.validate import load_seeds

FIX_COMMAND = "python -m defections build"
# After a failed write (full disk, read-only folder), the next attempt waits this long, doubling up to
# RETRY_MAX: a build costs most of a second of CPU, and every page run of every session would otherwise
# retry it.
RETRY_FIRST, RETRY_MAX = 30.0, 600.0


def rebuild_command(db_path: Path) -> str:
    """The command that builds `db_path`: FIX_COMMAND, with --db for any file but data/defections.duckdb
    (the bare command would build that one)."""
    if Path(os.path.abspath(db_path)) == DEFAULT_DB:
        return FIX_COMMAND
    return f"{FIX_COMMAND} --db {shlex.quote(str(db_path))}"


class DatabaseError(Exception):
    """The database cannot be used; the message says what is wrong and how to fix it. `fix` is the
    command that fixes it, or None when the fix is not a rebuild (the message says what to do)."""

    def __init__(self, message: str, fix: str | None = FIX_COMMAND):
        super().__init__(message)
        self.fix = fix


@dataclass
class Freshness:
    """What ensure_database did: built a new file, or kept the old one because the seeds are invalid
    (problems) or the new file cannot be written (notice: what happened and when it is tried again)."""

    built: bool = False
    problems: list[Problem] = field(default_factory=list)
    notice: str | None = None


PARALLEL_FROM = 100_000  # defections from which queries use every core


def connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a database of the current schema version."""
    if _database_stat(db_path) is None:
        fix = rebuild_command(db_path)
        raise DatabaseError(f"The database {shown(db_path)} does not exist. Build it with: {fix}", fix)
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
    except (duckdb.Error, UnicodeError) as err:  # UnicodeError: a file name that is not UTF-8
        con.close()
        raise _unopenable(db_path, err) from None
    try:
        version, blocks = con.execute(query_sql("database_header")).fetchone()
    except duckdb.Error:
        version, blocks = None, 0
    if blocks and db_path.stat().st_size < blocks:
        con.close()
        fix = rebuild_command(db_path)
        raise DatabaseError(f"The database {shown(db_path)} is shorter than its own header says (truncated?). "
                            f"Rebuild it with: {fix}", fix)
    if version != SCHEMA_VERSION:
        con.close()
        fix = rebuild_command(db_path)
        raise DatabaseError(f"The database {shown(db_path)} was built by another schema version ({version}, this code "
                            f"expects {SCHEMA_VERSION}). Rebuild it with: {fix}", fix)
    # On small tables DuckDB's worker threads cost more CPU than they save, and every session's page
    # run pays for them; a large database keeps them for its scans (docs/benchmarks.md, "Behind the code").
    if con.execute(query_sql("defection_count")).fetchone()[0] < PARALLEL_FROM:
        con.execute("SET threads = 1")
    return con


def unreadable(db_path: Path, err: Exception) -> DatabaseError:
    """A query failed on a file that opened (blocks damaged in the middle): the advice connect gives."""
    fix = rebuild_command(db_path)
    return DatabaseError(f"The database {shown(db_path)} cannot be read ({_first_line(err)}). "
                         f"It may be corrupt; rebuild it with: {fix}", fix)


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None) -> pd.DataFrame:
    """Run one statement on its own cursor (a connection is shared across threads) and return its result
    as a DataFrame: the database seam every query goes through (cache.cached keeps the results)."""
    with own_cursor(con) as cursor:
        return cursor.execute(sql, _used(sql, params)).df()


def long_frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> pd.DataFrame:
    """frame() for a result of many rows (the events CSV): through Arrow, typed as frame() types it (whole
    numbers nullable, dates as datetime64[us]). DuckDB's own conversion to pandas spent 2.5 of the 3.9 s
    of a 273,000-row export turning text into Python strings (docs/benchmarks.md, "Behind the code")."""
    with own_cursor(con) as cursor:
        table = cursor.sql(sql, params=_used(sql, params)).to_arrow_table()
    result = table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get, date_as_object=False)
    for column in table.schema:
        if pa.types.is_date(column.type):
            result[column.name] = result[column.name].astype("datetime64[us]")
    return result


def _used(sql: str, params: list | dict | None) -> list | dict:
    """The parameters the statement names: DuckDB rejects unused named ones, and the filters offer more
    than a query may use."""
    if isinstance(params, dict):
        names = set(re.findall(r"\$(\w+)", sql))
        return {name: value for name, value in params.items() if name in names}
    return params or []


@contextmanager
def own_cursor(con: duckdb.DuckDBPyConnection):
    """A cursor of its own on the shared connection, in the attached database (a new cursor starts in the
    in-memory catalog, see connect); closed after use."""
    cursor = con.cursor()
    try:
        cursor.execute("USE defections")
        yield cursor
    finally:
        cursor.close()


def query_sql(name: str) -> str:
    """The text of the named query, sql/queries/<name>.sql (read once)."""
    return sql_file(f"queries/{name}")


def select_list(name: str) -> list[str]:
    """The names of the columns the named query's last select list gives, read by DuckDB's own parser (no
    database needed): a column list is then written once, in its .sql file."""
    con = duckdb.connect(config=NO_NETWORK)
    try:
        tree = json.loads(con.execute("SELECT json_serialize_sql(?::VARCHAR)", [query_sql(name)]).fetchone()[0])
    finally:
        con.close()
    return [column["alias"] or column["column_names"][-1] for column in tree["statements"][0]["node"]["select_list"]]


def _unopenable(db_path: Path, err: Exception) -> DatabaseError:
    holder = writer_holding(err)
    if holder:
        return DatabaseError(f"The database {shown(db_path)} is held open for writing by {holder}, so this app cannot "
                             "read it. Close that connection (or open the file read-only: duckdb -readonly), "
                             "then reload this page.", fix=None)
    if isinstance(err, UnicodeError):
        return DatabaseError(f"The database path {shown(db_path)} is not UTF-8, which DuckDB cannot open. Set "
                             "DEFECTIONS_DB (or --db) to a path in UTF-8.", fix=None)
    try:
        reason = foreign(db_path)
    except OSError:
        reason = None
    if reason:
        return DatabaseError(f"The database {shown(db_path)} cannot be opened: {reason}, and this app will not replace "
                             "it. Move it away, or set DEFECTIONS_DB (or --db) to another file path.", fix=None)
    fix = rebuild_command(db_path)
    return DatabaseError(f"The database {shown(db_path)} cannot be opened ({_first_line(err)}). "
                         f"It may be corrupt; rebuild it with: {fix}", fix)


def _database_stat(db_path: Path) -> os.stat_result | None:
    """The database file's stat (a symlink followed), None when there is nothing there; raises
    DatabaseError when the path names something that is not a file, or cannot be a path at all."""
    try:
        st = os.stat(db_path)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        under = next((p for p in db_path.parents if p.is_file()), db_path.parent)
        raise DatabaseError(f"The database path {shown(db_path)} is under {under}, which is a file, not a folder. "
                            "Set DEFECTIONS_DB (or --db) to a file path in a folder.", fix=None) from None
    except (OSError, ValueError) as err:  # a name too long, a NUL byte
        reason = getattr(err, "strerror", None) or err
        raise DatabaseError(f"The database path {shown(db_path)} cannot be used ({reason}). "
                            "Set DEFECTIONS_DB (or --db) to a shorter file path.", fix=None) from None
    kind = next((name for test, name in KINDS.items() if test(st.st_mode)), None)
    if kind == "a folder":
        raise DatabaseError(f"The database path {shown(db_path)} is a folder. Set DEFECTIONS_DB (or --db) to a file "
                            f"path, such as {db_path / 'defections.duckdb'}.", fix=None)
    if kind:
        raise DatabaseError(f"The database path {shown(db_path)} is {kind}, not a database file; this app will not "
                            "replace it. Set DEFECTIONS_DB (or --db) to a file path.", fix=None)
    return st


def is_stale(db_path: Path, seeds_dir: Path = SEEDS_DIR) -> bool:
    """True when the database is missing, was built by another schema version (older code: rebuilt from the
    same seeds, not refused), or from seeds whose content differs from the seeds now. Raises DatabaseError
    when db_path names something that is not a database file (a folder, a device, a FIFO).

    Content, not modification times: a seed copied in with an older mtime, or deleted, counts. Each look
    takes only the seeds' stat signature (about 3 ms for 321 files; the app looks at most once a second,
    cache.stale); their content is hashed (about 19 ms) only when the signature changed since the last look."""
    st = _database_stat(db_path)
    if st is None:
        return True
    recorded = _recorded(db_path, (st.st_mtime_ns, st.st_ino, st.st_size))
    if recorded is None:
        return False  # not readable as this app's database: connect() says what is wrong and what to do
    stamps = seed_stamps(seeds_dir)
    if not stamps:
        return False  # no seeds here (a replica): nothing to build from, so the file is what is served
    version, digest = recorded
    return version != SCHEMA_VERSION or _current_digest(seeds_dir, stamps) != digest


def ensure_database(db_path: Path, seeds_dir: Path = SEEDS_DIR) -> Freshness:
    """Build the database if it is missing or stale. With invalid seeds, or when the new file cannot be
    written (full disk, read-only folder), keep the old file and say why; without one, raise."""
    if not is_stale(db_path, seeds_dir):
        return Freshness()
    exists = _database_stat(db_path) is not None
    waiting = _RETRIES.waiting(db_path)
    if waiting and exists:
        return Freshness(notice=waiting)
    try:
        with _build_lock(db_path):
            if not is_stale(db_path, seeds_dir):  # another session built it while we waited
                return Freshness()
            seeds = _loaded(seeds_dir, seed_stamps(seeds_dir))
            if seeds.problems and exists:
                return Freshness(problems=seeds.problems)
            refuse_foreign(db_path)
            build_seeds(seeds, db_path)  # raises BuildError for invalid seeds with no database to fall back on
    except WriteError as err:
        notice = _RETRIES.failed(db_path, str(err))
        if exists:
            return Freshness(notice=notice)
        raise DatabaseError(str(err), fix=None) from None
    _RETRIES.succeeded(db_path)
    return Freshness(built=True)


class _Retries:
    """When a failed write may be tried again, per database file: back-off, not a build per page run."""

    def __init__(self) -> None:
        self._next: dict[Path, tuple[float, float, str]] = {}  # path -> (retry at, delay, what happened)
        self._lock = threading.Lock()

    def waiting(self, path: Path) -> str | None:
        with self._lock:
            retry_at, _, message = self._next.get(path, (0.0, 0.0, ""))
        left = retry_at - time.monotonic()
        return self._notice(message, left) if left > 0 else None

    def failed(self, path: Path, message: str) -> str:
        with self._lock:
            delay = min(self._next.get(path, (0.0, RETRY_FIRST / 2, ""))[1] * 2, RETRY_MAX)
            self._next[path] = (time.monotonic() + delay, delay, message)
        return self._notice(message, delay)

    def succeeded(self, path: Path) -> None:
        with self._lock:
            self._next.pop(path, None)

    @staticmethod
    def _notice(message: str, left: float) -> str:
        return (f"The seeds changed, but the database cannot be rebuilt: {message}. This page shows the last good "
                f"database; the app tries again in {max(1, round(left))} s (or run `{FIX_COMMAND}`).")


_RETRIES = _Retries()


# Memoized on the file's identity (mtime, inode, size): a page rerun does not open the file again,
# and a rebuild (a new inode by os.replace) is a new key.
@lru_cache(maxsize=8)
def _recorded(db_path: Path, identity: tuple) -> tuple[int, str] | None:
    """(schema version, seeds digest) recorded in the database, or None if it cannot be read."""
    con = duckdb.connect(config=NO_NETWORK)
    try:
        con.execute("ATTACH ? AS built (READ_ONLY)", [str(db_path)])
        return con.execute(query_sql("recorded_build")).fetchone()
    except (duckdb.Error, UnicodeError):
        return None
    finally:
        con.close()


# Memoized on the seeds' stat signature, which any write, copy, rename or removal changes.
@lru_cache(maxsize=8)
def _current_digest(seeds_dir: Path, stamps: tuple) -> str:
    return seeds_digest(seeds_dir)


# Memoized on the stat signature too: invalid seeds are validated once per change, not per page run.
@lru_cache(maxsize=4)
def _loaded(seeds_dir: Path, stamps: tuple) -> Seeds:
    return load_seeds(seeds_dir)


@contextmanager
def _build_lock(db_path: Path):
    """An exclusive lock beside the database. Opened without following a symlink (a link planted there
    must not lead the app to create or lock another file) and without truncating (the lock file is
    never written); anything but a regular file there is refused."""
    lock = db_path.with_name(f".{db_path.name}.lock")
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    except OSError as err:
        raise WriteError(_lock_problem(lock, err)) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise WriteError(f"the lock file {lock} is not a regular file; remove it")
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _lock_problem(lock: Path, err: OSError) -> str:
    if err.errno == errno.ELOOP:
        return f"the lock file {lock} is a symbolic link; remove it (the app never follows one)"
    if err.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"the folder {lock.parent} is not writable ({err.strerror}); make it writable to rebuild"
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"no space left on the device holding {lock.parent}; free some space there"
    return f"cannot create the lock file {lock} ({err.strerror or err})"


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
