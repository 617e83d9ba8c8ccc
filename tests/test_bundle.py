"""The whole dataset in one zip: every public view as CSV and Parquet (read back with the views' types and
row counts), the documents that go with it, and the same bytes from the CLI as from the function the app calls."""

from __future__ import annotations

import io
import zipfile

import duckdb
import pytest
from helpers import run_cli

from defections import bundle, queries, release
from defections.export import csv_bytes

DOCUMENTS = ["README.txt", "defections.xlsx", "data_dictionary.csv", "data_dictionary.md", "methodology.md",
             "LICENCE.txt", "CITATION.txt", "CITATION.cff", "RELEASE_NOTES.md"]


@pytest.fixture(scope="module")
def zipped(con) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(bundle.bundle_bytes(con)))


def test_the_bundle_holds_every_public_view_twice_and_its_documents(con, zipped):
    views = bundle.public_views(con)
    assert {"events", "event_motives", "yearly_counts", "sources", "corrections", "releases"} <= set(views)
    expected = {f"csv/{v}.csv" for v in views} | {f"parquet/{v}.parquet" for v in views} | set(DOCUMENTS)
    assert set(zipped.namelist()) == expected
    assert all(entry.date_time == bundle.ZIP_TIME for entry in zipped.infolist())


def test_its_csv_files_are_the_views_as_the_dashboards_downloads_write_them(con, zipped):
    for view in bundle.public_views(con):
        frame = con.execute(f'FROM "{view}" ORDER BY ALL').df()
        lists = [c for c, kind, *_ in con.execute(f'DESCRIBE "{view}"').fetchall() if kind.endswith("[]")]
        frame = frame.assign(**{c: frame[c].map("; ".join) for c in lists})  # a list's items as text
        assert zipped.read(f"csv/{view}.csv") == csv_bytes(frame), view
    assert zipped.read("csv/events.csv").startswith(b"\xef\xbb\xbf")


def test_its_parquet_files_read_back_with_the_views_types_and_row_counts(con, zipped, tmp_path):
    reader = duckdb.connect()
    for view in bundle.public_views(con):
        path = tmp_path / f"{view}.parquet"
        path.write_bytes(zipped.read(f"parquet/{view}.parquet"))
        # Parquet has no enum type: an ENUM column comes back as text holding its labels.
        expected = [(name, "VARCHAR" if kind.startswith("ENUM") else kind)
                    for name, kind, *_ in con.execute(f'DESCRIBE "{view}"').fetchall()]
        found = [(name, kind) for name, kind, *_ in reader.execute("DESCRIBE FROM read_parquet(?)", [str(path)]
                                                                   ).fetchall()]
        assert found == expected, view
        rows = reader.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()[0]
        assert rows == con.execute(f'SELECT count(*) FROM "{view}"').fetchone()[0], view
    events = reader.execute("SELECT * FROM read_parquet(?) ORDER BY ALL", [str(tmp_path / "events.parquet")]).df()
    assert events.equals(con.execute("FROM events ORDER BY ALL").df().astype(events.dtypes))


def test_the_citation_and_release_notes_name_the_release(con, zipped):
    label = release.release_label(con)
    status = release.release_status(con).iloc[0]
    assert label in zipped.read("CITATION.txt").decode()
    cff = zipped.read("CITATION.cff").decode()
    assert "cff-version: 1.2.0" in cff and "license: CC-BY-4.0" in cff
    assert f'version: "{status["last_release"] if status["is_release"] else label}"' in cff
    notes = zipped.read("RELEASE_NOTES.md").decode()
    assert all(f"## {r}" in notes for r in release.release_list(con)["release"])
    assert zipped.read("methodology.md").decode().startswith("#")
    assert "CC BY 4.0" in zipped.read("LICENCE.txt").decode()
    assert zipped.read("data_dictionary.md").decode() == queries.dictionary_markdown(queries.data_dictionary(con))


def test_the_cli_writes_the_same_bytes_as_the_app(con, db_path):
    exported = run_cli("export", "bundle", "--db", db_path)
    assert exported.returncode == 0
    assert exported.stdout == bundle.bundle_bytes(con)
    assert exported.stderr.startswith(f"data: {release.release_label(con)}\n")


def test_the_file_name_says_the_release(con):
    name = bundle.file_name(con)
    assert name == f"defections_{release.file_label(release.release_label(con))}.zip"
    assert release.file_label("unreleased changes since 2026.12.1") == "unreleased-since-2026.12.1"
    assert release.file_label("unreleased (no release recorded yet)") == "unreleased"
