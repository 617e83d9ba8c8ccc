"""`python -m defections build` and db.py: atomic builds, constraints in the file, staleness, clear errors."""

from __future__ import annotations

import os
import shutil

import duckdb
import pytest
from helpers import append, edit, find, rows, run_cli, run_cli_process, sha256, touch_future

from defections.__main__ import main
from defections.build import SCHEMA_VERSION, BuildError
from defections.db import DatabaseError, connect, ensure_database
from defections.paths import SEEDS_DIR


def count(db, table: str) -> int:
    con = connect(db)
    try:
        return con.execute(f"SELECT count(*) FROM seed.{table}").fetchone()[0]
    finally:
        con.close()


def test_build_loads_every_seed_row(tmp_path):
    db = tmp_path / "defections.duckdb"
    result = run_cli_process("build", "--seeds", SEEDS_DIR, "--db", db)  # end to end: exit code and stderr
    assert result.returncode == 0, result.stderr
    assert f"built {db}" in result.stderr
    for table in ("defections", "people", "sources", "yearly_counts", "event_motives", "context_events"):
        assert count(db, table) == len(rows(SEEDS_DIR, table))


def test_failed_build_keeps_previous_database(seeds_copy, built_copy, tmp_path):
    db = built_copy(tmp_path / "data" / "defections.duckdb")
    before, files_before = sha256(db), sorted(os.listdir(db.parent))
    line = edit(seeds_copy, "people", 0, {"name": ""})
    result = run_cli_process("build", "--seeds", seeds_copy, "--db", db)  # end to end: exit code and stderr
    assert result.returncode == 1
    assert f"{seeds_copy / 'people.csv'}:{line}: name: required field is empty" in result.stderr
    assert "database not written; the previous one is unchanged" in result.stderr
    assert sha256(db) == before
    assert sorted(os.listdir(db.parent)) == files_before  # no temp files left behind


def test_failed_first_build_writes_nothing(seeds_copy, tmp_path):
    edit(seeds_copy, "yearly_counts", {"year": "2023"}, {"total_arrivals": "-1"})
    result = run_cli("build", "--seeds", seeds_copy, "--db", tmp_path / "defections.duckdb")
    assert result.returncode == 1
    assert "is negative" in result.stderr
    assert os.listdir(tmp_path) == ["seeds"]


def year_before_1945(seeds):
    append(seeds, "yearly_counts", {"year": "2023"}, {"year": "1900"})
    web_source = find(seeds, "sources", document="")["source_id"]
    append(seeds, "yearly_count_sources", 0, {"year": "1900", "source_id": web_source, "evidence_quote": ""})


def upper_case_url_scheme(seeds):
    edit(seeds, "sources", {"document": ""}, {"url": "HTTPS://example.org/report"})


def count_beyond_integer_range(seeds):
    edit(seeds, "yearly_counts", {"year": "2023"}, {"total_arrivals": "3000000000"})


@pytest.mark.parametrize("change", [year_before_1945, upper_case_url_scheme, count_beyond_integer_range])
def test_validate_and_build_agree_and_a_refused_build_keeps_previous_database(seeds_copy, built_copy, tmp_path,
                                                                             change):
    # Values the schema's CHECKs refuse must be caught by validate, or a build crashes with a traceback.
    db = built_copy(tmp_path / "data" / "defections.duckdb")
    before, files_before = sha256(db), sorted(os.listdir(db.parent))
    change(seeds_copy)
    validated = run_cli("validate", "--seeds", seeds_copy)
    built = run_cli("build", "--seeds", seeds_copy, "--db", db)
    assert (validated.returncode == 0) == (built.returncode == 0), built.stderr[-800:]
    if built.returncode != 0:
        assert "database not written" in built.stderr, built.stderr[-800:]
        assert sha256(db) == before
        assert sorted(os.listdir(db.parent)) == files_before


def test_build_writes_to_defections_db_by_default(tmp_path):
    target = tmp_path / "elsewhere" / "custom.duckdb"
    result = run_cli("build", "--seeds", SEEDS_DIR, env={"DEFECTIONS_DB": str(target)})
    assert result.returncode == 0, result.stderr
    assert f"built {target}" in result.stderr
    assert count(target, "defections") == len(rows(SEEDS_DIR, "defections"))


CONSTRAINT_BREAKERS = {
    "duplicate primary key": "INSERT INTO seed.people SELECT * FROM seed.people LIMIT 1",
    "unknown foreign key": "INSERT INTO seed.defections SELECT * REPLACE ('E-NEW' AS event_id, 'K-NOBODY' AS person_id)"
                           " FROM seed.defections LIMIT 1",
    "negative arrivals": "INSERT INTO seed.yearly_counts (year, total_arrivals) VALUES (1950, -1)",
    "range marked exact": "INSERT INTO seed.yearly_counts (year, elite_count_low, elite_count_high, elite_count_approx,"
                          " elite_count_wording, elite_count_basis)"
                          " VALUES (1950, 1, 9, false, 'single digits', 'media')",
    "approximate without wording": "INSERT INTO seed.yearly_counts (year, elite_count, elite_count_approx,"
                                   " elite_count_basis) VALUES (1950, 10, true, 'official')",
    "approximate without figure": "INSERT INTO seed.yearly_counts (year, elite_count_approx, elite_count_wording,"
                                  " elite_count_basis) VALUES (1950, true, 'about 10', 'official')",
    "elite figure without its basis": "INSERT INTO seed.yearly_counts (year, elite_count, elite_count_approx)"
                                      " VALUES (1950, 10, false)",
    "url not http": "INSERT INTO seed.sources (source_id, title, publisher, url, reliability)"
                    " VALUES ('S-NEW', 't', 'p', 'javascript:alert(1)', 'primary')",
}


@pytest.fixture
def writable_copy(db_path, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(db_path, path)
    con = duckdb.connect(str(path))
    yield con
    con.close()


@pytest.mark.parametrize("sql", CONSTRAINT_BREAKERS.values(), ids=CONSTRAINT_BREAKERS.keys())
def test_database_enforces_its_constraints(writable_copy, sql):
    with pytest.raises(duckdb.ConstraintException):
        writable_copy.execute(sql)


def test_database_accepts_a_consistent_row(writable_copy):
    # The same shape of insert as above goes through when nothing is wrong with it.
    writable_copy.execute("INSERT INTO seed.yearly_counts (year, total_arrivals, elite_count_low, elite_count_high,"
                          " elite_count_approx, elite_count_wording, elite_count_basis)"
                          " VALUES (1950, 3, 1, 9, true, 'single digits', 'media')")
    assert writable_copy.execute("SELECT elite_count_label FROM yearly_counts WHERE year = 1950").fetchone() == ("1–9",)


def test_ensure_database_builds_when_missing(seeds_copy, tmp_path):
    db = tmp_path / "defections.duckdb"
    assert ensure_database(db, seeds_copy).built
    assert count(db, "defections") == len(rows(seeds_copy, "defections"))


def test_ensure_database_keeps_a_fresh_database(seeds_copy, built_copy, tmp_path):
    db = built_copy(tmp_path / "defections.duckdb")
    before = sha256(db)
    assert not ensure_database(db, seeds_copy).built
    assert sha256(db) == before


def test_ensure_database_rebuilds_a_database_of_another_schema_version(seeds_copy, built_copy, tmp_path):
    # After a code update changed the schema, starting the dashboard rebuilds from the same seeds
    # instead of showing "rebuild it" to the analyst.
    db = built_copy(tmp_path / "defections.duckdb")
    other_schema_version(db)
    assert ensure_database(db, seeds_copy).built
    con = connect(db)  # raises for a database of another schema version
    assert con.execute("SELECT max(schema_version) FROM build_info").fetchone() == (SCHEMA_VERSION,)
    con.close()


def test_ensure_database_rebuilds_when_a_seed_is_newer(seeds_copy, built_copy, tmp_path):
    db = built_copy(tmp_path / "defections.duckdb")
    edit(seeds_copy, "people", 0, {"notes": "edited after the build"})
    touch_future(seeds_copy / "people.csv")
    assert ensure_database(db, seeds_copy).built
    con = connect(db)
    assert con.execute("SELECT count(*) FROM seed.people WHERE notes = 'edited after the build'").fetchone() == (1,)
    con.close()


def test_ensure_database_builds_once_for_one_change(seeds_copy, built_copy, tmp_path):
    # A seed stamped in the future (clock skew, an unpacked archive) must not rebuild on every page run.
    db = built_copy(tmp_path / "defections.duckdb")
    edit(seeds_copy, "people", 0, {"notes": "edited after the build"})
    touch_future(seeds_copy / "people.csv")
    assert ensure_database(db, seeds_copy).built
    assert not ensure_database(db, seeds_copy).built


def test_ensure_database_with_invalid_seeds_keeps_old_file_and_says_why(seeds_copy, built_copy, tmp_path):
    db = built_copy(tmp_path / "defections.duckdb")
    before = sha256(db)
    line = edit(seeds_copy, "people", 0, {"name": ""})
    touch_future(seeds_copy / "people.csv")
    freshness = ensure_database(db, seeds_copy)
    assert not freshness.built
    assert [(p.line, p.column) for p in freshness.problems] == [(line, "name")]
    assert sha256(db) == before


def test_ensure_database_with_invalid_seeds_and_no_database_raises(seeds_copy, tmp_path):
    edit(seeds_copy, "people", 0, {"name": ""})
    with pytest.raises(BuildError, match="required field is empty"):
        ensure_database(tmp_path / "defections.duckdb", seeds_copy)


def corrupt(path):
    path.write_bytes(b"this is not a database\n" * 500)


def other_schema_version(path):
    con = duckdb.connect(str(path))
    con.execute("UPDATE build_info SET schema_version = ?", [SCHEMA_VERSION + 1])
    con.close()


@pytest.mark.parametrize("damage, fragment, fix", [
    # Not a DuckDB file: someone else's, so the fix is to move it, not to build over it.
    (corrupt, "it is not a DuckDB database", None),
    (other_schema_version, f"another schema version ({SCHEMA_VERSION + 1}, this code expects {SCHEMA_VERSION})",
     "python -m defections build --db"),
    (lambda path: path.unlink(), "does not exist", "python -m defections build --db"),
])
def test_unusable_database_says_how_to_fix_it(db_path, tmp_path, damage, fragment, fix):
    path = tmp_path / "defections.duckdb"
    shutil.copy(db_path, path)
    damage(path)
    with pytest.raises(DatabaseError) as err:
        connect(path)
    assert fragment in str(err.value)
    # The command builds this file, not the default data/defections.duckdb that a bare build writes.
    fix = fix and f"{fix} {path}"
    assert err.value.fix == fix
    assert (fix or "Move it away") in str(err.value)


@pytest.mark.parametrize("where, fragment", [
    (lambda tmp: "", "it is a folder"),
    (lambda tmp: tmp, "it is a folder"),
    (lambda tmp: tmp / "a-file" / "defections.duckdb", "a-file is a file, not a folder"),
    (lambda tmp: "/proc/defections.duckdb", "choose a --db file path"),  # unwritable even for root
    (lambda tmp: tmp / ("x" * 300 + ".duckdb"), "File name too long"),
], ids=["empty", "a folder", "under a file", "unwritable", "too long a name"])
def test_build_where_it_cannot_write_exits_1_with_one_line(tmp_path, capsys, monkeypatch, where, fragment):
    (tmp_path / "a-file").write_text("not a folder\n")
    monkeypatch.chdir(tmp_path)  # an empty --db is the working folder
    before = sorted(os.listdir(tmp_path))
    code = main(["build", "--seeds", str(SEEDS_DIR), "--db", str(where(tmp_path))])
    err = capsys.readouterr().err
    assert code == 1
    assert len(err.splitlines()) == 1 and err.startswith("cannot write the database ") and fragment in err, err
    assert sorted(os.listdir(tmp_path)) == before


def test_build_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path, capsys):
    target, link = tmp_path / "store" / "defections.duckdb", tmp_path / "link.duckdb"
    target.parent.mkdir()
    link.symlink_to(target)
    assert main(["build", "--seeds", str(SEEDS_DIR), "--db", str(link)]) == 0
    assert capsys.readouterr().err == f"built {target}\n"
    assert link.is_symlink() and link.resolve() == target
    assert count(link, "defections") == len(rows(SEEDS_DIR, "defections"))


@pytest.mark.parametrize("where, what", [("nosuch", "does not exist"), ("a-file.csv", "is a file, not a folder")])
def test_a_seeds_path_that_is_not_a_folder_is_one_problem_naming_it(tmp_path, where, what):
    (tmp_path / "a-file.csv").write_text("source_id\n")
    for command in (["validate"], ["build", "--db", tmp_path / "out.duckdb"]):
        result = run_cli(*command, "--seeds", tmp_path / where)
        problems = [line for line in result.stderr.splitlines() if ": -: " in line]
        assert result.returncode == 1 and len(problems) == 1, result.stderr
        assert f"the seeds folder {what}" in problems[0] and str(tmp_path / where) in problems[0]
        assert not (tmp_path / "out.duckdb").exists()
