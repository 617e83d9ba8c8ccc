"""How values read in text: one mark for a missing value, plurals that agree with their count, and the
one-line forms of timeline items that narrow screens list instead of drawing."""

from __future__ import annotations

import pandas as pd

from defections import frames

MISSING = "—"  # every page, table, card and hover label shows a missing value as this
# The Cuba panel's rows, named once for the query that fills them and the chart and list that read them.
CLOSURES_TRACK = "North Korea's embassy closures"
HAVANA_TRACK = "Defections from Havana"


def or_missing(value) -> str:
    """The value as text, or MISSING when nothing is recorded."""
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)) or str(value).strip() == "":
        return MISSING
    return str(value)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """"1 row", "2 rows", "1,000 rows"; `plural_form` for irregular words ("1 person", "2 people")."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}"


def not_counted(counts) -> str:
    """What a selection holds beside its completed defections, named so it is never taken for part of the
    count: "3 denied reports and 1 failed attempt are listed but not counted" ("" when there is none).
    `counts` is a row of queries.selection_counts."""
    left_out = [plural(int(counts[column]), singular, several) for column, singular, several in
                (("denied", "denied report", None), ("failed", "failed attempt", None),
                 ("unresolved", "attempt of unknown outcome", "attempts of unknown outcome"))
                if int(counts[column])]
    if not left_out:
        return ""
    listed = left_out[0] if len(left_out) == 1 else ", ".join(left_out[:-1]) + " and " + left_out[-1]
    verb = "is" if len(left_out) == 1 and listed.startswith("1 ") else "are"
    return f"{listed} {verb} listed but not counted"


def havana_sequence_lines(items: pd.DataFrame) -> list[tuple[str, str]]:
    """The Havana sequence as (date, what happened) lines in date order, the closures as one span and
    each defection with its disclosure; the other Cuba events are left to the full table."""
    lines = []
    closures = items[items["track"] == CLOSURES_TRACK]
    if len(closures):
        last = closures.loc[closures["period_end"].idxmax()]
        lines.append((closures["date"].min(), f"{closures.iloc[0]['period']} – {last['period']}",
                      f"North Korea's embassy closures ({plural(len(closures), 'report')})"))
    for r in frames.rows(items[items["headline"].notna() & (items["track"] != CLOSURES_TRACK)]):
        made_public = f"; made public {r.disclosed_period}" if isinstance(r.disclosed_period, str) else ""
        lines.append((r.date, r.period, f"{r.headline}{made_public}"))
    return [(when, what) for _, when, what in sorted(lines, key=lambda line: pd.Timestamp(line[0]))]


def timeline_lines(events: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """The timeline as a list for phones: per decade, one line per defection in date order
    ("November 2023 · Ri Il Kyu · Cuba, Havana · made public 16 July 2024")."""
    decades: dict[str, list[str]] = {}
    for r in frames.rows(events):
        made_public = f"made public {r.disclosed_period}" if isinstance(r.disclosed_period, str) else \
            f"made public {MISSING}"
        decades.setdefault(f"{r.period_start.year // 10 * 10}s", []).append(
            f"{r.defection_period} · {r.person} · {or_missing(r.post)} · {made_public}")
    return list(decades.items())


def motive_lines(counts: pd.DataFrame) -> list[str]:
    """The motives chart as a list for phones: one line per motive, most defections first
    ("Fear of punishment on return home: 4 defections (media 2; several 1; …)")."""
    lines = []
    for motive, part in counts.groupby("motive", sort=False):
        sides = "; ".join(f"{r.attributed_to} {r.defections}" for r in frames.rows(part))
        lines.append(f"{motive}: {plural(int(part['defections'].sum()), 'defection')} ({sides})")
    return lines
