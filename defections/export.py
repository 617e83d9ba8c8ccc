"""CSV for analysts: UTF-8 with BOM (spreadsheets then show Korean names right), no live formulas."""

from __future__ import annotations

import pandas as pd

from defections.filters import Filters

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as CSV bytes: BOM, header, every text cell neutralised."""
    safe = frame.copy()
    for column in safe.columns:
        if pd.api.types.is_string_dtype(safe[column]) or safe[column].dtype == object:
            text = safe[column]
            risky = text.map(lambda v: isinstance(v, str), na_action="ignore").fillna(False).astype(bool)
            risky &= text.astype("string").str.startswith(FORMULA_STARTS).fillna(False).astype(bool)
            safe[column] = text.where(~risky, "'" + text.astype("string"))
    return safe.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def events_file_name(filters: Filters) -> str:
    """A file name that states the filters, e.g. defections_2023-2023_Cuba.csv."""
    safe = "".join(ch if ch.isalnum() or ch in "-_+." else "-" for ch in filters.describe())
    return f"defections_{safe[:120]}.csv"


def dictionary_markdown(dictionary: pd.DataFrame) -> str:
    """The data dictionary as markdown: one table per view or curated table (docs/sql-interface.md)."""
    lines = ["# Data dictionary", "",
             "Generated from the database schema by `python -m defections dictionary`; a test keeps it current.",
             "Query the public views; the curated tables in schema `seed` hold the seeds as loaded.", ""]
    for (layer, table), columns in dictionary.groupby(["layer", "table"], sort=False):
        lines += [f"## `{table}` ({layer})", "", "| column | type | meaning |", "|---|---|---|"]
        lines += [f"| `{c.column}` | {c.type} | {c.meaning} |" for c in columns.itertuples()]
        lines.append("")
    return "\n".join(lines)
