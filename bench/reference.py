"""Reference page: the charts and tables a dashboard page renders, at the same sizes, drawn from
in-memory DataFrames, so no database and no page logic: the floor Streamlit and plotly impose.

The specs come from the JSON file in $BENCH_REFERENCE_SPEC ({page: {"charts": [...], "tables": [...]}},
see bench/elements.py). With ?elements=all a page replays the app page's whole layout instead (its
"layout" in the spec): the same charts and tables in place, and the same headings, text, inputs,
download buttons, columns and tabs, beside a navigation menu; the inputs do nothing.

In a browser each page has the app's URL (the registry's url_path; /blank for an empty page), because
Streamlit loads a page's URL more slowly than the root (it first probes the path as the server's base
URL); in AppTest ?page=NAME picks one.
"""

import itertools
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from bench.elements import TEXT
from defections.charts import PLOTLY_CONFIG
from defections.registry import PAGES as REGISTRY

SPECS = json.loads(Path(os.environ["BENCH_REFERENCE_SPEC"]).read_text(encoding="utf-8"))
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


def _chart(chart: dict, data: list[np.ndarray]) -> None:
    figure = go.Figure([_trace(trace["type"], d) for trace, d in zip(chart["traces"], data)])
    figure.update_layout(height=chart["height"])
    st.plotly_chart(figure, config=PLOTLY_CONFIG)


def draw(page: str) -> None:
    spec = SPECS.get(page, {"charts": [], "tables": []})
    tables, arrays = frames(json.dumps({k: spec[k] for k in ("charts", "tables")}, sort_keys=True))
    if ALL_ELEMENTS and "layout" in spec:
        with st.sidebar:
            _replay(spec["layout"]["sidebar"], spec, tables, arrays)
        _replay(spec["layout"]["main"], spec, tables, arrays)
        return
    for chart, data in zip(spec["charts"], arrays):
        _chart(chart, data)
    for table in tables:
        st.dataframe(table, hide_index=True)


# How the replay draws each leaf kind of a page's layout (bench/elements.py reads them); the inputs do nothing.
LEAVES = {
    "metric": lambda item, key: st.metric(item["label"], item["body"]),
    "toggle": lambda item, key: st.toggle(item["label"], value=item["default"], key=key),
    "download_button": lambda item, key: st.download_button(item["label"], data=b"", file_name="reference.csv",
                                                            on_click="ignore", icon=item["icon"] or None, key=key),
    "page_link": lambda item, key: st.page_link("https://example.invalid/", label=item["label"],
                                                icon=item["icon"] or None),
    "text_input": lambda item, key: st.text_input(item["label"], max_chars=item["max_chars"] or None, key=key),
    "selectbox": lambda item, key: st.selectbox(item["label"], item["options"], key=key),
    "slider": lambda item, key: st.slider(item["label"], min_value=int(item["min"]), max_value=int(item["max"]),
                                          value=tuple(int(v) for v in item["default"]) if len(item["default"]) > 1
                                          else int(item["default"][0]), step=int(item["step"]), key=key),
    "code": lambda item, key: st.code(item["code_text"], language=None),
    "button_group": lambda item, key: st.segmented_control(item["label"], item["options"],
                                                           default=item["options"][0], key=key),
    "radio": lambda item, key: st.radio(item["label"], item["options"], horizontal=True, key=key),
    "multiselect": lambda item, key: st.multiselect(item["label"], item["options"], placeholder=item["placeholder"],
                                                    key=key),
    "number_input": lambda item, key: st.number_input(item["label"], min_value=int(item["min"]),
                                                      max_value=int(item["max"]), step=1, key=key),
    "button": lambda item, key: st.button(item["label"], key=key),
} | {kind: lambda item, key, kind=kind: getattr(st, kind)(item["body"]) for kind in TEXT}


def _replay(items: list[dict], spec: dict, tables, arrays) -> None:
    for item in items:
        kind, key = item["kind"], f"element-{next(_KEYS)}"
        if kind == "chart":
            _chart(spec["charts"][item["index"]], arrays[item["index"]])
        elif kind == "table":
            st.dataframe(tables[item["index"]], hide_index=True)
        elif kind in ("tabs", "columns", "container"):
            blocks = (st.tabs(item["labels"], key=key) if kind == "tabs" else st.columns(item["weights"])
                      if kind == "columns" else [st.container(border=item["border"])])
            for block, children in zip(blocks, item["children"]):
                with block:
                    _replay(children, spec, tables, arrays)
        elif kind in LEAVES:
            LEAVES[kind](item, key)
        else:  # a kind this replay does not know yet: a test compares the kinds drawn with the app's
            st.text(kind)


def _page(name: str, url_path: str):
    return st.Page(lambda: draw(name), title=name, url_path=url_path or None, default=not url_path)


_KEYS = itertools.count()  # widget keys by position, the same on every run
# Kept for the session: a page switch through the replay's navigation drops the query string.
ALL_ELEMENTS = st.session_state.setdefault("all_elements", st.query_params.get("elements") == "all")
PAGES = {p.name: _page(p.name, p.url_path) for p in REGISTRY} | {"blank": _page("blank", "blank")}
if "page" in st.query_params:
    draw(st.query_params["page"])
else:  # the app's URLs; a navigation menu as the app's only on a page replaying all its elements
    st.navigation(list(PAGES.values()), position="sidebar" if ALL_ELEMENTS else "hidden").run()
