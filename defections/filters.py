"""The analyst's filters: the year range, and FILTERS, one entry per choice filter (region, post, category,
confirmation, outcome). An entry drives everything about its filter on the Python side: the Filters model,
its cleaning from a URL, what a link asked for that does not exist, the sidebar widget bound to the URL,
the CLI flag and its message, the download file names and the filters in words. Its SQL is its clause in
the table macro selected_events (sql/views.sql), and its valid values a branch of filter_choices there.
README.md, "Adding a filter", gives the recipe."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Filter:
    """One choice filter: a multiselect in the sidebar, a repeatable flag of the CLI, a list in SQL."""

    key: str  # the URL parameter and the widget's key, the CLI flag (--key), and its name in messages
    name: str  # the Filters attribute, the selected_events parameter and the filter_options list
    column: str  # the column of the `events` view its clause in selected_events selects on
    label: str  # the sidebar widget's label
    placeholder: str  # what the widget says when nothing is chosen ("all")
    help: str = ""  # the widget's tooltip
    notes_intro: str = ""  # said in the tooltip before the filter's notes (filter_options["notes"]), if any
    metavar: str = ""  # the CLI flag's value in --help
    cli_help: str | None = None  # the CLI flag's help


FILTERS = (
    Filter("region", "regions", "region", "Region", "All regions",
           help="Region of the post. A post whose country no source names (or, in Russia, whose city) has no "
                "region: any region filter leaves it out, even with every region chosen.",
           notes_intro=" Where a country's posts lie in several regions, the city decides: ", metavar="REGION",
           cli_help="region of the post, e.g. Europe or 'East Asia' (Vladivostok counts as East Asia)"),
    Filter("post", "posts", "post_country", "Post (country)", "All posts", metavar="COUNTRY"),
    Filter("category", "categories", "elite_category", "Elite category", "All categories", metavar="CATEGORY"),
    Filter("confirmation", "confirmations", "confirmation_status", "Confirmation", "Any confirmation",
           help="confirmed: by a government · self-disclosed: by the defector · multiple-reports: two or more "
                "independent outlets · single-report · denied: by a government",
           metavar="STATUS"),
    Filter("outcome", "outcomes", "outcome", "Outcome", "Any outcome",
           help="completed: got out for good (the only rows counted) · failed: caught or sent back · unknown: "
                "no source gives the result, and every denied report. Tables list every outcome; counts and "
                "charts sum completed defections only.",
           metavar="OUTCOME", cli_help="completed, failed or unknown (default: every outcome is listed; only "
                                       "completed defections are counted)"),
)


@dataclass(frozen=True, init=False)
class Filters:
    """What the sidebar selects. Empty tuples mean "all"; None years mean "no bound". The choices are
    given by name, Filters(2016, 2024, posts=("Cuba",)), and read the same way, filters.posts."""

    year_from: int | None
    year_to: int | None
    chosen: tuple[tuple[str, ...], ...]  # the values chosen for each entry of FILTERS, in its order

    def __init__(self, year_from: int | None = None, year_to: int | None = None, **chosen: Sequence[str]):
        unknown = set(chosen) - {f.name for f in FILTERS}
        if unknown:
            raise TypeError(f"no filter named {', '.join(sorted(unknown))}")
        object.__setattr__(self, "year_from", year_from)
        object.__setattr__(self, "year_to", year_to)
        object.__setattr__(self, "chosen", tuple(tuple(chosen.get(f.name, ())) for f in FILTERS))

    def __getattr__(self, name: str) -> tuple[str, ...]:
        # Only called for names that are not attributes: filters.posts is the values chosen for posts.
        for f, values in zip(FILTERS, self.__dict__.get("chosen", ())):
            if f.name == name:
                return values
        raise AttributeError(name)

    def params(self) -> dict:
        """Bound parameters: `filters`, the selection as one struct for the table macro selected_by
        (sql/views.sql), and the year bounds for queries that take only those."""
        selection = {"year_from": self.year_from, "year_to": self.year_to,
                     **{f.name: list(values) for f, values in zip(FILTERS, self.chosen)}}
        return {"filters": selection, "year_from": self.year_from, "year_to": self.year_to}

    def in_words(self) -> str:
        """The filters in force as a reader says them ("years 2016–2024 · region Europe"); "" for none."""
        parts = []
        if self.year_from is not None or self.year_to is not None:
            parts.append(f"years {self.year_from or '…'}–{self.year_to or '…'}")
        parts += [f"{f.key} " + ", ".join(values) for f, values in zip(FILTERS, self.chosen) if values]
        return " · ".join(parts)

    def describe(self) -> str:
        """A short human description, also used in download file names."""
        parts = []
        if self.year_from is not None or self.year_to is not None:
            parts.append(f"{self.year_from or '…'}-{self.year_to or '…'}")
        parts += ["+".join(values) for values in self.chosen if values]
        return "_".join(parts) or "all"


def clean(year_range, chosen: Mapping[str, Sequence[str]], known: Mapping[str, Sequence[str]], *,
          bounds) -> Filters:
    """Keep only valid values: a reversed year range is put in order, unknown names are dropped.
    `chosen` and `known` hold values by filter name ("posts"); a filter missing from either chooses all."""
    low, high = bounds
    year_from = year_to = None
    if year_range and len(year_range) == 2:
        try:
            a, b = sorted(int(y) for y in year_range)
        except (TypeError, ValueError):
            a, b = low, high
        year_from, year_to = max(a, low), min(b, high)
        if year_from > year_to or (year_from, year_to) == (low, high):
            # The full extent is no filter at all: context and yearly figures outside the
            # defections' years (ties of 1960, embassies of 2025) then stay in view.
            year_from = year_to = None
    return Filters(year_from, year_to,
                   **{f.name: _known(chosen.get(f.name), known.get(f.name, ())) for f in FILTERS})


def _known(values, known) -> tuple[str, ...]:
    allowed = set(known)
    return tuple(v for v in dict.fromkeys(values or ()) if v in allowed)


def dropped(asked: dict[str, list[str]], options: dict) -> list[str]:
    """What a link asks for that does not exist, as "post Atlantis" (one entry per value; the years as
    one entry, "years 1800–2100"). `asked` holds the URL's values per parameter; `options` is
    queries.filter_options. Judged against what exists, not against the widgets' values: those
    differ from the URL for a moment after every click."""
    lost = []
    years = asked.get("years") or []
    if years and options["years"] is not None:
        lo, hi = options["years"]
        try:
            fits = len(years) == 2 and all(lo <= int(y) <= hi for y in years)
        except ValueError:
            fits = False
        if not fits:
            lost.append("years " + "–".join(years))
    for f in FILTERS:
        valid = set(options[f.name])
        lost += [f"{f.key} {value}" for value in dict.fromkeys(asked.get(f.key) or ()) if value not in valid]
    return lost


def unknown_in_cli(asked: Mapping[str, Sequence[str]], options: dict) -> str | None:
    """The CLI's message for flag values that do not exist ("unknown --post 'Atlantis'; posts: …"), listing the
    valid values of the filters asked wrongly; None when every value exists. `asked` holds the values per key."""
    wrong = {f: [value for value in asked.get(f.key, ()) if value not in options[f.name]] for f in FILTERS}
    wrong = {f: values for f, values in wrong.items() if values}
    if not wrong:
        return None
    return (f"unknown {', '.join(f'--{f.key} {value!r}' for f, values in wrong.items() for value in values)}; "
            + "; ".join(f"{f.name}: {', '.join(options[f.name])}" for f in wrong))


def names_in_words() -> str:
    """The filters named as a sentence does: "region, post, category, confirmation and outcome"."""
    keys = [f.key for f in FILTERS]
    return ", ".join(keys[:-1]) + " and " + keys[-1] if len(keys) > 1 else "".join(keys)


def clear() -> None:
    """Reset every sidebar filter to "all", which drops it from the URL (a button's callback, run before
    the page). A bound widget's URL parameter cannot be deleted directly: its value is reset instead."""
    import streamlit as st

    for f in FILTERS:
        if f.key in st.session_state:
            st.session_state[f.key] = []
    if "years" in st.session_state and "_year_bounds" in st.session_state:
        st.session_state["years"] = st.session_state["_year_bounds"]


def sidebar(options: dict) -> tuple[Filters | None, list[str]]:
    """The shared filters in the sidebar, bound to the URL
    (?years=2016&years=2024&region=Europe&post=Cuba&category=diplomat&confirmation=confirmed), from
    queries.filter_options; None when there is no defection. Also returns what the URL asked for that
    does not exist (an unknown post, a garbled year), for the page to say it was dropped."""
    import streamlit as st  # here, not at the top: the CLI imports this module and needs no Streamlit

    if options["years"] is None:  # valid seeds with no defection yet: ui.filters() tells each page
        return None, []
    # Read before the widgets are made: a bound widget drops an invalid URL value silently.
    asked = {name: st.query_params.get_all(name) for name in ("years", *(f.key for f in FILTERS))}
    lo, hi = options["years"]
    chosen = {}
    with st.sidebar:
        st.header("Filters")
        if lo == hi:  # a slider needs two distinct ends; one year is no choice to offer
            st.caption(f"Year of defection: {lo} (every defection in the data)")
            years = None
        else:
            years = st.slider("Year of defection", min_value=lo, max_value=hi, value=(lo, hi), step=1,
                              key="years", bind="query-params")
            st.session_state["_year_bounds"] = (lo, hi)
        for f in FILTERS:
            notes = options["notes"].get(f.name)
            tip = f.help + (f.notes_intro + "; ".join(notes) + "." if notes else "")
            chosen[f.name] = st.multiselect(f.label, options[f.name], key=f.key, bind="query-params",
                                            placeholder=f.placeholder, help=tip or None)
    return clean(years, chosen, options, bounds=(lo, hi)), dropped(asked, options)
