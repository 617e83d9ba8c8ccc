""""Cite this view": the short text an analyst pastes under a chart or beside a download. Pure text, no Streamlit."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode, urlsplit

TITLE = "North Korean elite defections"
# The README's Licence section states these terms; keep the two in step.
LICENCE = ("Curated data: CC BY 4.0. Quoted passages are short quotations of third-party publications, cited "
           "with their sources, and are not relicensed.")


def view_url(base: str, params: dict[str, list[str]]) -> str:
    """The view's address: the page's URL and its query string, every value of a repeated parameter kept
    (?years=2016&years=2024&post=China)."""
    query = urlencode([(key, value) for key, values in params.items() for value in values])
    if not urlsplit(base).path:  # the home page: the address bar shows its slash (http://host/?years=…)
        base += "/"
    return f"{base}?{query}" if query else base


def cite_text(page_title: str, url: str, as_of: dt.date | None, accessed: dt.date,
              file_name: str | None = None, release: str | None = None) -> str:
    """Title, the view's URL, the data's as-of date, the access date and the licence; with `file_name`,
    the download it accompanies; with `release` ("release 2026.12.1"), the data's release."""
    # The overview's title is the dashboard's own: named once.
    heading = TITLE if page_title == TITLE else f"{TITLE}: {page_title}"
    lines = [f"{heading}. Analyst dashboard (curated record of defections and their sources).",
             url,
             f"Data as of {as_of.isoformat() if as_of else 'an unknown date'}; accessed {accessed.isoformat()}.",
             LICENCE]
    if release:
        lines.insert(2, f"Data: {release}.")
    if file_name:
        lines.insert(2, f"File: {file_name} (its columns are described in the data dictionary, docs/sql-interface.md).")
    return "\n".join(lines)


def dataset_cite_text(release_label: str, as_of: dt.date | None) -> str:
    """The whole dataset's citation (the bundle's CITATION.txt): the release, the as-of date and the licence.
    No access date or address, so the same database always gives the same text."""
    return "\n".join([f"{TITLE}: the whole dataset, {release_label}. Curated record of defections and their sources.",
                      f"Data as of {as_of.isoformat() if as_of else 'an unknown date'}.",
                      "Cite the release (e.g. 2026.12.1) with the date you downloaded it; RELEASE_NOTES.md lists "
                      "what each release added, removed and corrected.",
                      LICENCE, ""])


def cff(status, as_of: dt.date | None) -> str:
    """CITATION.cff (Citation File Format 1.2.0) for the dataset; `status` is a release_status row."""
    version = status["last_release"] if status["is_release"] else status["label"]
    lines = ["cff-version: 1.2.0",
             'message: "If you use this dataset, please cite it as below."',
             "type: dataset",
             f'title: "{TITLE}: curated record of defections and their sources"',
             f'version: "{version}"',
             "authors:",
             '  - name: "The curators of the North Korean elite defections dashboard"',
             "license: CC-BY-4.0",
             f'abstract: "Defections of North Korean elites, with the sources and quotes behind every fact. '
             f'Data as of {as_of.isoformat() if as_of else "an unknown date"}."']
    if status["is_release"]:
        lines.append(f"date-released: {status['last_released_on']:%Y-%m-%d}")
    return "\n".join(lines) + "\n"
