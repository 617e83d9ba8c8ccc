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
    """The same spec read from what an AppTest run rendered (every tab's content included), with the
    page's layout: every other element too, for the reference's "same elements" page."""
    charts, tables = [], []
    layout = layout_from_apptest(at, charts, tables)
    return {"charts": [figure_spec(json.loads(chart.proto.spec)) for chart in charts],
            "tables": [table_spec(frame.value) for frame in tables], "layout": layout}


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


# Leaves the reference redraws by kind, with the arguments that decide how each renders.
_LEAF_FIELDS = {
    "title": ("body",), "header": ("body",), "subheader": ("body",), "markdown": ("body",), "caption": ("body",),
    "metric": ("label", "body"), "toggle": ("label", "default"), "download_button": ("label", "icon"),
    "page_link": ("label", "icon"), "text_input": ("label", "max_chars"), "selectbox": ("label", "options"),
    "slider": ("label", "min", "max", "default", "step"), "multiselect": ("label", "options", "placeholder"),
    "code": ("code_text",), "radio": ("label", "options"),
    "info": ("body",), "warning": ("body",), "error": ("body",), "success": ("body",),
}


def layout_from_apptest(at, charts: list | None = None, tables: list | None = None) -> dict:
    """Every element an AppTest run rendered, in order and inside its columns, tabs and containers:
    charts and tables by position (appended to `charts` and `tables`, the order of the spec), inputs
    and text by kind with the arguments that shape them. The reference's "same elements" page replays it."""
    found = {"chart": [] if charts is None else charts, "table": [] if tables is None else tables}

    def outline(node) -> list[dict]:
        items = []
        for child in node.children.values():
            kind, proto = child.type, getattr(child, "proto", None)
            if kind in ("plotly_chart", "dataframe", "table"):
                what = "chart" if kind == "plotly_chart" else "table"
                items.append({"kind": what, "index": len(found[what])})
                found[what].append(child)
            elif kind == "tab_container":
                items.append({"kind": "tabs", "labels": [tab.proto.label for tab in child.children.values()],
                              "children": [outline(tab) for tab in child.children.values()]})
            elif kind == "flex_container" and child.children and all(
                    c.type == "column" for c in child.children.values()):
                items.append({"kind": "columns", "weights": [c.proto.weight for c in child.children.values()],
                              "children": [outline(c) for c in child.children.values()]})
            elif getattr(child, "children", None) is not None and kind not in _LEAF_FIELDS:
                border = bool(getattr(getattr(proto, "flex_container", None), "border", False))
                items.append({"kind": "container", "border": border, "children": [outline(child)]})
            else:
                fields = _LEAF_FIELDS.get(kind, ())
                items.append({"kind": kind, **{f: _plain(getattr(proto, f)) for f in fields}})
        return items

    roots = at._tree.children
    return {"main": outline(roots[0]), "sidebar": outline(roots[1]) if 1 in roots else []}


def _plain(value):
    # Protobuf scalars and repeated fields as JSON-able values.
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return list(value)


def kinds(layout: dict) -> list[tuple[str, str]]:
    """(region, kind) of every leaf of a layout, in order: what a replay must reproduce."""
    found = []

    def walk(items, region):
        for item in items:
            if "children" in item:
                for branch in item["children"]:
                    walk(branch, region)
            else:
                found.append((region, item["kind"]))

    for region in ("main", "sidebar"):
        walk(layout.get(region, []), region)
    return found
