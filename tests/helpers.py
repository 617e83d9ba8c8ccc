"""Helpers shared by the tests: run the CLI, run a page with AppTest and read what it shows, and break a
copy of the seeds one cell at a time."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from streamlit.testing.v1 import AppTest

from defections import registry
from defections.__main__ import main

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = "000_5a3a87e34e1c9523.txt"  # the client's seed document


def script(name: str) -> str:
    """The page script of the registry's page named `name` ("events" -> "pages/events.py")."""
    return registry.page(name).script


HOME = script("overview")


@dataclass
class Ran:
    """What a command run left: its exit code, stdout as bytes, stderr as text."""

    returncode: int
    stdout: bytes
    stderr: str


def run_cli(*args, env: dict | None = None) -> Ran:
    """`python -m defections ARGS` run in this process through main(argv), with `env` added to the environment.
    An exception escaping main() (a traceback in the shell) fails the test."""
    out, err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.StringIO()
    with _environment(env or {}), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([*map(str, args)])
        except SystemExit as exit:  # argparse's usage errors
            code = exit.code
    out.flush()
    return Ran(code, out.buffer.getvalue(), err.getvalue())


def run_cli_process(*args, env: dict | None = None) -> Ran:
    """The same through a real `python -m defections` process: for the few end-to-end tests of exit codes
    and stderr as a shell sees them (each start costs Python and DuckDB's imports, over a second)."""
    result = subprocess.run([sys.executable, "-m", "defections", *map(str, args)], cwd=ROOT,
                            capture_output=True, env={**os.environ, **(env or {})}, timeout=120)
    return Ran(result.returncode, result.stdout, result.stderr.decode("utf-8", errors="replace"))


@contextlib.contextmanager
def _environment(env: dict):
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def open_page(page: str = HOME, timeout: float = 60, **params) -> AppTest:
    """A new session opening `page` with `params` in its URL, run once, with no exception on the page."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=timeout)
    at.query_params.update(params)
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def cite_text(at: AppTest) -> str:
    """The "Cite this view" text, as the box shows it once the analyst opens it (it is drawn only then)."""
    from defections.ui import CITE_KEY

    assert not [c for c in at.code if "CC BY 4.0" in c.value], "the cite box is drawn before it is opened"
    at.session_state[CITE_KEY] = True
    at.run()
    return next(c.value for c in at.code if "CC BY 4.0" in c.value)


def selected_count(at: AppTest) -> int:
    """The header's "N defection(s) selected" figure."""
    counts = [re.match(r"\*\*([\d,]+)\*\* defection\(s\) selected", m.value) for m in at.markdown]
    found = [int(c.group(1).replace(",", "")) for c in counts if c]
    assert found, "the page does not state how many defections are selected"
    return found[0]


def assert_reported(result: Ran, file: Path, line: int, column: str, fragment: str) -> None:
    """The command failed and named FILE:LINE: COLUMN with a message containing `fragment`."""
    assert result.returncode != 0, result.stderr
    prefix = f"{file}:{line}: {column}: "
    named = [text for text in result.stderr.splitlines() if text.startswith(prefix)]
    assert named, f"nothing reported at {prefix!r}; stderr was:\n{result.stderr}"
    assert any(fragment in text for text in named), f"{fragment!r} not in {named}"


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_table(seeds: Path, table: str) -> tuple[list[str], list[list[str]]]:
    """Header and data rows of seeds/TABLE.csv."""
    with open(seeds / f"{table}.csv", encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return header, [r for r in rows if any(c.strip() for c in r)]


def write_table(seeds: Path, table: str, header: list[str], rows: list[list[str]]) -> list[int]:
    """Write seeds/TABLE.csv; return the line on which each data row starts (the header is line 1)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    lines = []
    for row in rows:
        lines.append(out.getvalue().count("\n") + 1)  # counted in the text, embedded newlines included
        writer.writerow(row)
    (seeds / f"{table}.csv").write_text(out.getvalue(), encoding="utf-8", newline="")
    return lines


def rows(seeds: Path, table: str) -> list[dict]:
    header, data = read_table(seeds, table)
    return [dict(zip(header, r, strict=True)) for r in data]


def find(seeds: Path, table: str, **match) -> dict:
    """The first row whose columns equal `match`."""
    found = [r for r in rows(seeds, table) if all(r[k] == v for k, v in match.items())]
    assert found, f"no row of {table}.csv has {match}"
    return found[0]


def _index(data: list[dict], where) -> int:
    if isinstance(where, int):
        return where % len(data)
    for i, row in enumerate(data):
        if all(row[k] == v for k, v in where.items()):
            return i
    raise AssertionError(f"no row matches {where}")


def edit(seeds: Path, table: str, where: int | dict, changes: dict) -> int:
    """Set some cells of one row (by position, or the first row matching a dict); return its line."""
    header, data = read_table(seeds, table)
    i = _index([dict(zip(header, r, strict=True)) for r in data], where)
    for column, value in changes.items():
        data[i][header.index(column)] = value
    return write_table(seeds, table, header, data)[i]


def append(seeds: Path, table: str, like: int | dict = 0, changes: dict | None = None) -> int:
    """Append a copy of one row with some cells changed; return the new row's line."""
    header, data = read_table(seeds, table)
    row = list(data[_index([dict(zip(header, r, strict=True)) for r in data], like)])
    for column, value in (changes or {}).items():
        row[header.index(column)] = value
    return write_table(seeds, table, header, [*data, row])[-1]


def rename_column(seeds: Path, table: str, old: str, new: str) -> None:
    header, data = read_table(seeds, table)
    write_table(seeds, table, [new if h == old else h for h in header], data)


def drop_column(seeds: Path, table: str, column: str) -> None:
    header, data = read_table(seeds, table)
    i = header.index(column)
    write_table(seeds, table, header[:i] + header[i + 1:], [r[:i] + r[i + 1:] for r in data])


def add_column(seeds: Path, table: str, column: str) -> None:
    header, data = read_table(seeds, table)
    write_table(seeds, table, [*header, column], [[*r, ""] for r in data])


def document_source(seeds: Path, document: str = DOCUMENT) -> str:
    """The source_id of the source held as `document`."""
    return find(seeds, "sources", document=document)["source_id"]


def touch_future(path: Path, seconds: int = 3600) -> None:
    """Give a file a modification time in the future, so anything built from it looks older."""
    # From now, not from the file's own time: a copied seed keeps the mtime of its original, which
    # may be hours older than a database built a moment ago.
    future = max(time.time(), os.stat(path).st_mtime) + seconds
    os.utime(path, (future, future))


def line_of(seeds: Path, table: str, where: int | dict) -> int:
    """The line of one row (rewriting the file unchanged, so the line is counted as the other helpers count it)."""
    return edit(seeds, table, where, {})


def keep_only_defections(seeds: Path, event_ids: set[str]) -> None:
    """Drop every defection but `event_ids`, with the rows citing them (links from context and commentary emptied)."""
    for table in ("defections", "defection_sources", "event_motives"):
        header, data = read_table(seeds, table)
        write_table(seeds, table, header, [r for r in data if r[header.index("event_id")] in event_ids])
    for table in ("context_events", "commentary"):
        header, data = read_table(seeds, table)
        i = header.index("event_id")
        write_table(seeds, table, header, [[*r[:i], r[i] if r[i] in event_ids else "", *r[i + 1:]] for r in data])


def shown(markdown: str) -> str:
    """What a reader sees of text escaped by ui.plain: no backslash escapes, no invisible word joiners."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")
