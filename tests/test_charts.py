"""Chart builders are pure: frames in, figures out, checked without Streamlit."""

from __future__ import annotations

import base64
import inspect
import json
import math
import re
import statistics

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io
import pytest

from defections import cache, charts, queries
from defections.filters import Filters

HAVANA = Filters(2023, 2023, posts=("Cuba",))


def trace(fig, name):
    return next(t for t in fig.data if t.name == name)


def test_month_precision_defection_spans_the_whole_month(con):
    fig = go.Figure(charts.defection_timeline(queries.timeline_events(con, HAVANA)))
    bar = trace(fig, "Defected (dated period)")
    assert [pd.Timestamp(x).date().isoformat() for x in bar.x[:2]] == ["2023-11-01", "2023-11-30"]
    assert "November 2023 (precision: month)" in bar.hovertext[0]


def test_disclosure_marker_sits_on_the_day_it_was_made_public(con):
    made_public = trace(go.Figure(charts.defection_timeline(queries.timeline_events(con, HAVANA))), "Made public")
    assert [pd.Timestamp(x).date().isoformat() for x in made_public.x] == ["2024-07-16"]


def test_approximate_elite_figures_are_hatched_and_labelled(con):
    years = queries.yearly_figures(con, Filters(2023, 2023))
    elite = trace(go.Figure(charts.yearly_arrivals(years)), "Elite defectors")
    assert list(elite.text) == ["~10"] and list(elite.marker.pattern.shape) == ["/"]


def test_elite_range_is_drawn_as_an_error_bar(con):
    years = queries.yearly_figures(con, Filters(2024, 2024))
    elite = trace(go.Figure(charts.yearly_arrivals(years)), "Elite defectors")
    low, high = years.iloc[0][["elite_count_low", "elite_count_high"]]
    assert elite.y[0] - elite.error_y.arrayminus[0] == low and elite.y[0] + elite.error_y.array[0] == high


def test_motive_bars_stack_by_attribution(con):
    counts = queries.motive_counts(con, Filters())
    fig = go.Figure(charts.motive_bars(counts))
    assert fig.layout.barmode == "stack"
    assert sum(sum(t.x) for t in fig.data) == counts["defections"].sum()


def test_map_uses_local_outlines_and_one_marker_per_located_post(con):
    posts = queries.post_map(con, Filters())
    fig = go.Figure(charts.post_map(posts))
    assert len(fig.data[0].lat) == len(posts) and fig.layout.geo.showland
    assert charts.PLOTLY_CONFIG["topojsonURL"].startswith("/app/static/")


def test_cuba_timeline_puts_the_havana_defection_on_its_own_track(con):
    fig = go.Figure(charts.cuba_timeline(queries.cuba_timeline(con, HAVANA)))
    star = trace(fig, "Defections from Havana")
    assert len(star.x) == 1 and "Ri Il Kyu" in star.hovertext[0]
    # Drawn once: the context event of his defection (C42, November 2023) is not a second mark beside the star.
    for window in (None, queries.HAVANA_SEQUENCE):
        items = queries.cuba_timeline(con, HAVANA, 300, window)
        november = items[(items["date"] == pd.Timestamp("2023-11-01")) & items["summary"].str.contains("Ri Il Kyu")]
        assert list(november["kind"]) == ["defection"], window
    ties = trace(fig, "South Korea–Cuba")
    assert "2024-02-14" in {pd.Timestamp(x).date().isoformat() for x in ties.x}


def test_a_crowded_cuba_track_gets_one_mark_per_year_counting_every_item(con):
    every = queries.cuba_timeline(con, Filters())
    crowded = queries.cuba_timeline(con, Filters(), max_marks=2)
    assert every["items"].eq(1).all()
    assert crowded.groupby("track")["items"].sum().to_dict() == every.groupby("track").size().to_dict()
    track = every[every["track"] == "North Korea–Cuba"]
    per_year = track.groupby(track["date"].dt.year).size()
    marks = crowded[crowded["track"] == "North Korea–Cuba"]
    assert marks["period"].tolist() == [str(y) for y in per_year.index]
    assert marks["items"].tolist() == per_year.tolist()
    busiest = marks.loc[marks["items"].idxmax()]
    kinds = track[track["date"].dt.year == int(busiest["period"])]["kind"].value_counts()
    listed = sorted(kinds.items(), key=lambda kind_n: (-kind_n[1], kind_n[0]))  # most frequent first
    assert busiest["summary"] == f"{kinds.sum()} events: " + ", ".join(f"{n} {k}" for k, n in listed)
    hover = trace(go.Figure(charts.cuba_timeline(crowded)), "North Korea–Cuba").hovertext
    assert busiest["summary"] in hover[marks.index.get_loc(busiest.name)] and not any("Source:" in h for h in hover)


def test_a_cuba_track_whose_months_fit_gets_one_mark_per_month(con):
    every = queries.cuba_timeline(con, Filters())
    track = every[every["track"] == "South Korea–Cuba"]
    months = track["date"].dt.to_period("M").nunique()
    assert months < len(track)  # the seeds have two events in one month: the test can tell months from items
    marks = queries.cuba_timeline(con, Filters(), max_marks=months)
    marks = marks[marks["track"] == "South Korea–Cuba"]
    assert len(marks) == months and marks["items"].sum() == len(track)
    assert marks["period"].iloc[-1] == track["date"].iloc[-1].strftime("%B %Y")


def test_havana_sequence_labels_each_mark_with_its_date_and_draws_the_defection_to_its_disclosure(con):
    items = queries.cuba_timeline(con, Filters(), window=queries.HAVANA_SEQUENCE)
    fig = go.Figure(charts.havana_sequence(items))
    labels = [t for trace in fig.data for t in (trace.text or []) if t]
    for when, words in [("November 2023", "Ri Il Kyu defects"), ("16 July 2024", "made public"),
                        ("14 February 2024", "South Korea and Cuba establish ties"),
                        ("17 January 2025", "South Korea&#x27;s embassy in Havana opens"),
                        ("10 June 2025", "Cuba&#x27;s embassy in Seoul opens")]:
        assert f"<b>{when}</b><br>{words}" in labels
    assert any(label.startswith("<b>26 October 2023 – 30 January 2024</b>") for label in labels)
    story = next(t for t in fig.data if t.text is not None and any("made public" in x for x in t.text))
    assert [pd.Timestamp(x).date().isoformat() for x in story.x] == ["2023-11-30", "2024-07-16"]
    assert all(pd.Timestamp(x) >= pd.Timestamp("2022-07-01") for x in items["period_end"])


def test_the_disclosure_sits_on_the_defections_row_not_on_a_context_track(con):
    items = queries.cuba_timeline(con, Filters())
    ri = items[items["track"] == "Defections from Havana"]
    assert ri["disclosed_period"].tolist() == ["16 July 2024"]
    assert not items["summary"].str.contains("Chosun Ilbo published its interview").any()
    assert (items["track"] == "North Korea's embassy closures").sum() >= 8


def test_timeline_groups_rows_by_decade_and_never_squeezes_them(con):
    events = queries.timeline_events(con, Filters())
    fig = go.Figure(charts.defection_timeline(events))
    ticks = list(fig.layout.yaxis.ticktext)
    decades = sorted({f"<b>{y // 10 * 10}s</b>" for y in events["period_start"].dt.year})
    assert [t for t in ticks if t.startswith("<b>")] == decades
    assert fig.layout.height >= 20 * len(ticks)
    assert max(len(t) for t in ticks) <= charts.ROW_LABEL_CHARS + 10


def test_trend_bars_add_up_to_the_selected_defections_per_year(con):
    china = Filters(posts=("China",))
    fig = go.Figure(charts.defection_trend(queries.yearly_trend(con, china), queries.yearly_figures(con, china)))
    drawn = {}
    for bar in (t for t in fig.data if t.type == "bar"):
        for year, n in zip(bar.x, bar.y):
            drawn[int(year)] = drawn.get(int(year), 0) + int(n)
    expected = con.execute("SELECT defection_year, count(*) FROM events WHERE post_country = 'China' AND counted "
                           "GROUP BY 1").fetchall()
    assert drawn == dict(expected) and sum(drawn.values()) == queries.events_in_view(con, china)
    assert fig.layout.barmode == "stack"


def test_trend_by_disclosure_counts_only_disclosed_defections_stacked_by_confirmation(con):
    trend = queries.yearly_trend(con, Filters(), "disclosure", "confirmation")
    disclosed = con.execute("SELECT count(*) FROM events WHERE disclosed_date IS NOT NULL AND counted").fetchone()[0]
    assert trend["defections"].sum() == disclosed < queries.events_in_view(con, Filters())
    names = {t.name for t in go.Figure(charts.defection_trend(trend, queries.yearly_figures(con, Filters()))).data}
    assert {"confirmed", "multiple reports"} <= names and "denied" not in names  # denied reports are not counted


def test_trend_marks_official_and_media_elite_figures_and_keeps_them_approximate(con):
    every = Filters()
    fig = go.Figure(charts.defection_trend(queries.yearly_trend(con, every), queries.yearly_figures(con, every)))
    official, media = trace(fig, "Official elite figure (national)"), trace(fig, "Media elite figure (national)")
    assert list(media.x) == [2013, 2016] and list(media.text) == ["18", "≥7"]
    # 2015's "20 by October" is a partial-year count, so a minimum (correction X149), not about 20.
    assert list(official.x) == [2015, 2023, 2024] and list(official.text) == ["≥20", "~10", "1–9"]
    assert official.marker.symbol == "diamond" and media.marker.symbol == "diamond-open"
    # 2024 "in the single digits": drawn at 9 with its bar down to 1, never as a point figure.
    assert official.y[2] - official.error_y.arrayminus[2] == 1 and official.error_y.array[2] == 0


def test_lag_distribution_draws_a_range_for_month_dates_and_leaves_out_year_dates(con):
    lags = queries.lag_distribution(con, Filters(2016, 2016))
    people = lags.set_index("person")
    assert tuple(people.loc["Thae Yong-ho", ["disclosure_lag_min_days", "disclosure_lag_max_days"]]) == (16, 46)
    assert "Unnamed diplomat (Bulgaria)" not in people.index  # dated only "2016"
    fig = go.Figure(charts.lag_distribution(lags))
    exact = trace(fig, "Exact (both dates to the day)")
    assert sorted(exact.x) == [7, 7]  # Kim Chol-song and the Health Ministry official: day-precise both ends
    assert fig.layout.xaxis.type == "log"


def test_lag_median_is_the_range_between_the_medians_of_shortest_and_longest(con):
    summary = queries.lag_summary(con, Filters(2016, 2016)).iloc[0]
    lags = queries.lag_distribution(con, Filters(2016, 2016))
    assert summary["with_lag"] == len(lags) > 2
    assert summary["with_lag"] + summary["without_lag"] == queries.events_in_view(con, Filters(2016, 2016))
    # The usual median: of an even count, the mean of the middle two (not the lower one), widened to whole days.
    assert (summary["median_low"], summary["median_high"]) == (
        math.floor(statistics.median(lags["disclosure_lag_min_days"])),
        math.ceil(statistics.median(lags["disclosure_lag_max_days"])))
    assert summary["median"] == f"{summary['median_low']}–{summary['median_high']} days"


def _plain(value):
    """A figure's JSON with plotly's encodings undone: base64 typed arrays as lists, dates without
    microseconds, whole floats as ints."""
    if isinstance(value, dict):
        if {"dtype", "bdata"} <= set(value):
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            if "shape" in value:
                array = array.reshape([int(n) for n in str(value["shape"]).split(",")])
            return _plain(array.tolist())
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.0+)?", value):
        return value.split(".")[0]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@pytest.mark.parametrize("filters", [Filters(), Filters(2016, 2024), Filters(1950, 1960)], ids=str)
def test_every_chart_is_written_as_plotly_itself_would_send_it(con, filters):
    """The app sends the builders' dicts without go.Figure: a shorthand plotly.js does not read (marker_color,
    a bare string title) would be silently dropped in the browser, so each must equal its validated figure."""
    shown = {  # each builder's frames, as its page queries them
        "post_map": (queries.post_map(con, filters),),
        "defection_timeline": (queries.timeline_events(con, filters, 500), queries.timeline_context(con, filters)),
        "timeline_density": (queries.timeline_density(con, filters),),
        "yearly_arrivals": (queries.yearly_figures(con, filters),),
        "motive_bars": (queries.motive_counts(con, filters),),
        "cuba_timeline": (queries.cuba_timeline(con, filters),),
        "havana_sequence": (queries.cuba_timeline(con, filters),),
        "defection_trend": (queries.yearly_trend(con, filters, "disclosure", "confirmation"),
                            queries.yearly_figures(con, filters)),
        "lag_distribution": (queries.lag_distribution(con, filters, 500), queries.lag_summary(con, filters)),
    }
    builders = {name for name, f in inspect.getmembers(charts, inspect.isfunction)
                if f.__module__ == charts.__name__ and not name.startswith("_")}
    assert set(shown) == builders  # a new chart builder fails here until it is drawn above
    for name, frames in shown.items():
        builder = getattr(charts, name)
        sent = _plain(cache.figure(builder, frames).to_dict())  # what st.plotly_chart is handed
        validated = _plain(json.loads(plotly.io.to_json(go.Figure(builder(*frames)), validate=False)))
        assert sent == validated, name


def test_arrivals_chart_draws_press_figures_hollow_and_official_ones_filled(con):
    years = queries.yearly_figures(con, Filters())
    fig = go.Figure(charts.yearly_arrivals(years))
    elite = next(t for t in fig.data if t.name == "Elite defectors")
    basis = dict(zip(years["year"], years["elite_count_basis"]))
    fills = dict(zip(elite.x, elite.marker.color))
    assert {basis[year] for year in fills} == {"official", "media"}
    for year, fill in fills.items():
        assert (fill == "rgba(255, 255, 255, 0)") == (basis[year] == "media"), year
    assert "national figures" in fig.layout.title.text
