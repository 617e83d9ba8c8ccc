"""The filter registry (filters.FILTERS) drives the sidebar, the URL, the CLI and the SQL: every entry has a
sidebar widget bound to its URL key, a CLI flag, and a clause in selected_events selecting on its column."""

from __future__ import annotations

import pytest
from helpers import open_page, run_cli, selected_count

from defections import queries
from defections.db import frame
from defections.export import csv_bytes
from defections.filters import FILTERS, Filters, clean, dropped

IDS = [f.key for f in FILTERS]


@pytest.fixture(scope="module")
def options(con) -> dict:
    return queries.filter_options(con)


def some_value(options: dict, name: str) -> str:
    """A value of the filter that selects at least one defection (the first offered that does)."""
    return options[name][0]


def test_every_entry_is_distinct_and_offered(options):
    assert len({f.key for f in FILTERS}) == len({f.name for f in FILTERS}) == len(FILTERS)
    assert {f.key for f in FILTERS}.isdisjoint({"years", "q", "event", "source", "db", "from", "to", "since"})
    for f in FILTERS:
        assert options[f.name], f"filter_options offers no value for {f.name}"
        assert f.name in options["notes"]


def test_every_entry_has_a_sidebar_widget_bound_to_its_url_key(db_path, options):
    at = open_page()
    for f in FILTERS:
        widget = at.multiselect(key=f.key)
        assert widget.label == f.label
        assert widget.placeholder == f.placeholder
        assert list(widget.options) == options[f.name]
        assert (widget.help or "").startswith(f.help)


@pytest.mark.parametrize("entry", FILTERS, ids=IDS)
def test_every_url_key_round_trips(db_path, con, options, entry):
    value = some_value(options, entry.name)
    at = open_page(**{entry.key: value})
    assert at.multiselect(key=entry.key).value == [value]
    assert at.query_params[entry.key] == value  # the bound widget keeps it in the URL
    chosen = Filters(**{entry.name: (value,)})
    assert getattr(chosen, entry.name) == (value,)
    assert selected_count(at) == queries.events_in_view(con, chosen)
    assert chosen.in_words() == f"{entry.key} {value}" and chosen.describe() == value
    assert dropped({entry.key: [value, "Atlantis"]}, options) == [f"{entry.key} Atlantis"]


@pytest.mark.parametrize("entry", FILTERS, ids=IDS)
def test_every_entry_has_a_cli_flag_that_exports_what_the_app_downloads(db_path, con, options, entry):
    assert f"--{entry.key} {entry.metavar}" in run_cli("export", "--help").stdout.decode()
    value = some_value(options, entry.name)
    result = run_cli("export", "events", f"--{entry.key}", value, "--db", db_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == csv_bytes(queries.export_events(con, Filters(**{entry.name: (value,)})))
    unknown = run_cli("export", "events", f"--{entry.key}", "Atlantis", "--db", db_path)
    assert unknown.returncode == 2 and f"unknown --{entry.key} 'Atlantis'" in unknown.stderr
    assert f"{entry.name}: {', '.join(options[entry.name])}" in unknown.stderr


@pytest.mark.parametrize("entry", FILTERS, ids=IDS)
def test_every_entry_selects_on_its_column(con, options, entry):
    """The clause in selected_events compares the registry's column: each value selects exactly the events
    whose column holds it (the column name comes from the registry, never from input)."""
    for value in options[entry.name]:
        selected = frame(con, "SELECT event_id FROM selected_by($filters) ORDER BY event_id",
                         Filters(**{entry.name: (value,)}).params())
        expected = frame(con, f"SELECT event_id FROM events WHERE {entry.column} = $value ORDER BY event_id",
                         {"value": value})
        assert selected["event_id"].tolist() == expected["event_id"].tolist(), value


def test_clean_keeps_known_values_of_every_entry(options):
    asked = {f.name: [options[f.name][0], "Atlantis", options[f.name][0]] for f in FILTERS}
    cleaned = clean(None, asked, options, bounds=options["years"])
    assert all(getattr(cleaned, f.name) == (options[f.name][0],) for f in FILTERS)
    with pytest.raises(TypeError):
        Filters(atlantis=("x",))


def test_analysts_calls_written_before_a_filter_was_added_keep_working(con):
    """selected_events takes named, defaulted parameters: a call by position with fewer arguments (as the
    README's example of an earlier release), a call by name with a few, and the app's call agree."""
    by_position = frame(con, "SELECT event_id FROM selected_events(2016, 2024, [], [], [], ['Europe']) ORDER BY 1")
    by_name = frame(con, "SELECT event_id FROM selected_events(year_from := 2016, year_to := 2024, "
                         "regions := ['Europe']) ORDER BY 1")
    by_app = frame(con, "SELECT event_id FROM selected_by($filters) ORDER BY 1",
                   Filters(2016, 2024, regions=("Europe",)).params())
    everything = frame(con, "SELECT count(*) AS n FROM selected_events()")["n"].item()
    assert by_position.equals(by_name) and by_name.equals(by_app) and 0 < len(by_app) < everything


def test_a_null_list_selects_all_as_the_readme_says(con):
    """'NULL or an empty list means all' (README): each list parameter given NULL selects what [] selects."""
    everything = frame(con, "SELECT count(*) AS n FROM selected_events()")["n"].item()
    assert frame(con, "SELECT count(*) AS n FROM selected_events(NULL, NULL, NULL, NULL, NULL, NULL, NULL)")[
        "n"].item() == everything
    for f in FILTERS:
        # The parameter's name is the registry's (validated by the test below); the value is bound.
        n = con.execute(f"SELECT count(*) FROM selected_events({f.name} := $none)", {"none": None}).fetchone()[0]
        assert n == everything, f.name
    europe = frame(con, "SELECT count(*) AS n FROM selected_events(2016, NULL, NULL, NULL, NULL, ['Europe'], NULL)")
    assert europe["n"].item() == len(frame(con, "SELECT event_id FROM selected_events(2016, NULL, [], [], [], "
                                                 "['Europe'])")) > 0


def test_selected_events_has_one_parameter_per_entry(con):
    """New filters are appended, so calls by position written earlier keep their meaning."""
    parameters = frame(con, "SELECT parameters FROM duckdb_functions() WHERE function_name = 'selected_events'")
    declared = list(parameters["parameters"].item())
    assert declared[:2] == ["year_from", "year_to"]
    assert sorted(declared[2:]) == sorted(f.name for f in FILTERS)
