"""Build the DuckDB database from validated seeds, atomically: a failed build changes nothing."""

from __future__ import annotations

import datetime as dt
import errno
import os
import stat
import uuid
from pathlib import Path

import duckdb
import pandas as pd

from defections import release
from defections.documents import read_document
from defections.fingerprint import seeds_digest
from defections.paths import SEEDS_DIR, sql_file
from defections.paths import db_path as default_db_path
from defections.schema import Problem, Seeds, schema
from defections.validate import load_seeds

# Bump when schema.sql or views.sql change shape: the app refuses a database of another version.
SCHEMA_VERSION = 9


class BuildError(Exception):
    """The seeds did not validate; carries every problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the seeds:\n" + "\n".join(map(str, problems)))


class WriteError(Exception):
    """The database file cannot be written where asked; the message says why and what to do."""


# Opening a file DuckDB cannot read would otherwise download an extension (a SQLite file, say).
NO_NETWORK = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file
KINDS = {stat.S_ISDIR: "a folder", stat.S_ISCHR: "a character device", stat.S_ISBLK: "a block device",
         stat.S_ISFIFO: "a FIFO (named pipe)", stat.S_ISSOCK: "a socket"}


def foreign(path: Path) -> str | None:
    """Why the existing `path` is not ours to replace, or None when a build may write over it: nothing
    there, an empty file, or a DuckDB database of this app (a damaged DuckDB file too: rebuilding is
    its fix). Follows a symlink, as a build does. Never opens a device or a FIFO."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return None
    kind = next((name for test, name in KINDS.items() if test(mode)), None)
    if kind:
        return f"it is {kind}, not a database file"
    # O_NONBLOCK: a FIFO swapped in after the stat must not hang the build.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return "it is not a regular file"
        head = os.read(fd, 16)
    finally:
        os.close(fd)
    if not head:
        return None  # an empty file holds nothing to lose
    if head[8:12] != DUCKDB_MAGIC:
        return "it is not a DuckDB database (another program's file, or text)"
    return _foreign_duckdb(path)


def _foreign_duckdb(path: Path) -> str | None:
    con = duckdb.connect(config=NO_NETWORK)
    try:
        con.execute("ATTACH ? AS target (READ_ONLY)", [str(path)])
        tables = con.execute(sql_file("queries/build_info_tables")).fetchone()[0]
    except duckdb.Error as err:
        holder = writer_holding(err)
        return f"it is held open for writing by {holder}" if holder else None
    finally:
        con.close()
    return None if tables else "it is a DuckDB database of another program (it has no build_info table)"


def writer_holding(err: Exception) -> str | None:
    """The program holding a DuckDB file open for writing, from DuckDB's lock error, or None."""
    text = str(err)
    if "Conflicting lock is held" not in text:
        return None
    # 'Conflicting lock is held in /usr/bin/python3.11 (PID 1234) by user root.'
    holder = text.split("Conflicting lock is held in ", 1)[-1].split(". See also", 1)[0].strip().rstrip(".")
    return f"another program ({holder})"


def refuse_foreign(db_path: Path) -> None:
    """Raise WriteError unless a build may replace what is at db_path (see foreign)."""
    try:
        reason = foreign(db_path)
    except OSError as err:
        raise _write_error(db_path, err) from None
    if reason:
        raise WriteError(f"will not build over {shown(db_path)}: {reason}. Nothing was changed; give --db "
                         "(or DEFECTIONS_DB) a new file path, or a database this app built")


def populate(con: duckdb.DuckDBPyConnection, seeds: Seeds) -> None:
    """Create the schema and views in `con` and load the typed seed rows (works on :memory: too)."""
    con.execute(sql_file("schema"))
    for table in schema():
        columns = [c.name for c in table.columns]
        frame = pd.DataFrame([row.values for row in seeds.tables[table.name]], columns=columns, dtype=object)
        _insert(con, f"seed.{table.name}", columns, frame)
    documents = {}  # one row per held file, as the first source naming it reads it
    for row in seeds.tables["sources"]:
        name = row.values.get("document")
        if name and name not in documents:
            held = read_document(seeds.directory / "documents", name,
                                 with_header=row.values.get("reliability") != "client", files=seeds.files)
            h = held.header
            documents[name] = [name, h.get("url"), h.get("title"), h.get("publisher"), h.get("published") or None,
                               h.get("read"), held.text]
    if documents:  # as one frame: executemany ran 450 single-row inserts, 0.29 s of a 0.95 s write
        columns = ["document", "url", "title", "publisher", "published", "read_on", "text"]
        _insert(con, "documents", columns, pd.DataFrame(list(documents.values()), columns=columns, dtype=object))
    release.populate(con, seeds)  # before views.sql: its corrections view says each one's release
    con.execute(sql_file("views"))
    con.execute(sql_file("build_info"), {"schema_version": SCHEMA_VERSION,
                                         "built_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
                                         # the bytes built, not the disk now
                                         "seeds_digest": seeds_digest(seeds.directory, seeds.files)})


def _insert(con, table: str, columns: list[str], frame: pd.DataFrame) -> None:
    # Identifiers come from schema.sql, never from input; values travel as a registered frame.
    con.register("seed_frame", frame)
    try:
        column_list = ", ".join(columns)
        con.execute(f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM seed_frame")
    finally:
        con.unregister("seed_frame")


def build(seeds_dir: Path = SEEDS_DIR, db_path: Path | None = None) -> Path:
    """Validate the seeds and write the database; on any failure the previous file stays as it was.

    A symlink is followed: its target is replaced, and the link stays (os.replace would put a regular
    file in the link's place). Raises BuildError for invalid seeds, WriteError for a place it cannot write."""
    db_path = Path(os.path.realpath(db_path or default_db_path()))
    try:
        str(db_path).encode("utf-8")
    except UnicodeEncodeError:  # DuckDB cannot open such a name (it fails with "std::bad_cast")
        raise WriteError(f"cannot write the database {shown(db_path)}: its name is not UTF-8; choose a --db file "
                         "path (or DEFECTIONS_DB) in UTF-8") from None
    try:
        if db_path.is_dir():  # also catches an empty --db (the working folder)
            raise WriteError(f"cannot write the database {db_path}: it is a folder; give a file path "
                             f"such as {db_path / 'defections.duckdb'}")
    except OSError as err:  # a file name too long for the file system
        raise _write_error(db_path, err) from None
    refuse_foreign(db_path)  # before the work of a build, and again just before the file is replaced
    return build_seeds(load_seeds(Path(seeds_dir)), db_path)


def build_seeds(seeds: Seeds, db_path: Path) -> Path:
    """Write seeds already loaded (read once: what is digested is what is built) to db_path."""
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
    if _is_full(err):
        return WriteError(f"cannot write the database {shown(db_path)}: no space left on the device holding "
                          f"{db_path.parent}; free some space there (a build needs room for a second copy of "
                          "the database), then build again. Nothing was changed")
    under_file = next((p for p in db_path.parents if _is_file(p)), None)
    if under_file:
        reason = f"{under_file} is a file, not a folder"
    return WriteError(f"cannot write the database {shown(db_path)}: {reason}; choose a --db file path "
                      "(or DEFECTIONS_DB) with a short file name in a folder you can write")


def shown(path: Path, width: int = 160) -> str:
    """A path as a message shows it: a 5,000-character name is cut in the middle, a name that is not
    UTF-8 shows its odd bytes escaped (\\udcff) instead of failing to print."""
    text = str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text if len(text) <= width else f"{text[:width // 2]}…{text[-width // 2:]} ({len(text):,} characters)"


def _is_full(err: Exception) -> bool:
    return getattr(err, "errno", None) in (errno.ENOSPC, errno.EDQUOT) or "No space left on device" in str(err)


def _is_io(err: duckdb.Error) -> bool:
    """A DuckDB error that is the disk's, not the seeds' (full, read-only, gone)."""
    return isinstance(err, (duckdb.IOException, duckdb.FatalException)) or _is_full(err)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long to stat
        return False


def write(seeds: Seeds, db_path: Path) -> None:
    """Write validated `seeds` to `db_path` atomically (also the benchmark's synthetic databases)."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    _remove_dead_builds_leftovers(db_path)
    tmp = db_path.with_name(f".{db_path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    try:
        con = duckdb.connect(str(tmp), config=NO_NETWORK)
        try:
            # One transaction: committed statement by statement, the ~1,000 statements of a build
            # each write the log to disk, which makes a build about four times slower.
            con.begin()
            populate(con, seeds)
            _check(con, seeds)
            con.commit()
            con.execute("CHECKPOINT")
        except duckdb.Error as err:
            if _is_io(err):  # a full disk is the disk's fault, not something the validator missed
                raise OSError(errno.ENOSPC if _is_full(err) else errno.EIO, _reason(err)) from None
            # The schema's constraints are the second line of defence: say so, not a traceback.
            first = str(err).strip().splitlines()[0]
            raise BuildError([Problem(str(seeds.directory), 0, "-", f"the database refused the seeds: {first} "
                                      "(the validator missed this; fix the value it names)")]) from None
        finally:
            con.close()
        refuse_foreign(db_path)  # what is there may have changed during the build
        os.replace(tmp, db_path)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)


def _reason(err: Exception) -> str:
    return str(err).strip().splitlines()[0].rsplit(": ", 1)[-1]


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
