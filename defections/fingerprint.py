"""Which files are seeds, read once (a snapshot), and their fingerprints: the digest a build records and
the cheap stat signature a staleness check compares (db.py)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from defections.documents import MAX_DOCUMENT_BYTES, is_held_document


def seeds_digest(seeds_dir: Path, files: dict | None = None) -> str:
    """A fingerprint of every seed file and document (of `files`, a snapshot, when given), to tell
    whether a database is stale."""
    files = snapshot(seeds_dir) if files is None else files
    digest = hashlib.sha256()
    for name in sorted(files):
        content = files[name]
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
        if isinstance(content, bytes):
            digest.update(len(content).to_bytes(8, "big") + content)
        else:  # too large or unreadable: validation refuses it, so its size or error stands for it
            digest.update(repr(content).encode("utf-8", "backslashreplace"))
    return digest.hexdigest()


def snapshot(seeds_dir: Path) -> dict[str, bytes | int | OSError]:
    """Every seed file read once, by its name relative to seeds_dir ("people.csv", "documents/S001.txt"):
    its bytes, its size when it is a document too large to hold, or the error reading it."""
    files: dict[str, bytes | int | OSError] = {}
    for entry in _seed_entries(seeds_dir):
        path = Path(entry.path)
        name = path.relative_to(seeds_dir).as_posix()
        try:
            size = entry.stat(follow_symlinks=False).st_size
            if name.startswith("documents/") and size > MAX_DOCUMENT_BYTES:
                files[name] = size  # never read a whole oversized file: validation refuses it by its size
                continue
            files[name] = path.read_bytes()
        except FileNotFoundError:
            continue  # removed since the listing: it is not a seed any more
        except OSError as err:
            files[name] = err
    return files


def seed_files(seeds_dir: Path) -> list[Path]:
    """The files a build reads: the CSVs and the held documents (regular files only: a link is
    refused by validation, and never read)."""
    return [Path(entry.path) for entry in _seed_entries(seeds_dir)]


def seed_stamps(seeds_dir: Path) -> tuple[tuple, ...]:
    """(path, size, mtime_ns, ctime_ns, inode) of every seed file, sorted: the cheap signature a staleness
    check compares on every page run. ctime and the inode change on any write, copy or rename, so a
    file copied in with an older mtime (cp -p, rsync -t, tar, git checkout) still changes it."""
    stamps = []
    for entry in _seed_entries(seeds_dir):
        try:
            st = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            continue  # removed between the listing and the stat (an editor's save): not a seed any more
        stamps.append((entry.path, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    return tuple(sorted(stamps))


def is_seed_csv(name: str) -> bool:
    """A seed table: a visible *.csv file (an editor's lock or swap file is hidden, or ends otherwise)."""
    return name.endswith(".csv") and not name.startswith(".")


def _seed_entries(seeds_dir: Path) -> list[os.DirEntry]:
    # os.scandir: the listing carries each file's type, so only the stamp's own stat reaches the disk
    # (pathlib's is_file/is_symlink made three system calls a file, on every page run).
    entries = [e for e in _listing(seeds_dir) if is_seed_csv(e.name) and _regular(e)]
    return entries + [e for e in _listing(seeds_dir / "documents") if is_held_document(e.name) and _regular(e)]


def _regular(entry: os.DirEntry) -> bool:
    try:
        return entry.is_file(follow_symlinks=False)
    except OSError:  # the type was not in the listing and the file is gone
        return False


def _listing(folder: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except (FileNotFoundError, NotADirectoryError):
        return []
