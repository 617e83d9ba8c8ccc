"""Files for analysts: CSV in UTF-8 with BOM (spreadsheets then show Korean names right), no live
formulas; and an Excel workbook with typed cells, for those who open the data in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import xlsxwriter

from defections.filters import Filters

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as CSV bytes: BOM, header, every text cell neutralised."""
    safe = frame.copy()
    for column in safe.columns:
        text = safe[column]
        if text.dtype == object:  # mixed cells: only the strings among them can be formulas
            risky = text.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_STARTS), na_action="ignore")
            safe[column] = text.where(~risky.fillna(False).astype(bool), "'" + text.astype("string"))
        elif pd.api.types.is_string_dtype(text):
            risky = text.str.startswith(FORMULA_STARTS).fillna(False).astype(bool)
            if risky.any():
                safe[column] = text.where(~risky, "'" + text)
    return _write(safe)


def _write(frame: pd.DataFrame) -> bytes:
    # Arrow's writer is about ten times faster than pandas' (a 270,000-row export in well under a
    # second); it quotes every text value. Dates are written as days, as the database holds them.
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow([str(c) for c in out.columns])
    try:
        # A one-column row of a single empty cell would be a blank line, which CSV readers skip.
        if len(out.columns) < 2:
            raise pa.ArrowInvalid("one column")
        table = pa.Table.from_pandas(out, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # or a column mixing types: pandas writes anything
        return out.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")
    body = io.BytesIO()
    pa_csv.write_csv(table, body, pa_csv.WriteOptions(include_header=False, quoting_style="needed"))
    return "\ufeff".encode() + header.getvalue().encode("utf-8") + body.getvalue()


# A date column is a date cell only where the row dates it to the day; otherwise its period is text
# ("October 1956"), never a made-up first day that a spreadsheet would show as 10/01/56.
DATE_PRECISION = {"defection_date": "date_precision", "disclosed_date": "disclosed_precision"}


def workbook_bytes(frame: pd.DataFrame, sheet: str = "defections") -> bytes:
    """The frame as an .xlsx workbook: text as text (no cell is ever read as a formula or a link),
    numbers and booleans typed, dates as dates only where day-precise, the header row frozen."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                     "strings_to_numbers": False})
    # A fixed creation time: the same rows give the same bytes, so a file can be compared and cited.
    book.set_properties({"created": dt.datetime(2000, 1, 1)})
    page = book.add_worksheet(sheet[:31])
    bold, day = book.add_format({"bold": True}), book.add_format({"num_format": "yyyy-mm-dd"})
    columns = list(frame.columns)
    for c, name in enumerate(columns):
        page.write_string(0, c, str(name), bold)
    for r, row in enumerate(frame.itertuples(index=False), start=1):
        values = dict(zip(columns, row))
        for c, name in enumerate(columns):
            _write_cell(page, r, c, values[name], values.get(DATE_PRECISION.get(name, "")), day)
    page.freeze_panes(1, 2)  # the header and the id and person stay in view
    book.close()
    return out.getvalue()


def _write_cell(page, row: int, col: int, value, precision, day_format) -> None:
    if value is None or (not isinstance(value, (list, tuple, str)) and pd.isna(value)):
        return
    if isinstance(value, (bool, np.bool_)):
        page.write_boolean(row, col, bool(value))
    elif isinstance(value, (pd.Timestamp, dt.date)):
        if precision in (None, "day"):
            page.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), day_format)
        else:  # a month or a year: the first day would read as a real date
            page.write_string(row, col, pd.Timestamp(value).strftime("%Y-%m" if precision == "month" else "%Y"))
    elif isinstance(value, (int, float, np.number)):
        page.write_number(row, col, float(value))
    else:
        page.write_string(row, col, str(value))


def events_file_name(filters: Filters, search: str = "") -> str:
    """A file name that states the filters and the name searched, e.g. defections_2023-2023_Cuba.csv,
    defections_all_search-Ri-Il-Kyu.csv."""
    described = filters.describe() + (f"_search-{search}" if search else "")
    safe = "".join(ch if ch.isalnum() or ch in "-_+." else "-" for ch in described)
    return f"defections_{safe[:120]}.csv"


def workbook_file_name(filters: Filters, search: str = "") -> str:
    """The workbook beside the events CSV: the same name, ending .xlsx."""
    return events_file_name(filters, search).removesuffix(".csv") + ".xlsx"
