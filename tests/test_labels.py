"""labels.plain, the one escaping helper: bidi controls and icon or emoji shortcodes are neutralised too."""

from __future__ import annotations

import re

import pytest
from helpers import open_page, script

from defections.labels import plain

BIDI = ["\u202e", "\u202d", "\u202a", "\u202b", "\u202c", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f",
        "\u061c"]
# What Streamlit's frontend looks for in a markdown source: ":material/" (rewritten to an icon) and an
# emoji shortcode (remark-emoji is loaded when this matches), see labels.SHORTCODE.
ICON = re.compile(r":material/")
EMOJI = re.compile(r":(?!material/|streamlit:)[\w+-][\w_+-]*:")


@pytest.mark.parametrize("control", BIDI, ids=[f"U+{ord(c):04X}" for c in BIDI])
def test_plain_removes_bidi_controls(control):
    assert plain(f"Ri Il Kyu{control}gnissim") == "Ri Il Kyugnissim"


@pytest.mark.parametrize("text", [":material/home:", "see :material/warning: here", ":smile:", ":+1:",
                                  "::material/lock::", ":material/home:material/home:"])
def test_plain_leaves_no_icon_or_emoji_shortcode(text):
    escaped = plain(text)
    unescaped = re.sub(r"\\(.)", r"\1", escaped)  # what the markdown parser hands the shortcode plugins
    assert not ICON.search(escaped) and not ICON.search(unescaped)
    assert not EMOJI.search(unescaped)


def test_plain_keeps_ordinary_colons_readable():
    assert plain("Havana: 14 February 2024, 10:30") == r"Havana\: 14 February 2024, 10\:30"


def test_a_search_text_with_bidi_controls_does_not_reverse_the_pages_sentence(db_path):
    info = [i.value for i in open_page(script("events"), q="\u202eabc:material/home:").info]
    sentence = next(text for text in info if "No selected defection has a name, post or city matching" in text)
    assert not any(control in sentence for control in BIDI)
    assert ":material/" not in sentence
