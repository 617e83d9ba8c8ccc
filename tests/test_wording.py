"""How values read: one missing mark, plurals that agree with their count."""

from __future__ import annotations

import pandas as pd
import pytest

from defections import wording
from defections.wording import MISSING, or_missing, plural


@pytest.mark.parametrize(("count", "expected"), [(0, "0 rows"), (1, "1 row"), (2, "2 rows"), (1000, "1,000 rows")])
def test_plural_agrees_with_the_count(count, expected):
    assert plural(count, "row") == expected


@pytest.mark.parametrize("value", [None, float("nan"), "", "  "])
def test_nothing_recorded_reads_as_the_missing_mark(value):
    assert or_missing(value) == MISSING == "—"


def test_a_recorded_value_reads_as_itself():
    assert or_missing("Havana") == "Havana" and or_missing(0) == "0"


def test_the_motives_list_for_phones_counts_each_defection_once_per_motive():
    counts = pd.DataFrame({"motive": ["fear", "fear", "children"], "attributed_to": ["media", "several", "self"],
                           "defections": [2, 1, 1]})
    assert wording.motive_lines(counts) == ["fear: 3 defections (media 2; several 1)",
                                            "children: 1 defection (self 1)"]
