"""The whole dataset in one zip: every public view as CSV and Parquet, the events as an Excel workbook, the data
dictionary, the methodology, the licence, a citation naming the release (also CITATION.cff) and the release notes.

Built only from the database and the repository's docs, with fixed file times, so the Sources page's button
and `python -m defections export bundle` give the same bytes for the same database."""

from __future__ import annotations

import io
import zipfile

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from defections import citation, queries, release
from defections.db import frame, own_cursor, query_sql
from defections.export import csv_bytes, workbook_bytes
from defections.filters import Filters
from defections.paths import ROOT

# Fixed: a zip's entries carry a time, and the time of building would make every download differ.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/legalcode"


def public_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The public views' names, as the database lists them (the data dictionary reads the same list)."""
    return frame(con, query_sql("public_views"))["view_name"].tolist()


def file_name(con: duckdb.DuckDBPyConnection) -> str:
    """defections_2026.12.1.zip, or defections_unreleased-since-2026.12.1.zip."""
    return f"defections_{release.file_label(release.release_label(con))}.zip"


def bundle_bytes(con: duckdb.DuckDBPyConnection) -> bytes:
    """The zip, as bytes."""
    label = release.release_label(con)
    files: dict[str, bytes] = {"README.txt": _readme(label).encode()}
    for view in public_views(con):
        # Every column in the sort: the same rows in the same order on every call, so the same bytes.
        sql = f'FROM "{view}" ORDER BY ALL'  # a name from the catalog, never from input
        with own_cursor(con) as cursor:
            # The CSV from a DataFrame, as every other download of the app is made; Parquet from Arrow,
            # which keeps the column types.
            rows, table = cursor.sql(sql).df(), cursor.sql(sql).to_arrow_table()
        files[f"csv/{view}.csv"] = csv_bytes(_lists_as_text(rows))
        parquet = io.BytesIO()
        pq.write_table(table, parquet)
        files[f"parquet/{view}.parquet"] = parquet.getvalue()
    # The Events page's workbook of every defection, as an analyst opens it in a spreadsheet.
    files["defections.xlsx"] = workbook_bytes(queries.export_events(con, Filters()))
    dictionary = queries.data_dictionary(con)
    files["data_dictionary.csv"] = csv_bytes(dictionary)
    files["data_dictionary.md"] = queries.dictionary_markdown(dictionary).encode()
    files["methodology.md"] = (ROOT / "docs" / "methodology.md").read_bytes()
    files["LICENCE.txt"] = _licence().encode()
    files["CITATION.txt"] = citation.dataset_cite_text(label, queries.as_of(con)).encode()
    files["CITATION.cff"] = citation.cff(release.release_status(con).iloc[0], queries.as_of(con)).encode()
    files["RELEASE_NOTES.md"] = release.release_notes(con).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, data in files.items():
            entry = zipfile.ZipInfo(name, ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, data)
    return out.getvalue()


def _lists_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    # A CSV cell holds no list (events.search_keys): its items joined by "; ", as name_variants reads.
    # The Parquet file keeps the list.
    listed = [c for c in frame.columns
              if frame[c].dtype == object and frame[c].map(lambda v: isinstance(v, (list, np.ndarray))).any()]
    if not listed:
        return frame
    joined = {c: frame[c].map(lambda v: "; ".join(map(str, v)) if isinstance(v, (list, np.ndarray)) else v)
              for c in listed}
    return frame.assign(**joined)


def _readme(label: str) -> str:
    return f"""North Korean elite defections: the whole dataset ({label}).

csv/        every public view of the database as CSV: UTF-8 with BOM, cells a spreadsheet would run as a
            formula prefixed with ' (the same as the dashboard's downloads), a list's items joined by "; "
parquet/    the same views as Parquet, with their column types (ENUM columns as text)
defections.xlsx     every defection as the Events page's Excel workbook (dates typed where known to the day)
data_dictionary.csv, data_dictionary.md   every column of the views and curated tables, and what it means
methodology.md      how the data is collected, coded and checked
LICENCE.txt         the terms of use
CITATION.txt, CITATION.cff   how to cite this release
RELEASE_NOTES.md    every release, what it added and removed; the views `corrections` (its made_in_release)
                    and `row_releases` say which release each correction and each row came with
"""


def _licence() -> str:
    return f"""{citation.LICENCE}

The curated data (the tables of this bundle, built from the dashboard's seeds) is licensed under the
Creative Commons Attribution 4.0 International licence (CC BY 4.0): you may share and adapt it for any
purpose, provided you give appropriate credit (CITATION.txt gives the text), link to the licence and
indicate if changes were made. The licence's full legal code: {LICENCE_URL}

The held passages (the view `evidence`, the `evidence_quote` and `quote` columns) are short quotations of
third-party publications, each cited with its source (title, publisher, URL). They remain their
publishers' and are not relicensed.
"""
