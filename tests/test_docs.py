"""Documentation that cannot drift: the SQL interface doc, docstrings, the README's commands."""

from __future__ import annotations

import inspect
import pkgutil
import re
from importlib import import_module
from pathlib import Path

import defections
from defections import queries
from defections.filters import Filters

ROOT = Path(__file__).resolve().parent.parent


def test_sql_interface_doc_matches_the_schema(con):
    committed = (ROOT / "docs" / "sql-interface.md").read_text(encoding="utf-8")
    assert committed == queries.dictionary_markdown(queries.data_dictionary(con)), (
        "docs/sql-interface.md is stale: run `python -m defections dictionary > docs/sql-interface.md`")


def test_every_public_view_column_has_a_meaning(con):
    dictionary = queries.data_dictionary(con)
    undocumented = dictionary[dictionary["meaning"].isna()]
    assert undocumented.empty, undocumented[["table", "column"]].to_string()
    assert {"events", "event_motives", "yearly_counts", "context_events", "sources"} <= set(dictionary["table"])


def test_every_public_function_has_a_docstring():
    missing = []
    for module_info in pkgutil.iter_modules(defections.__path__):
        module = import_module(f"defections.{module_info.name}")
        for name, member in vars(module).items():
            if (inspect.isfunction(member) or inspect.isclass(member)) and not name.startswith("_") \
                    and member.__module__ == module.__name__ and not inspect.getdoc(member):
                missing.append(f"{module.__name__}.{name}")
    assert not missing


def test_readme_names_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^bin/dashboard\b", readme, re.M) and re.search(r"^bin/test\b", readme, re.M)
    assert "bin/test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_readme_sql_examples_run_and_count_what_the_app_counts(con):
    """Every `…selected_events(…)…` query the README shows runs on the database as written, and its
    count is the header's for the same selection (an analyst pastes it into the DuckDB CLI)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = [sql for sql in re.findall(r"`([^`]*selected_events\([^`]*)`", readme) if sql.startswith("SELECT")]
    assert examples, "the README shows no runnable selected_events query"
    europe = queries.events_in_view(con, Filters(year_from=2016, regions=("Europe",)))
    for sql in examples:
        assert con.execute(sql).fetchone()[0] == europe, sql
