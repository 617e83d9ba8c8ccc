"""The data folder and the people who edit it (issue #29): nothing that is not ours is replaced, no edit is
lost, no stale view is served, and an operator's faults (a full disk, a read-only folder, a file held open,
odd paths) give a message, never a traceback. Everything runs on throwaway copies in tmp folders."""

from __future__ import annotations

import csv
import os
import socket
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from helpers import edit, open_page, run_cli, selected_count, sha256, shown

from defections.db import DatabaseError, connect, ensure_database, is_stale
from defections.paths import SEEDS_DIR

ROOT = Path(__file__).resolve().parent.parent


def seeds_digest_recorded(path: Path) -> str:
    con = connect(path)
    try:
        return con.execute("SELECT max(seeds_digest) FROM build_info").fetchone()[0]
    finally:
        con.close()


def open_app(db: Path, seeds: Path, monkeypatch):
    monkeypatch.setenv("DEFECTIONS_DB", str(db))
    monkeypatch.setenv("DEFECTIONS_SEEDS", str(seeds))
    return open_page()


def fingerprint(path: Path):
    """What must not change about something that is not ours: its kind, and its bytes if a file."""
    st = os.lstat(path)
    return stat.S_IFMT(st.st_mode), st.st_ino, (sha256(path) if stat.S_ISREG(st.st_mode) else None)


# --- never replace what is not ours ---------------------------------------------------------------------------


def a_fifo(path: Path) -> None:
    os.mkfifo(path)


def a_socket(path: Path) -> None:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()  # the socket file stays


def a_character_device(path: Path) -> None:
    # A private node with /dev/null's numbers, in the tmp folder: the real /dev/null is never touched.
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device node needs root")


def a_text_file(path: Path) -> None:
    path.write_text("an operator's notes, not a database\n")


def a_sqlite_database(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (x)")
    con.commit()
    con.close()


def another_duckdb_database(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE measurements AS SELECT 1 AS x")
    con.close()


NOT_OURS = {"fifo": (a_fifo, "a FIFO"), "socket": (a_socket, "a socket"),
            "character device": (a_character_device, "a character device"),
            "text file": (a_text_file, "not a DuckDB database"), "sqlite": (a_sqlite_database, "not a DuckDB database"),
            "another program's duckdb": (another_duckdb_database, "of another program")}


@pytest.mark.parametrize("make, fragment", NOT_OURS.values(), ids=NOT_OURS.keys())
def test_build_refuses_to_replace_what_is_not_ours_and_touches_nothing(tmp_path, make, fragment):
    target = tmp_path / "target"
    make(target)
    before, listing = fingerprint(target), sorted(os.listdir(tmp_path))
    result = run_cli("build", "--seeds", SEEDS_DIR, "--db", target)
    assert result.returncode == 1
    assert result.stderr.startswith(f"will not build over {target}: ") and fragment in result.stderr, result.stderr
    assert len(result.stderr.splitlines()) == 1 and "a new file path" in result.stderr
    assert fingerprint(target) == before
    assert sorted(os.listdir(tmp_path)) == listing  # no temp file left either


def test_build_refuses_a_symlink_to_what_is_not_ours(tmp_path):
    target, link = tmp_path / "pipe", tmp_path / "defections.duckdb"
    os.mkfifo(target)
    link.symlink_to(target)
    result = run_cli("build", "--seeds", SEEDS_DIR, "--db", link)
    assert result.returncode == 1 and "a FIFO" in result.stderr
    assert stat.S_ISFIFO(os.lstat(target).st_mode) and link.is_symlink()


@pytest.mark.parametrize("existing", ["nothing", "an empty file", "our database"])
def test_build_writes_over_nothing_an_empty_file_or_our_own_database(db_path, tmp_path, existing):
    target = tmp_path / "defections.duckdb"
    if existing == "an empty file":
        target.write_bytes(b"")
    elif existing == "our database":
        target.write_bytes(db_path.read_bytes())
    assert run_cli("build", "--seeds", SEEDS_DIR, "--db", target).returncode == 0
    connect(target).close()


@pytest.mark.parametrize("make, fragment", [NOT_OURS["fifo"], NOT_OURS["text file"]], ids=["fifo", "text file"])
def test_the_app_refuses_to_build_over_what_is_not_ours(seeds_copy, tmp_path, monkeypatch, make, fragment):
    target = tmp_path / "defections.duckdb"
    make(target)
    before = fingerprint(target)
    at = open_app(target, seeds_copy, monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert any(str(target) in shown(e.value) and fragment in shown(e.value) for e in at.error), \
        [e.value for e in at.error]
    assert fingerprint(target) == before


def test_the_build_lock_follows_no_symlink_and_truncates_nothing(seeds_copy, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("someone else's file\n")
    data = tmp_path / "data"
    data.mkdir()
    (data / ".defections.duckdb.lock").symlink_to(victim)
    with pytest.raises(DatabaseError, match="is a symbolic link; remove it"):
        ensure_database(data / "defections.duckdb", seeds_copy)
    assert victim.read_text() == "someone else's file\n"
    assert not (data / "defections.duckdb").exists()


def test_the_build_lock_is_opened_without_truncating(seeds_copy, tmp_path):
    lock = tmp_path / ".defections.duckdb.lock"
    lock.write_text("left by an operator\n")
    assert ensure_database(tmp_path / "defections.duckdb", seeds_copy).built
    assert lock.read_text() == "left by an operator\n"


# --- never lose an edit, never serve a stale view ---------------------------------------------------------------


def notes_of_first_person(path: Path) -> str:
    con = connect(path)
    try:
        return con.execute("SELECT notes FROM seed.people ORDER BY person_id LIMIT 1").fetchone()[0]
    finally:
        con.close()


def first_person_line_edit(seeds: Path, notes: str) -> None:
    edit(seeds, "people", {"person_id": min(person_ids(seeds))}, {"notes": notes})


def person_ids(seeds: Path) -> list[str]:
    with open(seeds / "people.csv", encoding="utf-8-sig", newline="") as handle:
        return [row["person_id"] for row in csv.DictReader(handle)]


def test_a_seed_saved_during_a_build_is_built_next_time(seeds_copy, built_copy, tmp_path, monkeypatch):
    # The curator saves while the build is writing (after it read the seeds): the database holds the old
    # text, so it must not record the new seeds as built, or the edit is never picked up.
    from defections import build as build_module

    db = built_copy(tmp_path / "defections.duckdb")
    first_person_line_edit(seeds_copy, "first edit")
    real_write = build_module.write

    def write_while_curator_saves(seeds, path):
        first_person_line_edit(seeds_copy, "saved during the build")
        real_write(seeds, path)

    monkeypatch.setattr(build_module, "write", write_while_curator_saves)
    assert ensure_database(db, seeds_copy).built
    assert notes_of_first_person(db) == "first edit"
    monkeypatch.setattr(build_module, "write", real_write)
    assert is_stale(db, seeds_copy)  # the save during the build is not lost...
    assert ensure_database(db, seeds_copy).built
    assert notes_of_first_person(db) == "saved during the build"  # ...it is built on the next page run


def test_a_seed_copied_in_with_an_older_mtime_is_picked_up(seeds_copy, built_copy, tmp_path):
    db = built_copy(tmp_path / "defections.duckdb")
    first_person_line_edit(seeds_copy, "copied in with cp -p")
    os.utime(seeds_copy / "people.csv", (946684800, 946684800))  # 2000-01-01, as cp -p, tar or rsync -t keep it
    assert is_stale(db, seeds_copy)
    assert ensure_database(db, seeds_copy).built
    assert notes_of_first_person(db) == "copied in with cp -p"


def test_a_deleted_seed_is_picked_up(seeds_copy, built_copy, tmp_path):
    db = built_copy(tmp_path / "defections.duckdb")
    (seeds_copy / "revisions.csv").unlink()
    assert is_stale(db, seeds_copy)
    freshness = ensure_database(db, seeds_copy)
    assert any("revisions.csv" in p.file and "missing" in p.message for p in freshness.problems)


TEMPORARY = [".S001.txt.swp", ".S001.txt.swx", ".S001.txt.Xa81bQ", "S001.txt~", ".~lock.people.csv#", "4913",
             ".people.csv.swp", "#people.csv#"]


def test_hidden_and_temporary_files_are_not_seeds(seeds_copy, built_copy, tmp_path):
    db = built_copy(tmp_path / "defections.duckdb")
    for name in TEMPORARY:  # an editor's swap and lock files, rsync's temporary copy, a backup
        (seeds_copy / "documents" / name).write_text("being edited\n")
        (seeds_copy / name).write_text("being edited\n")
    assert not is_stale(db, seeds_copy)
    assert not ensure_database(db, seeds_copy).built


def test_a_seed_vanishing_between_listing_and_stat_is_not_an_error(seeds_copy, built_copy, tmp_path, monkeypatch):
    from defections import fingerprint

    db = built_copy(tmp_path / "defections.duckdb")
    swap = seeds_copy / "documents" / "S001.txt.tmp.txt"
    real_listing = fingerprint._listing

    def listing_then_vanish(folder):
        swap.write_text("an editor's temporary file\n")
        entries = real_listing(folder)
        swap.unlink(missing_ok=True)  # gone before its stat
        return entries

    monkeypatch.setattr(fingerprint, "_listing", listing_then_vanish)
    assert not is_stale(db, seeds_copy)


# --- faults an operator meets -------------------------------------------------------------------------------


@pytest.fixture
def own_mount(tmp_path):
    """A private tmpfs in the tmp folder (root only): a real full disk or read-only file system, then gone."""
    made = []

    def mount(size: int) -> Path:
        point = tmp_path / f"mount{len(made)}"
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)],
                              capture_output=True, text=True)
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()})")
        made.append(point)
        return point

    yield mount
    for point in made:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


class CountingWrites:
    """Counts the builds that reach the disk (a full build costs ~0.8 s of CPU)."""

    def __init__(self, monkeypatch):
        from defections import build as build_module
        self.count, real = 0, build_module.write

        def counted(seeds, path):
            self.count += 1
            return real(seeds, path)
        monkeypatch.setattr(build_module, "write", counted)


def test_a_full_disk_is_reported_as_such_and_the_last_good_database_serves(db_path, seeds_copy, own_mount,
                                                                          monkeypatch):
    data = own_mount(db_path.stat().st_size + 1024 * 1024)  # room for the database, not for a second copy
    db = data / "defections.duckdb"
    db.write_bytes(db_path.read_bytes())
    before = sha256(db)
    first_person_line_edit(seeds_copy, "an edit that cannot be built: the disk is full")
    writes = CountingWrites(monkeypatch)
    freshness = ensure_database(db, seeds_copy)
    assert not freshness.built and not freshness.problems
    assert "no space left on the device holding" in freshness.notice and str(data) in freshness.notice
    assert "validator" not in freshness.notice
    at = open_app(db, seeds_copy, monkeypatch)  # the next page runs: the last good database, and why
    assert any("no space left" in shown(w.value) and "tries again in" in shown(w.value) for w in at.warning)
    assert selected_count(at) > 0
    assert writes.count == 1  # backed off: not one build per page run
    assert sha256(db) == before
    assert sorted(os.listdir(data)) == [".defections.duckdb.lock", "defections.duckdb"]  # no half-written copy


def test_a_read_only_data_folder_serves_the_good_database_and_says_why(db_path, seeds_copy, own_mount, monkeypatch):
    data = own_mount(db_path.stat().st_size + 1024 * 1024)
    db = data / "defections.duckdb"
    db.write_bytes(db_path.read_bytes())
    subprocess.run(["mount", "-o", "remount,ro", str(data)], check=True)
    first_person_line_edit(seeds_copy, "a valid edit the app cannot build")
    at = open_app(db, seeds_copy, monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"{data} is not writable" in shown(w.value) for w in at.warning), [w.value for w in at.warning]
    assert selected_count(at) > 0


@pytest.fixture
def held_for_writing(db_path, tmp_path):
    """A copy of the database held open for writing by another process (a notebook)."""
    path = tmp_path / "defections.duckdb"
    path.write_bytes(db_path.read_bytes())
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
                               "print('ready', flush=True); time.sleep(120)", str(path)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "ready"
    yield path
    holder.kill()
    holder.wait()


def test_a_database_held_open_for_writing_is_named_as_such(held_for_writing, seeds_copy, monkeypatch):
    with pytest.raises(DatabaseError, match="held open for writing by another program") as refused:
        connect(held_for_writing)
    assert refused.value.fix is None  # a rebuild is not the fix
    at = open_app(held_for_writing, seeds_copy, monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert any("held open for writing" in shown(e.value) for e in at.error)
    assert "may be corrupt" not in " ".join(shown(e.value) for e in at.error)
    built = run_cli("build", "--seeds", seeds_copy, "--db", held_for_writing)
    assert built.returncode == 1 and "held open for writing" in built.stderr


def test_a_replica_without_seeds_shows_only_the_right_error(db_path, tmp_path, monkeypatch):
    db = tmp_path / "defections.duckdb"
    db.write_bytes(db_path.read_bytes())
    con = duckdb.connect(str(db))
    con.execute("UPDATE build_info SET schema_version = 0")
    con.close()
    (tmp_path / "no-seeds").mkdir()
    at = open_app(db, tmp_path / "no-seeds", monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert any("another schema version" in shown(e.value) for e in at.error)
    assert not at.warning, [w.value for w in at.warning]  # no false "the seeds do not validate"


LONG = "x" * 5000 + ".duckdb"
NOT_UTF8 = os.fsdecode(b"\xff\xfe.duckdb")


@pytest.mark.parametrize("command", [["build", "--seeds", SEEDS_DIR], ["export", "events"], ["dictionary"]],
                         ids=["build", "export", "dictionary"])
@pytest.mark.parametrize("name", [LONG, NOT_UTF8], ids=["5000 characters", "not UTF-8"])
def test_odd_database_names_give_one_line_not_a_traceback(tmp_path, command, name):
    result = run_cli(*command, "--db", tmp_path / name)  # an exception escaping main() fails here
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1 and len(result.stderr) < 600, result.stderr
    assert os.listdir(tmp_path) == []


def test_export_with_stdout_closed_says_so(db_path):
    done = subprocess.run(["sh", "-c", '"$0" -m defections export events --db "$1" >&-', sys.executable, str(db_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip() == ("cannot write to standard output (it is closed); redirect it to a file, "
                                   "e.g. > events.csv")


def a_folder(tmp: Path) -> Path:
    return tmp


def under_a_file(tmp: Path) -> Path:
    (tmp / "a-file").write_text("not a folder\n")
    return tmp / "a-file" / "defections.duckdb"


def too_long(tmp: Path) -> Path:
    return tmp / LONG


@pytest.mark.parametrize("where, fragment", [(a_folder, "is a folder"), (under_a_file, "a-file, which is a file"),
                                             (too_long, "File name too long")],
                         ids=["a folder", "under a file", "5000 characters"])
def test_the_app_with_an_odd_database_path_shows_a_message(seeds_copy, tmp_path, monkeypatch, where, fragment):
    at = open_app(where(tmp_path), seeds_copy, monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert any(fragment in shown(e.value) and "DEFECTIONS_DB" in shown(e.value) for e in at.error), \
        [e.value for e in at.error]
