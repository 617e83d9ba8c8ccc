"""The read-only connection: fresh after a rebuild, and a cursor per query."""

from __future__ import annotations

import csv
import sqlite3

import duckdb
import pytest

from defections.build import build
from defections.db import DatabaseError, connect, frame


def test_a_rebuilt_database_is_seen_while_an_old_connection_is_still_open(seeds_copy, built_copy, tmp_path):
    db = built_copy(tmp_path / "defections.duckdb")
    old = connect(db)
    arrivals = old.execute("SELECT total_arrivals FROM yearly_counts WHERE year = 2023").fetchone()[0]

    path = seeds_copy / "yearly_counts.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for row in rows:
        if row["year"] == "2023":
            row["total_arrivals"] = str(arrivals + 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    build(seeds_copy, db)

    new = connect(db)
    assert frame(new, "SELECT total_arrivals FROM yearly_counts WHERE year = 2023")["total_arrivals"][0] == arrivals + 1
    old.close()
    new.close()


def test_queries_run_on_their_own_cursor_in_the_database_catalog(con):
    # A result half read on the shared connection itself: a query run on that connection instead of a
    # cursor of its own would replace it, as one session's query would another's.
    pending = con.execute("SELECT event_id FROM events ORDER BY event_id")
    first = pending.fetchone()[0]
    rows = frame(con, "SELECT current_database() AS db, count(*) AS n, min(event_id) AS first FROM events")
    assert (rows["db"][0], rows["first"][0]) == ("defections", first)
    assert len(pending.fetchall()) == rows["n"][0] - 1 > 0


def test_a_sqlite_file_is_refused_without_reaching_for_an_extension(tmp_path):
    path = tmp_path / "other.db"
    sqlite = sqlite3.connect(path)
    sqlite.execute("CREATE TABLE t (x)")
    sqlite.commit()
    sqlite.close()
    with pytest.raises(DatabaseError) as refused:
        connect(path)
    # DuckDB would download its sqlite extension to read the file; it is told not to even try, and the
    # file, another program's, is named as such (a build will not replace it).
    assert "not a DuckDB database" in str(refused.value) and "http" not in str(refused.value).lower()


def test_sql_on_the_app_connection_cannot_read_other_files(con):
    with pytest.raises(duckdb.Error, match="disabled"):
        frame(con, "SELECT * FROM read_csv($path)", {"path": "/etc/hostname"})
