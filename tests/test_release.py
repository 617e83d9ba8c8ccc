"""Releases: the curated data's digest, "unreleased changes" until a release is recorded, the release each
row and correction came with, and what changed since a release (app and CLI)."""

from __future__ import annotations

import os
import re

import pytest
from helpers import append, edit, find, keep_only_defections, open_page, read_table, run_cli, write_table

from defections import release
from defections.build import build
from defections.db import connect
from defections.validate import load_seeds

FIRST = "2026.12.1"


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
    release.record(seeds_copy, "2026.12.2", "An edit.")
    assert release.data_digest(seeds_copy) == edited != before


def test_every_row_of_the_first_release_is_listed_with_it(con):
    first = con.execute("SELECT count(*) FROM row_releases WHERE first_release = ?", [FIRST]).fetchone()[0]
    listed = con.execute("SELECT count(*) FROM seed.release_rows WHERE release = ?", [FIRST]).fetchone()[0]
    assert first == listed > 1000
    made_in = con.execute("SELECT DISTINCT made_in_release FROM corrections WHERE correction_id <= 'X100'").fetchall()
    assert made_in == [(FIRST,)]


def test_an_edited_seed_is_unreleased_changes_until_a_release_is_recorded(seeds_copy, tmp_path):
    db = tmp_path / "defections.duckdb"
    build(seeds_copy, db)
    assert run_cli("export", "events", "--db", db).stderr == f"data: release {FIRST}\n"

    edit(seeds_copy, "defections", {"event_id": "E27"}, {"notes": "A note added after the first release."})
    build(seeds_copy, db)
    said = run_cli("export", "events", "--db", db)
    assert said.returncode == 0
    assert said.stderr.startswith(f"data: unreleased changes since {FIRST}\n")
    assert "seeds/releases.csv" in said.stderr and "python -m defections release VERSION" in said.stderr

    recorded = run_cli("release", "2026.12.2", "--note", "A note on E27.", "--seeds", seeds_copy)
    assert recorded.returncode == 0, recorded.stderr
    assert str(seeds_copy / "releases.csv") in recorded.stderr
    build(seeds_copy, db)
    assert run_cli("export", "events", "--db", db).stderr == "data: release 2026.12.2\n"


def test_the_app_says_unreleased_changes_and_names_the_file_to_edit(seeds_copy, tmp_path, monkeypatch):
    edit(seeds_copy, "defections", {"event_id": "E27"}, {"notes": "A note added after the first release."})
    db = build(seeds_copy, tmp_path / "defections.duckdb")
    monkeypatch.setenv("DEFECTIONS_DB", str(db))
    monkeypatch.setenv("DEFECTIONS_SEEDS", str(seeds_copy))
    at = open_page("pages/sources.py", tab="What's new")
    header = next(m.value for m in at.markdown if "defection(s) selected" in m.value).replace("\\", "")
    assert f"unreleased changes since {FIRST}" in header
    assert any("seeds/releases.csv" in i.value.replace("\\", "") for i in at.info)
    assert any(f"Data: Unreleased changes since {FIRST}." in c.value for c in at.code)  # the cite text


def test_the_header_and_the_cite_text_name_the_release(db_path, con):
    label = release.release_label(con)
    at = open_page("pages/overview.py")
    assert any(label in m.value.replace("\\", "") for m in at.markdown if "defection(s) selected" in m.value)
    assert any(label[:1].upper() + label[1:] in c.value for c in at.code)


@pytest.fixture
def second_release(seeds_copy, tmp_path):
    """The seeds with one defection added, one removed and one correction made, recorded as 2026.12.2,
    then edited again without a release; with the database built from them."""
    new = find(seeds_copy, "defections", event_id="E27")
    append(seeds_copy, "defections", {"event_id": "E27"}, {"event_id": "E900", "notes": "A later defection."})
    append(seeds_copy, "defection_sources", {"event_id": "E27"}, {"event_id": "E900"})
    keep = {r[0] for r in read_table(seeds_copy, "defections")[1]} - {"E01"}
    keep_only_defections(seeds_copy, keep)
    append(seeds_copy, "corrections", 0, {"correction_id": "X900", "table_name": "defections", "row_key": "E27",
                                          "column_name": "notes", "previous_value": "", "current_value": "x"})
    release.record(seeds_copy, "2026.12.2", "E900 added, E01 removed.")
    edit(seeds_copy, "defections", {"event_id": "E27"}, {"summary": new["summary"] + " Edited."})
    return connect(build(seeds_copy, tmp_path / "defections.duckdb"))


def test_each_row_knows_its_first_release_and_each_correction_its_release(second_release):
    con = second_release
    first = dict(con.execute("SELECT row_key, first_release FROM row_releases WHERE table_name = 'defections' "
                             "AND row_key IN ('E27', 'E900')").fetchall())
    assert first == {"E27": FIRST, "E900": "2026.12.2"}
    assert con.execute("SELECT removed_in FROM row_releases WHERE table_name = 'defections' AND row_key = 'E01'"
                       ).fetchone() == ("2026.12.2",)
    assert con.execute("SELECT made_in_release FROM corrections WHERE correction_id = 'X900'").fetchone() \
        == ("2026.12.2",)
    assert release.release_label(con) == "unreleased changes since 2026.12.2"


def test_whats_new_lists_additions_corrections_and_removals_with_event_cards(second_release):
    changes = release.changes_since(second_release, FIRST)
    by_change = {kind: rows for kind, rows in changes.groupby("change")}
    assert by_change["defection added"]["row_key"].tolist() == ["E900"]
    assert by_change["defection added"]["event_card"].tolist() == ["/events?event=E900"]
    corrected = by_change["fact corrected"]
    assert corrected[["table_name", "row_key", "release", "event_card"]].values.tolist() == [
        ["defections", "E27", "2026.12.2", "/events?event=E27"]]
    removed = by_change["row removed"]
    assert ("defections", "E01", "2026.12.2") in set(zip(removed["table_name"], removed["row_key"],
                                                         removed["release"]))
    assert removed["event_card"].isna().all()  # E01 has no card any more
    assert release.changes_since(second_release, "2026.12.2").empty


def test_cli_export_changes_since_a_release(second_release, tmp_path):
    db = second_release.execute("SELECT path FROM duckdb_databases() WHERE database_name = 'defections'"
                                ).fetchone()[0]
    out = run_cli("export", "changes", "--since", FIRST, "--db", db)
    assert out.returncode == 0 and out.stdout.startswith(b"\xef\xbb\xbfchange,release,")
    assert b"E900" in out.stdout and b"/events?event=E900" in out.stdout
    unknown = run_cli("export", "changes", "--since", "1999.1.1", "--db", db)
    assert unknown.returncode == 2 and "releases: 2026.12.2, 2026.12.1" in unknown.stderr


@pytest.mark.parametrize("version, note, refusal", [
    (FIRST, "again", "already recorded"),
    ("2026.12.2", "nothing new", "nothing changed since release 2026.12.1"),
    ("2026.12.2", " ", "--note"),
])
def test_a_release_is_refused_when_it_would_say_nothing(seeds_copy, version, note, refusal):
    before = (seeds_copy / "releases.csv").read_bytes()
    refused = run_cli("release", version, "--note", note, "--seeds", seeds_copy)
    assert refused.returncode == 1 and refusal in refused.stderr
    assert (seeds_copy / "releases.csv").read_bytes() == before


def test_a_release_appends_and_validates(seeds_copy):
    before = (seeds_copy / "release_rows.csv").read_bytes()
    keep_only_defections(seeds_copy, {"E27"})
    release.record(seeds_copy, "2026.12.2", "Only Ri Il Kyu.")
    after = (seeds_copy / "release_rows.csv").read_bytes()
    assert after.startswith(before)  # earlier releases' lines untouched
    assert re.search(rb"\n2026\.12\.2,defections,E01,removed\n", after)
    assert not load_seeds(seeds_copy).problems
