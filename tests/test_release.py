"""Releases: the curated data's digest, "unreleased changes" until a release is recorded, the release each
row and correction came with, and what changed since a release (app and CLI)."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from helpers import (
    append,
    cite_text,
    edit,
    find,
    keep_only_defections,
    open_page,
    read_table,
    run_cli,
    script,
    write_table,
)

from defections import citation, release
from defections.build import build
from defections.db import connect
from defections.validate import load_seeds

FIRST = "2026.12.1"
# Versions of the releases the tests record: later than any real one, so the tests hold whatever seeds/ holds.
BASE, NEXT = "2100.1.1", "2100.1.2"


def as_released(seeds) -> str:
    """The release the copy of the seeds is: the last one, or BASE recorded now when the real seeds hold
    unreleased changes (an edit on main that no release records yet)."""
    header, rows = read_table(seeds, "releases")
    if rows and rows[-1][header.index("digest")] == release.data_digest(seeds):
        return rows[-1][header.index("release")]
    release.record(seeds, BASE, "The seeds as the tests found them.")
    return BASE


def test_the_digest_ignores_row_order_quoting_and_file_times(seeds_copy):
    before = release.data_digest(seeds_copy)
    header, data = read_table(seeds_copy, "defections")
    write_table(seeds_copy, "defections", header, data[::-1])  # other row order and quoting
    os.utime(seeds_copy / "people.csv", (1, 1))
    assert release.data_digest(seeds_copy) == before


@pytest.mark.parametrize("change", ["cell", "document", "row"])
def test_the_digest_changes_with_a_cell_a_document_or_a_row(seeds_copy, change):
    before = release.data_digest(seeds_copy)
    if change == "cell":
        edit(seeds_copy, "defections", {"event_id": "E27"}, {"notes": "edited"})
    elif change == "document":
        with open(seeds_copy / "documents" / "S001.txt", "a", encoding="utf-8") as handle:
            handle.write(" ")
    else:
        keep_only_defections(seeds_copy, {"E27"})
    assert release.data_digest(seeds_copy) != before


def test_recording_a_release_leaves_the_digest_as_it_was(seeds_copy):
    before = release.data_digest(seeds_copy)
    edit(seeds_copy, "defections", {"event_id": "E27"}, {"notes": "edited"})
    edited = release.data_digest(seeds_copy)
    release.record(seeds_copy, NEXT, "An edit.")
    assert release.data_digest(seeds_copy) == edited != before


def test_every_row_of_the_first_release_is_listed_with_it(con):
    first = con.execute("SELECT count(*) FROM row_releases WHERE first_release = ?", [FIRST]).fetchone()[0]
    listed = con.execute("SELECT count(*) FROM seed.release_rows WHERE release = ?", [FIRST]).fetchone()[0]
    assert first == listed > 1000
    made_in = con.execute("SELECT DISTINCT made_in_release FROM corrections WHERE correction_id <= 'X100'").fetchall()
    assert made_in == [(FIRST,)]


def test_an_edited_seed_is_unreleased_changes_until_a_release_is_recorded(seeds_copy, built_copy, tmp_path):
    base = as_released(seeds_copy)
    db = built_copy(tmp_path / "defections.duckdb")
    assert run_cli("export", "events", "--db", db).stderr.startswith(f"data: release {base}\n")

    edit(seeds_copy, "defections", {"event_id": "E27"}, {"notes": "A note added after the release."})
    build(seeds_copy, db)
    said = run_cli("export", "events", "--db", db)
    assert said.returncode == 0
    assert said.stderr.startswith(f"data: unreleased changes since {base}\n")
    assert "seeds/releases.csv" in said.stderr and "python -m defections release VERSION" in said.stderr

    recorded = run_cli("release", NEXT, "--note", "A note on E27.", "--seeds", seeds_copy)
    assert recorded.returncode == 0, recorded.stderr
    assert str(seeds_copy / "releases.csv") in recorded.stderr
    build(seeds_copy, db)
    assert run_cli("export", "events", "--db", db).stderr.startswith(f"data: release {NEXT}\n")


def test_the_app_says_unreleased_changes_and_names_the_file_to_edit(seeds_copy, tmp_path, monkeypatch):
    base = as_released(seeds_copy)
    edit(seeds_copy, "defections", {"event_id": "E27"}, {"notes": "A note added after the release."})
    db = build(seeds_copy, tmp_path / "defections.duckdb")
    monkeypatch.setenv("DEFECTIONS_DB", str(db))
    monkeypatch.setenv("DEFECTIONS_SEEDS", str(seeds_copy))
    at = open_page(script("sources"), tab="What's new")
    header = next(m.value for m in at.markdown if "defection(s) selected" in m.value).replace("\\", "")
    assert f"unreleased changes since {base}" in header
    assert any("seeds/releases.csv" in i.value.replace("\\", "") for i in at.info)
    assert f"Data: unreleased changes since {base}." in cite_text(at)


def test_the_header_and_the_cite_text_name_the_release(db_path, con):
    label = release.release_label(con)
    at = open_page(script("overview"))
    assert any(label in m.value.replace("\\", "") for m in at.markdown if "defection(s) selected" in m.value)
    assert f"Data: {label}." in cite_text(at)


@pytest.fixture
def second_release(seeds_copy, tmp_path):
    """(base, connection): the seeds as released (base), then with a defection added, one removed and a
    correction made, recorded as NEXT, then edited again without a release; the database built from them."""
    base = as_released(seeds_copy)
    summary = find(seeds_copy, "defections", event_id="E27")["summary"]
    cited = find(seeds_copy, "defection_sources", event_id="E27")["source_id"]  # the one copied for E900 below
    append(seeds_copy, "defections", {"event_id": "E27"}, {"event_id": "E900", "notes": "A later defection.",
                                                           "outcome_source_id": cited})
    append(seeds_copy, "defection_sources", {"event_id": "E27"}, {"event_id": "E900"})
    keep = {r[0] for r in read_table(seeds_copy, "defections")[1]} - {"E01"}
    keep_only_defections(seeds_copy, keep)
    append(seeds_copy, "corrections", 0, {"correction_id": "X900", "table_name": "defections", "row_key": "E27",
                                          "column_name": "notes", "previous_value": "", "current_value": "x"})
    release.record(seeds_copy, NEXT, "E900 added, E01 removed.")
    edit(seeds_copy, "defections", {"event_id": "E27"}, {"summary": summary + " Edited."})
    return base, connect(build(seeds_copy, tmp_path / "defections.duckdb"))


def test_each_row_knows_its_first_release_and_each_correction_its_release(second_release):
    _, con = second_release
    first = dict(con.execute("SELECT row_key, first_release FROM row_releases WHERE table_name = 'defections' "
                             "AND row_key IN ('E27', 'E900')").fetchall())
    assert first == {"E27": FIRST, "E900": NEXT}
    assert con.execute("SELECT removed_in FROM row_releases WHERE table_name = 'defections' AND row_key = 'E01'"
                       ).fetchone() == (NEXT,)
    assert con.execute("SELECT made_in_release FROM corrections WHERE correction_id = 'X900'").fetchone() == (NEXT,)
    assert release.release_label(con) == f"unreleased changes since {NEXT}"


def test_whats_new_lists_additions_corrections_and_removals_with_event_cards(second_release):
    base, con = second_release
    changes = release.changes_since(con, base)
    by_change = {kind: rows for kind, rows in changes.groupby("change")}
    assert by_change["defection added"]["row_key"].tolist() == ["E900"]
    assert by_change["defection added"]["event_card"].tolist() == ["/events?event=E900"]
    corrected = by_change["fact corrected"]
    assert corrected[["table_name", "row_key", "release", "event_card"]].values.tolist() == [
        ["defections", "E27", NEXT, "/events?event=E27"]]
    removed = by_change["row removed"]
    assert ("defections", "E01", NEXT) in set(zip(removed["table_name"], removed["row_key"], removed["release"]))
    assert removed["event_card"].isna().all()  # E01 has no card any more
    assert release.changes_since(con, NEXT).empty


def test_cli_export_changes_since_a_release(second_release):
    base, con = second_release
    db = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = 'defections'").fetchone()[0]
    out = run_cli("export", "changes", "--since", base, "--db", db)
    assert out.returncode == 0 and out.stdout.startswith(b"\xef\xbb\xbfchange,release,")
    assert b"E900" in out.stdout and b"/events?event=E900" in out.stdout
    unknown = run_cli("export", "changes", "--since", "1999.1.1", "--db", db)
    assert unknown.returncode == 2 and f"releases: {NEXT}, " in unknown.stderr and FIRST in unknown.stderr


@pytest.mark.parametrize("version, note, refusal", [
    (FIRST, "again", "already recorded"),
    (NEXT, "nothing new", "nothing changed since release"),
    (NEXT, " ", "--note"),
])
def test_a_release_is_refused_when_it_would_say_nothing(seeds_copy, version, note, refusal):
    as_released(seeds_copy)
    before = (seeds_copy / "releases.csv").read_bytes()
    refused = run_cli("release", version, "--note", note, "--seeds", seeds_copy)
    assert refused.returncode == 1 and refusal in refused.stderr
    assert (seeds_copy / "releases.csv").read_bytes() == before


def test_a_release_appends_and_validates(seeds_copy):
    as_released(seeds_copy)
    before = (seeds_copy / "release_rows.csv").read_bytes()
    keep_only_defections(seeds_copy, {"E27"})
    release.record(seeds_copy, NEXT, "Only Ri Il Kyu.")
    after = (seeds_copy / "release_rows.csv").read_bytes()
    assert after.startswith(before)  # earlier releases' lines untouched
    assert f"\n{NEXT},defections,E01,removed\n".encode() in after
    assert not load_seeds(seeds_copy).problems


def test_a_release_row_of_an_unknown_table_is_reported(seeds_copy):
    line = append(seeds_copy, "release_rows", 0, {"table_name": "defection"})
    problems = [p for p in load_seeds(seeds_copy).problems if p.line == line]
    assert [(p.column, "is not a curated table" in p.message) for p in problems] == [("table_name", True)]


def test_citation_txt_names_the_file_and_the_release():
    text = citation.cite_text("Events", "http://localhost:8501/events", dt.date(2026, 2, 4), dt.date(2026, 12, 7),
                              "defections_all.csv", release=f"unreleased changes since {FIRST}")
    assert f"Data: unreleased changes since {FIRST}." in text.splitlines()
    assert "File: defections_all.csv" in text


def test_before_the_first_release_the_data_says_so_and_the_app_still_runs(seeds_copy, tmp_path, monkeypatch):
    for table in ("release_rows", "releases"):
        write_table(seeds_copy, table, read_table(seeds_copy, table)[0], [])
    db = build(seeds_copy, tmp_path / "defections.duckdb")
    with connect(db) as con:
        assert release.release_label(con) == "unreleased (no release recorded yet)"
        assert release.release_counts(con)["release"].unique().tolist() == ["unreleased"]
    monkeypatch.setenv("DEFECTIONS_DB", str(db))
    monkeypatch.setenv("DEFECTIONS_SEEDS", str(seeds_copy))
    at = open_page(script("sources"), tab="What's new")
    assert any("this data is not a release" in i.value for i in at.info)
