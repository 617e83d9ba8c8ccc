"""Chart builders: pure functions, DataFrame in, a plotly figure out, as the dict plotly.js draws
({"data": [...], "layout": {...}}, what go.Figure(...).to_dict() would give). No Streamlit here.

Text from the data is HTML-escaped before it goes into hover labels: plotly renders a subset of
HTML there, and a curated cell must never become markup.

The dicts are not passed through go.Figure when the app draws them: its validation and deep copies
were half of a chart's cost (a chart built and encoded: 26.8-31.2 ms with them, 13.3-15.1 ms without,
96 charts, 2 December 2026),
on every page run with new filters. So they are written in plotly's full form (nested marker={...},
title={"text": ...}, the default template included), and the tests validate every builder's output
with go.Figure; its JSON equals what the validated figure sends, up to encoding (lists where
plotly would send base64 typed arrays, dates without microseconds).
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.io
from plotly.subplots import make_subplots

from defections import frames
from defections.labels import code_label
from defections.queries import HAVANA_SEQUENCE
from defections.wording import CLOSURES_TRACK, HAVANA_TRACK, MISSING, plural

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
ATTRIBUTION_COLOURS = {"self": "#0072B2", "north-korean-officials": "#D55E00", "south-korean-officials": "#E69F00",
                       "other-governments": "#F0E442", "unnamed-officials": "#999999", "media": "#009E73",
                       "analysts": "#CC79A7", "several": "#000000"}
TRACK_COLOURS = {"North Korea–Cuba": "#D55E00", "South Korea–Cuba": "#0072B2",
                 "Both Koreas and Cuba": "#CC79A7", CLOSURES_TRACK: "#009E73", HAVANA_TRACK: "#000000"}
# Served by the app (static/topojson): plotly would otherwise fetch the outlines from its CDN.
TOPOJSON_URL = "/app/static/topojson/"
PLOTLY_CONFIG = {"topojsonURL": TOPOJSON_URL, "displaylogo": False}
# The look every figure gets: plotly's default template, as go.Figure adds it.
TEMPLATE = plotly.io.templates[plotly.io.templates.default].to_plotly_json()


def _esc(value) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else html.escape(str(value))


def _figure(traces: list, heading: str, height: int = 420, **layout) -> dict:
    """The figure from its traces and layout, with the title, height and legend every chart shares;
    `layout` adds to or overrides them, nested keys merged."""
    # The legend goes under the plot, at the foot of the figure: above it, a legend that wraps on a
    # narrow screen grows into the title. Plotly widens the bottom margin to fit it.
    # The title starts below the mode bar's row (about 30 px at the top right): on a phone a long title
    # reaches the right edge, where the bar would cover it.
    shared = {"title": {"text": heading, "automargin": True, "yref": "container", "y": 1, "yanchor": "top",
                        "pad": {"t": 34}},
              "height": height, "margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "hoverlabel": {"align": "left"},
              "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": 0, "yanchor": "bottom",
                         "yref": "container"}}
    return {"data": traces, "layout": {**_merged(shared, layout), "template": TEMPLATE}}


def _merged(base: dict, more: dict) -> dict:
    out = dict(base)
    for key, value in more.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


LEGEND_BELOW_PX = 56  # under the x axis's labels and title


def _set_margins(figure: dict, left: int, bottom: int = 110, top: int = 72) -> dict:
    """The figure with its margins set, not measured: automargin off on the title and every axis, the legend
    under the plot. With automargin plotly.js draws a figure, measures its labels and draws it again; set,
    one draw (docs/benchmarks.md, "Behind the code"). `left` holds the widest y label, `bottom` the x labels,
    the axis title and the legend."""
    layout = figure["layout"]
    axes = {key: {"automargin": False} for key in ("xaxis", "yaxis", *layout) if key.startswith(("xaxis", "yaxis"))}
    legend_y = -LEGEND_BELOW_PX / (layout["height"] - top - bottom)  # in plot heights, from the plot's foot
    return {**figure, "layout": _merged(layout, {
        **axes, "margin": {"l": left, "t": top, "b": bottom}, "title": {"automargin": False},
        "legend": {"yref": "paper", "y": legend_y, "yanchor": "top"}})}


def _label_width(labels) -> int:
    """Pixels for the widest of these y labels at plotly's 12 px font (about 6 px a character), and a gap."""
    return 20 + 6 * max((len(str(label)) for label in labels), default=0)


ROW_LABEL_CHARS = 26  # a longer name would take the plot's width; the hover label has it in full


def _row_label(person, event_id) -> str:
    name = str(person)
    short = name if len(name) <= ROW_LABEL_CHARS else name[:ROW_LABEL_CHARS - 1].rstrip() + "…"
    return f"{_esc(short)} ({_esc(event_id)})"


def post_map(posts: pd.DataFrame) -> dict:
    """Posts on a world map, marker area proportional to the number of defections."""
    hover = [f"<b>{_esc(r.post)}</b><br>{plural(r.defections, 'defection')}<br>{_esc(r.people)}"
             for r in frames.rows(posts)]
    largest = max(int(posts["defections"].max()), 1) if len(posts) else 1
    posted = dict(
        type="scattergeo", lon=posts["longitude"], lat=posts["latitude"], text=hover, hoverinfo="text",
        marker={"size": posts["defections"], "sizemode": "area", "sizeref": 2.0 * largest / 40**2,
                "sizemin": 6, "color": PALETTE[5], "opacity": 0.8, "line": {"width": 1, "color": "white"}},
        name="Defections per post",
    )
    geo = {"projection": {"type": "natural earth"}, "resolution": 110, "showland": True, "landcolor": "#e8e4da",
           "showcountries": True, "countrycolor": "#b8b2a6", "showocean": True, "oceancolor": "#f4f8fb",
           "showframe": False, "fitbounds": False, "lataxis": {"range": [-58, 84]}, "lonaxis": {"range": [-180, 180]}}
    return _set_margins(_figure([posted], "Where defectors were posted", 460, geo=geo), left=10, bottom=10)


def defection_timeline(events: pd.DataFrame, context: pd.DataFrame | None = None) -> dict:
    """Each defection as a bar over its dated period (a day, a month or a year), then a dotted line
    to the day it was made public; optional context events as markers on a row of their own."""
    traces = []
    each = frames.rows(events)
    rows = [_row_label(r.person, r.event_id) for r in each]
    hover = [
        f"<b>{_esc(r.person)}</b><br>{_esc(r.position)}<br>Post: {_esc(r.post)}"
        f"<br>Defected: {_esc(r.defection_period)} (precision: {_esc(r.date_precision)})"
        f"<br>Made public: {_esc(r.disclosed_period) or MISSING}"
        + (f" ({_esc(r.disclosure_lag)} later)" if isinstance(r.disclosure_lag, str) else "")
        + f"<br>Source: {_esc(r.source_title)}"
        for r in each
    ]
    xs, ys, hs = [], [], []
    for row, r, h in zip(rows, each, hover):
        # A zero-length period (day precision) still needs a visible mark: the marker trace below.
        xs += [r.period_start, r.period_end, None]
        ys += [row, row, None]
        hs += [h, h, None]
    traces.append(dict(type="scatter", x=xs, y=ys, mode="lines", line={"width": 9, "color": PALETTE[0]},
                       hovertext=hs, hoverinfo="text", name="Defected (dated period)"))
    # The start mark sits on the bar's first point, which already carries the hover text: a second copy
    # would add a quarter to the figure the browser receives and parses.
    traces.append(dict(type="scatter", x=events["period_start"], y=rows, mode="markers", hoverinfo="skip",
                       marker={"symbol": "line-ns-open", "size": 12, "color": PALETTE[0]}, showlegend=False))
    lag = events[events["disclosed_date"].notna()]
    lag_each = frames.rows(lag)
    lag_rows = [_row_label(r.person, r.event_id) for r in lag_each]
    lx, ly = [], []
    for row, r in zip(lag_rows, lag_each):
        lx += [r.period_end, r.disclosed_date, None]
        ly += [row, row, None]
    traces.append(dict(type="scatter", x=lx, y=ly, mode="lines",
                       line={"width": 1.5, "dash": "dot", "color": PALETTE[1]}, hoverinfo="skip",
                       name="Disclosure lag"))
    traces.append(dict(type="scatter", x=lag["disclosed_date"], y=lag_rows, mode="markers",
                       marker={"symbol": "diamond", "size": 9, "color": PALETTE[1]},
                       hovertext=[h for h, d in zip(hover, events["disclosed_date"]) if pd.notna(d)],
                       hoverinfo="text", name="Made public"))
    if context is not None and len(context):
        traces.append(dict(
            type="scatter", x=context["event_date"], y=["Diplomatic context"] * len(context), mode="markers",
            marker={"symbol": "triangle-up", "size": 10, "color": PALETTE[2]},
            hovertext=[f"<b>{_esc(r.event_period)}</b> · {_esc(r.actors)}<br>{_esc(r.summary)}"
                       f"<br>Source: {_esc(r.source_title)}" for r in frames.rows(context)],
            hoverinfo="text", name="Diplomatic context event"))
    # One row per defection, under a heading row per decade: 70-100 names stay apart and findable.
    decades = events["period_start"].dt.year // 10 * 10
    order = []
    for decade, row in zip(decades, rows):
        heading = f"<b>{decade}s</b>"
        if heading not in order:
            order.append(heading)
        order.append(row)
    if context is not None and len(context):
        order.append("Diplomatic context")
    # A fixed height per row, never squeezed: the labels need about 20 px each to stay apart. The left margin
    # holds a label of ROW_LABEL_CHARS and its id.
    return _set_margins(_figure(
        traces, "Defections by date, and when each was made public", 22 * len(order) + 160,
        yaxis={"autorange": "reversed", "type": "category", "categoryorder": "array",
               "categoryarray": order, "tickvals": order, "ticktext": order, "showgrid": False},
        xaxis={"title": {"text": "Date"}, "showgrid": True}), left=215)


def timeline_density(density: pd.DataFrame) -> dict:
    """Defections and disclosures per month, for views with too many events to draw one by one."""
    traces = []
    for i, (what, part) in enumerate(density.groupby("what", sort=True)):
        traces.append(dict(type="bar", x=part["month"], y=part["events"], name=what, marker={"color": PALETTE[i]},
                           hovertemplate="%{x|%B %Y}: %{y} " + _esc(what) + "<extra></extra>"))
    return _figure(traces, "Defections and disclosures per month", barmode="group",
                   yaxis={"title": {"text": "Defections per month"}}, xaxis={"title": {"text": "Month"}})


def yearly_arrivals(years: pd.DataFrame) -> dict:
    """Total arrivals in South Korea per year, and beside them the elite figures (approximate ones
    hatched, ranges as error bars, labelled as the source words them)."""
    traces = [dict(type="bar", x=years["year"], y=years["total_arrivals"], name="All arrivals",
                   marker={"color": PALETTE[4]}, hovertemplate="%{x}: %{y:,} arrivals<extra></extra>",
                   xaxis="x", yaxis="y")]
    elite = _elite_figures(years)
    if len(elite):
        approx = elite["elite_count_approx"].astype(bool)
        official = elite["elite_count_basis"].eq("official")
        # One visual language with the trend's diamonds: an official figure filled, a press figure hollow
        # (outlined), whatever its precision; an approximate one hatched.
        traces.append(dict(
            type="bar", x=elite["year"], y=elite["shown"], name="Elite defectors", text=elite["elite_count_label"],
            textposition="outside",
            marker={"color": [PALETTE[5] if o else "rgba(255, 255, 255, 0)" for o in official],
                    "line": {"color": PALETTE[5], "width": 2},
                    "pattern": {"shape": ["/" if a else "" for a in approx], "fgcolor": PALETTE[5]}},
            error_y={"type": "data", "symmetric": False, "array": elite["plus"], "arrayminus": elite["minus"],
                     "color": "#555"},
            hovertext=[f"{r.year}: {_esc(r.elite_count_label)}"
                       + (f" (source: “{_esc(r.elite_count_wording)}”)"
                          if isinstance(r.elite_count_wording, str) else "")
                       + (f", {_esc(r.elite_count_basis)} figure" if isinstance(r.elite_count_basis, str) else "")
                       + (" — approximate" if a else "") for r, a in zip(frames.rows(elite), approx)],
            hoverinfo="text", xaxis="x2", yaxis="y2"))
    # Room for the subplot titles under the chart's own title (margin); labels outside narrow bars would
    # otherwise shrink to fit the bar's width (uniformtext).
    return _set_margins(_figure(traces, "Arrivals per year (national figures)", 560, **_merged(_ARRIVALS_GRID, {
        "yaxis": {"title": {"text": "People"}}, "yaxis2": {"title": {"text": "Elite people"}, "rangemode": "tozero"},
        "xaxis2": {"title": {"text": "Year of arrival"}, "dtick": 2}, "showlegend": False,
        "uniformtext": {"minsize": 10, "mode": "show"}})), left=80, bottom=70, top=90)


# The two rows' axes and titles, laid out once (make_subplots costs more than the rest of the chart),
# without the template _figure adds to every figure.
_ARRIVALS_GRID = {key: value for key, value in make_subplots(
    rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.55, 0.45],
    subplot_titles=("All arrivals in South Korea", "Elite defectors: official filled, press hollow, ~ hatched"),
).layout.to_plotly_json().items() if key != "template"}


def motive_bars(counts: pd.DataFrame) -> dict:
    """Defections per motive, each counted once, stacked by who attributes the motive (one side, or
    several sides); the hover lists the attributors."""
    counts = counts.assign(motive=counts["motive"].map(_esc))  # category labels render HTML too
    order = counts.groupby("motive", sort=False)["defections"].sum().sort_values().index.tolist()
    traces = []
    for who, colour in ATTRIBUTION_COLOURS.items():
        part = counts[counts["attributed_to"] == who]
        if len(part):
            label = code_label(who)
            traces.append(dict(type="bar", y=part["motive"], x=part["defections"], orientation="h",
                               name=f"attributed by {label}", marker={"color": colour},
                               customdata=[_esc(a) for a in part["attributors"]],
                               hovertemplate="%{y}<br>%{x} defection(s), attributed by " + label
                                             + "<br>Attributed by: %{customdata}<extra></extra>"))
    # One tick per defection reads well for a few dozen; for thousands it would stall the browser.
    largest = counts.groupby("motive")["defections"].sum().max() if len(counts) else 0
    return _set_margins(_figure(
        traces, "Reported motives: defections, by who attributes them", max(320, 34 * len(order) + 140),
        barmode="stack", yaxis={"categoryorder": "array", "categoryarray": order},
        xaxis={"title": {"text": "Defections (each counted once per motive; one defection can cite several motives)"},
               "dtick": 1 if largest <= 20 else None}), left=_label_width(order), bottom=150)


def cuba_timeline(items: pd.DataFrame) -> dict:
    """Cuba's whole history with the two Koreas, North Korea's embassy closures and the Havana
    defections on one time axis, one row per track; a defection runs on to the day it was made public."""
    traces = []
    for track, colour in TRACK_COLOURS.items():
        part = items[items["track"] == track]
        if not len(part):
            continue
        havana = track == HAVANA_TRACK
        traces.append(dict(
            type="scatter", x=part["date"], y=part["track"], mode="markers", name=track,
            marker={"size": 13 if havana else 10, "color": colour, "symbol": "star" if havana else "circle"},
            hovertext=[f"<b>{_esc(r.period)}</b> · {_esc(r.kind)}<br>{_esc(r.summary)}"
                       + (f"<br>Source: {_esc(r.source_title)}" if _esc(r.source_title) else "")
                       for r in frames.rows(part)],
            hoverinfo="text"))
    public = items[(items["track"] == HAVANA_TRACK) & items["disclosed_date"].notna()]
    if len(public):
        lx, ly = [], []
        for r in frames.rows(public):
            lx += [r.period_end, r.disclosed_date, None]
            ly += [r.track, r.track, None]
        traces.append(dict(type="scatter", x=lx, y=ly, mode="lines",
                           line={"width": 2, "color": TRACK_COLOURS[HAVANA_TRACK]}, hoverinfo="skip",
                           showlegend=False))
        traces.append(dict(
            type="scatter", x=public["disclosed_date"], y=public["track"], mode="markers", name="Defection made public",
            marker={"symbol": "diamond", "size": 10, "color": TRACK_COLOURS[HAVANA_TRACK]},
            hovertext=[f"<b>{_esc(r.disclosed_period)}</b> · made public<br>{_esc(r.summary)}"
                       for r in frames.rows(public)], hoverinfo="text"))
    return _set_margins(_figure(traces, "Cuba and the two Koreas since 1949", 420, yaxis={"type": "category"},
                                xaxis={"title": {"text": "Date"}}), left=_label_width(TRACK_COLOURS))


def havana_sequence(items: pd.DataFrame) -> dict:
    """The Havana sequence, one row per story, each labelled with its date and a few words: North Korea's
    embassy closures as one span, each Havana defection as its dated month running on to its disclosure,
    each event with a headline; the other Cuba events share a last row, described on hover."""
    traces = []
    window = [pd.Timestamp(d) for d in HAVANA_SEQUENCE]
    width = (window[1] - window[0]).days

    def side(date) -> str:
        # Labels face the middle of the window, so none runs off the plot.
        return "middle left" if (pd.Timestamp(date) - window[0]).days > 0.6 * width else "middle right"

    def hover(r) -> str:
        return (f"<b>{_esc(r.period)}</b> · {_esc(r.kind)}<br>{_esc(r.summary)}"
                + (f"<br>Source: {_esc(r.source_title)}" if _esc(r.source_title) else ""))

    def label(when, words) -> str:
        return f"<b>{_esc(when)}</b><br>{_esc(words)}"

    ink = {"color": "#222222", "size": 12}

    rows = []
    closures = items[items["track"] == CLOSURES_TRACK]
    if len(closures):
        row = "closures"
        rows.append((closures["date"].min(), row))
        first, last = closures.iloc[0], closures.loc[closures["period_end"].idxmax()]
        colour = TRACK_COLOURS[CLOSURES_TRACK]
        traces.append(dict(type="scatter", x=[first["date"], last["period_end"]], y=[row, row], mode="lines",
                           line={"width": 12, "color": colour}, opacity=0.35, hoverinfo="skip",
                           showlegend=False))
        traces.append(dict(type="scatter", x=closures["date"], y=[row] * len(closures), mode="markers",
                           marker={"symbol": "line-ns-open", "size": 16, "color": colour,
                                   "line": {"width": 2}},
                           hovertext=[hover(r) for r in frames.rows(closures)], hoverinfo="text",
                           name=CLOSURES_TRACK, showlegend=False))
        traces.append(dict(type="scatter", x=[first["date"]], y=[row], mode="text", textposition="middle left",
                           text=[label(f"{first['period']} – {last['period']}", f"{CLOSURES_TRACK}"
                                       f" ({len(closures)} reports)")],
                           hoverinfo="skip", showlegend=False, textfont={**ink, "color": colour}))
    colour = TRACK_COLOURS[HAVANA_TRACK]
    for r in frames.rows(items[items["track"] == HAVANA_TRACK]):
        row = f"defection {r.date} {r.summary}"
        rows.append((r.date, row))
        # The bar spans the dated month or year; the square marks its start, so a day is visible too.
        traces.append(dict(type="scatter", x=[r.date, r.period_end], y=[row, row], mode="lines+markers",
                           line={"width": 12, "color": colour}, marker={"symbol": "square", "size": [12, 1]},
                           hovertext=[hover(r)] * 2, hoverinfo="text", name=_esc(r.headline),
                           showlegend=False))
        traces.append(dict(type="scatter", x=[r.date], y=[row], mode="text", text=[label(r.period, r.headline)],
                           textposition="middle left", textfont=ink, hoverinfo="skip", showlegend=False))
        if pd.notna(r.disclosed_date):
            traces.append(dict(
                type="scatter", x=[r.period_end, r.disclosed_date], y=[row, row], mode="lines+markers+text",
                line={"width": 2, "color": colour}, marker={"symbol": ["line-ns", "diamond"], "size": [1, 13],
                                                         "color": colour},
                text=["", label(r.disclosed_period, "made public")], textposition=side(r.disclosed_date), textfont=ink,
                hovertext=["", f"<b>{_esc(r.disclosed_period)}</b> · made public<br>{_esc(r.summary)}"],
                hoverinfo="text", showlegend=False))
    headlined = items[items["headline"].notna() & ~items["track"].isin([CLOSURES_TRACK, HAVANA_TRACK])]
    for r in frames.rows(headlined):
        row = f"event {r.date} {r.headline}"
        rows.append((r.date, row))
        traces.append(dict(type="scatter", x=[r.date], y=[row], mode="markers+text", text=[label(r.period, r.headline)],
                           textposition=side(r.date), textfont=ink, hovertext=[hover(r)], hoverinfo="text",
                           marker={"size": 13, "color": TRACK_COLOURS.get(r.track, PALETTE[0])},
                           showlegend=False))
    others = items[items["headline"].isna() & ~items["track"].isin([CLOSURES_TRACK, HAVANA_TRACK])]
    other_row = "Other Cuba events (hover)"
    if len(others):
        traces.append(dict(type="scatter", x=others["date"], y=[other_row] * len(others), mode="markers",
                           marker={"size": 8, "color": "#999999"}, hoverinfo="text", showlegend=False,
                           hovertext=[hover(r) for r in frames.rows(others)]))
    order = [row for _, row in sorted(rows, key=lambda date_row: pd.Timestamp(date_row[0]))]
    if len(others):
        order.append(other_row)
    return _set_margins(_figure(
        traces, "The Havana sequence, mid-2022 to 2025", max(320, 60 * len(order) + 120), showlegend=False,
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": order, "autorange": "reversed",
               "tickvals": order, "ticktext": ["" if row != other_row else row for row in order], "showgrid": False},
        xaxis={"range": window, "dtick": "M6", "tickformat": "%b %Y"}), left=_label_width([other_row]), bottom=50)




# Lags run from the same day to fifteen years: a log axis, with the same day drawn at half a day.
SAME_DAY = 0.5
LAG_TICKS = {SAME_DAY: "same day", 1: "1 day", 7: "1 week", 30.44: "1 month", 91.31: "3 months", 365.25: "1 year",
             1826.25: "5 years", 3652.5: "10 years"}


def _elite_figures(years: pd.DataFrame) -> pd.DataFrame:
    """The years with an elite figure, each with the value drawn and its error bar (a range's bounds)."""
    elite = years[years["elite_count_label"].notna()].copy()
    elite["shown"] = elite["elite_count"].fillna(elite["elite_count_high"]).fillna(elite["elite_count_low"])
    elite["minus"] = (elite["shown"] - elite["elite_count_low"].fillna(elite["shown"])).clip(lower=0)
    elite["plus"] = (elite["elite_count_high"].fillna(elite["shown"]) - elite["shown"]).clip(lower=0)
    return elite


def defection_trend(trend: pd.DataFrame, years: pd.DataFrame) -> dict:
    """The record's defections per year, stacked by elite category or confirmation, on the same year axis
    as the national elite figures (official filled, media hollow; approximate labelled "~", ranges as bars)."""
    traces = []
    year_of = trend["year_of"].iloc[0] if len(trend) else "defection"
    parts = trend.drop_duplicates("part").sort_values("part_rank")["part"].tolist()
    for i, part in enumerate(parts):
        rows = trend[trend["part"] == part]
        traces.append(dict(type="bar", x=rows["year"], y=rows["defections"], name=_esc(code_label(part)),
                           marker={"color": PALETTE[i % len(PALETTE)]}, legendgroup="record",
                           legendgrouptitle={"text": "This record (filtered)"},
                           hovertemplate="%{x}: %{y} defection(s), " + _esc(code_label(part)) + "<extra></extra>"))
    elite = _elite_figures(years)
    for basis, symbol, name in (("official", "diamond", "Official elite figure (national)"),
                                ("media", "diamond-open", "Media elite figure (national)")):
        rows = elite[elite["elite_count_basis"] == basis]
        if not len(rows):
            continue
        traces.append(dict(
            type="scatter", x=rows["year"], y=rows["shown"], mode="markers+text", name=name,
            text=rows["elite_count_label"], textposition="middle right", textfont={"color": "#000000", "size": 13},
            legendgroup="national", legendgrouptitle={"text": "South Korea, all posts"},
            marker={"symbol": symbol, "size": 13, "color": "#000000", "line": {"width": 2, "color": "#000000"}},
            error_y={"type": "data", "symmetric": False, "array": rows["plus"], "arrayminus": rows["minus"],
                     "color": "#555"},
            hovertext=[f"{r.year}: {_esc(r.elite_count_label)} elite arrivals in South Korea ({basis})"
                       + (f", “{_esc(r.elite_count_wording)}”" if isinstance(r.elite_count_wording, str) else "")
                       + (" — approximate" if r.elite_count_approx else "") for r in frames.rows(rows)],
            hoverinfo="text"))
    # The two legend groups sit at the foot of the figure like every legend (placed on the paper below
    # the axis, they were cut off: the bottom margin does not grow for a paper-placed legend).
    return _figure(traces, f"The record's defections per year of {_esc(year_of)}, beside the national elite figures",
                   560, barmode="stack",
                   yaxis={"title": {"text": "Defections (bars) · elite arrivals (diamonds)"}, "rangemode": "tozero"},
                   xaxis={"title": {"text": f"Year (bars: of {_esc(year_of)}; diamonds: of arrival in South Korea)"},
                          "dtick": 5},
                   margin={"t": 60})


def lag_distribution(lags: pd.DataFrame, summary: pd.DataFrame | None = None) -> dict:
    """Each defection's disclosure lag as a span from the shortest to the longest its dates allow (a dot
    when both are day-precise), sorted, on a log axis of days; with `summary` (queries.lag_summary) the
    median's range shaded."""
    traces, shapes = [], []
    if summary is not None and len(summary) and pd.notna(summary["median_low"].iloc[0]):
        low, high = (max(float(summary[c].iloc[0]), SAME_DAY) for c in ("median_low", "median_high"))
        shapes.append({"type": "rect", "x0": low, "x1": max(high, low * 1.15), "xref": "x", "y0": 0, "y1": 1,
                       "yref": "y domain", "fillcolor": "#999999", "opacity": 0.25, "line": {"width": 0}})
        # Named in the legend: an annotation on a log axis would need its position as a logarithm.
        traces.append(dict(type="scatter", x=[None], y=[None], mode="markers", hoverinfo="skip",
                           marker={"symbol": "square", "size": 14, "color": "rgba(153, 153, 153, 0.45)"},
                           name=f"Median: {_esc(summary['median'].iloc[0])}"))
    lo = lags["disclosure_lag_min_days"].astype(float).clip(lower=SAME_DAY)
    hi = lags["disclosure_lag_max_days"].astype(float).clip(lower=SAME_DAY)
    rank = list(range(1, len(lags) + 1))
    hover = [f"<b>{_esc(r.person)}</b><br>Defected {_esc(r.defection_period)}, made public {_esc(r.disclosed_period)}"
             f"<br>Lag: {_esc(r.disclosure_lag)}" for r in frames.rows(lags)]
    xs, ys, hs = [], [], []
    for a, b, y, h in zip(lo, hi, rank, hover):
        xs += [a, b, None]
        ys += [y, y, None]
        hs += [h, h, None]
    traces.append(dict(type="scatter", x=xs, y=ys, mode="lines", line={"width": 4, "color": PALETTE[1]}, hovertext=hs,
                       hoverinfo="text", name="Range the dates allow"))
    exact = lags["disclosure_lag_min_days"] == lags["disclosure_lag_max_days"]
    traces.append(dict(type="scatter", x=lo[exact], y=[y for y, e in zip(rank, exact) if e], mode="markers",
                       marker={"size": 7, "color": PALETTE[0]}, name="Exact (both dates to the day)",
                       hovertext=[h for h, e in zip(hover, exact) if e], hoverinfo="text"))
    return _figure(traces, "How long until each defection was made public", max(320, min(8 * len(lags) + 160, 900)),
                   **({"shapes": shapes} if shapes else {}),
                   xaxis={"type": "log", "title": {"text": "Time from defection to disclosure"},
                          "tickvals": list(LAG_TICKS), "ticktext": list(LAG_TICKS.values())},
                   yaxis={"title": {"text": "Defections, shortest lag first"}, "showticklabels": False,
                          "autorange": "reversed", "showgrid": False})
