"""How things read on a page: column headings, the event detail's field names, and data text escaped
so markdown shows it literally. No Streamlit here: queries and the CLI read these too."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd

MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&:])")
# Streamlit's markdown (GFM) links bare web and e-mail addresses after it has decoded the backslash
# escapes, so escaping cannot stop it; an invisible word joiner (U+2060) inside the scheme, after
# "www" and before "@" does. Only source links (source_link) and page links stay clickable.
AUTOLINK = re.compile(r"(?i)(?:https?|mailto|xmpp)(?=:)|www(?=\.)|(?=@)")
WORD_JOINER = "\u2060"
# Bidirectional controls (embeddings, overrides, isolates, marks) reorder the text around them: a search
# text holding U+202E shows the app's own sentence reversed. Data text never needs them: removed.
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Streamlit turns :material/name: into an icon and :name: into an emoji after it has decoded the
# backslash escapes (its frontend rewrites ":material/" in the source, and loads remark-emoji when
# /:[\w+-][\w_+-]*:/ matches); a word joiner after the opening colon matches neither.
SHORTCODE = re.compile(r":(?=[\w+-][\w/+-]*:)")


def plain(text) -> str:
    """Text from the data or a visitor, escaped so markdown renders it literally: no markup, no HTML,
    no link (not even a bare address), no icon or emoji shortcode, no reordering by bidi controls. Every
    value a page puts into markdown goes through here."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    inert = AUTOLINK.sub(lambda match: match.group(0) + WORD_JOINER, BIDI_CONTROLS.sub("", str(text)))
    inert = SHORTCODE.sub(":" + WORD_JOINER, inert)
    return MARKDOWN_SPECIALS.sub(r"\\\1", inert)


def source_link(title, url) -> str:
    """A markdown link to a source, only for an http(s) address; otherwise the title as text."""
    if isinstance(url, str) and re.match(r"https?://[^\s<>]+$", url):
        return f"[{plain(title)}](<{url}>)"
    return plain(title)


# How the codes stored in the data read on screen (the CSVs and the SQL views keep the codes, which the
# data dictionary explains).
CODE_LABELS = {
    "self": "the defector", "north-korean-officials": "North Korean officials",
    "south-korean-officials": "South Korean officials", "other-governments": "other governments",
    "unnamed-officials": "unnamed officials", "officials": "officials", "media": "media", "analysts": "analysts",
    "several": "several sides",
    "multiple-reports": "multiple reports", "single-report": "single report", "self-disclosed": "self-disclosed",
    "confirmed": "confirmed", "denied": "denied",
    "completed": "completed", "failed": "failed attempt", "unknown": "outcome unknown",
}
LABELLED_COLUMNS = ("attributed_to", "confirmation_status", "outcome")


def code_label(code) -> str:
    """The words for a stored code ("south-korean-officials" reads "South Korean officials")."""
    return CODE_LABELS.get(code, code) if isinstance(code, str) else code


def event_card_path(event_id: str) -> str:
    """The Events page opened on one defection's card, relative to the page linking to it (so a prefix
    the app is served under is kept)."""
    return f"events?{urlencode({'event': event_id})}"


def event_link(label, event_id: str) -> str:
    """A markdown link to a defection's event card, its label escaped like any data text."""
    return f"[{plain(label)}](<{event_card_path(event_id)}>)"


@dataclass(frozen=True)
class Heading:
    """A column heading with how the column is shown: text, date, number or link (ui turns it into
    Streamlit's column config)."""

    label: str
    kind: str = "text"  # text, date, number, link
    pinned: bool | None = None  # stays in view when the table scrolls sideways
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
    "outcome": "Outcome", "outcome_source_title": "Outcome according to", "destination": "Destination",
    "accompanied_by": "Accompanied by", "motives": "Motives", "summary": "Summary",
    "notes": "Notes",
}

# Column headings shared by every table; a column not listed keeps its name.
HEADINGS: dict[str, str | Heading] = {
    **DETAIL_FIELDS,
    "event_id": Heading("Id", pinned=True), "person": Heading("Person", pinned=True),
    "motive": "Motive", "attributed_to": "Kind of attribution", "attributed_by": "Attributed by",
    "defections": "Defections", "attributors": "Attributors (defections)",
    "decade": "Decade", "confirmed": "Confirmed by a government", "unconfirmed": "Not confirmed",
    "confirmed_percent": Heading("Confirmed (%)", kind="number", format="%d%%"),
    "evidence_quote": Heading("Quote", width="large"),
    "quote_gloss": Heading("Gloss (English)", width="medium"),
    "correction_id": "Correction", "corrected_on": Heading("Corrected on", kind="date"),
    "summary": Heading("Summary", width="large"),
    "source_title": "Source", "source_id": "Source id", "title": Heading("Title", width="medium"),
    "publisher": "Publisher", "published_date": Heading("Published", kind="date"),
    "url": Heading("URL", kind="link", display_text="open"),
    "source_url": Heading("Link", kind="link", display_text="open source"),
    "event_card": Heading("Event card", kind="link", display_text="open card"),
    "document": "Document", "reliability": "Reliability", "fact_count": "Facts citing it",
    "fact_kind": "Kind of fact", "fact_id": "Fact id", "fact": "Fact", "context_id": "Id",
    "event_period": "Date", "actors": "Actors", "event_type": "Type",
    "disclosure_lag_days": Heading("Days until public", kind="number", format="%d"),
    "revision_id": "Revision", "table_name": "Table", "row_key": "Row", "column_name": "Column",
    "previous_value": "Earlier value", "current_value": "Current value",
    "revised_on": Heading("Revised on", kind="date"),
    "reason": Heading("Why", width="large"),
    "change": "Change", "release": "Release", "what": Heading("What", width="large"),
    "made_in_release": "Made in release",
    "field": Heading("Field", width="small"),
    "value": Heading("Value", width="large"),
}
