""""Cite this view": the short text an analyst pastes under a chart or beside a download. Pure text, no Streamlit."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

TITLE = "North Korean elite defections"
# The README's Licence section states these terms; keep the two in step.
LICENCE = ("Curated data: CC BY 4.0. Quoted passages are short quotations of third-party publications, cited "
           "with their sources, and are not relicensed.")


def view_url(base: str, params: dict[str, list[str]]) -> str:
    """The view's address: the page's URL and its query string, every value of a repeated parameter kept
    (?years=2016&years=2024&post=China)."""
    query = urlencode([(key, value) for key, values in params.items() for value in values])
    return f"{base}?{query}" if query else base


def cite_text(page_title: str, url: str, as_of: dt.date | None, accessed: dt.date,
              file_name: str | None = None) -> str:
    """Title, the view's URL, the data's as-of date, the access date and the licence; with `file_name`,
    the download it accompanies."""
    lines = [f"{TITLE}: {page_title}. Analyst dashboard (curated record of defections and their sources).",
             url,
             f"Data as of {as_of.isoformat() if as_of else 'an unknown date'}; accessed {accessed.isoformat()}.",
             LICENCE]
    if file_name:
        lines.insert(2, f"File: {file_name} (its columns are described in the data dictionary, docs/sql-interface.md).")
    return "\n".join(lines)
