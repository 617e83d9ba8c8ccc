"""Reference page: the charts and tables a dashboard page renders, at the same sizes, drawn from
in-memory DataFrames, so no database and no page logic: the floor Streamlit and plotly impose.

The specs come from the JSON file in $BENCH_REFERENCE_SPEC ({page: {"charts": [...], "tables": [...]}},
see bench/elements.py); ?page=NAME picks one, and ?page=blank (or an unknown name) is an empty page.
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
page = st.query_params.get("page", "blank")
spec = SPECS.get(page, {"charts": [], "tables": []})


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


tables, arrays = frames(json.dumps(spec, sort_keys=True))
for chart, data in zip(spec["charts"], arrays):
    figure = go.Figure([_trace(trace["type"], d) for trace, d in zip(chart["traces"], data)])
    figure.update_layout(height=chart["height"])
    st.plotly_chart(figure, config=PLOTLY_CONFIG)
for table in tables:
    st.dataframe(table, hide_index=True)
