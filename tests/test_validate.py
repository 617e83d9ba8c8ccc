"""`python -m defections validate`: each rule, broken once in a copy of the real seeds, named by file:line: column."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import (
    DOCUMENT,
    add_column,
    append,
    assert_reported,
    document_source,
    drop_column,
    edit,
    find,
    line_of,
    rename_column,
    run_cli,
)

from defections.__main__ import main
from defections.paths import SEEDS_DIR


def validate(seeds):
    return run_cli("validate", "--seeds", seeds)


def test_real_seeds_are_valid():
    result = validate(SEEDS_DIR)
    assert result.returncode == 0, result.stderr
    assert "all seeds valid" in result.stderr


# (table, row: position or a dict of cells to find it by, cells to set, column named, fragment of the message)
CELL_CASES = {
    "count not an integer": ("yearly_counts", {"year": "2023"}, {"total_arrivals": "about 200"},
                             "total_arrivals", "is not a whole number"),
    "date not a date": ("sources", 0, {"published_date": "July 2024"}, "published_date", "expected YYYY-MM-DD"),
    "bad boolean": ("yearly_counts", {"year": "2023"}, {"elite_count_approx": "yes"},
                    "elite_count_approx", "expected true or false"),
    "impossible date": ("defections", 0, {"defection_date": "2023-02-30", "defection_precision": "day"},
                        "defection_date", "is not a real date"),
    "impossible published date": ("sources", 0, {"published_date": "2023-02-30"},
                                  "published_date", "is not a real date"),
    "day given at month precision": ("defections", 0, {"defection_date": "2023-11-05", "defection_precision": "month"},
                                     "defection_date", "does not match precision month (expected YYYY-MM)"),
    "month given at day precision": ("defections", 0, {"defection_date": "2023-11", "defection_precision": "day"},
                                     "defection_date", "does not match precision day (expected YYYY-MM-DD)"),
    "context date at year precision": ("context_events", 0, {"event_date": "2024-02", "date_precision": "year"},
                                       "event_date", "does not match precision year"),
    "unknown person_id": ("defections", 0, {"person_id": "K-NOBODY"}, "person_id", "is not a known person_id"),
    "unknown post_id": ("defections", 0, {"post_id": "P-XX-NOWHERE"}, "post_id", "expected an id from posts.csv"),
    "unknown source_id": ("defection_sources", 0, {"source_id": "S-NONE"}, "source_id", "is not a known source_id"),
    "unknown motive_code": ("event_motives", 0, {"motive_code": "boredom"}, "motive_code",
                            "expected an id from motives.csv"),
    "unknown event_id": ("event_motives", 0, {"event_id": "E-NONE"}, "event_id", "is not a known event_id"),
    "negative count": ("yearly_counts", {"year": "2023"}, {"total_arrivals": "-196"}, "total_arrivals", "is negative"),
    "range marked exact": ("yearly_counts", {"year": "2023"},
                           {"elite_count": "", "elite_count_low": "1", "elite_count_high": "9",
                            "elite_count_approx": "false", "elite_count_wording": ""},
                           "elite_count_approx", "is false but a low/high range is given"),
    "approximate without wording": ("yearly_counts", {"year": "2023"},
                                    {"elite_count_approx": "true", "elite_count_wording": ""},
                                    "elite_count_wording", "required when elite_count_approx is true"),
    "approximate without figure": ("yearly_counts", {"year": "2023"},
                                   {"elite_count": "", "elite_count_low": "", "elite_count_high": "",
                                    "elite_count_approx": "true", "elite_count_wording": "about 10"},
                                   "elite_count_approx", "no elite figure is given"),
    "elite figure without its basis": ("yearly_counts", {"year": "2023"}, {"elite_count_basis": ""},
                                       "elite_count_basis", "is empty but an elite figure is given"),
    "elite basis without a figure": ("yearly_counts", {"year": "2022"}, {"elite_count_basis": "media"},
                                     "elite_count_basis", "no elite figure is given"),
    "unknown elite basis": ("yearly_counts", {"year": "2023"}, {"elite_count_basis": "rumour"},
                            "elite_count_basis", "expected one of: official, media"),
    "empty name": ("people", 0, {"name": ""}, "name", "required field is empty"),
    "empty position": ("defections", 0, {"position": ""}, "position", "required field is empty"),
    "javascript url": ("sources", {"document": ""}, {"url": "javascript:alert(1)"}, "url", "is not an http(s) address"),
    "ftp url": ("sources", {"document": ""}, {"url": "ftp://example.org/report.txt"}, "url",
                "is not an http(s) address"),
    "url without scheme": ("sources", {"document": ""}, {"url": "www.example.org/report"}, "url",
                           "is not an http(s) address"),
    "unknown elite category": ("defections", 0, {"elite_category": "spy"}, "elite_category",
                               "is not allowed (expected one of: diplomat,"),
    "unknown reliability": ("sources", 0, {"reliability": "rumour"}, "reliability", "is not allowed"),
    "Arabic-Indic digits in a year": ("defections", 0, {"defection_date": "\u0662\u0660\u0662\u0663",
                                                      "defection_precision": "year"},
                                      "defection_date", "does not match precision year"),
    "full-width digits in a count": ("yearly_counts", {"year": "2023"}, {"total_arrivals": "\uff11\uff19\uff16"},
                                     "total_arrivals", "is not a whole number"),
    "year 0001": ("sources", 0, {"published_date": "0001-01-01"}, "published_date", "is before 1945"),
    "NUL byte in a cell": ("people", 0, {"notes": "a\x00b"}, "notes", "holds a NUL byte"),
    "confirmed before the defection": ("defections", 0, {"confirmed_date": "1950-01-01"}, "confirmed_date",
                                       "is before the defection"),
    "confirmed by nobody": ("defections", {"confirmation_status": "confirmed"}, {"confirmed_by": ""},
                            "confirmed_by", "required when confirmation_status is confirmed"),
    "confirmed on no day": ("defections", {"confirmation_status": "confirmed"}, {"confirmed_date": ""},
                            "confirmed_date", "required when confirmation_status is confirmed"),
    "denied but counted as completed": ("defections", {"confirmation_status": "denied"}, {"outcome": "completed"},
                                        "outcome", "is completed but the report was denied"),
    "unknown outcome": ("defections", 0, {"outcome": "probably"}, "outcome",
                        "expected one of: completed, failed, unknown"),
    "outcome from a source the row does not cite": ("defections", {"event_id": "E01"}, {"outcome_source_id": "S000"},
                                                     "outcome_source_id", "is not among this defection's sources"),
    "unknown attribution": ("event_motives", 0, {"attributed_to": "neighbours"}, "attributed_to",
                            "expected one of: self, north-korean-officials, south-korean-officials"),
}


@pytest.mark.parametrize("table, where, changes, column, fragment", CELL_CASES.values(), ids=CELL_CASES.keys())
def test_broken_cell_is_named_by_file_line_and_column(seeds_copy, table, where, changes, column, fragment):
    line = edit(seeds_copy, table, where, changes)
    assert_reported(validate(seeds_copy), seeds_copy / f"{table}.csv", line, column, fragment)


@pytest.mark.parametrize("table, column", [("people", "person_id"), ("sources", "source_id"), ("yearly_counts", "year"),
                                           ("defection_sources", "event_id/source_id")])
def test_duplicate_id_is_reported_on_the_second_row(seeds_copy, table, column):
    line = append(seeds_copy, table, like=0)
    assert_reported(validate(seeds_copy), seeds_copy / f"{table}.csv", line, column, "duplicate id")


@pytest.mark.parametrize("table, key, value, link_table", [
    ("defections", "event_id", "E-UNCITED", "defection_sources"),
    ("yearly_counts", "year", "1946", "yearly_count_sources"),
    ("context_events", "context_id", "C-UNCITED", "context_event_sources"),
])
def test_fact_citing_no_source_is_reported(seeds_copy, table, key, value, link_table):
    line = append(seeds_copy, table, like=0, changes={key: value})
    assert_reported(validate(seeds_copy), seeds_copy / f"{table}.csv", line, key,
                    f"cites no source (add a row to {link_table}.csv)")


def test_missing_column_is_reported_on_the_header(seeds_copy):
    drop_column(seeds_copy, "posts", "location_note")
    assert_reported(validate(seeds_copy), seeds_copy / "posts.csv", 1, "location_note",
                    "column is missing from the header")


@pytest.mark.parametrize("table, old, new", [("posts", "post_city", "post_cty"),
                                             ("yearly_counts", "elite_count_approx", "elite_count_aprox")])
def test_misnamed_column_suggests_the_right_name(seeds_copy, table, old, new):
    rename_column(seeds_copy, table, old, new)
    assert_reported(validate(seeds_copy), seeds_copy / f"{table}.csv", 1, new, f"did you mean {old}?")


def test_extra_column_is_reported(seeds_copy):
    add_column(seeds_copy, "people", "favourite_colour")
    assert_reported(validate(seeds_copy), seeds_copy / "people.csv", 1, "favourite_colour", "unknown column")


QUOTE_TABLES = [("defection_sources", "evidence_quote"), ("event_motives", "evidence_quote"),
                ("yearly_count_sources", "evidence_quote"), ("context_event_sources", "evidence_quote"),
                ("commentary", "quote")]


@pytest.mark.parametrize("table, column", QUOTE_TABLES)
def test_quote_not_in_its_document_is_reported(seeds_copy, table, column):
    source = document_source(seeds_copy)
    line = edit(seeds_copy, table, 0, {"source_id": source, column: "Ri defected to open a restaurant in Seoul"})
    assert_reported(validate(seeds_copy), seeds_copy / f"{table}.csv", line, column,
                    f"does not occur in the document of source {source}")


@pytest.mark.parametrize("table, column", QUOTE_TABLES)
def test_quote_is_required_when_the_source_is_a_document(seeds_copy, table, column):
    source = document_source(seeds_copy)
    line = edit(seeds_copy, table, 0, {"source_id": source, column: ""})
    assert_reported(validate(seeds_copy), seeds_copy / f"{table}.csv", line, column, "is a held document")


@pytest.mark.parametrize("quote", [
    "disillusionment  with\nNorth Korea\u2019s political system",  # curly apostrophe, wrapped line
    "\u201cThis high-level defection adds\tinsult to injury",  # curly opening quote, a tab
])
def test_quote_with_other_whitespace_or_curly_quotes_is_accepted(seeds_copy, quote):
    assert quote not in (seeds_copy / "documents" / DOCUMENT).read_text(encoding="utf-8")  # only equal normalised
    source = document_source(seeds_copy)
    edit(seeds_copy, "event_motives", {"source_id": source}, {"evidence_quote": quote})
    result = validate(seeds_copy)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("mark", ["[...]", "(…)", "( ... )"])
def test_a_gap_not_marked_the_house_way_is_reported_on_its_source_row(seeds_copy, mark):
    held = seeds_copy / "documents" / "S001.txt"
    held.write_text(held.read_text(encoding="utf-8") + f"\n{mark} a later sentence of the page.\n", encoding="utf-8")
    line = line_of(seeds_copy, "sources", {"source_id": "S001"})
    assert_reported(validate(seeds_copy), seeds_copy / "sources.csv", line, "document", "write every gap")


def test_missing_document_is_reported_on_its_source_row(seeds_copy):
    (seeds_copy / "documents" / DOCUMENT).unlink()
    line = line_of(seeds_copy, "sources", {"document": DOCUMENT})
    assert_reported(validate(seeds_copy), seeds_copy / "sources.csv", line, "document",
                    f"{DOCUMENT!r} is not a regular file")


def test_file_not_utf8_is_reported_at_the_offending_line(seeds_copy):
    line = edit(seeds_copy, "people", -1, {"notes": "Z\u00fcrich marker"})
    path = seeds_copy / "people.csv"
    path.write_bytes(path.read_bytes().replace("Z\u00fcrich marker".encode(), "Z\u00fcrich marker".encode("latin-1")))
    assert_reported(validate(seeds_copy), path, line, "-", "not UTF-8 (byte 0xfc)")


def test_linked_csv_file_is_refused(seeds_copy, tmp_path):
    outside = tmp_path / "motives.csv"
    (seeds_copy / "motives.csv").rename(outside)
    (seeds_copy / "motives.csv").symlink_to(outside)
    assert_reported(validate(seeds_copy), seeds_copy / "motives.csv", 0, "-", "is a link")


def test_missing_csv_file_is_reported(seeds_copy):
    (seeds_copy / "motives.csv").unlink()
    assert_reported(validate(seeds_copy), seeds_copy / "motives.csv", 0, "-", "file is missing")


def test_unknown_csv_file_is_reported_with_a_hint(seeds_copy):
    (seeds_copy / "motive.csv").write_text("motive_code,label,description\n", encoding="utf-8")
    assert_reported(validate(seeds_copy), seeds_copy / "motive.csv", 1, "-",
                    "unknown table motive.csv (did you mean motives.csv?)")


def test_all_problems_are_reported_at_once(seeds_copy):
    name_line = edit(seeds_copy, "people", 0, {"name": ""})
    count_line = edit(seeds_copy, "yearly_counts", {"year": "2023"}, {"total_arrivals": "many"})
    result = validate(seeds_copy)
    assert_reported(result, seeds_copy / "people.csv", name_line, "name", "required field is empty")
    assert_reported(result, seeds_copy / "yearly_counts.csv", count_line, "total_arrivals", "is not a whole number")
    assert f"2 problem(s) in {seeds_copy}" in result.stderr



def in_process(capsys, *argv) -> SimpleNamespace:
    """`python -m defections ARGV` run in this process; an exception escaping main() fails the test."""
    code = main([*map(str, argv)])
    return SimpleNamespace(returncode=code, stderr=capsys.readouterr().err)


@pytest.mark.parametrize("in_header", [False, True], ids=["in a row", "in the header"])
def test_an_unclosed_quote_in_a_large_file_is_reported_at_its_row(seeds_copy, tmp_path, capsys, in_header):
    path = seeds_copy / "people.csv"
    text = path.read_text(encoding="utf-8")
    line = 1 if in_header else text.count("\n") + 1
    unclosed = 'K99,"Kim' + " and more text" * 20_000 + "\n"  # runs past the csv module's field limit
    path.write_text(unclosed + text if in_header else text + unclosed, encoding="utf-8")
    for command in (["validate"], ["build", "--db", tmp_path / "defections.duckdb"]):
        result = in_process(capsys, *command, "--seeds", seeds_copy)
        assert_reported(result, path, line, "-", "field larger than field limit")
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "defections.duckdb").exists()


@pytest.mark.parametrize("name, method", [("people.csv", "read_bytes"), (DOCUMENT, "read_bytes")])
def test_an_unreadable_seed_is_reported_not_raised(seeds_copy, capsys, monkeypatch, name, method):
    # Tests run as root, where chmod 000 does not stop reading: the read is made to fail instead.
    real = getattr(Path, method)

    def refuse(path, *args, **kwargs):
        if path.name == name:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(Path, method, refuse)
    result = in_process(capsys, "validate", "--seeds", seeds_copy)
    if name == DOCUMENT:
        line = line_of(seeds_copy, "sources", {"document": DOCUMENT})
        assert_reported(result, seeds_copy / "sources.csv", line, "document", f"{DOCUMENT!r} cannot be read")
    else:
        assert_reported(result, seeds_copy / name, 0, "-", "cannot be read (Permission denied)")


def test_one_page_given_as_two_sources_is_reported_at_the_second(seeds_copy):
    # S079 and S000 were one Newser page, and Ri Il Kyu's card listed it twice (release 2026.12.3 merged them).
    first = find(seeds_copy, "sources", source_id="S000")
    line = append(seeds_copy, "sources", first, {"source_id": "S9999", "document": "", "reliability": "primary"})
    assert_reported(run_cli("validate", "--seeds", seeds_copy), seeds_copy / "sources.csv", line, "url",
                    f"{first['url']!r} is given again, first on line {line_of(seeds_copy, 'sources', first)}")
