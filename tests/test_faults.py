"""Faults an operator meets: a missing, corrupt or outdated database, seeds broken while the app runs, a
build killed halfway; and the guarantees that the app cannot write and fetches nothing from outside."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import duckdb
import pytest
from helpers import edit, open_page, read_table, run_cli, selected_count, sha256, shown, touch_future, write_table
from streamlit.testing.v1 import AppTest

from defections import registry
from defections.build import build
from defections.charts import PLOTLY_CONFIG
from defections.db import FIX_COMMAND, connect, frame, rebuild_command

ROOT = Path(__file__).resolve().parent.parent
TABLES = ["defections", "people", "sources", "yearly_counts", "context_events"]
APP_CODE = [ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "defections").glob("*.py"))]


def open_app(db: Path, seeds: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("DEFECTIONS_DB", str(db))
    monkeypatch.setenv("DEFECTIONS_SEEDS", str(seeds))
    return open_page()


def page_text(at: AppTest) -> str:
    kinds = ["markdown", "caption", "info", "warning", "error", "code", "text", "exception"]
    return "\n".join(str(element.value) for kind in kinds for element in at.get(kind))


def counts(db: Path) -> dict[str, int]:
    con = connect(db)
    try:
        return {table: con.execute(f"SELECT count(*) FROM seed.{table}").fetchone()[0] for table in TABLES}
    finally:
        con.close()


def completed(db: Path) -> int:
    """The completed defections in `db`: what a page header counts."""
    con = connect(db)
    try:
        return con.execute("SELECT count(*) FROM seed.defections WHERE outcome = 'completed'").fetchone()[0]
    finally:
        con.close()


# --- the database at start ----------------------------------------------------------------------------------


def test_missing_database_is_built_when_the_app_starts(seeds_copy, tmp_path, monkeypatch):
    db = tmp_path / "data" / "defections.duckdb"
    at = open_app(db, seeds_copy, monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert db.is_file()
    assert selected_count(at) == completed(db)


def garbage(path: Path) -> None:
    path.write_bytes(os.urandom(64 * 1024))


def empty(path: Path) -> None:
    path.write_bytes(b"")


def truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])


def damaged_in_the_middle(path: Path) -> None:
    # Right size and a valid header; the middle third is garbage, so the file opens and a query fails.
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(size // 3 // 4096 * 4096)
        handle.write(b"\xde\xad\xbe\xef" * (size // 3 // 4))
    connect(path).close()  # opens: only a query meets the damage


def older_schema(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute("UPDATE build_info SET schema_version = 0")
    con.close()


def test_a_database_built_by_older_code_is_rebuilt_when_the_app_starts(db_path, seeds_copy, tmp_path, monkeypatch):
    # After an update changed the schema, the analyst sees the page, not "rebuild it".
    db = tmp_path / "defections.duckdb"
    shutil.copy(db_path, db)
    older_schema(db)  # the file is now newer than the seeds: only its schema version makes it stale
    at = open_app(db, seeds_copy, monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert selected_count(at) == completed(db)


@pytest.mark.parametrize("damage", [empty, truncated, damaged_in_the_middle],
                         ids=["empty", "truncated", "damaged_in_the_middle"])
def test_unusable_database_shows_the_problem_and_the_fix_command(db_path, seeds_copy, tmp_path, monkeypatch, damage):
    db = tmp_path / "defections.duckdb"
    shutil.copy(db_path, db)
    damage(db)  # a DuckDB file of ours (or an empty one) the app cannot read: shown, not silently rebuilt
    at = open_app(db, seeds_copy, monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    # The command names this file: a bare build would write the default data/defections.duckdb.
    fix = rebuild_command(db)
    assert fix.startswith(f"{FIX_COMMAND} --db ")
    assert any(str(db) in shown(e.value) and fix in shown(e.value) for e in at.error)
    assert fix in [c.value for c in at.code]
    assert "Traceback" not in page_text(at)


def test_a_file_that_is_not_duckdb_is_shown_as_such_and_never_replaced(seeds_copy, tmp_path, monkeypatch):
    db = tmp_path / "defections.duckdb"
    garbage(db)
    before = sha256(db)
    touch_future(seeds_copy / "people.csv")  # seeds newer than the file: an mtime rule would build over it
    at = open_app(db, seeds_copy, monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert any(str(db) in shown(e.value) and "will not replace" in shown(e.value) for e in at.error)
    assert FIX_COMMAND not in [c.value for c in at.code]  # a build would refuse: the fix is to move it
    assert sha256(db) == before


def test_invalid_seeds_keep_the_last_good_database_serving_with_a_warning(seeds_copy, built_copy, tmp_path,
                                                                          monkeypatch):
    db = built_copy(tmp_path / "defections.duckdb")
    before = (sha256(db), counts(db))
    line = edit(seeds_copy, "yearly_counts", {"year": "2023"}, {"total_arrivals": "about 200"})
    touch_future(seeds_copy / "yearly_counts.csv")  # edited after the last build
    at = open_app(db, seeds_copy, monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"yearly_counts.csv:{line}: total_arrivals" in shown(w.value) for w in at.warning)
    assert selected_count(at) == completed(db)
    assert (sha256(db), counts(db)) == before


def too_long_a_cell(seeds: Path, monkeypatch) -> tuple[str, int]:
    # Over the csv module's field limit (131,072 characters); an unclosed quote in a large file does the same.
    return "people.csv", edit(seeds, "people", 3, {"notes": "x" * 200_000})


def unreadable_seed(seeds: Path, monkeypatch) -> tuple[str, int]:
    # Tests run as root, where chmod 000 does not stop reading: the read itself is made to fail, as it
    # does for anyone else on a file chmod 000.
    target, read_bytes = seeds / "people.csv", Path.read_bytes

    def refuse(path: Path) -> bytes:
        if path == target:
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    return "people.csv", 0


@pytest.mark.parametrize("breaks", [too_long_a_cell, unreadable_seed], ids=["too_long_a_cell", "unreadable_seed"])
def test_a_seed_broken_while_the_app_runs_keeps_the_last_good_database_with_a_warning(seeds_copy, built_copy, tmp_path,
                                                                                     monkeypatch, breaks):
    db = built_copy(tmp_path / "defections.duckdb")
    before = (sha256(db), counts(db))
    name, line = breaks(seeds_copy, monkeypatch)
    touch_future(seeds_copy / name)  # changed after the last build
    at = open_app(db, seeds_copy, monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"First problem: {seeds_copy / name}:{line}: -: " in shown(w.value) for w in at.warning), \
        [w.value for w in at.warning]
    assert selected_count(at) == completed(db)
    assert (sha256(db), counts(db)) == before


# --- seeds that are valid but hold little -------------------------------------------------------------------

PAGES = [page.script for page in registry.PAGES]


def test_every_page_says_when_the_database_holds_no_defections(no_defections, monkeypatch):
    seeds, db = no_defections
    at = open_app(db, seeds, monkeypatch)
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception and not at.error, (page, [e.value for e in at.exception])
        assert any("The database holds no defections yet" in i.value for i in at.info), page


def test_every_page_works_when_all_defections_fall_in_one_year(one_defection, monkeypatch):
    seeds, db = one_defection
    at = open_app(db, seeds, monkeypatch)
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert "Year of defection: 2023" in [c.value.split(" (")[0] for c in at.sidebar.caption], page
        assert selected_count(at) == 1, page


# --- a build killed halfway ---------------------------------------------------------------------------------


def enlarge(seeds: Path, factor: int) -> None:
    """More sources rows (copies of a web source under new ids), so the build takes longer."""
    header, rows = read_table(seeds, "sources")
    web = next(r for r in rows if r[header.index("url")])
    extra = [[f"SX{n:06d}" if h == "source_id" else v for h, v in zip(header, web, strict=True)]
             for n in range(len(rows) * factor)]
    write_table(seeds, "sources", header, rows + extra)


def kill_build_midway(seeds: Path, db: Path) -> bool:
    """Start `python -m defections build`, SIGKILL it the moment its temp file appears; True if it was."""
    process = subprocess.Popen([sys.executable, "-m", "defections", "build", "--seeds", str(seeds), "--db", str(db)],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while process.poll() is None:
        if list(db.parent.glob(f".{db.name}.*.tmp")):
            process.send_signal(signal.SIGKILL)
            return process.wait() == -signal.SIGKILL
        time.sleep(0.001)
    return False


def test_build_killed_halfway_leaves_the_previous_database_usable(seeds_copy, tmp_path):
    db = tmp_path / "defections.duckdb"
    for factor in (0, 4, 20, 100):  # finished before we could kill it: retry with more rows
        enlarge(seeds_copy, factor)
        build(seeds_copy, db)
        before = (sha256(db), counts(db))
        if kill_build_midway(seeds_copy, db):
            break
    else:
        pytest.fail("every build finished before it could be killed")
    assert (sha256(db), counts(db)) == before
    assert list(db.parent.glob(f".{db.name}.*.tmp*"))  # the killed build's temp file
    assert run_cli("build", "--seeds", seeds_copy, "--db", db).returncode == 0  # the leftovers block nothing
    assert list(db.parent.glob(f".{db.name}.*.tmp*")) == []  # and the next build removed them


# --- the app cannot write, and holds no SQL -----------------------------------------------------------------

WRITES = ["INSERT INTO seed.motives VALUES ('x', 'x', 'x')", "UPDATE build_info SET schema_version = 0",
          "DELETE FROM seed.defections", "DROP TABLE seed.defections", "CREATE TABLE evil (x INTEGER)",
          "CREATE VIEW evil AS SELECT 1"]


@pytest.mark.parametrize("sql", WRITES, ids=lambda s: s.split(" (")[0])
def test_the_apps_connection_refuses_every_write(con, db_path, sql):
    before = sha256(db_path)
    with pytest.raises(duckdb.Error, match="read-only"):
        frame(con, sql)
    assert sha256(db_path) == before


@pytest.mark.parametrize("page", [ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py"))], ids=lambda p: p.name)
def test_pages_hold_no_sql(page):
    code = page.read_text(encoding="utf-8")
    assert re.findall(r"\b(?:SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ATTACH|COPY)\b|duckdb|\.execute\(", code) == []


@pytest.mark.parametrize("path", APP_CODE, ids=lambda p: p.name)
def test_no_page_renders_raw_html(path):
    code = path.read_text(encoding="utf-8")
    # One exception: ui.wide_and_narrow's stylesheet, made of constants and the literal key each page passes.
    stylesheet = re.compile(r'st\.html\(f"""<style>(.*?)</style>"""\)', re.S)
    for css in stylesheet.findall(code):
        assert set(re.findall(r"(?<!\{)\{([^{}]+)\}(?!\})", css)) <= {"key", "NARROW_PX", "NARROW_PX + 1"}, css
    assert re.findall(r"unsafe_allow_html|st\.html|components\.v1", stylesheet.sub("", code)) == []


def test_the_only_html_is_a_stylesheet_keyed_by_literals():
    calls = [m for path in APP_CODE
             for m in re.findall(r"wide_and_narrow\(([^)]*)\)", path.read_text(encoding="utf-8"))]
    assert calls and all(re.fullmatch(r'"[a-z]+"|key: str', arg) for arg in calls), calls


# --- offline ------------------------------------------------------------------------------------------------


def test_usage_statistics_are_off_and_the_map_outlines_are_served_locally():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["enableStaticServing"] is True
    assert PLOTLY_CONFIG["topojsonURL"] == "/app/static/topojson/"
    assert (ROOT / "static" / "topojson" / "world_110m.json").is_file()


@pytest.mark.parametrize("path", APP_CODE, ids=lambda p: p.name)
def test_app_code_makes_no_network_requests(path):
    code = path.read_text(encoding="utf-8")
    assert re.findall(r"^\s*(?:import|from)\s+(?:requests|httpx|urllib\.request|http\.client|socket)\b", code,
                      re.MULTILINE) == []


def test_security_doc_names_only_tests_that_exist():
    named, file = [], None
    for token in re.findall(r"`([^`]+)`", (ROOT / "docs" / "security.md").read_text(encoding="utf-8")):
        match = re.fullmatch(r"(test_\w+\.py)?(?:::(test_\w+))?", token)
        if match and any(match.groups()):
            file = match.group(1) or file
            named.append((file, match.group(2)))
    missing = [(f, t) for f, t in named if not (ROOT / "tests" / f).is_file()
               or t and not re.search(rf"^def {t}\(", (ROOT / "tests" / f).read_text(encoding="utf-8"), re.MULTILINE)]
    assert len(named) > 30 and missing == []
