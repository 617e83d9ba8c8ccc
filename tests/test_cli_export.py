"""`python -m defections export events`: the analyst's CSV, the same bytes as the dashboard's download."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys

import pandas as pd
import pytest
from helpers import ROOT, run_cli, run_cli_process

from defections import queries
from defections.__main__ import main
from defections.db import FIX_COMMAND, frame
from defections.export import csv_bytes
from defections.filters import Filters

BOM = b"\xef\xbb\xbf"


def parse(data: bytes) -> list[dict]:
    assert data.startswith(BOM), data[:20]
    return list(csv.DictReader(io.StringIO(data[len(BOM):].decode("utf-8"), newline="")))


def export(db_path, *args):
    result = run_cli("export", "events", *args, "--db", db_path)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_export_filtered_by_year_and_post(con, db_path):
    rows = parse(export(db_path, "--from", "2023", "--to", "2023", "--post", "Cuba"))
    expected = frame(con, "SELECT event_id FROM events WHERE year(defection_date) = 2023 AND post_country = 'Cuba'")
    assert sorted(r["event_id"] for r in rows) == sorted(expected["event_id"])
    assert "Ri Il Kyu" in [r["person"] for r in rows]
    assert {(r["post_country"], r["defection_date"][:4]) for r in rows} == {("Cuba", "2023")}


def test_export_has_the_documented_columns(db_path):
    data = export(db_path, "--from", "2023", "--to", "2023")
    header = next(csv.reader(io.StringIO(data[len(BOM):].decode("utf-8"))))
    assert header == queries.EXPORT_COLUMNS


def test_export_without_filters_has_every_event(con, db_path):
    rows = parse(export(db_path))
    everything = frame(con, "SELECT event_id FROM events")
    assert len(rows) == len(everything) > 1
    assert sorted(r["event_id"] for r in rows) == sorted(everything["event_id"])


def test_export_shows_dates_and_lags_at_their_precision(db_path):
    ri = next(r for r in parse(export(db_path, "--post", "Cuba")) if r["person"] == "Ri Il Kyu")
    assert (ri["defection_period"], ri["defection_date"], ri["date_precision"]) == ("November 2023", "2023-11-01",
                                                                                   "month")
    assert (ri["disclosed_date"], ri["disclosed_period"]) == ("2024-07-16", "16 July 2024")
    # November 2023 to 16 July 2024: from the month's last day to its first, never a count of exact days.
    assert ri["disclosure_lag_days"] == ""
    assert (int(ri["disclosure_lag_min_days"]), int(ri["disclosure_lag_max_days"])) == (
        (pd.Timestamp("2024-07-16") - pd.Timestamp("2023-11-30")).days,
        (pd.Timestamp("2024-07-16") - pd.Timestamp("2023-11-01")).days)
    assert ri["disclosure_lag"] == "about 8 months"


def test_export_unknown_post_exits_2_and_lists_the_posts(db_path):
    result = run_cli_process("export", "events", "--post", "Atlantis", "--db", db_path)  # end to end
    assert result.returncode == 2
    assert "unknown --post 'Atlantis'" in result.stderr
    assert "Cuba" in result.stderr  # the posts one can choose from
    assert result.stdout == b""


@pytest.mark.parametrize("args, filters", [
    (["--from", "2023", "--to", "2023", "--post", "Cuba"], Filters(2023, 2023, posts=("Cuba",))),
    (["--category", "diplomat"], Filters(categories=("diplomat",))),
    ([], Filters()),
], ids=["2023 Cuba", "diplomats", "all"])
def test_export_is_the_dashboards_download_byte_for_byte(con, db_path, args, filters):
    assert export(db_path, *args) == csv_bytes(queries.export_events(con, filters))


def test_export_reads_defections_db_by_default(db_path, tmp_path):
    missing = tmp_path / "missing.duckdb"
    result = run_cli("export", "events", env={"DEFECTIONS_DB": str(missing)})
    assert result.returncode == 1
    assert f"The database {missing.resolve()} does not exist" in result.stderr
    assert f"python -m defections build --db {missing.resolve()}" in result.stderr  # this file, not the default
    copy = tmp_path / "copy.duckdb"
    shutil.copy(db_path, copy)
    result = run_cli("export", "events", "--post", "Cuba", env={"DEFECTIONS_DB": str(copy)})
    assert result.returncode == 0, result.stderr
    assert result.stdout == export(db_path, "--post", "Cuba")


@pytest.mark.parametrize("dtype", [object, "string", "str"])
@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1:A9)"])
def test_csv_neutralises_cells_that_would_run_as_formulas(value, dtype):
    frame = pd.DataFrame({"cell": pd.Series([value, "plain"], dtype=dtype)})
    assert [r["cell"] for r in parse(csv_bytes(frame))] == ["'" + value, "plain"]


@pytest.mark.parametrize("values, shown", [
    ([-5, 3], ["-5", "3"]),
    (pd.array([-258, None], dtype="Int64"), ["-258", ""]),
    ([-1.5, 2.0], ["-1.5", "2"]),
    (["a=b", "x-y"], ["a=b", "x-y"]),
])
@pytest.mark.parametrize("width", [1, 2], ids=["one column", "two columns"])
def test_csv_leaves_numbers_and_inner_signs_alone(values, shown, width):
    frame = pd.DataFrame({"cell": values, **({"other": ["x", "y"]} if width == 2 else {})})
    assert [float(v) if v not in ("", "a=b", "x-y") else v for v in (r["cell"] for r in parse(csv_bytes(frame)))] \
        == [float(v) if v not in ("", "a=b", "x-y") else v for v in shown]


def test_csv_keeps_korean_names_readable():
    frame = pd.DataFrame({"person": ["Ri Il Kyu", "리일규"]})
    assert parse(csv_bytes(frame))[1]["person"] == "리일규"


def in_process(capsysbinary, *argv) -> tuple[int, bytes, str]:
    """`python -m defections ARGV` run in this process: (exit code, stdout, stderr); a traceback fails the test."""
    code = main([*map(str, argv)])
    out, err = capsysbinary.readouterr()
    return code, out, err.decode("utf-8")


def test_export_of_a_database_without_defections_is_the_header_alone(capsysbinary, no_defections):
    code, out, err = in_process(capsysbinary, "export", "events", "--db", no_defections[1])
    # stderr says which data it is and what it counted: the seeds with every defection removed are not a release.
    assert code == 0 and err.startswith("data: unreleased changes since ") and "Error" not in err
    assert "0 defection(s) selected and counted, 0 confirmed by a government\n" in err
    assert out == BOM + (",".join(queries.EXPORT_COLUMNS) + "\n").encode()


def test_export_orders_a_reversed_year_range_like_the_app(capsysbinary, db_path):
    reversed_range = in_process(capsysbinary, "export", "events", "--from", "2030", "--to", "1990", "--db", db_path)
    ordered = in_process(capsysbinary, "export", "events", "--from", "1990", "--to", "2030", "--db", db_path)
    assert reversed_range == ordered and len(parse(ordered[1])) > 1


def test_export_of_a_database_damaged_in_the_middle_says_how_to_fix_it(capsysbinary, db_path, tmp_path):
    damaged = tmp_path / "defections.duckdb"
    shutil.copy(db_path, damaged)
    size = damaged.stat().st_size
    with open(damaged, "r+b") as handle:  # right size, valid header, garbage blocks from a third on
        handle.seek(size // 3 // 4096 * 4096)
        handle.write(b"\xde\xad\xbe\xef" * (size // 3 // 4))
    code, out, err = in_process(capsysbinary, "export", "events", "--db", damaged)
    assert (code, out) == (1, b"")
    assert len(err.splitlines()) == 1 and f"The database {damaged} cannot be read" in err and FIX_COMMAND in err


def test_export_to_a_full_disk_exits_1_with_one_line(db_path):
    # A real process: the failure also comes back when Python flushes stdout at exit.
    with open("/dev/full", "wb") as full:
        result = subprocess.run([sys.executable, "-m", "defections", "export", "events", "--db", str(db_path)],
                                cwd=ROOT, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["cannot write to standard output (No space left on device); redirect it "
                                          "to a file with room, e.g. > events.csv"]


@pytest.mark.parametrize("args, unread", [
    (["bundle", "--from", "2020", "--region", "Europe"], "--from, --region"),
    (["events", "--since", "2026.12.1"], "--since"),
    (["changes", "--since", "2026.12.1", "--post", "Cuba"], "--post"),
])
def test_a_flag_an_export_does_not_read_is_refused_not_ignored(db_path, args, unread):
    # A bundle 'filtered' by --region was the whole dataset, byte for byte, without a word.
    result = run_cli("export", *args, "--db", db_path)
    assert result.returncode == 2 and not result.stdout
    assert result.stderr.startswith(f"export {args[0]} does not read {unread}: ")


def test_an_unknown_value_lists_only_that_filters_values(db_path):
    result = run_cli("export", "events", "--region", "Europa", "--db", db_path)
    assert result.returncode == 2 and "regions: Europe, East Asia" in result.stderr
    assert "posts:" not in result.stderr and "categories:" not in result.stderr
