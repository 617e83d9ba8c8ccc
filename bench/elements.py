"""What a page sends to the browser, as a size spec: charts (trace types and point counts) and
tables (rows, column kinds and widths). The reference page renders the same spec from in-memory
frames; the "points" target counts chart points plus table rows."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd

from bench.pages import Output

ARRAY_KEYS = ("x", "y", "z", "lat", "lon", "values", "labels", "r", "theta", "locations")


def _length(array) -> int:
    if isinstance(array, dict) and "bdata" in array:  # plotly's base64 typed arrays
        if "shape" in array:
            return int(np.prod([int(n) for n in str(array["shape"]).split(",")]))
        return len(base64.b64decode(array["bdata"])) // np.dtype(array["dtype"]).itemsize
    if isinstance(array, str | bytes) or array is None:
        return 0
    try:
        return len(array)
    except TypeError:
        return 0


def figure_spec(figure: dict) -> dict:
    """Trace types and point counts (the longest data array of each trace) of a plotly JSON figure."""
    traces = [{"type": trace.get("type", "scatter"),
               "points": max((_length(trace.get(key)) for key in ARRAY_KEYS), default=0)}
              for trace in figure.get("data", [])]
    return {"traces": traces, "height": (figure.get("layout") or {}).get("height") or 450}


def table_spec(frame: pd.DataFrame) -> dict:
    """Rows, and per column its kind (i, f, b, M, s) and the mean length of its text."""
    columns = []
    for name in frame.columns:
        column = frame[name]
        kind = column.dtype.kind if column.dtype.kind in "iufbM" else "s"
        width = 0
        if kind == "s":
            sample = column.dropna().head(1000).astype(str)
            width = int(round(sample.str.len().mean())) if len(sample) else 0
        columns.append([{"u": "i"}.get(kind, kind), width])
    return {"rows": len(frame), "columns": columns}


def spec_from_outputs(outputs: list[Output]) -> dict:
    spec = {"charts": [], "tables": []}
    for out in outputs:
        if out.kind == "chart":
            spec["charts"].append(figure_spec(json.loads(out.value.to_json())))
        else:
            spec["tables"].append(table_spec(out.value))
    return spec


def spec_from_apptest(at) -> dict:
    """The same spec read from what an AppTest run rendered (every tab's content included)."""
    return {"charts": [figure_spec(json.loads(chart.proto.spec)) for chart in at.get("plotly_chart")],
            "tables": [table_spec(frame.value) for frame in list(at.dataframe) + list(at.table)]}


def points(spec: dict) -> int:
    """Chart points plus table rows: how much data a page sends."""
    return (sum(t["points"] for c in spec["charts"] for t in c["traces"])
            + sum(t["rows"] for t in spec["tables"]))


def payload(at) -> tuple[int, int]:
    """(elements, bytes) of everything an AppTest run rendered: the messages the browser would receive."""
    count = size = 0
    stack = list(at._tree.children.values())
    while stack:
        node = stack.pop()
        children = getattr(node, "children", None)
        if children:
            stack += list(children.values())
        proto = getattr(node, "proto", None)
        if proto is not None and not children:
            count += 1
            size += len(proto.SerializeToString())
    return count, size
