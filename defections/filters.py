"""The analyst's filters: year range, posts, regions, elite categories, confirmation; how they are
cleaned from a URL, and the sidebar that binds them to it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Filters:
    """What the sidebar selects. Empty tuples mean "all"; None years mean "no bound"."""

    year_from: int | None = None
    year_to: int | None = None
    posts: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    confirmations: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()

    def params(self) -> dict:
        """Bound parameters for the table macro selected_events (sql/views.sql)."""
        return {
            "year_from": self.year_from,
            "year_to": self.year_to,
            "posts": list(self.posts),
            "categories": list(self.categories),
            "confirmations": list(self.confirmations),
            "regions": list(self.regions),
            "outcomes": list(self.outcomes),
        }

    def in_words(self) -> str:
        """The filters in force as a reader says them ("years 2016–2024 · region Europe"); "" for none."""
        parts = []
        if self.year_from is not None or self.year_to is not None:
            parts.append(f"years {self.year_from or '…'}–{self.year_to or '…'}")
        for name, chosen in (("region", self.regions), ("post", self.posts), ("category", self.categories),
                             ("confirmation", self.confirmations), ("outcome", self.outcomes)):
            if chosen:
                parts.append(f"{name} " + ", ".join(chosen))
        return " · ".join(parts)

    def describe(self) -> str:
        """A short human description, also used in download file names."""
        parts = []
        if self.year_from is not None or self.year_to is not None:
            parts.append(f"{self.year_from or '…'}-{self.year_to or '…'}")
        for chosen in (self.regions, self.posts, self.categories, self.confirmations, self.outcomes):
            if chosen:
                parts.append("+".join(chosen))
        return "_".join(parts) or "all"


def clean(year_range, posts, categories, confirmations=(), regions=(), outcomes=(), *, known_posts,
          known_categories, known_confirmations=(), known_regions=(), known_outcomes=(), bounds) -> Filters:
    """Keep only valid values: a reversed year range is put in order, unknown names are dropped."""
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
    return Filters(
        year_from=year_from,
        year_to=year_to,
        posts=_known(posts, known_posts),
        categories=_known(categories, known_categories),
        confirmations=_known(confirmations, known_confirmations),
        regions=_known(regions, known_regions),
        outcomes=_known(outcomes, known_outcomes),
    )


def _known(values, known) -> tuple[str, ...]:
    allowed = set(known)
    return tuple(v for v in dict.fromkeys(values or ()) if v in allowed)


# URL parameter (the widget's key) -> the filter_options list of its valid values.
URL_OPTIONS = {"region": "regions", "post": "posts", "category": "categories", "confirmation": "confirmations",
               "outcome": "outcomes"}


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
    for name, option in URL_OPTIONS.items():
        valid = set(options[option])
        lost += [f"{name} {value}" for value in dict.fromkeys(asked.get(name) or ()) if value not in valid]
    return lost


def clear() -> None:
    """Reset every sidebar filter to "all", which drops it from the URL (a button's callback, run before
    the page). A bound widget's URL parameter cannot be deleted directly: its value is reset instead."""
    import streamlit as st

    for key in URL_OPTIONS:
        if key in st.session_state:
            st.session_state[key] = []
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
    asked = {name: st.query_params.get_all(name) for name in ("years", *URL_OPTIONS)}
    lo, hi = options["years"]
    split = (" Where a country's posts lie in several regions, the city decides: "
             + "; ".join(options["split_countries"]) + ".") if options["split_countries"] else ""
    with st.sidebar:
        st.header("Filters")
        if lo == hi:  # a slider needs two distinct ends; one year is no choice to offer
            st.caption(f"Year of defection: {lo} (every defection in the data)")
            years = None
        else:
            years = st.slider("Year of defection", min_value=lo, max_value=hi, value=(lo, hi), step=1,
                              key="years", bind="query-params")
            st.session_state["_year_bounds"] = (lo, hi)
        regions = st.multiselect("Region", options["regions"], key="region", bind="query-params",
                                 placeholder="All regions",
                                 help="Region of the post." + split)
        posts = st.multiselect("Post (country)", options["posts"], key="post", bind="query-params",
                               placeholder="All posts")
        categories = st.multiselect("Elite category", options["categories"], key="category",
                                    bind="query-params", placeholder="All categories")
        confirmations = st.multiselect("Confirmation", options["confirmations"], key="confirmation",
                                       bind="query-params", placeholder="Any confirmation",
                                       help="confirmed: by a government · self-disclosed: by the defector · "
                                            "multiple-reports: two or more independent outlets · single-report · "
                                            "denied: by a government")
        outcomes = st.multiselect("Outcome", options["outcomes"], key="outcome", bind="query-params",
                                  placeholder="Any outcome",
                                  help="completed: got out for good (the only rows counted) · failed: caught or "
                                       "sent back · unknown: no source gives the result, and every denied report. "
                                       "Tables list every outcome; counts and charts sum completed defections only.")
    chosen = clean(years, posts, categories, confirmations, regions, outcomes, known_posts=options["posts"],
                   known_categories=options["categories"], known_confirmations=options["confirmations"],
                   known_regions=options["regions"], known_outcomes=options["outcomes"], bounds=(lo, hi))
    return chosen, dropped(asked, options)
