"""Reference page: the charts and tables a dashboard page renders, at the same sizes, drawn from
in-memory DataFrames, so no database and no page logic: the floor Streamlit and plotly impose.

The specs come from the JSON file in $BENCH_REFERENCE_SPEC ({page: {"charts": [...], "tables": [...]}},
see bench/elements.py). In a browser each page has the app's URL (/ for the overview, /events, …, and
/blank for an empty page), because Streamlit loads a page's URL more slowly than the root (it first
probes the path as the server's base URL); in AppTest ?page=NAME picks one.
"""

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from defections.charts import PLOTLY_CONFIG

SPECS = json.loads(Path(os.environ["BENCH_REFERENCE_SPEC"]).read_text(encoding="utf-8"))
HOME = "overview"
st.set_page_config(layout="wide")  # as the app: charts and tables as wide on screen


def _column(kind: str, width: int, rows: int):
    rng = np.random.default_rng(rows + width)
    if kind == "i":
        return np.arange(rows, dtype="int64")
    if kind == "f":
        return rng.random(rows)
    if kind == "b":
        return rng.random(rows) < 0.5
    if kind == "M":
        return pd.date_range("2000-01-01", periods=rows, freq="D")
    return [f"row {i} ".ljust(width, "x")[: max(width, 1)] for i in range(rows)]


@st.cache_resource(show_spinner=False)
def frames(spec_json: str) -> tuple[list[pd.DataFrame], list[list[np.ndarray]]]:
    wanted = json.loads(spec_json)
    tables = [pd.DataFrame({f"c{i}": _column(kind, width, t["rows"]) for i, (kind, width) in enumerate(t["columns"])},
                           index=pd.RangeIndex(t["rows"])) for t in wanted["tables"]]
    rng = np.random.default_rng(0)
    arrays = [[rng.random((2, trace["points"])) for trace in chart["traces"]] for chart in wanted["charts"]]
    return tables, arrays


def _trace(kind: str, data: np.ndarray):
    if kind == "bar":
        return go.Bar(x=np.arange(data.shape[1]), y=data[1])
    if kind == "scattergeo":
        return go.Scattergeo(lat=data[0] * 140 - 70, lon=data[1] * 360 - 180, mode="markers")
    return go.Scatter(x=data[0], y=data[1], mode="markers")


def draw(page: str) -> None:
    spec = SPECS.get(page, {"charts": [], "tables": []})
    tables, arrays = frames(json.dumps(spec, sort_keys=True))
    for chart, data in zip(spec["charts"], arrays):
        figure = go.Figure([_trace(trace["type"], d) for trace, d in zip(chart["traces"], data)])
        figure.update_layout(height=chart["height"])
        st.plotly_chart(figure, config=PLOTLY_CONFIG)
    for table in tables:
        st.dataframe(table, hide_index=True)


def _page(name: str):
    return st.Page(lambda: draw(name), title=name, url_path=name, default=name == HOME)


if "page" in st.query_params:
    draw(st.query_params["page"])
else:  # the app's URLs, without a navigation menu
    st.navigation([_page(name) for name in dict.fromkeys([HOME, *SPECS, "blank"])], position="hidden").run()
