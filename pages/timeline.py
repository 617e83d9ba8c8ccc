"""Timeline: each defection at its date precision, its disclosure lag, and the yearly arrivals."""

import streamlit as st

from defections import cache, charts, queries, ui, wording

MAX_MARKS = 500  # above this many events, draw monthly counts instead of one bar per event

filters = ui.filters()
count = ui.page_header("Timeline", "When did each defection happen, and how long until it became known?", filters)
ui.guard_empty(filters)

def each_defection() -> None:
    """Each defection: a bar per defection at its date's precision, or counts per month."""
    show_context = st.toggle("Show diplomatic context events on the same axis", value=True, key="context",
                             bind="query-params")
    if count <= MAX_MARKS:
        events = cache.cached(queries.timeline_events, filters, MAX_MARKS)
        context = cache.cached(queries.timeline_context, filters) if show_context else None
        wide, narrow = ui.wide_and_narrow("timeline")
        with wide:
            ui.chart(charts.defection_timeline, events, context, name=f"timeline_{filters.describe()}",
                     key="timeline")
        with narrow:  # a phone leaves the chart about 100 px for 70+ bars: list them instead
            st.markdown("\n\n".join(f"**{decade}**\n" + "\n".join(f"- {ui.plain(line)}" for line in lines)
                                     for decade, lines in cache.kept(wording.timeline_lines, events)))
        st.caption("A bar spans the period a source dates the defection to: a day, a month (“November 2023”) or "
                   "a whole year. The dotted line runs to the day it was made public. Rows are grouped by decade; "
                   "narrow the years in the sidebar to zoom in.")
    else:
        density = cache.cached(queries.timeline_density, filters)
        st.info(f"{count:,} defections are too many to draw one by one; showing counts per month.")
        ui.chart(charts.timeline_density, density, name=f"timeline_monthly_{filters.describe()}", key="density")


def per_year() -> None:
    """Per year beside the official figures, and per decade with the confirmed share."""
    ui.dropped_choice("by", queries.TREND_BY)
    ui.dropped_choice("stack", queries.TREND_STACK)
    left, right = st.columns(2)
    # The options are the words the URL holds (?by=disclosure&stack=confirmation): a bound widget stores what
    # it shows.
    by = left.radio("Count each defection in its year of", list(queries.TREND_BY), horizontal=True, key="by",
                    bind="query-params")
    stack = right.radio("Stack the bars by", list(queries.TREND_STACK), horizontal=True, key="stack",
                        bind="query-params")
    trend = cache.cached(queries.yearly_trend, filters, by, stack)
    years = cache.cached(queries.yearly_figures, filters)
    if trend.empty:
        st.info("None of the selected defections has a disclosure date: choose the year of defection.")
    else:
        ui.chart(charts.defection_trend, trend, years, name=f"trend_{by}_{stack}_{filters.describe()}", key="trend")
        left_out = count - int(trend["defections"].sum())
        st.caption("The bars count the defections in this record that the sidebar filters select, each in its year "
                   "of defection or of disclosure. The diamonds are national figures for elite arrivals in South Korea "
                   "in their year of arrival, official (filled) or from the press (hollow), often approximate (~), "
                   "partial (≥) or a range; no filter applies to them. The two differ: many elite arrivals are never "
                   "made public one by one, an arrival can come a year or more after the defection, and the record "
                   "also holds defections to other countries and years with no national figure."
                   + (f" {left_out:,} selected defection(s) with no disclosure date are not counted."
                      if left_out else ""))

    decades = cache.cached(queries.decade_totals, filters)
    st.markdown("**Per decade: how many of the counted defections a government confirmed**")
    ui.table(decades, f"decade_totals_{filters.describe()}")
    st.caption("Is it rising? Read the confirmed share first: in recent decades most cases are press reports "
               "citing unnamed sources, while earlier ones were far more often confirmed by a government, so a rise "
               "in the bars can be a rise in reporting. The record is also least complete for the decades before 1990, "
               "whose cases are found one by one in the press archives of the time (docs/methodology.md, \"How "
               "complete the record is\"). Only completed defections are counted.")


def disclosure_lag() -> None:
    """How long each defection took to become known."""
    summaries = cache.cached(queries.lag_summary, filters)
    summary = summaries.iloc[0]
    if summary.with_lag > MAX_MARKS:  # one span per defection: thousands would stall the browser
        lags = None
        st.info(f"{int(summary.with_lag):,} disclosure lags are too many to draw one by one; the median is below.")
    else:
        lags = cache.cached(queries.lag_distribution, filters, MAX_MARKS)
    if lags is not None and lags.empty:
        st.info("None of the selected defections has a disclosure lag at the precision of its dates (a year-dated "
                "defection or disclosure, or no disclosure date).")
    elif summary.with_lag:
        if lags is not None:
            ui.chart(charts.lag_distribution, lags, summaries,
                     name=f"disclosure_lags_{filters.describe()}", key="lags")
        st.caption(f"Half of the {int(summary.with_lag):,} selected defections with a lag at their dates' precision "
                   f"were made public within {ui.plain(summary['median'])} of defecting. A month-dated defection "
                   "leaves its lag a range, so the median is one too: from the median of the shortest to that of the "
                   "longest lags. "
                   f"{int(summary.without_lag):,} have no lag at this precision: a date known only to the year, or no "
                   "disclosure date.")


def official_arrivals() -> None:
    """The national yearly arrival figures for South Korea."""
    years = cache.cached(queries.yearly_figures, filters)
    if len(years):
        ui.chart(charts.yearly_arrivals, years, name=f"yearly_arrivals_{filters.describe()}", key="yearly")
        st.caption("National figures for South Korea, all posts; no filter applies to them. Elite figures exist "
                   "only for a few years: a bar filled in is an official figure (Unification Ministry, NIS), a hollow "
                   "one a press figure, a hatched one approximate (~) or partial; the Sources page lists each year's "
                   "sources.")


# One view at a time, named in the URL (?view=Per+year): a slider step redraws one chart, not four.
VIEWS = {"Each defection": each_defection, "Per year": per_year, "Disclosure lag": disclosure_lag,
         "Official arrivals": official_arrivals}
ui.dropped_choice("view", VIEWS)
for tab, draw in zip(st.tabs(list(VIEWS), key="view", on_change="rerun", bind="query-params"), VIEWS.values()):
    if tab.open:
        with tab:
            draw()
