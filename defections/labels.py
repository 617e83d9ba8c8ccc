"""How things read on a page: column headings, the event detail's field names, and data text escaped
so markdown shows it literally. No Streamlit here: queries and the CLI read these too."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&:])")
# Streamlit's markdown (GFM) links bare web and e-mail addresses after it has decoded the backslash
# escapes, so escaping cannot stop it; an invisible word joiner (U+2060) inside the scheme, after
# "www" and before "@" does. Only source links (source_link) and page links stay clickable.
AUTOLINK = re.compile(r"(?i)(?:https?|mailto|xmpp)(?=:)|www(?=\.)|(?=@)")
WORD_JOINER = "\u2060"


def plain(text) -> str:
    """Text from the data or a visitor, escaped so markdown renders it literally: no markup, no HTML,
    no link (not even a bare address). Every value a page puts into markdown goes through here."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    inert = AUTOLINK.sub(lambda match: match.group(0) + WORD_JOINER, str(text))
    return MARKDOWN_SPECIALS.sub(r"\\\1", inert)


def source_link(title, url) -> str:
    """A markdown link to a source, only for an http(s) address; otherwise the title as text."""
    if isinstance(url, str) and re.match(r"https?://[^\s<>]+$", url):
        return f"[{plain(title)}](<{url}>)"
    return plain(title)


@dataclass(frozen=True)
class Heading:
    """A column heading with how the column is shown: text, date, number or link (ui turns it into
    Streamlit's column config)."""

    label: str
    kind: str = "text"  # text, date, number, link
    width: str | None = None
    display_text: str | None = None  # a link's visible text
    format: str | None = None  # a number's format


# The event detail's fields, in the order shown (queries.event_detail).
DETAIL_FIELDS = {
    "event_id": "Id", "person": "Person", "name_variants": "Also written", "position": "Position",
    "elite_category": "Elite category", "post_country": "Post country", "post_city": "Post city",
    "region": "Region", "defection_period": "Defected", "date_precision": "Date precision",
    "disclosed_period": "Made public", "disclosure_lag": "Time until public",
    "confirmation_status": "Confirmation", "confirmed_by": "Confirmed by", "confirmed_date": "Confirmed on",
    "destination": "Destination", "accompanied_by": "Accompanied by", "motives": "Motives", "summary": "Summary",
    "notes": "Notes",
}

# Column headings shared by every table; a column not listed keeps its name.
HEADINGS: dict[str, str | Heading] = {
    **DETAIL_FIELDS,
    "motive": "Motive", "attributed_to": "Kind of attribution", "attributed_by": "Attributed by",
    "defections": "Defections", "attributors": "Attributors (defections)",
    "evidence_quote": Heading("Quote", width="large"),
    "quote_gloss": Heading("Gloss (English)", width="medium"),
    "correction_id": "Correction", "corrected_on": Heading("Corrected on", kind="date"),
    "summary": Heading("Summary", width="large"),
    "source_title": "Source", "source_id": "Source id", "title": Heading("Title", width="medium"),
    "publisher": "Publisher", "published_date": Heading("Published", kind="date"),
    "url": Heading("URL", kind="link", display_text="open"),
    "source_url": Heading("Link", kind="link", display_text="open source"),
    "document": "Document", "reliability": "Reliability", "fact_count": "Facts citing it",
    "fact_kind": "Kind of fact", "fact_id": "Fact id", "fact": "Fact", "context_id": "Id",
    "event_period": "Date", "actors": "Actors", "event_type": "Type",
    "disclosure_lag_days": Heading("Days until public", kind="number", format="%d"),
    "revision_id": "Revision", "table_name": "Table", "row_key": "Row", "column_name": "Column",
    "previous_value": "Earlier value", "current_value": "Current value",
    "revised_on": Heading("Revised on", kind="date"),
    "reason": Heading("Why", width="large"),
    "change": "Change", "release": "Release", "what": Heading("What", width="large"),
    "event_card": Heading("Event card", kind="link", display_text="open card"),
    "made_in_release": "Made in release",
    "field": Heading("Field", width="small"),
    "value": Heading("Value", width="large"),
}
